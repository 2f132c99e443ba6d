"""The kommunetest in Chromium, at 390 and 1280 px: a tester records an e-mail item through the
form (a refused submit first), opens a phone item and uses the stopwatch; the coordinator's pages;
after publishing, the tested municipality's result page and the public results — every page
axe-clean and within the width."""

import pytest
from playwright.sync_api import expect

from servicetorg.servicetest.models import ItemChannel, ItemState

from ..servicetest.helpers import build_world, item_of, publish
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tester_records_an_email_item_and_the_public_reads_the_results(sized_page):
    page = sized_page
    world = build_world(start=True)
    item = item_of(world, "3909", ItemChannel.EMAIL)
    login(page, item.tester.username)
    page.goto("/staff/kommunetest/mine/")
    check_page(page)
    page.click(f"#item-{item.pk}")
    page.wait_for_load_state()
    expect(page.locator("#question")).to_have_count(1)
    check_page(page)
    page.fill("#id_sent_date", "2026-03-02")
    page.fill("#id_sent_time", "10:00")
    page.select_option("#id_reply_0_kind", "answer")  # no date: refused
    page.click("#record")
    page.wait_for_load_state()
    expect(page.locator(".ds-error-summary a[href='#id_reply_0_date']")).to_have_count(1)
    check_page(page)
    page.fill("#id_reply_0_date", "2026-03-10")
    page.fill("#id_reply_0_time", "09:00")
    for i in range(3):
        page.check(f"#id_criterion_{i}")
    page.fill("#id_evidence", "Svar fra byggesaksavdelingen.")
    page.click("#record")
    page.wait_for_load_state()
    assert page.url.endswith("/staff/kommunetest/mine/")
    item.refresh_from_db()
    assert item.state == ItemState.RECORDED and item.score == 60  # six working days: quality only
    check_page(page)

    phone = world.round.items.filter(channel=ItemChannel.PHONE, tester=item.tester).first()
    page.goto(f"/staff/kommunetest/mine/{phone.pk}/")
    page.locator("[data-stopwatch] button").first.click()
    page.wait_for_timeout(1200)
    page.locator("[data-stopwatch] button").first.click()
    assert int(page.input_value("#id_call_0_wait")) >= 1
    check_page(page)

    page.context.clear_cookies()
    login(page, world.coordinator.username)
    page.goto("/staff/kommunetest/")
    check_page(page)
    page.goto(f"/staff/kommunetest/runder/{world.round.pk}/")
    expect(page.locator("#round-state[data-state=running]")).to_have_count(1)
    check_page(page)
    page.goto(f"/staff/kommunetest/punkter/{item.pk}/")
    check_page(page)
    page.goto("/staff/kommunetest/sporsmal/")
    check_page(page)

    publish(world)
    region = world.round.regions.get(code="3999")
    page.context.clear_cookies()
    login(page, world.tested_admin.username)
    page.goto("/staff/kommunetest/resultater/")
    check_page(page)
    page.goto(f"/staff/kommunetest/resultater/{region.pk}/")
    expect(page.locator("#total")).to_have_count(1)
    check_page(page)

    page.context.clear_cookies()
    page.goto("/kommunetest/")
    check_page(page)
    page.goto(f"/kommunetest/{world.round.pk}/")
    expect(page.locator("#results tr[data-code='3999']")).to_have_count(1)
    check_page(page)
    page.goto(f"/kommunetest/{world.round.pk}/3999/")
    expect(page.locator("#items tbody tr")).to_have_count(3)
    check_page(page)
