"""Staff pages of the strategy in Chromium: axe-core, and the add-goal flow."""

import pytest

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
