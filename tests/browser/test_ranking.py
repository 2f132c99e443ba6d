"""The ranking in Chromium at 390 and 1280 px: the administration creates a method, computes a run,
publishes it and verifies it (axe 0, nothing wider than the screen on every page); the public
ranking page and a municipality's page then show it."""

import pytest
from playwright.sync_api import expect

from servicetorg.benchmarking.ranking.models import RankingRun, RankingRunState
from servicetorg.core.choices import Role

from ..benchmarking.ranking_world import build_world
from ..factories import make_staff
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administration_ranks_and_publishes(sized_page):
    page = sized_page
    world = build_world()
    make_staff(Role.ADMINISTRATION, world["tenant"], username="radmann")
    login(page, "radmann")
    page.goto("/staff/statistikk/rangering/")
    check_page(page)
    page.fill("#id_name", "Kommunebarometer")
    page.click("#create-method")
    page.wait_for_load_state()
    check_page(page)
    page.fill("#id_weight__skole-frafall", "2")
    page.click("#save-weights")
    page.wait_for_load_state()
    assert page.locator(".ds-tag").first.inner_text().endswith("2")  # version 2
    page.click("#run-method")
    page.wait_for_load_state()
    check_page(page)
    page.click("#publish-run")
    page.wait_for_load_state()
    ranking = RankingRun.objects.get()
    assert ranking.state == RankingRunState.PUBLISHED
    page.click("#verify-run")
    page.wait_for_load_state()
    check_page(page)
    page.goto("/statistikk/rangering/")
    expect(page.locator("#ranking-results")).to_be_visible()
    expect(page.locator("#synthetic-notice")).to_be_visible()
    check_page(page)
    page.select_option("#fylke", "46")
    page.click("#county-filter button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#result-3901")).to_have_count(0)
    first = ranking.results.get(rank=1)
    page.goto(f"/statistikk/rangering/{ranking.pk}/{first.region_code}/")
    expect(page.locator("#indicator-grades")).to_be_visible()
    check_page(page)
