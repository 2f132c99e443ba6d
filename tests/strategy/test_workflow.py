"""Workflow transitions, read-only adopted strategies, the yearly roll and bad input."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from servicetorg.core.choices import Role
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.core.workflow import TransitionRefused
from servicetorg.strategy import services, workflow
from servicetorg.strategy.models import (
    ConsultationComment,
    FollowUpReport,
    Goal,
    ReportState,
    Strategy,
    StrategyState,
    Target,
)

from .conftest import build_strategy, make_indicator, soon

ADOPT_ARGS = {"adopted_on": date(2024, 6, 1), "case_reference": "PS 1/24"}


def _in_state(strategy, state):
    Strategy.objects.filter(pk=strategy.pk).update(state=state)
    strategy.refresh_from_db()
    return strategy


EXPECTED_STRATEGY = {
    (StrategyState.DRAFT, workflow.START_CONSULTATION): StrategyState.CONSULTATION,
    (StrategyState.CONSULTATION, workflow.BACK_TO_DRAFT): StrategyState.DRAFT,
    (StrategyState.CONSULTATION, workflow.ADOPT): StrategyState.ADOPTED,
    (StrategyState.ADOPTED, workflow.PUBLISH): StrategyState.PUBLISHED,
}


@pytest.mark.parametrize(("state", "action"), workflow.STRATEGY_WORKFLOW.pairs())
def test_every_transition_follows_the_table(draft_strategy, state, action):
    """Users may take exactly the expected transitions; supersede is the system's only."""
    strategy = _in_state(draft_strategy, state)
    expected = EXPECTED_STRATEGY.get((state, action))
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            services.transition(strategy, action, **ADOPT_ARGS, consultation_deadline=soon(), user=SYSTEM)
        assert refused.value.code == "transition_refused"
        strategy.refresh_from_db()
        assert strategy.state == state
    else:
        assert (
            services.transition(
                strategy, action, **ADOPT_ARGS, consultation_deadline=soon(), user=SYSTEM
            ).state
            == expected
        )
        strategy.refresh_from_db()
        assert strategy.state == expected


def test_supersede_is_internal_and_follows_publishing_a_revision():
    assert workflow.STRATEGY_WORKFLOW.actions_from(StrategyState.PUBLISHED) == []
    assert not workflow.STRATEGY_WORKFLOW.allows(StrategyState.PUBLISHED, workflow.SUPERSEDE)
    assert (
        workflow.STRATEGY_WORKFLOW.next_state(StrategyState.PUBLISHED, workflow.SUPERSEDE, internal=True)
        == StrategyState.SUPERSEDED
    )


def test_adoption_needs_date_and_case_reference(draft_strategy):
    strategy = services.transition(
        draft_strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )
    with pytest.raises(ValidationError) as error:
        services.transition(strategy, workflow.ADOPT, user=SYSTEM)
    assert set(error.value.message_dict) == {"adopted_on", "case_reference"}
    strategy.refresh_from_db()
    assert strategy.state == StrategyState.CONSULTATION


def test_consultation_needs_a_focus_area(municipality):
    strategy = services.create_strategy(municipality=municipality, start_year=2024, title="Tom", user=SYSTEM)
    with pytest.raises(ValidationError):
        services.transition(strategy, workflow.START_CONSULTATION, user=SYSTEM)


def test_only_editors_may_transition(draft_strategy, municipality, make_staff):
    council = make_staff(Role.COUNCIL, municipality)
    with pytest.raises(PermissionDenied):
        services.transition(
            draft_strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=council
        )
    admin = make_staff(Role.ADMINISTRATION, municipality)
    assert (
        services.transition(
            draft_strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=admin
        ).state
        == "consultation"
    )


@pytest.mark.parametrize("state", list(StrategyState.values))
def test_permission_is_checked_before_the_table(draft_strategy, municipality, make_staff, state):
    """A user without rights gets the same refusal whatever the state: before, a refused pair was
    answered with TransitionRefused ("… when the strategy is “published”") ahead of the role check."""
    strategy = _in_state(draft_strategy, state)
    council = make_staff(Role.COUNCIL, municipality)
    with pytest.raises(PermissionDenied):
        services.transition(strategy, workflow.PUBLISH, **ADOPT_ARGS, user=council)
    report = FollowUpReport.objects.create(strategy=strategy, as_of_year=2024, title="R")
    with pytest.raises(PermissionDenied):
        services.report_transition(report, workflow.PUBLISH, user=council)


