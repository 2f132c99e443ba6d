"""Decisions: create (number checked, stored encrypted with its digest; hours or care level), new
version (choices carry over), end; the decision table walked pair by pair; every read logged."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from servicetorg.choice import choices, decision_selectors, decisions, workflow
from servicetorg.choice.models import (
    Choice,
    ChoiceState,
    Decision,
    DecisionRead,
    DecisionState,
    WaitingEntry,
    WaitingState,
)
from servicetorg.core.choices import Role
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.permissions import SYSTEM
from servicetorg.core.workflow import TransitionRefused
from tests.factories import UnitFactory, make_staff

from .people import KARI, OLA, decide, world

pytestmark = pytest.mark.django_db

JAN15 = date(2026, 1, 15)


@pytest.fixture(autouse=True)
def _synthetic(settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True


@pytest.fixture
def w(municipality):
    return world(municipality)


def test_create_stores_the_number_encrypted_with_its_digest(w, unit):
    scheme, *_ = w
    decision = decide(scheme, "148385 40024", unit=unit, hours={"day": "3.5", "evening": "1"})
    assert decision.national_id == KARI and decision.national_id_digest == national_id_digest(KARI)
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id, name FROM choice_decision WHERE id = %s", [decision.pk])
        raw_id, raw_name = cursor.fetchone()
    assert KARI not in raw_id and "Kari" not in raw_name
    assert {h.band: h.hours_per_week for h in decision.hours.all()} == {
        "day": Decimal("3.50"),
        "evening": Decimal("1.00"),
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"national_id": "12345678901"}, "national_id"),
        ({"hours": {}}, "hours"),
        ({"hours": {"day": "200"}}, "hours_day"),
        ({"hours": {"day": "x"}}, "hours_day"),
        ({"care_level": "level_2"}, "care_level"),
        ({"valid_until": date(2025, 12, 31)}, "valid_until"),
        ({"valid_from": date(2025, 6, 1)}, "valid_from"),
    ],
)
def test_create_refuses_bad_input(w, fields, field):
    scheme, *_ = w
    national_id = fields.pop("national_id", KARI)
    with pytest.raises(ValidationError) as error:
        decide(scheme, national_id, **fields)
    assert field in error.value.message_dict
    assert not Decision.objects.exists()


def test_a_daily_scheme_takes_a_care_level(w):
    scheme, *_ = w
    scheme.price_model = "daily"
    with pytest.raises(ValidationError) as error:
        decide(scheme)
    assert "hours" in error.value.message_dict or "care_level" in error.value.message_dict
    decision = decide(scheme, hours={}, care_level="level_3")
    assert decision.care_level == "level_3" and not decision.hours.exists()


def test_one_decision_in_force_per_person_and_scheme(w):
    scheme, *_ = w
    decide(scheme)
    with pytest.raises(ValidationError) as error:
        decide(scheme)
    assert "national_id" in error.value.message_dict


def test_new_version_carries_the_choices_over(municipality):
    scheme, _m, a, _b = world(municipality, capacity=1)
    one = decide(scheme, KARI)
    choices.choose(one, a, user=SYSTEM, day=JAN15)
    two = decide(scheme, OLA)
    choices.choose(two, a, user=SYSTEM, day=JAN15)  # waits
    new = decisions.new_version(
        two, valid_from=date(2026, 3, 1), decided_on=date(2026, 2, 1), hours={"day": 5}, user=SYSTEM
    )
    two.refresh_from_db()
    assert two.state == DecisionState.REPLACED and two.valid_until == date(2026, 2, 28)
    assert new.version == 2 and new.replaces == two and new.national_id == OLA
    assert (
        Choice.objects.get(state=ChoiceState.CURRENT, provider__name="Fjordvik hjemmetjeneste").decision
        == new
    )
    assert WaitingEntry.objects.get(state=WaitingState.WAITING).decision == new
    assert decisions.versions_of(new) == [two, new]
    with pytest.raises(ValidationError):
        decisions.new_version(
            new, valid_from=date(2026, 1, 1), decided_on=date(2026, 2, 1), hours={"day": 1}, user=SYSTEM
        )


def test_end_ends_her_choices_and_cancels_a_coming_switch(w):
    scheme, _m, a, b = w
    decision = decide(scheme)
    first = choices.choose(decision, a, user=SYSTEM, day=JAN15).choice
    switch = choices.choose(decision, b, user=SYSTEM, day=JAN15).choice  # from 1 March
    decisions.end_decision(decision, ends_on=date(2026, 2, 10), user=SYSTEM)
    first.refresh_from_db(), switch.refresh_from_db()
    assert first.state == ChoiceState.ENDED and first.effective_until == date(2026, 2, 10)
    assert switch.state == ChoiceState.CANCELLED
    with pytest.raises(ValidationError):
        choices.choose(decision, b, user=SYSTEM, day=JAN15)


def test_permissions_follow_the_unit(w, municipality, unit):
    scheme, *_ = w
    helse = UnitFactory(municipality=municipality, name="Helse", slug="helse")
    officer = make_staff(Role.CASE_OFFICER, municipality, unit)
    decision = decide(scheme, unit=unit, user=officer)
    with pytest.raises(PermissionDenied):
        decide(scheme, OLA, unit=helse, user=officer)
    with pytest.raises(PermissionDenied):
        decide(scheme, OLA, unit=None, user=officer)  # no unit: the municipality's reach
    stranger = make_staff(Role.CASE_OFFICER, municipality, helse)
    with pytest.raises(PermissionDenied):
        decisions.end_decision(decision, ends_on=date(2026, 2, 1), user=stranger)
    with pytest.raises(Http404):
        decision_selectors.read_decision(decision.pk, where="test", user=stranger)
    council = make_staff(Role.COUNCIL, municipality)
    with pytest.raises(Http404):
        decision_selectors.read_decision(decision.pk, where="test", user=council)
    read = decision_selectors.read_decision(decision.pk, where="test", user=officer)
    assert read == decision
    log = DecisionRead.objects.get()
    assert log.user == officer and log.where == "test"


def test_a_provider_reads_only_its_own_users(w, municipality):
    from servicetorg.choice.models import ProviderMember

    scheme, _m, a, b = w
    mine, theirs = decide(scheme, KARI), decide(scheme, OLA)
    choices.choose(mine, a, user=SYSTEM, day=JAN15)
    choices.choose(theirs, b, user=SYSTEM, day=JAN15)
    worker = make_staff(Role.PROVIDER, municipality)
    ProviderMember.objects.create(provider=a, user=worker)
    assert list(decision_selectors.provider_decisions(worker)) == [mine]
    with pytest.raises(Http404):
        decision_selectors.read_decision(theirs.pk, where="p", as_="provider", user=worker)
    decision_selectors.read_decision(mine.pk, where="p", as_="provider", user=worker)
    assert DecisionRead.objects.filter(decision=mine, user=worker).count() == 1


DECISION_EXPECTED = {
    (DecisionState.IN_FORCE, workflow.NEW_VERSION): DecisionState.REPLACED,  # the old one, replaced
    (DecisionState.IN_FORCE, workflow.END_DECISION): DecisionState.ENDED,
}


@pytest.mark.parametrize(("state", "action"), workflow.DECISION_WORKFLOW.pairs())
def test_every_pair_of_the_decision_table(w, state, action):
    scheme, *_ = w
    decision = decide(scheme)
    Decision.objects.filter(pk=decision.pk).update(state=state)
    decision.refresh_from_db()
    if action == workflow.REPLACE:  # internal: taken by new_version
        assert not workflow.DECISION_WORKFLOW.allows(state, action)
        assert workflow.DECISION_WORKFLOW.allows(state, action, internal=True) is (
            state == DecisionState.IN_FORCE
        )
        return

    def act():
        if action == workflow.NEW_VERSION:
            return decisions.new_version(
                decision,
                valid_from=date(2026, 2, 1),
                decided_on=date(2026, 1, 2),
                hours={"day": 2},
                user=SYSTEM,
            )
        return decisions.end_decision(decision, ends_on=date(2026, 2, 1), user=SYSTEM)

    expected = DECISION_EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(TransitionRefused):
            act()
        decision.refresh_from_db()
        assert decision.state == state
        assert Decision.objects.count() == 1
    else:
        act()
        decision.refresh_from_db()
        assert decision.state == expected
