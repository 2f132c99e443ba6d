"""Attachments on inquiries: the content check, what a refused upload leaves (nothing), who may
download a file (the case link, the staff who may read the inquiry), and deleting a row deletes its file."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from servicetorg.core.choices import Channel, Role
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services
from servicetorg.inquiries.attachments import AttachmentsField, check_upload, display_name
from servicetorg.inquiries.models import Attachment, AttachmentSource, Inquiry, InquiryMessage, MessageKind
from tests.factories import UnitFactory, make_service, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachment_dir(tmp_path, settings, monkeypatch):
    """The private storage in a fresh folder, so a test can count what was written."""
    folder = tmp_path / "private-attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": "/no-public-url/"},
        },
    }
    # The field resolved its storage when the model was loaded: give it the test's.
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storages["attachments"])
    return folder


def stored_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def jpeg_bytes(size=(64, 48), exif=True) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "Telefonprodusent"  # Make
        data[0x0110] = "Modell X"  # Model
        gps = data.get_ifd(0x8825)
        gps[1] = "N"
        gps[2] = (59.0, 54.0, 30.0)
        image.save(out, format="JPEG", exif=data)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def png_bytes(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, format="GIF")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def contact_data(**extra):
    return {
        "subject": "Hull i veien",
        "body": "Det er et stort hull i veien ved skolen.",
        "contact_name": "Ola Nordmann",
        **extra,
    }


# --- The check of one file --------------------------------------------------------------------------


def test_a_jpeg_is_accepted_and_loses_its_exif_and_gps():
    original = jpeg_bytes()
    assert Image.open(io.BytesIO(original)).getexif()[0x010F] == "Telefonprodusent"
    checked = check_upload(upload("IMG_0001.JPG", original, "image/jpeg"))
    assert checked.kind == "jpeg" and checked.content_type == "image/jpeg"
    assert checked.name == "IMG_0001.jpg"
    stored = Image.open(io.BytesIO(checked.content))
    assert stored.size == (64, 48)
    exif = stored.getexif()
    assert 0x010F not in exif and 0x8825 not in exif and not exif.get_ifd(0x8825)


def test_png_webp_and_pdf_are_accepted_by_content_whatever_their_name():
    assert check_upload(upload("kart.png", png_bytes(), "image/png")).kind == "png"
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="WEBP")
    assert check_upload(upload("bilde.webp", out.getvalue(), "image/webp")).kind == "webp"
    checked = check_upload(upload("vedtak.pdf", PDF, "application/pdf"))
    assert checked.kind == "pdf" and checked.content == PDF
    # A PNG sent as "side.html" is shown as side.png (the name never decides what a file is).
    assert check_upload(upload("side.html", png_bytes(), "text/html")).name == "side.png"


def test_display_names_keep_letters_and_lose_what_is_odd():
    assert display_name("Søknad om plass (2).PDF", "pdf") == "Søknad om plass (2).pdf"
    assert display_name("<b>alert(1)<b>.png", "png") == "b_alert(1)_b.png"
    assert display_name(".htaccess", "pdf") == "htaccess.pdf"
    assert len(display_name("a" * 300 + ".jpg", "jpeg")) <= 100


def message_of(field_error) -> str:
    return " ".join(field_error.messages)


@pytest.mark.parametrize(
    ("name", "content", "content_type", "expected"),
    [
        ("x.jpg", b"Dette er bare tekst.\n", "image/jpeg", "er navngitt eller sendt som et bilde"),
        ("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png", "er navngitt eller sendt som et bilde"),
        ("rapport.pdf", b"Hei, dette er ingen PDF", "application/pdf", "er navngitt eller sendt som PDF"),
        ("brev.docx", b"PK\x03\x04" + b"\x00" * 40, "application/msword", "er ikke en filtype vi tar imot"),
        ("notat.txt", b"hei", "text/plain", "er ikke en filtype vi tar imot"),
        ("animasjon.gif", gif_bytes(), "image/gif", "er ikke en filtype vi tar imot"),
        ("tom.pdf", b"", "application/pdf", "er tom."),
        ("..\\a.pdf", PDF, "application/pdf", "mappesti"),
    ],
)
def test_refused_files_say_why(name, content, content_type, expected):
    field = AttachmentsField()
    with pytest.raises(Exception) as error:
        field.clean([upload(name, content, content_type)])
    text = message_of(error.value)
    assert expected in text
    assert "velg filen på nytt" in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "“x.jpg” is named or sent as an image, but its content is not an image we can read."),
        (
            "nn",
            "«x.jpg» er namngitt eller send som eit bilete, men innhaldet er ikkje eit bilete vi kan lese.",
        ),
    ],
)
def test_messages_in_english_and_nynorsk(language, expected):
    with translation.override(language):
        with pytest.raises(Exception) as error:
            AttachmentsField().clean([upload("x.jpg", b"tekst", "image/jpeg")])
        assert expected in message_of(error.value)


def test_too_many_files_and_too_large_files_are_refused(settings):
    settings.ATTACHMENT_MAX_FILES = 2
    field = AttachmentsField()
    with pytest.raises(Exception) as error:
        field.clean([upload(f"{i}.pdf", PDF, "application/pdf") for i in range(3)])
    assert "Du valgte 3 filer; send høyst 2 filer om gangen." in message_of(error.value)
    settings.ATTACHMENT_MAX_SIZE = 1000
    with pytest.raises(Exception) as error:
        field.clean([upload("stor.png", png_bytes((64, 64)), "image/png")])
    assert "er for stor" in message_of(error.value) and "Grensen er 0" in message_of(error.value)


def test_a_decompression_bomb_is_refused(settings):
    settings.ATTACHMENT_MAX_PIXELS = 100
    with pytest.raises(Exception) as error:
        check_upload(upload("stort.png", png_bytes((20, 20)), "image/png"))
    assert "for mange piksler" in message_of(error.value)


def large_png(size) -> bytes:
    """A PNG of large dimensions in a small file (one colour, 1 bit a pixel): a decompression bomb."""
    out = io.BytesIO()
    Image.new("1", size).save(out, format="PNG", optimize=True)
    return out.getvalue()


def test_image_bombs_are_refused_from_the_header_fast_and_clearly(client, municipality, attachment_dir):
    """Review 2 §2.8: five 49-megapixel PNGs (929 KiB) took 12.6 s and 500 MB in a web worker. Now one
    is over the per-image limit, and five under it are over the submission's budget: both refused
    from the headers, before anything is decoded."""
    import time

    bomb = large_png((7000, 7000))  # 49 megapixels
    assert len(bomb) < 200_000
    client.get(reverse("inquiries_public:contact"))  # templates and URLs loaded: time the check alone
    body, content_type = multipart(contact_data(), [(f"kart{i}.png", bomb, "image/png") for i in range(5)])
    started = time.perf_counter()
    response = client.post(reverse("inquiries_public:contact"), body, content_type=content_type)
    took = time.perf_counter() - started
    assert response.status_code == 200 and not Inquiry.objects.exists() and not stored_files(attachment_dir)
    assert "for mange piksler" in " ".join(response.context["form"].errors["attachments"])
    assert took < 1.5, took
    # Under the per-image limit (20 MP each), five together exceed the submission's budget.
    under = large_png((5000, 4000))
    body, content_type = multipart(contact_data(), [(f"b{i}.png", under, "image/png") for i in range(5)])
    started = time.perf_counter()
    response = client.post(reverse("inquiries_public:contact"), body, content_type=content_type)
    took = time.perf_counter() - started
    errors = " ".join(response.context["form"].errors["attachments"])
    assert "Bildene har til sammen for mange piksler" in errors and "40 megapiksler" in errors
    assert took < 1.0, took
    assert not Inquiry.objects.exists()


def test_an_image_whose_decoding_needs_too_much_memory_is_refused(settings):
    settings.ATTACHMENT_MAX_DECODE_BYTES = 64 * 64 * 8 - 1  # decoded and turned upright, 4 bytes a pixel
    with pytest.raises(Exception) as error:
        check_upload(upload("kart.png", png_bytes((64, 64)), "image/png"))
    assert "for mange piksler" in message_of(error.value)
    settings.ATTACHMENT_MAX_DECODE_BYTES = 64 * 64 * 8
    assert check_upload(upload("kart.png", png_bytes((64, 64)), "image/png")).kind == "png"


# --- The contact form: a refused upload stores nothing and keeps what was typed ----------------------


def multipart(fields: dict, files: list[tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart body by hand: the test client would cut a file name down to its last part."""
    boundary = "----servicetorg-test-boundary"
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, content, content_type in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


