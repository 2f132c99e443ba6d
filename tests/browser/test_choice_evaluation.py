"""The evaluation of user choice in Chromium, at 390 and 1280 px: the administration reads the
figures (tables beside the charts) and records them as indicator values — axe-clean, within the width."""

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Role
from servicetorg.indicators.models import IndicatorValue

from ..choice.test_evaluation import case  # noqa: F401 - the hand-computed case, as a fixture
from ..factories import make_staff
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_read_the_evaluation_and_record_it(sized_page, municipality, case):  # noqa: F811
    page = sized_page
    scheme = case[0]
    make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    login(page, "radmann")
    page.goto("/staff/brukervalg/")
    page.click("a[href='/staff/brukervalg/evaluering/']")
    page.wait_for_load_state()
    check_page(page)
    page.fill("#id_fra", "2026-01-01")
    page.fill("#id_til", "2026-06-30")
    page.click("#show-period")
    page.wait_for_load_state()
    expect(page.locator("text=n = 7").first).to_be_attached()
    check_page(page)
    page.click("#record-indicators")
    page.wait_for_load_state()
    assert IndicatorValue.objects.filter(municipality=municipality, year=2026).count() == 8
    assert f"ordning={scheme.pk}" in page.url
    check_page(page)
