"""Open311 media: ``media_url`` kept as a link and never fetched, a ``media`` upload checked like the
web form's, and GET showing only the links clients sent (a citizen's file is never public)."""

import socket

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services
from servicetorg.inquiries.attachments import check_upload
from servicetorg.inquiries.models import Attachment, AttachmentSource, IdempotencyRecord, Inquiry
from tests.inquiries import open311_test_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(open311_test_urls.__name__)]
URL = "/api/open311/v2/requests.json"
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


@pytest.fixture
def api_key(municipality, administration):
    _client, key = services.create_api_client(municipality=municipality, name="Fiks", user=administration)
    return key


@pytest.fixture
def base(municipality, service, api_key):
    return {
        "jurisdiction_id": municipality.number,
        "api_key": api_key,
        "service_code": service.slug,
        "description": "Hull i veien",
    }


def files_in(folder):
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_media_url_is_kept_as_a_link_never_fetched_and_shown_on_get(client, base, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the server must not fetch a client's media_url")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    url = "http://169.254.169.254/latest/meta-data/bilde.jpg"
    response = client.post(URL, {**base, "media_url": url})
    assert response.status_code == 201, response.content
    request_id = response.json()[0]["service_request_id"]
    attachment = Attachment.objects.get()
    assert (
        attachment.media_url == url and not attachment.file and attachment.source == AttachmentSource.OPEN311
    )
    detail = client.get(
        f"/api/open311/v2/requests/{request_id}.json", {"jurisdiction_id": base["jurisdiction_id"]}
    )
    assert detail.json()[0]["media_url"] == url
    listed = client.get(URL, {"jurisdiction_id": base["jurisdiction_id"]}).json()
    assert [r["media_url"] for r in listed] == [url]


def test_a_bad_media_url_is_refused_with_nothing_registered(client, base):
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "ftp://example.no/x.jpg", "http://" + "a" * 600):
        response = client.post(URL, {**base, "media_url": bad})
        assert response.status_code == 400
        assert "media_url" in response.json()[0]["description"]
    assert not Inquiry.objects.exists() and not Attachment.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def test_a_media_upload_is_checked_and_stored_privately(client, base, attachment_dir):
    media = SimpleUploadedFile("skade.pdf", PDF, content_type="application/pdf")
    response = client.post(URL, {**base, "media": media})
    assert response.status_code == 201, response.content
    request_id = response.json()[0]["service_request_id"]
    attachment = Attachment.objects.get()
    assert attachment.name == "skade.pdf" and attachment.source == AttachmentSource.OPEN311
    assert len(files_in(attachment_dir)) == 1
    # A file is never published through GET.
    detail = client.get(
        f"/api/open311/v2/requests/{request_id}.json", {"jurisdiction_id": base["jurisdiction_id"]}
    )
    assert detail.json()[0]["media_url"] is None


def test_a_fake_image_upload_is_refused_in_both_languages(client, base, attachment_dir):
    media = SimpleUploadedFile("x.jpg", b"bare tekst", content_type="image/jpeg")
    response = client.post(URL, {**base, "media": media})
    assert response.status_code == 400
    description = response.json()[0]["description"]
    assert "er navngitt eller sendt som et bilde" in description
    assert "is named or sent as an image" in description
    assert not Inquiry.objects.exists() and not Attachment.objects.exists()
    assert files_in(attachment_dir) == []


def test_web_form_files_never_appear_as_media_url(client, base, municipality, service):
    registered = services.register(
        municipality=municipality, channel="web_form", subject="Privat", service=service, user=CITIZEN
    )
    services.add_attachments(
        registered.inquiry,
        [check_upload(SimpleUploadedFile("privat.pdf", PDF, content_type="application/pdf"))],
        user=CITIZEN,
        source=AttachmentSource.CITIZEN,
    )
    listed = client.get(URL, {"jurisdiction_id": base["jurisdiction_id"]}).json()
    assert listed == []  # a web-form inquiry is not Open311's: not listed at all (issue 11)
    assert client.post(URL, base).status_code == 201  # an Open311 post without media
    listed = client.get(URL, {"jurisdiction_id": base["jurisdiction_id"]}).json()
    assert [r["media_url"] for r in listed] == [None]


def test_a_repeat_with_another_file_is_not_the_same_post(client, base):
    first = client.post(
        URL, {**base, "media": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")}
    )
    assert first.status_code == 201
    same = client.post(
        URL, {**base, "media": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")}
    )
    assert same.status_code == 201 and same["Idempotent-Replayed"] == "true"
    assert same.json() == first.json()
    other_pdf = PDF.replace(b"1.4", b"1.7")
    other = client.post(
        URL, {**base, "media": SimpleUploadedFile("b.pdf", other_pdf, content_type="application/pdf")}
    )
    assert other.status_code == 201
    assert Inquiry.objects.count() == 2