BAD_UPLOADS = [
    pytest.param(
        ("x.jpg", b"bare tekst", "image/jpeg"), "er navngitt eller sendt som et bilde", id="fake-image"
    ),
    pytest.param(
        ("brev.docx", b"PK\x03\x04xxxx", "application/msword"), "er ikke en filtype", id="wrong-type"
    ),
    pytest.param(("../../etc/passwd.png", png_bytes(), "image/png"), "mappesti", id="path-slash"),
    pytest.param(("..\\a.pdf", PDF, "application/pdf"), "mappesti", id="path-backslash"),
    pytest.param(("tom.pdf", b"", "application/pdf"), "er tom.", id="empty"),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_UPLOADS)
def test_contact_form_refuses_a_bad_file_stores_nothing_and_keeps_the_text(
    client, municipality, attachment_dir, bad, expected
):
    body, content_type = multipart(contact_data(), [("bilde.png", png_bytes(), "image/png"), bad])
    response = client.post(reverse("inquiries_public:contact"), body, content_type=content_type)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in " ".join(response.context["form"].errors["attachments"])
    assert "velg filen på nytt" in html
    assert "Det er et stort hull i veien ved skolen." in html and 'value="Ola Nordmann"' in html
    assert not Inquiry.objects.exists() and not Attachment.objects.exists()
    assert stored_files(attachment_dir) == []


