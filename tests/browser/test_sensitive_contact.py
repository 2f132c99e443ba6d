"""Issue 24 point 1 in the browser: the contact form of a sensitive service says, before she writes,
what happens to her text; she writes and gets her receipt; at 390 and 1280 px with axe 0."""

import os
import re

import pytest

from servicetorg.inquiries.models import Inquiry
from tests.browser.conftest import check_page
from tests.factories import UnitFactory, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sensitive_contact_form_and_receipt(sized_page, municipality):
    page = sized_page
    unit = UnitFactory(municipality=municipality, name="Psykisk helse og rus", slug="rus")
    service = make_service(municipality, unit=unit, slug="psykisk-helse", name="Psykisk helse og rus")
    service.sensitive = True
    service.save()
    page.goto(f"/kontakt/{service.slug}/")
    note = page.locator("#sensitive-note")
    assert "sender vi det aldri" in note.inner_text()
    check_page(page)
    width = page.viewport_size["width"]
    shots = os.environ.get("SHOTS_DIR")
    if shots:
        page.screenshot(path=f"{shots}/citizen-sensitive-form-{width}.png", full_page=True)
    page.get_by_label("Emne").fill("Hjelp")
    page.get_by_label("Din melding").fill("Jeg sliter med angst og alkohol.")
    page.get_by_label("Ditt navn").fill("Kari Nordmann")
    page.get_by_role("button", name="Send").click()
    reference = page.locator("#receipt-reference").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    assert Inquiry.objects.get(reference=reference).service_id == service.pk
    check_page(page)
    if shots:
        page.screenshot(path=f"{shots}/citizen-sensitive-receipt-{width}.png", full_page=True)
