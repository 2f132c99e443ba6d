"""Issue 24 §9 in the browser, at 390 and 1280 px with axe 0: the receipt confirms the e-mailed copy,
the photo and the place; "Lukk" asks on a page of its own (no script) before it closes the case; the
service page and the footer give the same phone number."""

import os
import re

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Role
from servicetorg.inquiries.models import Inquiry, State
from tests.browser.conftest import check_page, login
from tests.factories import UnitFactory, make_service, make_staff
from tests.inquiries.test_attachments import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    shots = os.environ.get("SHOTS_DIR")
    if shots:
        page.screenshot(path=f"{shots}/{name}-{page.viewport_size['width']}.png", full_page=True)


def test_receipt_close_confirmation_and_one_phone_number(sized_page, municipality, tmp_path):
    page = sized_page
    municipality.phone = "55 55 55 55"
    municipality.save()
    unit = UnitFactory(municipality=municipality, name="Vei og park", slug="vei", phone="22 22 22 22")
    service = make_service(municipality, unit=unit, slug="hull-i-veien", name="Hull i veien")
    service.asks_location = True
    service.save()
    make_staff(Role.CASE_OFFICER, municipality, unit, username="officer")

    page.goto(f"/tjenester/{service.slug}/")
    expect(page.locator("#service-phone")).to_have_text("Telefon 55 55 55 55")
    assert "55 55 55 55" in page.locator("#footer-phone").inner_text()
    assert "22 22 22 22" not in page.content()
    check_page(page)
    _shot(page, "citizen-service-phone")

    photo = tmp_path / "hull.jpg"
    photo.write_bytes(jpeg_bytes())
    page.goto(f"/kontakt/{service.slug}/")
    page.get_by_label("Emne").fill("Hull i veien")
    page.get_by_label("Din melding").fill("Stort hull ved skolen.")
    page.get_by_label("Ditt navn").fill("Ola Nordmann")
    page.get_by_label("Din e-post").fill("ola@example.no")
    page.get_by_label("Adresse eller sted").fill("Skoleveien 3")
    page.set_input_files("input[type=file]", str(photo))
    page.get_by_role("button", name="Send").click()
    assert "ola@example.no" in page.locator("#receipt-emailed").inner_text()
    expect(page.locator("#receipt-files")).to_have_text("Vi har fått 1 fil: hull.jpg.")
    assert "Skoleveien 3" in page.locator("#receipt-place").inner_text()
    check_page(page)
    _shot(page, "citizen-receipt-confirms")

    inquiry = Inquiry.objects.get(reference=page.locator("#receipt-reference").inner_text())
    page.context.clear_cookies()
    login(page, "officer")
    page.goto(f"/staff/henvendelser/{inquiry.pk}/")
    page.get_by_role("button", name="Ta saken").click()
    page.get_by_label("Tekst").first.fill("Vi fikser hullet i morgen.")
    page.get_by_role("button", name="Send svar").click()
    page.get_by_role("button", name="Lukk", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Lukke sak {inquiry.reference}?")
    inquiry.refresh_from_db()
    assert inquiry.state == State.REPLIED
    check_page(page)
    _shot(page, "staff-close-confirm")
    page.get_by_role("link", name="Nei, gå tilbake").click()
    assert re.search(rf"/staff/henvendelser/{inquiry.pk}/$", page.url)
    page.get_by_role("button", name="Lukk", exact=True).click()
    page.get_by_role("button", name="Ja, lukk saken").click()
    inquiry.refresh_from_db()
    assert inquiry.state == State.CLOSED