def test_contact_form_refuses_too_many_files(client, municipality, attachment_dir, settings):
    settings.ATTACHMENT_MAX_FILES = 2
    files = [upload(f"{i}.pdf", PDF, "application/pdf") for i in range(3)]
    response = client.post(reverse("inquiries_public:contact"), contact_data(attachments=files))
    assert "send høyst 2 filer" in " ".join(response.context["form"].errors["attachments"])
    assert not Inquiry.objects.exists() and stored_files(attachment_dir) == []


def test_a_file_over_the_limit_is_not_kept_even_in_a_temporary_file(
    client, municipality, attachment_dir, settings
):
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE the body streams through the bounded handler (core/uploads.py).
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.FILE_UPLOAD_MAX_SIZE = 2000
    settings.ATTACHMENT_MAX_SIZE = 4000
    big = upload("stor.pdf", PDF + b"x" * 20_000, "application/pdf")
    response = client.post(reverse("inquiries_public:contact"), contact_data(attachments=[big]))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["attachments"])
    assert "«stor.pdf» er for stor" in errors
    assert not Inquiry.objects.exists() and stored_files(attachment_dir) == []


def test_a_request_over_the_edge_limit_gets_a_clear_page(client, municipality, settings):
    settings.UPLOAD_REQUEST_MAX_SIZE = 10_000
    big = upload("stor.pdf", PDF + b"x" * 20_000, "application/pdf")
    response = client.post(reverse("inquiries_public:contact"), contact_data(attachments=[big]))
    assert response.status_code == 413
    assert "for store til sammen" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_an_error_elsewhere_reminds_to_choose_the_files_again(client, municipality, attachment_dir):
    data = contact_data(subject="", attachments=[upload("vedtak.pdf", PDF, "application/pdf")])
    response = client.post(reverse("inquiries_public:contact"), data)
    assert "subject" in response.context["form"].errors
    assert "velg filen på nytt" in response.content.decode()
    assert stored_files(attachment_dir) == []


# --- A case with files: what the citizen and staff see and download ----------------------------------


@pytest.fixture
def sent(client, municipality, service, attachment_dir):
    """The citizen's inquiry through the contact form with a photo and a PDF: (inquiry, case url)."""
    files = [upload("hull.jpg", jpeg_bytes(), "image/jpeg"), upload("skisse.pdf", PDF, "application/pdf")]
    response = client.post(
        reverse("inquiries_public:contact-service", args=[service.slug]), contact_data(attachments=files)
    )
    assert response.status_code == 302, response.context["form"].errors
    receipt = client.get(response["Location"])
    link = receipt.context["link"].split("testserver")[1]
    case_url = client.get(link)["Location"]  # the link opens the case for this session
    assert case_url == f"/sak/{Inquiry.objects.get().reference}/"
    return Inquiry.objects.get(), case_url


