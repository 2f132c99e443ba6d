"""Staff pages of the strategy in Chromium: axe-core, and the add-goal flow."""

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Role
from servicetorg.strategy.models import Goal

from ..factories import make_staff
from ..strategy.conftest import build_strategy
from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_strategy_pages(page, municipality):
    strategy = build_strategy(municipality)
    make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    login(page, "radmann")
    page.goto("/staff/strategi/")
    assert_accessible(page)
    page.goto(f"/staff/strategi/{strategy.pk}/")
    assert_accessible(page)
    page.click("summary:has-text('Mål')")
    page.select_option("#id_goal-focus_area", str(strategy.focus_areas.get().pk))
    page.fill("#id_goal-title", "Kortere ventetid")
    page.click("form[action$='/mal/'] button[type=submit]")
    page.wait_for_load_state()
    assert Goal.objects.filter(title="Kortere ventetid").exists()
    assert_accessible(page)


def test_staff_opens_consultation_with_a_deadline(sized_page, municipality):
    """At 390 and 1280 px: the deadline is given when the draft goes out, and shown on the page."""
    from datetime import timedelta

    from django.utils import timezone

    from servicetorg.strategy.models import Strategy

    from .conftest import check_page

    page = sized_page
    strategy = build_strategy(municipality)
    make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    login(page, "radmann")
    page.goto(f"/staff/strategi/{strategy.pk}/")
    check_page(page)
    deadline = timezone.localtime(timezone.now() + timedelta(days=40)).replace(hour=12, minute=0)
    page.fill("#tr-consultation_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.click("form:has(#tr-consultation_deadline) button[type=submit]")
    page.wait_for_load_state()
    strategy = Strategy.objects.get(pk=strategy.pk)
    assert strategy.state == "consultation"
    assert timezone.localtime(strategy.consultation_deadline) == deadline.replace(second=0, microsecond=0)
    expect(page.locator("text=Høringsfrist:").first).to_be_attached()
    check_page(page)
