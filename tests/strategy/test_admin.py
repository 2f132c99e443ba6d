"""Admin: every model is registered; adopted content is view-only there too."""

import pytest
from django.urls import reverse

from servicetorg.core.permissions import SYSTEM
from servicetorg.strategy.models import FocusArea, FollowUpReport, Goal, Measure, Strategy, Target

from ..factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    "name",
    [
        "strategy_strategy",
        "strategy_electionperiod",
        "strategy_focusarea",
        "strategy_goal",
        "strategy_target",
        "strategy_measure",
        "strategy_instrument",
        "strategy_statussection",
        "strategy_consultationcomment",
        "strategy_followupreport",
        "indicators_indicator",
        "indicators_indicatorvalue",
        "indicators_importrun",
    ],
)
def test_changelists_load(client, superuser, published_strategy, name):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_adopted_content_is_view_only_in_admin(client, superuser, published_strategy, draft_strategy_other):
    client.force_login(superuser)
    goal = Goal.objects.filter(focus_area__strategy=published_strategy).first()
    url = reverse("admin:strategy_goal_change", args=[goal.pk])
    response = client.post(url, {"title": "Endret i admin"})
    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.title != "Endret i admin"
    for model in (FocusArea, Measure, Target, Strategy):
        obj = model.objects.filter(pk__in=_ids(model, published_strategy)).first()
        assert (
            client.post(
                reverse(f"admin:strategy_{model._meta.model_name}_delete", args=[obj.pk]), {"post": "yes"}
            ).status_code
            == 403
        )
    draft_goal = Goal.objects.filter(focus_area__strategy=draft_strategy_other).first()
    page = client.get(reverse("admin:strategy_goal_change", args=[draft_goal.pk]))
    assert b'name="_save"' in page.content


def _ids(model, strategy):
    if model is Strategy:
        return [strategy.pk]
    if model is FocusArea:
        return strategy.focus_areas.values_list("pk", flat=True)
    if model is Measure:
        return Measure.objects.filter(focus_area__strategy=strategy).values_list("pk", flat=True)
    return Target.objects.filter(goal_indicator__goal__focus_area__strategy=strategy).values_list(
        "pk", flat=True
    )


@pytest.fixture
def draft_strategy_other(other_municipality):
    from .conftest import build_strategy

    return build_strategy(other_municipality)


def test_report_admin_read_only_after_adoption(client, superuser, published_strategy):
    from datetime import date

    from servicetorg.strategy import services, workflow

    report = services.create_report(published_strategy, as_of_year=2025, user=SYSTEM)
    services.report_transition(
        report, workflow.ADOPT, adopted_on=date(2026, 1, 5), case_reference="PS 1/26", user=SYSTEM
    )
    client.force_login(superuser)
    response = client.post(reverse("admin:strategy_followupreport_change", args=[report.pk]), {"title": "X"})
    assert response.status_code == 403
    assert FollowUpReport.objects.get().title != "X"