def test_contact_form_stores_files_privately_under_random_names(sent, attachment_dir, settings):
    inquiry, _case_url = sent
    attachments = list(inquiry.attachments.order_by("pk"))
    assert [a.name for a in attachments] == ["hull.jpg", "skisse.pdf"]
    assert {a.source for a in attachments} == {AttachmentSource.CITIZEN}
    first_message = inquiry.messages.get(kind=MessageKind.CITIZEN)
    assert all(a.message == first_message for a in attachments)
    files = stored_files(attachment_dir)
    assert len(files) == 2
    assert all("hull" not in p.name and "skisse" not in p.name and len(p.stem) == 32 for p in files)
    assert str(settings.STATIC_ROOT) not in str(files[0])
    stored_photo = Image.open(attachments[0].file.path)
    assert 0x010F not in stored_photo.getexif()
    event = inquiry.messages.get(kind=MessageKind.EVENT, text__startswith="Vedlegg lagt til")
    assert "hull.jpg" in event.text and "skisse.pdf" in event.text


def test_case_page_lists_and_serves_the_files_to_the_link(client, sent):
    inquiry, case_url = sent
    page = client.get(case_url)
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    attachment = inquiry.attachments.get(name="skisse.pdf")
    url = f"{case_url}vedlegg/{attachment.pk}/"
    assert f'href="{url}"' in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="skisse.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_non_ascii_names_are_sent_as_rfc_6266_names(client, municipality, attachment_dir):
    files = [upload("Søknad.pdf", PDF, "application/pdf")]
    response = client.post(reverse("inquiries_public:contact"), contact_data(attachments=files))
    link = client.get(response["Location"]).context["link"].split("testserver")[1]
    attachment = Attachment.objects.get()
    download = client.get(f"{link}vedlegg/{attachment.pk}/", follow=True)
    assert download["Content-Disposition"] == "attachment; filename*=utf-8''S%C3%B8knad.pdf"


def test_the_files_need_the_cases_own_link(client, sent, municipality, desk_worker):
    inquiry, case_url = sent
    attachment = inquiry.attachments.first()
    reference = inquiry.reference
    assert client.get(f"/sak/{reference}/feil-kode/vedlegg/{attachment.pk}/").status_code == 404
    other = services.register(
        municipality=municipality, channel=Channel.PHONE, subject="Annet", user=desk_worker
    )
    other_url = f"/sak/{other.inquiry.reference}/{other.token}/"
    # Another case's link does not open this case's file, and a wrong id is a 404.
    assert client.get(f"{other_url}vedlegg/{attachment.pk}/").status_code == 404
    assert client.get(f"{case_url}vedlegg/999999/").status_code == 404
    # Without the link in this session, the token-free address opens nothing.
    assert Client().get(f"{case_url}vedlegg/{attachment.pk}/").status_code == 404
    assert Client().get(f"/sak/{other.inquiry.reference}/vedlegg/{attachment.pk}/").status_code == 404


def test_citizen_replies_with_a_file_on_the_case_page(client, sent, attachment_dir):
    inquiry, case_url = sent
    response = client.post(
        case_url,
        {"text": "Her er et bilde til.", "attachments": [upload("mer.png", png_bytes(), "image/png")]},
    )
    assert response.status_code == 302
    message = InquiryMessage.objects.get(text="Her er et bilde til.")
    assert list(message.attachments.values_list("name", flat=True)) == ["mer.png"]
    assert len(stored_files(attachment_dir)) == 3
    page = client.get(case_url).content.decode()
    assert "mer.png" in page


def test_a_refused_reply_file_stores_nothing_and_keeps_the_text(client, sent, attachment_dir):
    inquiry, case_url = sent
    before = InquiryMessage.objects.count()
    response = client.post(
        case_url,
        {"text": "Tekst som skal stå igjen", "attachments": [upload("x.jpg", b"tekst", "image/jpeg")]},
    )
    assert response.status_code == 400
    assert "Tekst som skal stå igjen" in response.content.decode()
    assert "velg filen på nytt" in response.content.decode()
    assert InquiryMessage.objects.count() == before and inquiry.attachments.count() == 2
    assert len(stored_files(attachment_dir)) == 2


def test_staff_who_may_read_the_inquiry_see_and_download_the_files(
    client, sent, unit, municipality, case_officer
):
    inquiry, _case_url = sent
    attachment = inquiry.attachments.get(name="skisse.pdf")
    url = reverse("inquiries:attachment", args=[inquiry.pk, attachment.pk])
    client.force_login(case_officer)
    page = client.get(reverse("inquiries:detail", args=[inquiry.pk])).content.decode()
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert client.get(reverse("inquiries:attachment", args=[inquiry.pk, 999999])).status_code == 404


