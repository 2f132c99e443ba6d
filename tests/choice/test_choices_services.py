"""Choose and switch, notice dates, cancel, the default provider, waiting lists, a provider's
withdrawal, and the tables of choices and waiting entries walked pair by pair."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from servicetorg.choice import choices, decisions, workflow
from servicetorg.choice.models import (
    Application,
    ApplicationState,
    Choice,
    ChoiceHow,
    ChoiceState,
    SwitchReason,
    WaitingEntry,
    WaitingState,
)
from servicetorg.core.choices import Role
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import SYSTEM
from servicetorg.core.workflow import TransitionRefused
from tests.factories import make_staff

from .people import EMMA, INGRID, KARI, OLA, approve, decide, make_provider, world

pytestmark = pytest.mark.django_db

JAN15 = date(2026, 1, 15)


@pytest.fixture(autouse=True)
def _synthetic(settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True


@pytest.fixture
def w(municipality):
    return world(municipality)


def test_first_choice_at_once_then_a_switch_by_the_notice(w):
    scheme, municipal, a, b = w
    decision = decide(scheme)
    first = choices.choose(decision, a, user=SYSTEM, day=JAN15)
    assert first.choice.effective_from == JAN15 and first.choice.reason == SwitchReason.FIRST
    switch = choices.choose(decision, b, reason=SwitchReason.QUALITY, user=SYSTEM, day=date(2026, 2, 10))
    assert switch.effective_from == date(2026, 4, 1)
    first.choice.refresh_from_db()
    assert first.choice.effective_until == date(2026, 3, 31) and first.choice.state == ChoiceState.CURRENT
    assert choices.current_choice(decision, date(2026, 3, 31)).provider == a
    assert choices.current_choice(decision, date(2026, 4, 1)).provider == b
    # No frequency limit: switching again replaces the switch not yet in effect.
    again = choices.choose(decision, municipal, reason=SwitchReason.OTHER, user=SYSTEM, day=date(2026, 2, 11))
    switch.choice.refresh_from_db()
    assert switch.choice.state == ChoiceState.CANCELLED
    assert again.effective_from == date(2026, 4, 1)
    # After the date: the old one is ended by the next action.
    choices.choose(decision, b, reason=SwitchReason.OTHER, user=SYSTEM, day=date(2026, 4, 2))
    first.choice.refresh_from_db()
    assert first.choice.state == ChoiceState.ENDED


def test_first_choice_waits_for_the_decision_start(w):
    scheme, _m, a, _b = w
    decision = decide(scheme, valid_from=date(2026, 2, 10))
    assert choices.preview(decision, day=JAN15) == date(2026, 2, 10)
    assert choices.choose(decision, a, user=SYSTEM, day=JAN15).effective_from == date(2026, 2, 10)


def test_notice_in_days_moves_past_easter(municipality):
    scheme, _m, a, b = world(municipality, notice_months=0, notice_days=3)
    decision = decide(scheme)
    choices.choose(decision, a, user=SYSTEM, day=date(2026, 3, 2))
    assert choices.choose(decision, b, user=SYSTEM, day=date(2026, 3, 30)).effective_from == date(2026, 4, 7)


def test_cancel_a_switch_not_yet_in_effect(w):
    scheme, _m, a, b = w
    decision = decide(scheme)
    first = choices.choose(decision, a, user=SYSTEM, day=JAN15).choice
    switch = choices.choose(decision, b, user=SYSTEM, day=JAN15).choice
    choices.cancel_switch(switch, user=SYSTEM, day=date(2026, 2, 1))
    first.refresh_from_db()
    assert first.effective_until is None
    assert choices.current_choice(decision, date(2026, 6, 1)).provider == a
    with pytest.raises(ValidationError):  # in effect already
        choices.cancel_switch(first, user=SYSTEM, day=date(2026, 2, 1))


def test_only_approved_providers(w, municipality, other_municipality):
    scheme, _m, a, _b = w
    decision = decide(scheme)
    stranger = make_provider(municipality, "Ikke godkjent AS")
    with pytest.raises(ValidationError) as error:
        choices.choose(decision, stranger, user=SYSTEM, day=JAN15)
    assert "provider" in error.value.message_dict
    Application.objects.filter(provider=a).update(state=ApplicationState.SUSPENDED)
    with pytest.raises(ValidationError):
        choices.choose(decision, a, user=SYSTEM, day=JAN15)
    elsewhere = make_provider(other_municipality, "Nabo AS")
    approve(scheme, elsewhere)
    with pytest.raises(ValidationError):
        choices.choose(decision, elsewhere, user=SYSTEM, day=JAN15)


def test_a_full_provider_puts_her_on_its_waiting_list_and_the_default_serves(municipality):
    scheme, municipal, a, b = world(municipality, capacity=1)
    one, two, three = decide(scheme, KARI), decide(scheme, OLA), decide(scheme, EMMA)
    choices.choose(one, a, user=SYSTEM, day=JAN15)
    waiting = choices.choose(two, a, user=SYSTEM, day=JAN15)
    assert waiting.waiting is not None and waiting.position == 1
    assert waiting.choice.provider == municipal and waiting.choice.how == ChoiceHow.WAITING
    # She already has a provider: she keeps it while waiting.
    choices.choose(three, b, user=SYSTEM, day=JAN15)
    third = choices.choose(three, a, user=SYSTEM, day=date(2026, 1, 16))
    assert third.choice is None and third.position == 2
    assert choices.current_choice(three, date(2026, 6, 1)).provider == b
    # A place frees (the first user's decision ends): the first on the list is placed.
    decisions.end_decision(one, ends_on=date(2026, 1, 31), user=SYSTEM)
    placed = Choice.objects.get(decision=two, provider=a)
    assert placed.reason == SwitchReason.WAITING_OVER
    assert WaitingEntry.objects.get(decision=two).state == WaitingState.PLACED
    assert choices.waiting_position(WaitingEntry.objects.get(decision=three)) == 1


def test_the_default_rules(municipality):
    scheme, municipal, a, b = world(municipality, default_rule="municipal")
    assert choices.assign_default(decide(scheme, KARI), user=SYSTEM, day=JAN15).provider == municipal
    decision = decide(scheme, OLA)
    choices.choose(decision, a, user=SYSTEM, day=JAN15)
    with pytest.raises(ValidationError):  # she has chosen
        choices.assign_default(decision, user=SYSTEM, day=JAN15)


def test_rotation_and_nearest(municipality):
    scheme, municipal, a, b = world(municipality, default_rule="rotation")
    got = [
        choices.assign_default(decide(scheme, pid), user=SYSTEM, day=JAN15).provider
        for pid in (KARI, OLA, EMMA, INGRID)
    ]
    assert got == [municipal, a, b, municipal]
    assert all(c.how == ChoiceHow.DEFAULT for c in Choice.objects.all())
    scheme.default_rule = "nearest"
    scheme.save()
    decision = decisions.new_version(
        Choice.objects.filter(provider=b).get().decision,
        valid_from=date(2026, 3, 1),
        decided_on=date(2026, 1, 2),
        hours={"day": 2},
        user=SYSTEM,
    )
    assert decision.version == 2
    from servicetorg.choice.models import Decision

    Decision.objects.filter(pk=decision.pk).update(district="Nord")
    nord = decide(scheme, "09891852018", district="Nord")
    assert choices.default_provider_for(nord, day=JAN15) == b


def test_a_case_officer_of_another_unit_cannot_choose(w, municipality, unit):
    from tests.factories import UnitFactory

    scheme, _m, a, _b = w
    decision = decide(scheme, unit=unit)
    other_unit = UnitFactory(municipality=municipality, name="Helse", slug="helse")
    officer = make_staff(Role.CASE_OFFICER, municipality, other_unit)
    with pytest.raises(PermissionDenied):
        choices.choose(decision, a, user=officer, day=JAN15)
    mine = make_staff(Role.CASE_OFFICER, municipality, unit)
    assert choices.choose(decision, a, user=mine, day=JAN15).choice.chosen_by == mine
    provider_user = make_staff(Role.PROVIDER, municipality)
    with pytest.raises(PermissionDenied):
        choices.choose(decision, a, user=provider_user, day=JAN15)


def test_withdrawal_moves_every_user(w, municipality):
    scheme, municipal, a, b = w
    today = date.today()
    start = today - timedelta(days=30)
    with_next = decide(scheme, KARI, valid_from=start, contact_email="kari@example.no")
    plain = decide(scheme, OLA, valid_from=start, contact_phone="91234567")
    no_address = decide(scheme, EMMA, valid_from=start)
    switching_to = decide(scheme, INGRID, valid_from=start)
    choices.choose(with_next, a, next_provider=b, user=SYSTEM, day=start)
    choices.choose(plain, a, user=SYSTEM, day=start)
    choices.choose(no_address, a, user=SYSTEM, day=start)
    choices.choose(switching_to, municipal, user=SYSTEM, day=start)
    choices.choose(switching_to, a, user=SYSTEM, day=today)  # a switch to a, not yet in effect
    application = Application.objects.get(provider=a)
    on = today + timedelta(days=7)
    admin = make_staff(Role.ADMINISTRATION, municipality)
    officer = make_staff(Role.CASE_OFFICER, municipality)
    with pytest.raises(PermissionDenied):
        choices.withdraw(application, effective_on=on, reason="Konkurs", user=officer)
    moves = choices.withdraw(application, effective_on=on, reason="Konkurs", user=admin)
    by = {m.decision.pk: m for m in moves}
    assert by[with_next.pk].provider == b and by[with_next.pk].how == "next"
    assert by[plain.pk].provider == municipal and by[plain.pk].how == "default"
    assert by[no_address.pk].letter == "print"
    assert by[switching_to.pk].how == "stays" and by[switching_to.pk].provider == municipal
    for d, expected in ((with_next, b), (plain, municipal), (no_address, municipal)):
        assert choices.current_choice(d, on - timedelta(days=1)).provider == a
        moved = choices.current_choice(d, on)
        assert moved.provider == expected and moved.how == ChoiceHow.MOVED
        assert moved.reason == SwitchReason.PROVIDER_LEFT
    assert choices.current_choice(switching_to, on + timedelta(days=90)).provider == municipal
    assert OutboxMessage.objects.filter(key__startswith="choice.provider-left:").count() == 2  # e-mail, SMS
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN and application.effective_on == on
    report = choices.withdrawal_report(application)
    assert {r["decision"].pk for r in report} == {with_next.pk, plain.pk, no_address.pk}
    with pytest.raises(TransitionRefused):
        choices.withdraw(application, effective_on=on, reason="Igjen", user=admin)


# --- The tables, every pair -----------------------------------------------------------------


CHOICE_EXPECTED = {(ChoiceState.CURRENT, workflow.CANCEL): ChoiceState.CANCELLED}


@pytest.mark.parametrize(("state", "action"), workflow.CHOICE_WORKFLOW.pairs())
def test_every_pair_of_the_choice_table(w, state, action):
    scheme, _m, a, b = w
    decision = decide(scheme)
    choices.choose(decision, a, user=SYSTEM, day=JAN15)
    switch = choices.choose(decision, b, user=SYSTEM, day=JAN15).choice  # not yet in effect
    Choice.objects.filter(pk=switch.pk).update(state=state)
    switch.refresh_from_db()
    if action == workflow.END_CHOICE:  # internal: never offered, taken by a switch, an end or a withdrawal
        assert not workflow.CHOICE_WORKFLOW.allows(state, action)
        assert workflow.CHOICE_WORKFLOW.allows(state, action, internal=True) is (state == ChoiceState.CURRENT)
        return
    expected = CHOICE_EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(TransitionRefused):
            choices.cancel_switch(switch, user=SYSTEM, day=JAN15)
        switch.refresh_from_db()
        assert switch.state == state
    else:
        assert choices.cancel_switch(switch, user=SYSTEM, day=JAN15).state == expected


WAITING_EXPECTED = {(WaitingState.WAITING, workflow.CANCEL): WaitingState.CANCELLED}


@pytest.mark.parametrize(("state", "action"), workflow.WAITING_WORKFLOW.pairs())
def test_every_pair_of_the_waiting_table(municipality, state, action):
    scheme, _m, a, _b = world(municipality, capacity=1)
    choices.choose(decide(scheme, KARI), a, user=SYSTEM, day=JAN15)
    entry = choices.choose(decide(scheme, OLA), a, user=SYSTEM, day=JAN15).waiting
    WaitingEntry.objects.filter(pk=entry.pk).update(state=state)
    entry.refresh_from_db()
    if action == workflow.PLACE:  # internal: when a place frees
        assert not workflow.WAITING_WORKFLOW.allows(state, action)
        assert workflow.WAITING_WORKFLOW.allows(state, action, internal=True) is (
            state == WaitingState.WAITING
        )
        return
    expected = WAITING_EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(TransitionRefused):
            choices.cancel_waiting(entry, user=SYSTEM)
        entry.refresh_from_db()
        assert entry.state == state
    else:
        assert choices.cancel_waiting(entry, user=SYSTEM).state == expected


def test_switching_away_from_a_full_provider_gives_her_place_to_the_first_waiting(municipality):
    scheme, municipal, a, b = world(municipality, capacity=1)
    one, two = decide(scheme, KARI), decide(scheme, OLA)
    choices.choose(one, a, user=SYSTEM, day=JAN15)
    assert choices.choose(two, a, user=SYSTEM, day=JAN15).waiting is not None
    moved = choices.choose(one, b, user=SYSTEM, day=date(2026, 2, 3))
    placed = Choice.objects.get(decision=two, provider=a)
    assert placed.effective_from == moved.effective_from == date(2026, 4, 1)
    assert choices.current_choice(two, date(2026, 3, 31)).provider == municipal
    assert choices.current_choice(two, date(2026, 4, 1)).provider == a


def test_the_daily_sweep_ends_past_choices_and_fills_freed_places(municipality):
    from servicetorg.choice.tasks import daily_sweep

    scheme, municipal, a, b = world(municipality, capacity=1)
    one, two = decide(scheme, KARI), decide(scheme, OLA)
    first = choices.choose(one, a, user=SYSTEM, day=JAN15).choice
    choices.choose(two, a, user=SYSTEM, day=JAN15)  # waits
    # Her decision ends in the future: the place is hers until then, and nobody is placed.
    decisions.end_decision(one, ends_on=date(2030, 1, 31), user=SYSTEM)
    assert not Choice.objects.filter(decision=two, provider=a).exists()
    with pytest.raises(PermissionDenied):
        choices.sweep(user=make_staff(Role.ADMINISTRATION, municipality))
    assert choices.sweep(user=SYSTEM, day=date(2030, 2, 1)) == {"ended": 0, "placed": 1}
    first.refresh_from_db()
    assert first.state == ChoiceState.ENDED
    assert Choice.objects.get(decision=two, provider=a).reason == SwitchReason.WAITING_OVER
    assert daily_sweep() == {"ended": 0, "placed": 0}
