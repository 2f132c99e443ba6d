"""A desk worker registers and routes an inquiry; the case officer replies; the citizen reads the reply."""

import re

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Role
from servicetorg.inquiries.models import Inquiry
from tests.browser.conftest import assert_accessible, login
from tests.factories import UnitFactory, make_service, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_desk_and_case_officer(page, municipality):
    unit = UnitFactory(municipality=municipality, name="Oppvekst", slug="oppvekst")
    service = make_service(municipality, unit=unit, slug="barnehageplass", name="Barnehageplass")
    make_staff(Role.DESK_WORKER, municipality, username="desk")
    make_staff(Role.CASE_OFFICER, municipality, unit, username="officer")

    # Citizen: contact form for the service, receipt with reference and promised date.
    page.goto(f"/kontakt/{service.slug}/")
    assert_accessible(page)
    page.get_by_label("Emne").fill("Plass til høsten")
    page.get_by_label("Din melding").fill("Når får jeg svar om barnehageplass?")
    page.get_by_label("Ditt navn").fill("Kari Nordmann")
    page.get_by_role("button", name="Send").click()
    reference = page.locator("#receipt-reference").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    assert_accessible(page)
    case_link = page.locator("#case-link").get_attribute("href")

    # Desk worker: registers a phone inquiry with the keyboard and routes it to the unit.
    login(page, "desk")
    page.goto("/staff/henvendelser/ny/")
    page.get_by_label("Kanal").select_option("phone")
    page.get_by_label("Tjeneste", exact=True).fill("Barnehageplass")
    page.get_by_label("Emne").fill("Ringte om søknadsfrist")
    page.get_by_label("Utfall").select_option("forwarded")
    page.get_by_label("Send til enhet").select_option(str(unit.pk))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/henvendelser/\d+/$"))
    phone = Inquiry.objects.get(subject="Ringte om søknadsfrist")
    assert phone.state == "routed" and phone.unit_id == unit.pk

    # Case officer: replies to the citizen's web inquiry.
    page.goto("/staff/logg-inn/")
    page.context.clear_cookies()
    login(page, "officer")
    web = Inquiry.objects.get(reference=reference)
    page.goto(f"/staff/henvendelser/{web.pk}/")
    page.get_by_label("Tekst").first.fill("Du får svar om plass innen 1. juni.")
    page.get_by_role("button", name="Send svar").click()
    page.wait_for_selector(
        "text=/på e-post, og lagt på saken|oppga ingen e-postadresse/"
    )  # says where it went
    expect(page.locator("#inquiry-state")).to_have_text("Besvart")

    # Citizen: follows the case with the secret link, sees the reply.
    page.context.clear_cookies()
    page.goto(case_link)
    assert reference in page.content()
    assert "Du får svar om plass innen 1. juni." in page.locator("#case-messages").inner_text()
    assert_accessible(page)