@pytest.mark.parametrize("who", ["other_municipality", "council", "other_unit_sensitive"])
def test_staff_who_may_not_read_the_inquiry_get_404(
    client, municipality, other_municipality, unit, who, attachment_dir
):
    sensitive = make_service(municipality, unit=unit, slug="barnevern", name="Barnevern")
    sensitive.sensitive = True
    sensitive.save(update_fields=["sensitive"])
    registered = services.register(
        municipality=municipality,
        channel=Channel.WEB_FORM,
        subject="Bekymring",
        service=sensitive,
        user=CITIZEN,
        to_responsible_unit=True,
    )
    inquiry = registered.inquiry
    services.add_attachments(
        inquiry,
        [check_upload(upload("notat.pdf", PDF, "application/pdf"))],
        user=CITIZEN,
        source=AttachmentSource.CITIZEN,
    )
    attachment = inquiry.attachments.get()
    if who == "other_municipality":
        user = make_staff(Role.ADMINISTRATION, other_municipality)
    elif who == "council":
        user = make_staff(Role.COUNCIL, municipality)
    else:
        user = make_staff(
            Role.CASE_OFFICER, municipality, UnitFactory(municipality=municipality, slug="teknisk")
        )
    client.force_login(user)
    assert client.get(reverse("inquiries:attachment", args=[inquiry.pk, attachment.pk])).status_code == 404
    # The unit the sensitive inquiry belongs to does read it.
    client.force_login(make_staff(Role.CASE_OFFICER, municipality, unit))
    assert client.get(reverse("inquiries:attachment", args=[inquiry.pk, attachment.pk])).status_code == 200


def test_staff_reply_with_a_file_reaches_the_citizen(client, sent, case_officer, attachment_dir):
    from servicetorg.core.models import OutboxMessage

    inquiry, case_url = sent
    Inquiry.objects.filter(pk=inquiry.pk).update(contact_email="ola@example.no")
    client.force_login(case_officer)
    response = client.post(
        reverse("inquiries:act", args=[inquiry.pk, "reply"]),
        {
            "reply-text": "Vi fikser hullet i morgen.",
            "reply-attachments": [upload("plan.pdf", PDF, "application/pdf")],
        },
    )
    assert response.status_code == 302
    attachment = inquiry.attachments.get(name="plan.pdf")
    assert attachment.source == AttachmentSource.STAFF and attachment.author == case_officer
    assert attachment.message.kind == MessageKind.REPLY
    mail = OutboxMessage.objects.filter(recipients=["ola@example.no"]).latest("pk")
    assert "Vedlagt (last ned fra saken din): plan.pdf" in mail.body
    client.logout()  # a new session: the link opens the case again
    client.get(f"{case_url}{inquiry.link_token()}/")
    page = client.get(case_url).content.decode()
    assert "plan.pdf" in page
    assert client.get(f"{case_url}vedlegg/{attachment.pk}/").status_code == 200


def test_staff_reply_with_a_bad_file_stores_nothing(client, sent, case_officer, attachment_dir):
    inquiry, _case_url = sent
    client.force_login(case_officer)
    response = client.post(
        reverse("inquiries:act", args=[inquiry.pk, "reply"]),
        {"reply-text": "Svar", "reply-attachments": [upload("x.jpg", b"tekst", "image/jpeg")]},
    )
    assert response.status_code == 400
    assert "Svar" in response.content.decode()
    assert inquiry.attachments.count() == 2 and len(stored_files(attachment_dir)) == 2
    assert not inquiry.messages.filter(kind=MessageKind.REPLY).exists()


def test_a_council_member_cannot_add_files(sent, municipality):
    inquiry, _case_url = sent
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.add_attachments(
            inquiry,
            [check_upload(upload("a.pdf", PDF, "application/pdf"))],
            user=make_staff(Role.COUNCIL, municipality),
            source=AttachmentSource.STAFF,
        )


# --- Deleting ---------------------------------------------------------------------------------------


