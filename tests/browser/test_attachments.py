"""Attachments in the browser, on a phone (390 px) and a desktop (1280 px): a photo with the contact
form, a document with a reply on the case page, refused files (a fake image, one over the limit: the
message on the field, the text kept), the download through the case link, the language switch, and
staff downloading and replying with a file. Every page fits its width and axe finds nothing."""

import io
import re

import pytest
from django.core.files.storage import storages
from PIL import Image
from playwright.sync_api import expect

from servicetorg.core.choices import Role
from servicetorg.inquiries.models import Attachment, Inquiry, MessageKind
from tests.browser.conftest import check_page, login
from tests.factories import UnitFactory, make_service, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def attachment_dir(tmp_path, settings, monkeypatch):
    folder = tmp_path / "private-attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": "/no-public-url/"},
        },
    }
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storages["attachments"])
    return folder


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (20, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def test_citizen_sends_and_gets_files_and_staff_reply_with_one(sized_page, municipality, settings):
    page = sized_page
    settings.ATTACHMENT_MAX_SIZE = 50_000  # so that a file over the limit is quick to make
    unit = UnitFactory(municipality=municipality, name="Teknisk", slug="teknisk")
    service = make_service(municipality, unit=unit, slug="veg", name="Veg og gate")
    officer = make_staff(Role.CASE_OFFICER, municipality, unit, username="officer")

    # The contact form with a photo: the receipt, and the photo on the case page.
    page.goto(f"/kontakt/{service.slug}/")
    check_page(page)
    page.get_by_label("Emne").fill("Hull i veien")
    page.get_by_label("Din melding").fill("Stort hull ved skolen, se bildet.")
    page.get_by_label("Ditt navn").fill("Kari Nordmann")
    page.get_by_label("Legg ved filer (valgfritt)").set_input_files(
        [{"name": "hull.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    page.get_by_role("button", name="Send").click()
    reference = page.locator("#receipt-reference").inner_text()
    case_link = page.locator("#case-link").get_attribute("href")
    inquiry = Inquiry.objects.get(reference=reference)
    assert list(inquiry.attachments.values_list("name", flat=True)) == ["hull.jpg"]

    page.goto(case_link)
    assert "hull.jpg" in page.locator("#case-attachments").inner_text()
    check_page(page)

    # A file that claims to be a photo but is text: the message on the field, the text kept.
    page.get_by_label("Din melding").fill("Her er et bilde til.")
    page.get_by_label("Legg ved filer (valgfritt)").set_input_files(
        [{"name": "falsk.jpg", "mimeType": "image/jpeg", "buffer": b"Dette er bare tekst."}]
    )
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("#error-summary")
    error = page.locator("#id_attachments_error").inner_text()
    assert "«falsk.jpg» er navngitt eller sendt som et bilde" in error
    assert "velg filen på nytt" in error
    assert page.get_by_label("Din melding").input_value() == "Her er et bilde til."
    assert inquiry.attachments.count() == 1
    check_page(page)

    # A file over the limit: its own message, nothing stored, the text still there.
    page.get_by_label("Legg ved filer (valgfritt)").set_input_files(
        [{"name": "stor.pdf", "mimeType": "application/pdf", "buffer": PDF + b" " * 80_000}]
    )
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("#id_attachments_error")
    assert "«stor.pdf» er for stor" in page.locator("#id_attachments_error").inner_text()
    assert page.get_by_label("Din melding").input_value() == "Her er et bilde til."
    assert inquiry.attachments.count() == 1
    check_page(page)

    # The right file: the reply with its document goes through.
    page.get_by_label("Legg ved filer (valgfritt)").set_input_files(
        [{"name": "kart.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("text=Takk. Meldingen din er lagt til saken.")
    assert "kart.pdf" in page.locator("#case-attachments").inner_text()
    check_page(page)

    # The download through the case link.
    with page.expect_download() as download:
        page.get_by_role("link", name="kart.pdf").click()
    assert download.value.suggested_filename == "kart.pdf"
    with open(download.value.path(), "rb") as handle:
        assert handle.read() == PDF

    # The language switch (a POST) on the case page keeps the list, in English.
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("text=Write to us")
    expect(page.get_by_role("heading", name="Attachments")).to_be_visible()
    expect(page.get_by_label("Attach files (optional)")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Bokmål").click()
    page.wait_for_selector("text=Skriv til oss")

    # Staff: the files on the inquiry page, a download, and a reply with a file for her.
    login(page, "officer")
    page.goto(f"/staff/henvendelser/{inquiry.pk}/")
    assert "hull.jpg" in page.locator("#inquiry-attachments").inner_text()
    check_page(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="hull.jpg").click()
    assert download.value.suggested_filename == "hull.jpg"
    reply = page.locator("form[action$='/reply/']")
    reply.get_by_label("Tekst").fill("Vi fyller hullet i morgen. Se planen.")
    reply.get_by_label("Legg ved filer (valgfritt)").set_input_files(
        [{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    reply.get_by_role("button", name="Send svar").click()
    page.wait_for_url(re.compile(rf"/staff/henvendelser/{inquiry.pk}/$"))
    assert "plan.pdf" in page.locator("#inquiry-attachments").inner_text()
    check_page(page)
    staff_file = inquiry.attachments.get(name="plan.pdf")
    assert staff_file.author == officer and staff_file.message.kind == MessageKind.REPLY

    # She finds the municipality's file on her case page.
    page.goto(case_link)
    assert "plan.pdf" in page.locator("#case-attachments").inner_text()
    check_page(page)
