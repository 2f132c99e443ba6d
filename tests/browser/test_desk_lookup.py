"""One door in (issue 24 §2): a citizen's web inquiry goes straight to its unit; she phones the desk,
and the desk worker finds it by keyboard from the inquiry queue by her e-mail, reads status, next step
and who has it, and no content. At 390 and 1280 px, axe clean."""

import re

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Channel, Role
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services
from tests.browser.conftest import check_page, login
from tests.factories import UnitFactory, make_service, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_desk_finds_a_routed_web_inquiry_by_keyboard(sized_page, municipality):
    page = sized_page
    unit = UnitFactory(municipality=municipality, name="Oppvekst", slug="oppvekst")
    service = make_service(municipality, unit=unit, slug="barnehageplass", name="Barnehageplass")
    make_staff(Role.CASE_OFFICER, municipality, unit, username="officer", first_name="Kari", last_name="Lund")
    make_staff(Role.DESK_WORKER, municipality, username="desk")
    inquiry = services.register(
        municipality=municipality,
        channel=Channel.WEB_FORM,
        subject="Spørsmål om plass",
        body="Privat tekst fra innbyggeren",
        service=service,
        user=CITIZEN,
        to_responsible_unit=True,
        contact_name="Eva Berg",
        contact_email="eva.berg@example.no",
    ).inquiry
    assert inquiry.unit_id == unit.pk

    login(page, "desk")
    page.goto("/staff/henvendelser/")
    page.get_by_role(
        "link", name="Finn henvendelse"
    ).first.focus()  # the staff menu's (the queue links it too)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/henvendelser/finn/$"))
    field = page.get_by_label("Referanse, e-post, telefon eller fullt navn")
    assert field.evaluate("el => el === document.activeElement")
    page.keyboard.type("Eva.Berg@example.no")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q="))
    expect(page.get_by_role("status")).to_have_text("1 henvendelse funnet")
    row = page.locator("li.lookup-hit").first.inner_text()
    assert inquiry.reference in row and "Barnehageplass" in row and "Oppvekst" in row
    assert "Enheten svarer" in row
    assert "Privat tekst" not in page.content() and "Spørsmål om plass" not in page.content()
    check_page(page)
    width = page.viewport_size["width"]
    page.screenshot(path=f"/work/notes/shots/desk-lookup-{width}.png", full_page=True)