def test_deleting_an_attachment_or_its_inquiry_deletes_the_file(
    sent, attachment_dir, django_capture_on_commit_callbacks
):
    inquiry, _case_url = sent
    assert len(stored_files(attachment_dir)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        inquiry.attachments.first().delete()
    assert len(stored_files(attachment_dir)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        inquiry.messages.all().delete()
        Attachment.objects.filter(inquiry=inquiry).delete()
    assert stored_files(attachment_dir) == []


def test_a_failed_save_removes_the_files_it_wrote(sent, attachment_dir, monkeypatch):
    inquiry, _case_url = sent
    checked = [check_upload(upload("a.pdf", PDF, "application/pdf"))] * 2
    calls = {"n": 0}
    original = Attachment.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", failing_save)
    with pytest.raises(RuntimeError):
        services.add_attachments(inquiry, checked, user=CITIZEN, source=AttachmentSource.CITIZEN)
    assert len(stored_files(attachment_dir)) == 2  # only the two from the contact form
    assert inquiry.attachments.count() == 2


# --- API ---------------------------------------------------------------------------------------------


def test_api_detail_lists_attachment_metadata_to_those_who_may_read(sent, case_officer, other_municipality):
    from rest_framework.test import APIClient

    inquiry, _case_url = sent
    api = APIClient()
    api.force_authenticate(case_officer)
    data = api.get(f"/api/inquiries/inquiries/{inquiry.pk}/").json()
    assert [(a["name"], a["source"]) for a in data["attachments"]] == [
        ("hull.jpg", "citizen"),
        ("skisse.pdf", "citizen"),
    ]
    assert "file" not in data["attachments"][0]
    api.force_authenticate(make_staff(Role.ADMINISTRATION, other_municipality))
    assert api.get(f"/api/inquiries/inquiries/{inquiry.pk}/").status_code == 404


def test_retention_anonymising_an_inquiry_deletes_its_files(
    sent, attachment_dir, django_capture_on_commit_callbacks
):
    from servicetorg.inquiries.personal_data import anonymise

    inquiry, _case_url = sent
    assert len(stored_files(attachment_dir)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        anonymise([inquiry.pk])
    assert not Attachment.objects.filter(inquiry=inquiry).exists()
    assert stored_files(attachment_dir) == []


def test_admin_shows_the_attachments_read_only(client, sent):
    from django.contrib.auth import get_user_model

    inquiry, _case_url = sent
    admin = get_user_model().objects.create_superuser("root", "root@example.no", "pass-for-tests-1")
    client.force_login(admin)
    page = client.get(reverse("admin:inquiries_inquiry_change", args=[inquiry.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "skisse.pdf" in html and "/no-public-url/" not in html


def test_a_persons_export_lists_her_attachments(sent, municipality):
    from servicetorg.privacy import access as personal_data

    inquiry, _case_url = sent
    Inquiry.objects.filter(pk=inquiry.pk).update(contact_email="kari@example.no")
    admin = make_staff(Role.ADMINISTRATION, municipality)
    found = personal_data.search(municipality, personal_data.person(email="kari@example.no"), user=admin)
    parts = [part for f in found for record in f.records for part in record.parts]
    texts = [text for kind, _when, text in parts if kind == "vedlegg"]
    assert len(texts) == 2 and texts[0].startswith("hull.jpg (") and texts[1] == "skisse.pdf (45 B)"


def test_the_sweep_deletes_old_files_no_row_names_and_nothing_else(sent, attachment_dir):
    import os
    import time

    from django.core.management import call_command

    inquiry, _case_url = sent
    folder = attachment_dir / str(inquiry.municipality_id)
    old_orphan, new_orphan = folder / ("0" * 32), folder / ("1" * 32)
    old_orphan.write_bytes(b"left by a rolled-back transaction")
    new_orphan.write_bytes(b"a transaction still running")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_orphan, (two_days_ago, two_days_ago))
    for attachment in inquiry.attachments.all():  # old files with rows stay
        os.utime(attachment.file.path, (two_days_ago, two_days_ago))
    out = io.StringIO()
    call_command("sweep_attachment_files", stdout=out)
    assert "1 orphan attachment files deleted" in out.getvalue()
    assert not old_orphan.exists() and new_orphan.exists()
    assert len(stored_files(attachment_dir)) == 3
    with pytest.raises(PermissionDenied):
        services.sweep_orphan_files(user=make_staff(Role.ADMINISTRATION, inquiry.municipality))


def test_the_sweep_runs_nightly(settings):
    from servicetorg.inquiries import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["inquiries-sweep-attachment-files"]
    assert entry["task"] == tasks.sweep_attachment_files.name == "inquiries.sweep_attachment_files"