def test_other_municipality_cannot_edit(draft_strategy, other_staff):
    with pytest.raises(PermissionDenied):
        services.add_focus_area(draft_strategy, title="X", user=other_staff)


def test_adopted_strategy_is_read_only(published_strategy):
    area = published_strategy.focus_areas.get()
    goal = area.goals.first()
    link = goal.goal_indicators.get()
    for call in (
        lambda: services.update_strategy(published_strategy, title="Ny", user=SYSTEM),
        lambda: services.add_focus_area(published_strategy, title="Ny", user=SYSTEM),
        lambda: services.add_goal(area, title="Ny", user=SYSTEM),
        lambda: services.set_target(link, year=2025, value=1, user=SYSTEM),
        lambda: services.add_measure(area, title="Ny", user=SYSTEM),
        lambda: services.add_instrument(published_strategy, kind="cooperation", description="x", user=SYSTEM),
        lambda: services.add_goal_indicator(
            goal, indicator=make_indicator(code="ny"), baseline_year=2023, user=SYSTEM
        ),
    ):
        with pytest.raises(ValidationError):
            call()
    assert Target.objects.get(goal_indicator=link, year=2025).value == 70


def test_roll_makes_a_new_revision_and_keeps_history(published_strategy):
    old_goals = list(
        Goal.objects.filter(focus_area__strategy=published_strategy).values_list("title", flat=True)
    )
    revision = services.roll(published_strategy, revision_note="Rullering 2025", user=SYSTEM)
    assert revision.revision == 2 and revision.state == StrategyState.DRAFT
    assert revision.previous_id == published_strategy.pk
    new_goals = list(Goal.objects.filter(focus_area__strategy=revision).values_list("title", flat=True))
    assert new_goals == old_goals
    assert revision.focus_areas.get().measures.count() == 2
    assert revision.focus_areas.get().measures.get(title="Chat").milestones.count() == 1
    assert revision.status_sections.get().indicators.count() == 1
    assert published_strategy.status_sections.get().indicators.count() == 1
    # Change a target in the revision: the old revision keeps its target, the new one remembers the first.
    link = Goal.objects.filter(focus_area__strategy=revision).first().goal_indicators.get()
    with pytest.raises(ValidationError) as error:
        services.set_target(link, year=2025, value=65, user=SYSTEM)
    assert "reason" in error.value.message_dict
    target = services.set_target(link, year=2025, value=65, reason="Forsinket tiltak", user=SYSTEM)
    assert (target.value, target.original_value, target.change_reason) == (65, 70, "Forsinket tiltak")
    old_link = Goal.objects.filter(focus_area__strategy=published_strategy).first().goal_indicators.get()
    assert old_link.targets.get(year=2025).value == 70
    assert target.history.count() == 2
    # Publishing the revision supersedes the old one.
    revision = services.transition(
        revision, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )
    revision = services.transition(revision, workflow.ADOPT, **ADOPT_ARGS, user=SYSTEM)
    services.transition(revision, workflow.PUBLISH, user=SYSTEM)
    published_strategy.refresh_from_db()
    assert published_strategy.state == StrategyState.SUPERSEDED
    with pytest.raises(ValidationError):
        services.roll(published_strategy, user=SYSTEM)


def test_roll_only_from_adopted(draft_strategy):
    with pytest.raises(ValidationError):
        services.roll(draft_strategy, user=SYSTEM)


def test_target_outside_period_is_refused(draft_strategy):
    link = Goal.objects.filter(focus_area__strategy=draft_strategy).first().goal_indicators.get()
    with pytest.raises(ValidationError) as error:
        services.set_target(link, year=2028, value=5, user=SYSTEM)
    assert "year" in error.value.message_dict
    assert not Target.objects.filter(year=2028).exists()


def test_goal_indicator_with_bad_target_year_adds_nothing(draft_strategy):
    goal = Goal.objects.filter(focus_area__strategy=draft_strategy).first()
    indicator = make_indicator(draft_strategy.municipality, code="ekstra")
    with pytest.raises(ValidationError):
        services.add_goal_indicator(
            goal, indicator=indicator, baseline_year=2023, targets={2024: 1, 2025: 2, 2031: 3}, user=SYSTEM
        )
    assert not goal.goal_indicators.filter(indicator=indicator).exists()
    assert not Target.objects.filter(goal_indicator__indicator=indicator).exists()


