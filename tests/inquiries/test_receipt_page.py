"""Issue 24 §9: the receipt page says a copy was e-mailed (only when it was) and confirms the files
and the place she gave; for a sensitive service it says that they came, without naming them."""

import pytest
from django.urls import reverse

from tests.inquiries.test_attachments import PDF, attachment_dir, contact_data, jpeg_bytes, upload  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def road_service(service):
    service.asks_location = True
    service.save()
    return service


def _receipt(client, service, **data):
    response = client.post(
        reverse("inquiries_public:contact-service", args=[service.slug]), contact_data(**data)
    )
    assert response.status_code == 302, response.context["form"].errors
    return client.get(response["Location"]).content.decode()


def test_the_receipt_confirms_the_copy_the_files_and_the_place(client, road_service, attachment_dir):  # noqa: F811
    files = [upload("hull.jpg", jpeg_bytes(), "image/jpeg"), upload("skisse.pdf", PDF, "application/pdf")]
    page = _receipt(
        client,
        road_service,
        contact_email="ola@example.no",
        attachments=files,
        address="Skoleveien 3",
        latitude="59.91",
        longitude="10.75",
    )
    assert "Vi har sendt en kopi av kvitteringen til ola@example.no." in page
    assert "Vi har fått 2 filer: hull.jpg, skisse.pdf." in page
    place = page[page.index('id="receipt-place"') :]
    assert "Hvor er det?" in place and "Skoleveien 3" in place and "norgeskart.no" in place


def test_no_copy_is_claimed_without_an_address_and_one_file_is_singular(client, service, attachment_dir):  # noqa: F811
    page = _receipt(client, service, attachments=[upload("hull.jpg", jpeg_bytes(), "image/jpeg")])
    assert 'id="receipt-emailed"' not in page and "kopi" not in page
    assert "Vi har fått 1 fil: hull.jpg." in page
    assert 'id="receipt-place"' not in page


def test_a_sensitive_receipt_names_neither_files_nor_place(client, road_service, attachment_dir):  # noqa: F811
    road_service.sensitive = True
    road_service.save()
    page = _receipt(
        client,
        road_service,
        contact_email="ola@example.no",
        attachments=[upload("legeerklaering.pdf", PDF, "application/pdf")],
        address="Skoleveien 3",
    )
    assert "Vi har fått 1 fil." in page and "legeerklaering" not in page
    assert "Vi har fått stedet du oppga." in page and "Skoleveien" not in page
    assert "Vi har sendt en kopi av kvitteringen til ola@example.no." in page
