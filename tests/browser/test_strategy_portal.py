"""Citizen pages of the strategy in Chromium: axe-core (WCAG 2.1 AA) and the comment form."""

from datetime import date

import pytest

from servicetorg.core.permissions import SYSTEM
from servicetorg.strategy import services, workflow
from servicetorg.strategy.models import ConsultationComment

from ..strategy.conftest import build_strategy
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(municipality):
    strategy = build_strategy(municipality, publish=True)
    report = services.create_report(strategy, as_of_year=2025, user=SYSTEM)
    goal = strategy.focus_areas.get().goals.last()
    services.update_report(
        report, summary="Det går stort sett bra.", goal_notes={goal.pk: "Forsinket tiltak."}, user=SYSTEM
    )
    services.report_transition(
        report, workflow.ADOPT, adopted_on=date(2026, 4, 1), case_reference="PS 9/26", user=SYSTEM
    )
    report = services.report_transition(report, workflow.PUBLISH, user=SYSTEM)
    return strategy, report


@pytest.fixture
def in_consultation(other_municipality):
    strategy = build_strategy(other_municipality, start_year=2028)
    return services.transition(strategy, workflow.START_CONSULTATION, user=SYSTEM)


def test_strategy_pages_are_accessible(page, published):
    strategy, report = published
    for path in ("/strategi/", f"/strategi/versjon/{strategy.pk}/", f"/strategi/oppfolging/{report.pk}/"):
        page.goto(path)
        assert page.locator("h1").count() == 1
        assert_accessible(page)
    assert page.locator("img.chart").count() == 2
    assert page.locator("text=Forsinket tiltak.").count() == 1


def test_comment_form_is_accessible_and_works(page, in_consultation):
    page.goto("/strategi/")
    page.click(f"a[href='/strategi/horing/{in_consultation.pk}/']")
    assert page.locator("h1").inner_text().startswith("Høring")
    assert_accessible(page)
    page.click("button[type=submit]:near(#id_text)")
    assert page.locator(".ds-error-summary").count() == 1
    assert_accessible(page)
    page.fill("#id_name", "Kari Nordmann")
    page.fill("#id_text", "Fint at svarfristene blir kortere.")
    page.click("button[type=submit]:near(#id_text)")
    page.wait_for_load_state()
    assert ConsultationComment.objects.filter(name="Kari Nordmann", moderation="pending").count() == 1
    assert_accessible(page)
