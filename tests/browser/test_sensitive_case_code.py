"""Issue 24 §1 in the browser: a sensitive service's case link asks for a one-time code sent to her
phone; a wrong code is named in the error summary; the right one opens the case, and she answers it.
At 390 and 1280 px, axe 0, nothing wider than the screen."""

import os
import re

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Channel
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services
from servicetorg.inquiries.models import InquiryMessage
from tests.browser.conftest import check_page
from tests.factories import UnitFactory, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    shots = os.environ.get("SHOTS_DIR")
    if shots:
        page.screenshot(path=f"{shots}/{name}-{page.viewport_size['width']}.png", full_page=True)


def test_the_case_link_of_a_sensitive_service_asks_for_a_one_time_code(sized_page, municipality):
    page = sized_page
    unit = UnitFactory(municipality=municipality, name="Psykisk helse og rus", slug="rus")
    service = make_service(municipality, unit=unit, slug="psykisk-helse", name="Psykisk helse og rus")
    service.sensitive = True
    service.save()
    registered = services.register(
        municipality=municipality,
        channel=Channel.WEB_FORM,
        service=service,
        subject="Hjelp med rus",
        body="Jeg sliter med angst og alkohol.",
        contact_name="Kari Nordmann",
        contact_email="kari@example.no",
        contact_phone="91234567",
        user=CITIZEN,
        to_responsible_unit=True,
    )
    inquiry = registered.inquiry
    page.goto(f"/sak/{inquiry.reference}/{registered.token}/")
    assert page.url.endswith(f"/sak/{inquiry.reference}/kode/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft at det er deg")
    assert "angst" not in page.content() and "Hjelp med rus" not in page.content()
    check_page(page)
    _shot(page, "citizen-case-code-ask")

    page.get_by_label("SMS til •• •• •• 67").check()
    page.get_by_role("button", name="Send meg en kode").click()
    code_field = page.get_by_label("Engangskode")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    assert code_field.get_attribute("inputmode") == "numeric"
    assert "Vi har sendt en kode til •• •• •• 67" in page.locator("main").inner_text()
    message = OutboxMessage.objects.get(key__startswith="inquiries.case-code:")
    assert message.recipients == ["+4791234567"] and inquiry.reference not in message.body
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    check_page(page)
    _shot(page, "citizen-case-code-sent")

    code_field.fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Bekreft").click()
    summary = page.locator("#error-summary")
    assert "Koden er feil. Du kan prøve 4 ganger til." in summary.inner_text()
    check_page(page)
    _shot(page, "citizen-case-code-wrong")

    page.get_by_label("Engangskode").fill(code)
    page.get_by_role("button", name="Bekreft").click()
    assert page.url.endswith(f"/sak/{inquiry.reference}/")
    assert "angst og alkohol" in page.locator("#case-messages").inner_text()
    assert "30 minutter uten bruk" in page.locator("#verified-note").inner_text()
    check_page(page)
    _shot(page, "citizen-case-code-open")

    page.get_by_label("Din melding").fill("Takk, jeg kommer tirsdag.")
    page.get_by_role("button", name="Send").click()
    assert "Takk, jeg kommer tirsdag." in page.locator("#case-messages").inner_text()
    assert InquiryMessage.objects.filter(inquiry=inquiry, text="Takk, jeg kommer tirsdag.").exists()
