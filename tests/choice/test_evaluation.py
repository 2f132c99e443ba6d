"""Evaluation figures against a small case computed by hand; the dashboard and the indicator values."""

import random
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from servicetorg.choice import evaluation
from servicetorg.choice.demo_users import synthetic_national_id
from servicetorg.choice.models import (
    Band,
    Choice,
    ChoiceHow,
    ChoiceState,
    Decision,
    Provider,
    Settlement,
    SettlementLine,
    SwitchReason,
    WaitingEntry,
    WaitingState,
)
from servicetorg.core.choices import Role
from servicetorg.indicators.models import IndicatorValue
from tests.factories import UnitFactory
from tests.surveys.conftest import answer, close, make_survey

from .conftest import build_scheme
from .people import approve, make_provider

OSLO = ZoneInfo("Europe/Oslo")
START, END = date(2026, 1, 1), date(2026, 6, 30)
_ids: set[str] = set()
_rng = random.Random(7)


def _at(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=OSLO)


def _person(scheme, valid_from, valid_until=None, *choices):
    decision = Decision.objects.create(
        municipality=scheme.municipality,
        scheme=scheme,
        national_id=synthetic_national_id(_rng, _ids),
        name="N N",
        decided_on=valid_from,
        valid_from=valid_from,
        valid_until=valid_until,
        state="ended" if valid_until else "in_force",
    )
    for i, (provider, how, reason, effective_from) in enumerate(choices):
        until = (
            choices[i + 1][3].fromordinal(choices[i + 1][3].toordinal() - 1) if i + 1 < len(choices) else None
        )
        Choice.objects.create(
            decision=decision,
            provider=provider,
            how=how,
            reason=reason,
            effective_from=effective_from,
            effective_until=until or valid_until,
            state=ChoiceState.ENDED if until else ChoiceState.CURRENT,
        )
    return decision


@pytest.fixture
def case(municipality):
    """Eight people (P1–P8); the expected figures are worked out in the test."""
    scheme = build_scheme(municipality, adopt=True)
    m = make_provider(municipality, "Kommunen", unit=UnitFactory(municipality=municipality))
    a = make_provider(municipality, "Aktiv AS")
    b = make_provider(municipality, "Bedre AS")
    for p in (m, a, b):
        approve(scheme, p)
    A, D, W = ChoiceHow.ACTIVE, ChoiceHow.DEFAULT, ChoiceHow.WAITING
    F = SwitchReason.FIRST
    _person(scheme, date(2025, 6, 1), None, (m, D, F, date(2025, 6, 1)))  # P1
    _person(
        scheme,
        date(2025, 3, 1),
        None,
        (a, A, F, date(2025, 3, 1)),
        (m, A, SwitchReason.QUALITY, date(2026, 3, 1)),
    )  # P2
    _person(
        scheme,
        date(2025, 1, 1),
        None,
        (m, D, F, date(2025, 1, 1)),
        (b, A, SwitchReason.CONTINUITY, date(2026, 4, 1)),
    )  # P3
    p4 = _person(scheme, date(2026, 2, 1), None, (a, A, F, date(2026, 2, 1)))  # P4
    p5 = _person(
        scheme,
        date(2026, 3, 1),
        None,
        (m, W, F, date(2026, 3, 1)),
        (a, A, SwitchReason.WAITING_OVER, date(2026, 4, 10)),
    )  # P5
    _person(scheme, date(2026, 5, 1), None, (m, D, F, date(2026, 5, 1)))  # P6
    _person(scheme, date(2025, 1, 1), date(2026, 4, 30), (b, A, F, date(2025, 1, 1)))  # P7: ended
    p8 = _person(scheme, date(2026, 6, 1), None, (m, W, F, date(2026, 6, 1)))  # P8: still waiting
    placed = WaitingEntry.objects.create(
        decision=p5, provider=a, state=WaitingState.PLACED, ended_at=_at(date(2026, 4, 10))
    )
    waiting = WaitingEntry.objects.create(decision=p8, provider=a)
    WaitingEntry.objects.filter(pk=placed.pk).update(wished_at=_at(date(2026, 3, 1)))
    WaitingEntry.objects.filter(pk=waiting.pk).update(wished_at=_at(date(2026, 6, 10)))
    settlement = Settlement.objects.create(scheme=scheme, provider=a, month=date(2026, 5, 1))
    for decision, decided, performed in ((p4, 600, 540), (p5, 600, 600)):
        SettlementLine.objects.create(
            settlement=settlement,
            decision=decision,
            band=Band.DAY,
            decided_minutes=decided,
            performed_minutes=performed,
            paid_minutes=performed,
            rate=Decimal("612"),
            amount=Decimal("612") * performed / 60,
        )
    return scheme, m, a, b


