"""The comparison pages in Chromium at 390 and 1280 px (axe 0, nothing wider than the screen): the hub
leads to a municipality's profile, the peer group is changed to the whole country and to «lignende
kommuner», one indicator across the municipalities is sorted, and two municipalities are compared;
staff save a peer group and its share link opens."""

import pytest
from playwright.sync_api import expect

from servicetorg.benchmarking.compare.models import SavedPeerGroup
from servicetorg.core.choices import Role
from servicetorg.indicators.models import Direction, MergeRule, Sector

from ..benchmarking import compare_world as w
from ..factories import MunicipalityFactory, make_staff
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def build():
    w.register()
    run = w.demo_run()
    school = w.indicator("poeng", direction=Direction.HIGHER_IS_BETTER, sector=Sector.SCHOOL)
    cost = w.indicator("kost", direction=Direction.LOWER_IS_BETTER, sector=Sector.SCHOOL, unit="kr")
    folk = w.indicator(
        "folk", direction=Direction.NEUTRAL, sector=Sector.CONTEXT, rule=MergeRule.SUM, unit="personer"
    )
    tett = w.indicator("tett", direction=Direction.NEUTRAL, sector=Sector.CONTEXT, unit="per km²")
    for i, code in enumerate(w.CURRENT):
        for year in range(2020, 2025):
            published = (
                code if year == 2024 else {"3909": "3805", "3907": "3804", "3103": "3002"}.get(code, code)
            )
            if code in ("1508", "1580") and year < 2024:
                if code == "1580":
                    continue  # Ålesund before the split: one series, 1507
                published = "1507"
            w.value(school, published, year, 38.0 + i / 2 + (year - 2020) / 10, run=run)
            if not (code == "3901" and year == 2024):
                w.value(cost, published, year, 100_000.0 + i * 1500, run=run)
        w.value(folk, code, 2024, 10_000.0 + i * 7000, run=run)
        w.value(tett, code, 2024, 20.0 + (i * 37) % 300, run=run)
    w.value(cost, "3901", 2024, symbol=":")


def test_public_comparison_journey(sized_page):
    page = sized_page
    build()
    page.goto("/statistikk/")
    check_page(page)
    page.select_option("#id_kommune", "3909")
    page.click("#profile-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/statistikk/kommuner/3909/")
    expect(page.locator("#profile-table")).to_be_visible()
    expect(page.locator("#synthetic-notice")).to_be_visible()
    check_page(page)
    page.check("#gruppe-country")
    page.click("#peer-form button[type=submit]")
    page.wait_for_load_state()
    assert "gruppe=country" in page.url
    check_page(page)
    page.check("#gruppe-similar")
    page.fill("#id_antall", "3")
    page.click("#peer-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#similar")).to_be_visible()
    expect(page.locator("#differences")).to_have_count(1)
    check_page(page)
    page.click("#row-poeng th a")
    page.wait_for_load_state()
    assert page.url.endswith("/statistikk/indikatorer/poeng/")
    check_page(page)
    page.click("#values thead th:nth-child(2) a")  # by name
    page.wait_for_load_state()
    assert "sorter=name" in page.url
    check_page(page)
    page.goto("/statistikk/indikatorer/")
    check_page(page)
    page.goto("/statistikk/sammenlign/?k=3909")
    page.select_option("#id_k", "0301")
    page.click("#compare-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#compare-table thead th")).to_have_count(5)  # indicator, direction, 2, median
    check_page(page)
    page.goto("/statistikk/sammenlign/?k=3909&k=1234")
    expect(page.locator("#compare-unknown")).to_be_visible()
    check_page(page)


def test_staff_save_a_peer_group_and_share_it(sized_page):
    page = sized_page
    build()
    tenant = MunicipalityFactory(number="3909", name="Larvik")
    make_staff(Role.ADMINISTRATION, tenant, username="radmann")
    login(page, "radmann")
    page.goto("/staff/statistikk/sammenligning/grupper/ny/")
    check_page(page)
    page.fill("#id_name", "Byer vi likner")
    page.fill("#id_codes", "0301 9999")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(".ds-error-summary")).to_have_count(1)
    check_page(page)
    page.fill("#id_codes", "0301, 3905 3907")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    group = SavedPeerGroup.objects.get()
    assert group.codes == ["0301", "3905", "3907"]
    check_page(page)
    page.goto("/staff/statistikk/sammenligning/kostra-grupper/")
    check_page(page)
    page.goto(f"/statistikk/grupper/{group.token}/")
    check_page(page)
    page.click(f"a[href='/statistikk/kommuner/3909/?gruppe=saved&g={group.token}']")
    page.wait_for_load_state()
    expect(page.locator("#profile-table")).to_be_visible()
    check_page(page)
