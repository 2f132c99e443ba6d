"""The citizen's journey on a phone (390 px) and a desktop (1280 px): write, get a receipt, switch
language, follow the case, write back; every POST through the browser, every page fitting its
width with no axe violations."""

import re

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Role
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry
from tests.browser.conftest import check_page, login
from tests.factories import UnitFactory, make_service, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_receipt_language_and_write_back(sized_page, municipality):
    page = sized_page
    unit = UnitFactory(municipality=municipality, name="Oppvekst", slug="oppvekst")
    service = make_service(municipality, unit=unit, slug="barnehageplass", name="Barnehageplass")
    service.requires_national_id = True
    service.save()
    officer = make_staff(Role.CASE_OFFICER, municipality, unit, username="officer")

    # The general form fits the screen; the service's page leads to its own form, with the promise.
    page.goto("/kontakt/")
    check_page(page)
    page.goto(f"/tjenester/{service.slug}/")
    check_page(page)
    page.get_by_role("link", name="Spør om denne tjenesten").click()
    page.wait_for_url(re.compile(rf"/kontakt/{service.slug}/$"))
    assert "Vi svarer innen 2 virkedager." in page.locator("#reply-promise").inner_text()
    check_page(page)

    # A wrong fødselsnummer: a message on the field, focus on the summary, nothing typed lost.
    page.get_by_label("Emne").fill("Plass til høsten")
    page.get_by_label("Din melding").fill("Når får jeg svar om barnehageplass?")
    page.get_by_label("Ditt navn").fill("Kari Nordmann")
    page.get_by_label("Fødselsnummer").fill("12345678901")
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    field = page.get_by_label("Fødselsnummer")
    described = field.get_attribute("aria-describedby").split()
    assert "id_national_id_error" in described
    for id_ in described:
        expect(page.locator(f"#{id_}")).to_have_count(1)
    assert "gyldig fødselsnummer" in page.locator("#id_national_id_error").inner_text()
    assert page.get_by_label("Din melding").input_value() == "Når får jeg svar om barnehageplass?"
    assert page.get_by_label("Ditt navn").input_value() == "Kari Nordmann"
    check_page(page)

    # The corrected number goes through: a receipt with the reference and the case link.
    field.fill("15019000181")
    page.get_by_role("button", name="Send").click()
    reference = page.locator("#receipt-reference").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    check_page(page)
    case_link = page.locator("#case-link").get_attribute("href")

    # The language button on the receipt page (a POST) works, and back to bokmål.
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("text=We have received your inquiry")
    assert page.locator("html").get_attribute("lang") == "en"
    check_page(page)
    page.get_by_role("button", name="Bokmål").click()
    page.wait_for_selector("text=Vi har mottatt henvendelsen din")

    # The municipality replies; she reads it on her case page and writes back.
    inquiry = Inquiry.objects.get(reference=reference)
    services.reply(inquiry, text="Du får svar om plass innen 1. juni.", user=officer)
    page.goto(case_link)
    assert "Du får svar om plass innen 1. juni." in page.locator("#case-messages").inner_text()
    check_page(page)
    page.get_by_label("Din melding").fill("Takk! Kan jeg få plass i Fjordvik barnehage?")
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("text=Takk. Meldingen din er lagt til saken.")
    assert "Kan jeg få plass i Fjordvik barnehage?" in page.locator("#case-messages").inner_text()
    check_page(page)
    inquiry.refresh_from_db()
    assert inquiry.messages.filter(kind="citizen", text__startswith="Takk! Kan jeg").exists()

    # An empty message is refused on the field, on the page she is on.
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("#error-summary")
    check_page(page)

    # The language button on the case page: nynorsk, then English, staying on the case.
    page.get_by_role("button", name="Nynorsk").click()
    page.wait_for_selector("text=Skriv til oss")
    assert page.locator("html").get_attribute("lang") == "nn"
    assert reference in page.locator("h1").inner_text()
    check_page(page)
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("text=Write to us")
    # The municipality's own words are marked as Norwegian inside the English page.
    expect(page.locator("#case-messages p[lang=nb]").nth(1)).to_be_attached()  # two or more
    check_page(page)


def test_error_pages_fit_and_lead_on(sized_page, municipality):
    page = sized_page
    response = page.goto("/finnes-ikke/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Vi fant ikke siden")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Finn en tjeneste").click()
    page.wait_for_url(re.compile(r"/tjenester/$"))
    # The statements, from the footer.
    page.get_by_role("link", name="Personvernerklæring").click()
    page.wait_for_url(re.compile(r"/personvern/$"))
    check_page(page)
    page.get_by_role("link", name="Tilgjengelighetserklæring").click()
    page.wait_for_url(re.compile(r"/tilgjengelighet/$"))
    check_page(page)


def test_staff_intake_form_fits_a_phone(sized_page, municipality):
    page = sized_page
    make_service(municipality, slug="barnehageplass", name="Barnehageplass")
    make_staff(Role.DESK_WORKER, municipality, username="desk")
    login(page, "desk")
    page.goto("/staff/henvendelser/ny/")
    check_page(page)
