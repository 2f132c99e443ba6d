"""Monthly settlement against hand-computed statements (March 2026: 31 days).

Rates of the hourly scheme: day 612 (minimum visit 30 min), evening 708 (30 min), night 880 (60 min).
Decided minutes = hours per week × days served ÷ 7 × 60, rounded to the minute.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from servicetorg.choice import settlement as settlements
from servicetorg.choice import sql, workflow
from servicetorg.choice.models import (
    Band,
    PriceModel,
    Scheme,
    Settlement,
    SettlementLine,
    SettlementState,
    SettleOn,
    SupplementaryService,
    VisitState,
)
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from servicetorg.core.workflow import TransitionRefused
from tests.factories import make_service, make_staff

from .conftest import build_scheme, rate
from .visit_factories import (
    EMMA,
    INGRID,
    KARI,
    OLA,
    at,
    choose,
    hourly_rates,
    make_decision,
    make_provider,
    provider_user,
    visit,
)

MARCH = date(2026, 3, 1)
A, R, C = VisitState.ATTESTED, VisitState.REGISTERED, VisitState.CANCELLED


@pytest.fixture(autouse=True)
def _english(settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    with translation.override("en"):
        yield


@pytest.fixture
def settler(municipality):
    return make_staff(Role.ADMINISTRATION, municipality)


def hourly_scheme(municipality, **fields):
    scheme = build_scheme(municipality, adopt=False)
    from servicetorg.choice import services

    services.update_scheme(scheme, rates=hourly_rates(night=True), user=SYSTEM)
    services.adopt(scheme, decision_date=date(2025, 12, 11), case_reference="PS 112/25", user=SYSTEM)
    if fields:
        Scheme.objects.filter(pk=scheme.pk).update(**fields)
    return Scheme.objects.get(pk=scheme.pk)


def lines(settlement) -> dict:
    return {
        (line.decision_id, line.band): (
            line.decided_minutes,
            line.performed_minutes,
            line.paid_minutes,
            line.amount,
            line.capped,
        )
        for line in settlement.lines.all()
    }


@pytest.fixture
def march(municipality):
    """Two providers, five users, the visits of March."""
    scheme = hourly_scheme(municipality)
    p1, p2 = make_provider(municipality, "Omsorg AS"), make_provider(municipality, "Hjemmehjelpen AS", n=1)
    d1 = make_decision(scheme, national_id=KARI, hours={Band.DAY: "3.5", Band.EVENING: "1"})
    choose(d1, p1)
    visit(p1, d1, at(date(2026, 3, 2), 10), 60, state=A)
    visit(p1, d1, at(date(2026, 3, 3), 10), 20, state=A)  # shorter than the minimum: paid as 30
    visit(p1, d1, at(date(2026, 3, 2), 16), 45, state=A)
    visit(p1, d1, at(date(2026, 3, 4), 10), 60, state=R)  # not attested: not paid
    visit(p1, d1, at(date(2026, 3, 5), 10), 60, state=C)  # cancelled
    visit(p1, d1, at(date(2026, 2, 27), 10), 60, state=A)  # February
    visit(p1, d1, at(date(2026, 4, 1), 0, 30), 60, state=A)  # April in Oslo (22:30 UTC on 31 March)
    d2 = make_decision(scheme, national_id=OLA, name="Ola", hours={Band.DAY: "0.5"})
    choose(d2, p1)
    for day in (9, 10, 11):
        visit(p1, d2, at(date(2026, 3, day), 10), 60, state=A)  # 180 minutes against 133 decided
    visit(p1, d2, at(date(2026, 3, 10), 23, 30), 30, state=A)  # night, nothing decided: capped to 0
    d3 = make_decision(scheme, national_id=EMMA, name="Emma", hours={Band.DAY: "0.5"})
    choose(d3, p1)
    for day in (9, 10, 11):
        visit(p1, d3, at(date(2026, 3, day), 10), 60, state=A, approved=(day == 10))
    d4 = make_decision(scheme, national_id=INGRID, name="Ingrid", hours={Band.DAY: "7"})
    choose(d4, p1, effective_until=date(2026, 3, 15))
    choose(d4, p2, effective_from=date(2026, 3, 16))
    visit(p1, d4, at(date(2026, 3, 9), 10), 60, state=A)
    visit(p2, d4, at(date(2026, 3, 17), 10), 90, state=A)
    d5 = make_decision(scheme, national_id=KARI, name="Kari 2", valid_from=date(2026, 3, 20))
    choose(d5, p2)
    d6 = make_decision(scheme, national_id=OLA, name="Ola 2", valid_until=date(2026, 2, 28))
    choose(d6, p2)
    return {"scheme": scheme, "p1": p1, "p2": p2, "d": [None, d1, d2, d3, d4, d5, d6]}


def test_hourly_statement_by_hand(march, settler):
    result = settlements.compute(march["scheme"], date(2026, 3, 17), user=settler)
    by_provider = {s.provider_id: s for s in result}
    d = march["d"]
    s1, s2 = by_provider[march["p1"].pk], by_provider[march["p2"].pk]
    assert lines(s1) == {
        # 3.5 h × 31 / 7 = 930 min; 60 + 30 (minimum) = 90 min × 612 / 60
        (d[1].pk, Band.DAY): (930, 90, 90, Decimal("918.00"), False),
        # 1 h × 31 / 7 = 265.7 → 266 min; 45 min × 708 / 60
        (d[1].pk, Band.EVENING): (266, 45, 45, Decimal("531.00"), False),
        # 0.5 h × 31 / 7 = 132.9 → 133 min decided; 180 performed, capped: 133 × 612 / 60 = 1356.60
        (d[2].pk, Band.DAY): (133, 180, 133, Decimal("1356.60"), True),
        # a 30-minute night visit counts as 60 (minimum); nothing decided at night: nothing paid
        (d[2].pk, Band.NIGHT): (0, 60, 0, Decimal("0.00"), True),
        # the deviation approved: 180 paid in full, 180 × 612 / 60
        (d[3].pk, Band.DAY): (133, 180, 180, Decimal("1836.00"), False),
        # switched on 16 March: 15 days with Omsorg AS, 7 h × 15 / 7 = 900 min
        (d[4].pk, Band.DAY): (900, 60, 60, Decimal("612.00"), False),
    }
    assert lines(s2) == {
        # 16 days with Hjemmehjelpen AS: 960 min; 90 × 612 / 60
        (d[4].pk, Band.DAY): (960, 90, 90, Decimal("918.00"), False),
        # valid from 20 March: 12 days, 3.5 h × 12 / 7 = 360 min, nothing performed
        (d[5].pk, Band.DAY): (360, 0, 0, Decimal("0.00"), False),
    }
    assert s1.total == Decimal("5253.60") and s2.total == Decimal("918.00")
    assert s1.month == MARCH and s1.state == SettlementState.DRAFT and s1.computed_at


def test_settle_on_decided_pays_the_decided_hours(municipality, settler):
    scheme = hourly_scheme(municipality, settle_on=SettleOn.DECIDED)
    provider = make_provider(municipality)
    decision = make_decision(scheme)
    choose(decision, provider)
    visit(provider, decision, at(date(2026, 3, 2), 10), 60, state=R)  # counted though not attested
    visit(provider, decision, at(date(2026, 3, 3), 10), 20, state=A)  # 30 (minimum)
    visit(provider, decision, at(date(2026, 3, 4), 10), 60, state=C)
    [statement] = settlements.compute(scheme, MARCH, user=settler)
    # 930 decided minutes paid whatever was performed: 930 × 612 / 60 = 9486.00
    assert lines(statement) == {(decision.pk, Band.DAY): (930, 90, 930, Decimal("9486.00"), False)}


def test_daily_price_by_care_level(municipality, settler):
    from servicetorg.choice import services

    scheme = build_scheme(municipality, service=make_service(municipality, slug="sykehjem"))
    services.update_scheme(
        scheme,
        price_model=PriceModel.DAILY,
        rates={
            Band.LEVEL_2: rate("2000", "300", "200", minimum=None),
            Band.LEVEL_3: rate("2400", "400", "300", minimum=None),
        },
        user=SYSTEM,
    )
    services.adopt(scheme, decision_date=date(2025, 12, 11), case_reference="PS 1/26", user=SYSTEM)
    p1, p2 = make_provider(municipality), make_provider(municipality, "Hjemmehjelpen AS", n=1)
    level2 = make_decision(scheme, valid_from=date(2026, 3, 10), hours={}, care_level=Band.LEVEL_2)
    choose(level2, p1)
    level3 = make_decision(scheme, national_id=OLA, hours={}, care_level=Band.LEVEL_3)
    choose(level3, p1, effective_until=date(2026, 3, 5))
    choose(level3, p2, effective_from=date(2026, 3, 6))
    result = {s.provider_id: s for s in settlements.compute(scheme, MARCH, user=settler)}
    got = {
        (s.provider_id, line.decision_id): (line.band, line.days, line.rate, line.amount)
        for s in result.values()
        for line in s.lines.all()
    }
    assert got == {
        (p1.pk, level2.pk): (Band.LEVEL_2, 22, Decimal("2500.00"), Decimal("55000.00")),  # 10–31 March
        (p1.pk, level3.pk): (Band.LEVEL_3, 5, Decimal("3100.00"), Decimal("15500.00")),  # 1–5 March
        (p2.pk, level3.pk): (Band.LEVEL_3, 26, Decimal("3100.00"), Decimal("80600.00")),  # 6–31 March
    }
    assert result[p1.pk].total == Decimal("70500.00")


def test_supplementary_services_are_absent_from_settlement(march, settler):
    before = {
        s.provider_id: (s.total, lines(s)) for s in settlements.compute(march["scheme"], MARCH, user=settler)
    }
    SupplementaryService.objects.create(provider=march["p1"], name="Vindusvask", price="450 kr")
    after = {
        s.provider_id: (s.total, lines(s)) for s in settlements.compute(march["scheme"], MARCH, user=settler)
    }
    assert before == after
    table = SupplementaryService._meta.db_table
    for statement in (
        sql._hourly_sql(True),
        sql._hourly_sql(False),
        sql._daily_sql(True),
        sql._daily_sql(False),
    ):
        assert table not in statement
    assert not [f for f in SettlementLine._meta.get_fields() if f.related_model is SupplementaryService]


def test_recompute_replaces_the_lines_of_a_draft(march, settler):
    first = settlements.compute(march["scheme"], MARCH, user=settler)
    count = SettlementLine.objects.count()
    visit(march["p2"], march["d"][5], at(date(2026, 3, 23), 10), 60, state=A)
    second = settlements.compute(march["scheme"], MARCH, user=settler)
    assert [s.pk for s in first] == [s.pk for s in second]
    assert SettlementLine.objects.count() == count
    s2 = next(s for s in second if s.provider_id == march["p2"].pk)
    assert lines(s2)[(march["d"][5].pk, Band.DAY)] == (360, 60, 60, Decimal("612.00"), False)
    assert s2.total == Decimal("1530.00")


def test_an_approved_statement_is_not_computed_again(march, settler):
    statements = {s.provider_id: s for s in settlements.compute(march["scheme"], MARCH, user=settler)}
    approved = settlements.approve(statements[march["p2"].pk], user=settler)
    kept = lines(approved)
    visit(march["p2"], march["d"][5], at(date(2026, 3, 23), 10), 60, state=A)
    again = {s.provider_id: s for s in settlements.compute(march["scheme"], MARCH, user=settler)}
    assert again[march["p2"].pk].state == SettlementState.APPROVED
    assert lines(again[march["p2"].pk]) == kept and again[march["p2"].pk].total == Decimal("918.00")


def test_only_the_settlement_office_computes(march, municipality):
    for role in (Role.CASE_OFFICER, Role.UNIT_LEADER, Role.PROVIDER, Role.COUNCIL):
        with pytest.raises(PermissionDenied):
            settlements.compute(march["scheme"], MARCH, user=make_staff(role, municipality))
    with pytest.raises(PermissionDenied):
        settlements.compute(march["scheme"], MARCH, user=provider_user(march["p1"]))
    assert not Settlement.objects.exists()


def test_refusals(march, settler, municipality):
    with pytest.raises(ValidationError, match="has not begun"):
        settlements.compute(march["scheme"], date(2099, 1, 1), user=settler)
    draft = build_scheme(municipality, service=make_service(municipality, slug="annen"))
    with pytest.raises(ValidationError, match="draft scheme"):
        settlements.compute(draft, MARCH, user=settler)


def test_delivery_rates(march, settler):
    statements = {s.provider_id: s for s in settlements.compute(march["scheme"], MARCH, user=settler)}
    by_provider = {
        d.key: (d.decided, d.performed) for d in settlements.delivery_by_provider(march["scheme"], MARCH)
    }
    # Omsorg AS: decided 930 + 266 + 133 + 0 + 133 + 900; performed 90 + 45 + 180 + 60 + 180 + 60
    assert by_provider == {"Omsorg AS": (2362, 615), "Hjemmehjelpen AS": (1320, 90)}
    by_user = {d.key: d.rate for d in settlements.delivery_by_decision(statements[march["p2"].pk])}
    assert by_user == {march["d"][4].pk: 90 / 960, march["d"][5].pk: 0.0}


# --- every (state, action) pair of the settlement's table -------------------------------------------


@pytest.mark.parametrize(("state", "action"), workflow.SETTLEMENT_WORKFLOW.pairs())
def test_every_state_and_action(march, settler, state, action):
    statement = next(
        s
        for s in settlements.compute(march["scheme"], MARCH, user=settler)
        if s.provider_id == march["p2"].pk
    )
    Settlement.objects.filter(pk=statement.pk).update(state=state)
    statement.refresh_from_db()
    expected = workflow.SETTLEMENT_TRANSITIONS.get((state, action))
    run = {
        workflow.RECOMPUTE: lambda: settlements.compute(march["scheme"], MARCH, user=settler),
        workflow.APPROVE_SETTLEMENT: lambda: settlements.approve(statement, user=settler),
        workflow.PAY: lambda: settlements.pay(statement, user=settler),
    }[action]
    if expected is None:
        if action == workflow.RECOMPUTE:
            run()  # the month is computed; this statement, not a draft, is left as it was
            assert not workflow.SETTLEMENT_WORKFLOW.allows(state, action)
        else:
            with pytest.raises(TransitionRefused):
                run()
        statement.refresh_from_db()
        assert statement.state == state
    else:
        run()
        statement.refresh_from_db()
        assert statement.state == expected
        if action == workflow.APPROVE_SETTLEMENT:
            assert statement.approved_at
        if action == workflow.PAY:
            assert statement.paid_at


def test_a_user_without_the_right_learns_no_state(march, settler, municipality):
    [statement, *_rest] = settlements.compute(march["scheme"], MARCH, user=settler)
    officer = make_staff(Role.CASE_OFFICER, municipality)
    for action in (settlements.approve, settlements.pay):
        with pytest.raises(PermissionDenied):
            action(statement, user=officer)