def test_figures_of_a_case_computed_by_hand(case, django_assert_max_num_queries):
    scheme, m, a, b = case
    with django_assert_max_num_queries(16):  # aggregates: the count does not grow with the users
        r = evaluation.evaluate(scheme, START, END)
    # On 30 June: P1 M default, P2 M active, P3 B active, P4 A, P5 A, P6 M default, P8 M waiting.
    assert r.users == 7
    assert r.private == evaluation.Figure(Decimal("42.9"), 7)  # P3, P4, P5
    assert r.active == evaluation.Figure(Decimal("57.1"), 7)  # P2, P3, P4, P5
    # New (no decision before 1 January): P4, P5, P6, P8.
    assert r.new_private == evaluation.Figure(Decimal("50.0"), 4)
    assert r.new_active == evaluation.Figure(Decimal("50.0"), 4)
    assert [(row.count, row.share) for row in r.how] == [
        (4, Decimal("57.1")),
        (2, Decimal("28.6")),
        (1, Decimal("14.3")),
        (0, Decimal("0.0")),
    ]
    # Served in the period: all eight. Own switches: P2 (quality) and P3 (continuity); P5's place
    # from the waiting list is a switch by reason but not one she made anew.
    assert r.served == 8
    assert r.switches_per_100 == evaluation.Figure(Decimal("25.0"), 8)
    assert {row.label: row.count for row in r.switches} == {
        str(SwitchReason.QUALITY.label): 1,
        str(SwitchReason.CONTINUITY.label): 1,
        str(SwitchReason.WAITING_OVER.label): 1,
    }
    assert r.waiting_days == evaluation.Figure(Decimal("40.0"), 1)  # 1 March → 10 April
    assert r.waiting_now == evaluation.Figure(Decimal("21.0"), 1)  # 10 June → end of 30 June
    # May, provider A: 1 140 of 1 200 decided minutes performed; 11 628 NOK for 19 paid hours.
    assert r.delivery == evaluation.Figure(Decimal("95.0"), 2)
    assert r.cost_per_hour == evaluation.Figure(Decimal("612.00"), 2)
    assert r.settled_months == 1
    rows = {p.name: p for p in r.providers}
    assert r.providers[0].name == "Kommunen" and not r.providers[0].private
    assert (rows["Kommunen"].users, rows["Aktiv AS"].users, rows["Bedre AS"].users) == (4, 2, 1)
    assert rows["Aktiv AS"].waiting == 1
    assert rows["Aktiv AS"].delivery.value == Decimal("95.0")
    assert not rows["Bedre AS"].delivery.measured
    assert not rows["Bedre AS"].satisfaction.measured and not rows["Bedre AS"].satisfaction_hidden


def test_satisfaction_from_the_provider_s_survey_with_n_and_threshold(case):
    scheme, m, a, b = case
    survey = make_survey(scheme.municipality, threshold=3)
    Provider.objects.filter(pk=a.pk).update(survey=survey)
    for _ in range(2):
        answer(survey, {"q1": "4", "q2": "6"})
    row = next(p for p in evaluation.evaluate(scheme, START, END).providers if p.name == "Aktiv AS")
    assert row.satisfaction_hidden and not row.satisfaction.measured  # under the threshold
    answer(survey, {"q1": "5", "q2": "5"})
    close(survey)
    row = next(p for p in evaluation.evaluate(scheme, START, END).providers if p.name == "Aktiv AS")
    assert row.satisfaction == evaluation.Figure(Decimal("5.00"), 3)
    assert row.satisfaction_top == 6


def test_an_empty_period_measures_nothing(case):
    scheme = case[0]
    r = evaluation.evaluate(scheme, date(2020, 1, 1), date(2020, 12, 31))
    assert r.users == 0 and not r.private.measured and not r.switches_per_100.measured
    assert not r.delivery.measured and not r.waiting_days.measured


def test_record_indicators_writes_each_measured_figure_once(case, municipality, make_staff):
    scheme = case[0]
    admin = make_staff(Role.ADMINISTRATION, municipality)
    written = evaluation.record_indicators(scheme, (START, END), user=admin)
    assert len(written) == 8  # every figure but satisfaction
    again = evaluation.record_indicators(scheme, (START, END), user=admin)
    assert {v.pk for v in again} == {v.pk for v in written}
    value = IndicatorValue.objects.get(indicator__code=evaluation.indicator_code(scheme, "andel-privat"))
    assert (value.year, value.value, value.municipality) == (2026, Decimal("42.9"), municipality)
    assert "n = 7" in value.note
    with pytest.raises(PermissionDenied):
        evaluation.record_indicators(scheme, (START, END), user=make_staff(Role.DESK_WORKER, municipality))


def test_dashboard_shows_aggregates_and_records(client, case, municipality, make_staff, other_staff):
    scheme = case[0]
    admin = make_staff(Role.ADMINISTRATION, municipality)
    client.force_login(admin)
    url = reverse("choice:evaluation")
    response = client.get(url, {"ordning": scheme.pk, "fra": "2026-01-01", "til": "2026-06-30"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "42,9" in page and "n = 7" in page and "Aktiv AS" in page
    assert "N N" not in page  # no names
    response = client.post(
        reverse("choice:evaluation-record", args=[scheme.pk]), {"fra": "2026-01-01", "til": "2026-06-30"}
    )
    assert response.status_code == 302
    assert IndicatorValue.objects.filter(municipality=municipality).count() == 8
    # another municipality's staff: the scheme does not exist for them
    client.force_login(other_staff)
    assert client.get(url, {"ordning": scheme.pk}).status_code == 404
    assert client.post(reverse("choice:evaluation-record", args=[scheme.pk])).status_code == 404