def test_indicator_of_other_municipality_is_unknown(draft_strategy, other_municipality):
    goal = Goal.objects.filter(focus_area__strategy=draft_strategy).first()
    foreign = make_indicator(other_municipality, code="fremmed")
    with pytest.raises(ValidationError) as error:
        services.add_goal_indicator(goal, indicator=foreign, baseline_year=2023, user=SYSTEM)
    assert "indicator" in error.value.message_dict


def test_national_indicator_can_be_used(draft_strategy):
    goal = Goal.objects.filter(focus_area__strategy=draft_strategy).first()
    national = make_indicator(None, code="kostra-x")
    link = services.add_goal_indicator(
        goal, indicator=national, baseline_year=2023, targets={2024: "1,5"}, user=SYSTEM
    )
    assert link.targets.get().value == Decimal("1.5")


def test_goal_has_audit_history(draft_strategy):
    goal = Goal.objects.filter(focus_area__strategy=draft_strategy).first()
    goal.title = "Endret"
    goal.save()
    assert goal.history.count() == 2


def test_comments_only_during_consultation(draft_strategy):
    with pytest.raises(ValidationError):
        services.submit_comment(draft_strategy, name="Kari", text="Hei", role="citizen", user=CITIZEN)
    strategy = services.transition(
        draft_strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )
    comment = services.submit_comment(strategy, name="Kari", text="Bra", role="citizen", user=CITIZEN)
    assert comment.moderation == "pending"
    services.moderate_comment(comment, decision="approved", answer="Takk", user=SYSTEM)
    comment.refresh_from_db()
    assert comment.moderation == "approved" and comment.answer == "Takk" and comment.answered_at
    Strategy.objects.filter(pk=strategy.pk).update(
        consultation_deadline=timezone.now() - timedelta(minutes=1)
    )
    strategy.refresh_from_db()
    with pytest.raises(ValidationError):
        services.submit_comment(strategy, name="Per", text="Sent", role="citizen", user=CITIZEN)
    assert ConsultationComment.objects.count() == 1


EXPECTED_REPORT = {
    (ReportState.DRAFT, workflow.ADOPT): ReportState.ADOPTED,
    (ReportState.ADOPTED, workflow.PUBLISH): ReportState.PUBLISHED,
}


@pytest.mark.parametrize(("state", "action"), workflow.REPORT_WORKFLOW.pairs())
def test_report_transitions_follow_the_table(published_strategy, state, action):
    report = services.create_report(published_strategy, as_of_year=2025, user=SYSTEM)
    FollowUpReport.objects.filter(pk=report.pk).update(state=state)
    expected = EXPECTED_REPORT.get((state, action))
    if expected is None:
        with pytest.raises(TransitionRefused):
            services.report_transition(report, action, **ADOPT_ARGS, user=SYSTEM)
        assert FollowUpReport.objects.get(pk=report.pk).state == state
    else:
        assert services.report_transition(report, action, **ADOPT_ARGS, user=SYSTEM).state == expected
        assert FollowUpReport.objects.get(pk=report.pk).state == expected


def test_report_refuses_actions_of_the_strategy(published_strategy):
    report = services.create_report(published_strategy, as_of_year=2025, user=SYSTEM)
    with pytest.raises(TransitionRefused):
        services.report_transition(report, workflow.START_CONSULTATION, user=SYSTEM)


def test_report_needs_adopted_strategy_and_year_in_period(other_municipality, published_strategy):
    draft_strategy = build_strategy(other_municipality)
    with pytest.raises(ValidationError):
        services.create_report(draft_strategy, as_of_year=2025, user=SYSTEM)
    with pytest.raises(ValidationError):
        services.create_report(published_strategy, as_of_year=2030, user=SYSTEM)
    report = services.create_report(published_strategy, as_of_year=2027, user=SYSTEM)
    assert report.final


def test_adopted_report_is_read_only(published_strategy):
    report = services.create_report(published_strategy, as_of_year=2025, user=SYSTEM)
    goal = Goal.objects.filter(focus_area__strategy=published_strategy).first()
    services.update_report(report, summary="Sammendrag", goal_notes={goal.pk: "Forsinket"}, user=SYSTEM)
    services.report_transition(report, workflow.ADOPT, **ADOPT_ARGS, user=SYSTEM)
    report.refresh_from_db()
    with pytest.raises(ValidationError):
        services.update_report(report, summary="Endret", user=SYSTEM)


def test_progress_can_be_recorded_on_published_strategy(published_strategy):
    measure = published_strategy.focus_areas.get().measures.get(title="Chat")
    services.record_measure_progress(measure, status="done", user=SYSTEM)
    measure.refresh_from_db()
    assert measure.status == "done" and measure.completed_on is not None
