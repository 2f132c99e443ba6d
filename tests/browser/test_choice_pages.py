"""User choice in Chromium, at 390 and 1280 px: the administration edits a draft (an error first),
adopts it, and the citizen reads the scheme in force — every page axe-clean and within the width."""

from datetime import date

import pytest
from playwright.sync_api import expect

from servicetorg.choice.models import Scheme, SchemeState
from servicetorg.core.choices import Role

from ..choice.conftest import build_scheme
from ..factories import make_staff
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_draft_adopt_and_read_the_scheme(sized_page, municipality):
    page = sized_page
    scheme = build_scheme(municipality, valid_from=date(2026, 1, 1))
    make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    login(page, "radmann")
    page.goto("/staff/brukervalg/")
    check_page(page)
    page.goto(f"/staff/brukervalg/{scheme.pk}/rediger/")
    check_page(page)
    page.fill("#id_rate-weekend-amount", "790")
    page.fill("#id_rate-weekend-running_costs", "612")
    page.fill("#id_rate-weekend-capital_costs", "30")
    page.fill("#id_rate-weekend-common_costs", "144")
    page.click("button[type=submit]:has-text('Lagre utkast')")
    page.wait_for_load_state()
    expect(page.locator(".ds-error-summary").first).to_be_attached()  # 790 is not the sum (786)
    check_page(page)
    page.fill("#id_rate-weekend-amount", "786")
    page.click("button[type=submit]:has-text('Lagre utkast')")
    page.wait_for_load_state()
    assert scheme.rates.count() == 3
    check_page(page)
    page.click(f"a[href='/staff/brukervalg/{scheme.pk}/vedta/']")  # not the menu's «Vedtak»
    page.fill("#id_decision_date", "2025-12-11")
    page.fill("#id_case_reference", "PS 112/25")
    check_page(page)
    page.click("button[type=submit]:has-text('Vedta')")
    page.wait_for_load_state()
    assert Scheme.objects.get(pk=scheme.pk).state == SchemeState.ADOPTED
    check_page(page)
    page.goto("/brukervalg/")
    check_page(page)
    page.click(f"a[href='/brukervalg/{scheme.pk}/']")
    page.wait_for_load_state()
    expect(page.locator(f"a[href='/brukervalg/{scheme.pk}/leverandorer/']")).to_have_count(1)
    check_page(page)
