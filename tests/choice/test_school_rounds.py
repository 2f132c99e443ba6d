"""The school office's services on rounds and schools (choice/schools/rounds.py): each step of a
round, the seed committed then revealed, refusals out of turn, by the wrong role or municipality,
and validation errors in plain language."""

import hashlib
import io
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from servicetorg.choice.schools import address_imports, allocate, lottery, rounds
from servicetorg.choice.schools.models import (
    Priority,
    Round,
    RoundSchool,
    RoundState,
    School,
    SchoolAddress,
)
from servicetorg.core.choices import Role
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import SYSTEM
from servicetorg.core.workflow import TransitionRefused
from tests.factories import make_staff

from .school_factories import application, school, school_round
from .school_round_helpers import RULES, allocated_round, council, draft, office, town  # noqa: F401

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError, field: str) -> list[str]:
    return error.message_dict[field]


def test_a_draft_with_seats_opens_closes_and_commits_its_seed(municipality, town, office):  # noqa: F811
    round_ = rounds.create_round(
        municipality=municipality,
        user=office,
        seats={town["a"]: 50, town["b"]: (40, 20)},
        **RULES,
    )
    assert round_.state == RoundState.DRAFT and round_.created_by == office
    seats = {r.school_id: (r.seats, r.class_size) for r in round_.schools.all()}
    assert seats == {town["a"].pk: (50, 25), town["b"].pk: (40, 20)}
    assert round_.history.latest().history_user == office

    round_ = rounds.update_round(round_, user=office, seats={town["a"]: 50, town["c"]: 0}, wishes=3)
    assert round_.wishes == 3
    assert list(round_.schools.values_list("school_id", flat=True)) == [town["a"].pk]

    round_ = rounds.open_round(round_, user=office)
    assert Round.objects.get(pk=round_.pk).state == RoundState.OPEN
    assert not round_.seed and not round_.seed_hash

    round_ = rounds.close_round(round_, user=office)
    stored = Round.objects.get(pk=round_.pk)
    assert stored.state == RoundState.CLOSED
    assert len(stored.seed) == 64
    assert stored.seed_hash == hashlib.sha256(stored.seed.encode()).hexdigest()
    assert stored.seed_hash == lottery.seed_hash(stored.seed)
    assert stored.seed_committed_at is not None
    assert not rounds.seed_is_public(stored)
    assert not hasattr(stored.history.latest(), "seed")  # the history never holds the secret


def test_each_round_gets_its_own_seed(municipality, town):  # noqa: F811
    seeds = set()
    for name in ("A", "B"):
        round_ = draft(municipality, {town["a"]: 10}, name=name)
        rounds.open_round(round_, user=SYSTEM)
        seeds.add(rounds.close_round(round_, user=SYSTEM).seed)
    assert len(seeds) == 2


def test_publish_reveals_the_seed_and_tells_each_family_without_personal_details(
    municipality,
    town,  # noqa: F811
    office,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    round_, apps = allocated_round(municipality, town)
    assert not rounds.seed_is_public(round_)
    with django_capture_on_commit_callbacks():
        told = rounds.publish(round_, user=office)
    round_.refresh_from_db()
    assert told == 2 and round_.state == RoundState.PUBLISHED and round_.published_at is not None
    assert rounds.seed_is_public(round_)
    assert lottery.seed_hash(round_.seed) == round_.seed_hash
    messages = OutboxMessage.objects.filter(key__startswith=f"schools.published:{round_.pk}:")
    assert sorted(m.channel for m in messages) == ["email", "email", "sms"]
    assert {tuple(m.recipients) for m in messages} == {
        ("forelder.ada@example.no",),
        ("forelder.cato@example.no",),
        ("+4791234567",),
    }
    for message in messages:
        text = message.subject + message.body
        assert "Min side" in text and "/min-side/" in text
        for app in apps:
            assert app.name not in text
        for school_ in ("Alfa", "Beta", "Gamma"):
            assert school_ not in text
        assert round_.seed not in text


def test_finish_after_publishing(municipality, town, office):  # noqa: F811
    round_, _apps = allocated_round(municipality, town, state=RoundState.PUBLISHED)
    round_ = rounds.finish(round_, user=office)
    assert Round.objects.get(pk=round_.pk).state == RoundState.FINISHED
    assert rounds.seed_is_public(round_)


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (RoundState.OPEN, rounds.open_round),
        (RoundState.CLOSED, rounds.open_round),
        (RoundState.DRAFT, rounds.close_round),
        (RoundState.CLOSED, rounds.close_round),
        (RoundState.CLOSED, rounds.publish),
        (RoundState.OPEN, rounds.publish),
        (RoundState.PUBLISHED, rounds.publish),
        (RoundState.ALLOCATED, rounds.finish),
        (RoundState.FINISHED, rounds.finish),
        (RoundState.FINISHED, rounds.open_round),
    ],
)
def test_steps_out_of_turn_are_refused(municipality, town, office, state, step):  # noqa: F811
    round_, _apps = allocated_round(municipality, town, state=state)
    before = Round.objects.get(pk=round_.pk)
    with pytest.raises(TransitionRefused):
        step(round_, user=office)
    after = Round.objects.get(pk=round_.pk)
    assert (after.state, after.seed_hash) == (before.state, before.seed_hash)


def test_a_round_opens_only_with_seats(municipality, town, office):  # noqa: F811
    round_ = draft(municipality, {})
    with translation.override("en"), pytest.raises(ValidationError) as error:
        rounds.open_round(round_, user=office)
    assert messages_of(error.value, "seats") == ["Give at least one school seats before the round opens."]
    assert Round.objects.get(pk=round_.pk).state == RoundState.DRAFT


def test_a_round_closes_only_after_its_published_date(municipality, town, office):  # noqa: F811
    today = timezone.localdate()
    round_ = draft(municipality, {town["a"]: 10}, opens_on=today - timedelta(days=5), closes_on=today)
    rounds.open_round(round_, user=office)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        rounds.close_round(round_, user=office)
    assert "can be closed from the day after" in error.value.messages[0]
    stored = Round.objects.get(pk=round_.pk)
    assert stored.state == RoundState.OPEN and not stored.seed and not stored.seed_hash


def test_rules_are_fixed_once_the_round_opens(municipality, town, office):  # noqa: F811
    round_ = draft(municipality, {town["a"]: 10})
    rounds.open_round(round_, user=office)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        rounds.update_round(round_, user=office, wishes=5)
    assert "cannot be changed any more" in error.value.messages[0]
    assert Round.objects.get(pk=round_.pk).wishes == RULES["wishes"]


def test_validation_in_plain_language(municipality, other_municipality, town, office):  # noqa: F811
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            draft(municipality, {}, opens_on=date(2026, 3, 1), closes_on=date(2026, 2, 1))
        assert messages_of(error.value, "closes_on") == ["Applications cannot close before they open."]

        with pytest.raises(ValidationError) as error:
            draft(municipality, {}, priorities=[Priority.SIBLING, Priority.CATCHMENT])
        assert (
            "the catchment school must be the first priority group"
            in messages_of(error.value, "priorities")[0]
        )

        with pytest.raises(ValidationError) as error:
            draft(municipality, {}, priorities=[Priority.CATCHMENT, Priority.CATCHMENT])
        assert messages_of(error.value, "priorities") == ["Choose each priority group at most once."]

        elsewhere = school(other_municipality, "Nabo skole")
        with pytest.raises(ValidationError) as error:
            draft(municipality, {town["a"]: 10, town["u"]: 30, elsewhere: 5})
        assert messages_of(error.value, "seats") == [
            "Ungdomsskolen does not teach grade 1.",
            "Nabo skole belongs to another municipality.",
        ]

        round_ = draft(municipality, {town["a"]: 10})
        with pytest.raises(ValidationError) as error:
            rounds.update_round(round_, user=office, grade=8, intake="eighth")
        assert "do not teach grade 8: Alfa skole" in messages_of(error.value, "grade")[0]

        with pytest.raises(ValidationError) as error:
            rounds.update_round(round_, user=office, seats={town["a"]: 3000})
        assert messages_of(error.value, "seats")[0].startswith("Alfa skole: ")

        with pytest.raises(ValidationError) as error:
            rounds.update_round(round_, user=office, state=RoundState.OPEN)
        assert messages_of(error.value, "state") == ["This field cannot be changed here."]
    assert Round.objects.get(pk=round_.pk).grade == 1
    assert RoundSchool.objects.get(round=round_).seats == 10
    assert Round.objects.count() == 1


def test_a_round_without_guarantee_may_use_the_lottery_alone(municipality, town):  # noqa: F811
    round_ = draft(municipality, {town["a"]: 10}, guarantee=False, priorities=[])
    assert rounds.open_round(round_, user=SYSTEM).state == RoundState.OPEN


def test_the_wrong_role_or_municipality_is_refused(
    municipality,
    other_municipality,
    town,  # noqa: F811
    council,  # noqa: F811
    desk_worker,
):
    round_, _apps = allocated_round(municipality, town, state=RoundState.DRAFT)
    stranger = make_staff(Role.SCHOOL_OFFICE, other_municipality, username="naboskolekontor")
    for user in (council, desk_worker, stranger):
        with pytest.raises(PermissionDenied):
            rounds.create_round(municipality=municipality, user=user, **RULES)
        with pytest.raises(PermissionDenied):
            rounds.update_round(round_, user=user, wishes=1)
        for step in (rounds.open_round, rounds.close_round, rounds.publish, rounds.finish):
            with pytest.raises(PermissionDenied):
                step(round_, user=user)
        with pytest.raises(PermissionDenied):
            rounds.create_school(municipality=municipality, user=user, name="X", latitude=1, longitude=1)
        with pytest.raises(PermissionDenied):
            rounds.update_school(town["a"], user=user, name="Ny")
    assert Round.objects.get(pk=round_.pk).state == RoundState.DRAFT
    assert Round.objects.count() == 1 and not School.objects.filter(name__in=["X", "Ny"]).exists()


def test_the_administration_may_run_the_whole_round(municipality, town, administration):  # noqa: F811
    round_ = draft(municipality, {town["a"]: 10, town["b"]: 10})
    rounds.open_round(round_, user=administration)
    rounds.close_round(round_, user=administration)
    allocate.run_main(round_, user=administration)
    rounds.publish(round_, user=administration)
    assert rounds.finish(round_, user=administration).state == RoundState.FINISHED


def test_publishing_twice_sends_nothing_twice(municipality, town, office):  # noqa: F811
    round_, _apps = allocated_round(municipality, town)
    rounds.publish(round_, user=office)
    count = OutboxMessage.objects.count()
    with pytest.raises(TransitionRefused):
        rounds.publish(round_, user=office)
    assert OutboxMessage.objects.count() == count == 3


def test_the_school_registry(municipality, other_municipality, town, office):  # noqa: F811
    made = rounds.create_school(
        municipality=municipality,
        user=office,
        name="Delta skole",
        first_grade=1,
        last_grade=10,
        latitude="59.2",
        longitude="10.2",
        profile="Vi er en 1–10-skole ved sjøen.",
    )
    assert made.teaches(8) and made.history.latest().history_user == office
    rounds.update_school(made, user=office, profile="Ny egenomtale", phone="33 00 00 00")
    made.refresh_from_db()
    assert made.profile == "Ny egenomtale" and made.history.count() == 2
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            rounds.create_school(
                municipality=municipality, user=office, name="alfa skole", latitude=1, longitude=1
            )
        assert messages_of(error.value, "name") == ["The municipality already has a school with this name."]
        with pytest.raises(ValidationError) as error:
            rounds.update_school(made, user=office, first_grade=8, last_grade=7)
        assert messages_of(error.value, "last_grade") == ["The last grade cannot come before the first."]
    # The same name in another municipality is another school.
    rounds.create_school(
        municipality=other_municipality, user=SYSTEM, name="Alfa skole", latitude=1, longitude=1
    )


def test_the_address_register(municipality, other_municipality, town, office):  # noqa: F811
    added = rounds.create_address(
        municipality=municipality,
        user=office,
        address="Deltaveien 2",
        postcode="3999",
        latitude="59.2",
        longitude="10.2",
        primary_school=town["a"],
        secondary_school=town["u"],
    )
    assert added.catchment(1) == town["a"] and added.catchment(8) == town["u"]
    rounds.update_address(added, user=office, primary_school=town["b"])
    added.refresh_from_db()
    assert added.primary_school == town["b"]
    elsewhere = school(other_municipality, "Nabo skole")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        rounds.update_address(added, user=office, primary_school=elsewhere)
    assert messages_of(error.value, "primary_school") == ["The school belongs to another municipality."]


# --- manage.py allocate_round ---------------------------------------------------------------------


def _boston_trap(municipality, town):  # noqa: F811
    """X (catchment A) lists B then A; Z (catchment B) takes B; Y, from C, lists only A. Deferred
    acceptance gives X her catchment seat at A; first-wish-first gives A to Y in round 1 and leaves
    X without a seat though she has priority at A: a blocking pair."""
    t = town
    round_ = school_round(municipality, {t["a"]: 1, t["b"]: 1, t["c"]: 5})
    application(round_, t["near_a"], [t["b"], t["a"]], name="X")
    application(round_, t["near_c"], [t["a"]], name="Y")
    application(round_, t["near_b"], [t["b"]], name="Z")
    return round_


def test_the_command_runs_and_prints_the_certificate(municipality, town):  # noqa: F811
    round_ = _boston_trap(municipality, town)
    out = io.StringIO()
    call_command("allocate_round", str(round_.pk), stdout=out)
    text = out.getvalue()
    assert "Stable: yes   blocking pairs: 0   wasted seats: 0" in text
    assert "Placed by wish: 1: 1, 2: 1, 3: 0" in text and "Unplaced: 0" in text
    assert "Guaranteed (catchment school below the wishes): 1" in text
    assert f"Seed SHA-256: {round_.seed_hash}" in text
    # the group's label comes in bokmål (the default language) inside the command's English frame
    assert "Alfa skole" in text and "Nærskolen, lottery" in text
    round_.refresh_from_db()
    assert round_.state == RoundState.ALLOCATED and round_.runs.get().created_by is None


def test_the_command_fails_on_an_unstable_what_if(municipality, town):  # noqa: F811
    round_ = _boston_trap(municipality, town)
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "allocate_round", str(round_.pk), "--what-if", '{"rule": "first_wish_first"}', stdout=out
        )
    assert error.value.returncode == 1
    assert "Stable: no   blocking pairs: 1" in out.getvalue() and "Unplaced: 1" in out.getvalue()
    assert Round.objects.get(pk=round_.pk).state == RoundState.CLOSED  # a what-if never moves the round
    out = io.StringIO()
    extra = json.dumps({"extra_seats": {str(town["a"].pk): 1}})
    call_command("allocate_round", str(round_.pk), "--what-if", extra, stdout=out)
    assert "Stable: yes" in out.getvalue()


@pytest.mark.parametrize(
    "what_if",
    ["{", "[]", '{"seats": 1}', '{"extra_seats": {"1": 5}}', '{"drop": ["special_needs"]}', '{"rule": "x"}'],
)
def test_the_command_refuses_bad_input(municipality, town, what_if):  # noqa: F811
    round_ = _boston_trap(municipality, town)
    with pytest.raises(CommandError):
        call_command("allocate_round", str(round_.pk), "--what-if", what_if, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No round"):
        call_command("allocate_round", "999999", stdout=io.StringIO())
    assert not round_.runs.exists()


# --- The address register from a file -------------------------------------------------------------

ADDRESSES = (
    "address;postcode;latitude;longitude;primary_school;secondary_school;district\n"
    "Storgata 1;3999;59,0501;10,0001;Alfa skole;Ungdomsskolen;Sentrum\n"
    "Alfaveien 1;3999;59.0505;10.0005;Beta skole;Ungdomsskolen;Sentrum\n"
)


def test_the_address_register_is_imported_and_reimported(municipality, town, office):  # noqa: F811
    result = address_imports.import_addresses(ADDRESSES.encode(), municipality=municipality, user=office)
    assert (result.created, result.updated, result.unchanged, result.errors) == (1, 1, 0, [])
    storgata = SchoolAddress.objects.get(address="Storgata 1")
    assert storgata.catchment(1) == town["a"] and storgata.catchment(9) == town["u"]
    assert storgata.district == "Sentrum" and str(storgata.latitude) == "59.050100"
    assert SchoolAddress.objects.get(address="Alfaveien 1").primary_school == town["b"]  # moved district
    again = address_imports.import_addresses(ADDRESSES.encode(), municipality=municipality, user=office)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_every_bad_row_is_reported_and_nothing_imported(municipality, town, office):  # noqa: F811
    bad = (
        "address,postcode,latitude,longitude,primary_school,secondary_school\n"
        "Storgata 1,3999,59.05,10.00,Alfa skole,\n"
        ",3999,59.05,10.00,Alfa skole,\n"
        "Storgata 2,39,95,10.00,Ukjent skole,Alfa skole\n"
        "Storgata 1,3999,59.05,10.00,Alfa skole,\n"
    )
    before = SchoolAddress.objects.count()
    with translation.override("en"), pytest.raises(address_imports.ImportFailed) as failed:
        address_imports.import_addresses(bad.encode(), municipality=municipality, user=office)
    assert [line for line, _reason in failed.value.errors] == [3, 4, 5]
    reasons = dict(failed.value.errors)
    assert reasons[3] == "address is missing"
    assert "postcode must be four digits" in reasons[4] and "latitude is not a number" in reasons[4]
    assert "no school named “Ukjent skole”" in reasons[4] and "Alfa skole teaches grades 1–7" in reasons[4]
    assert reasons[5] == "the same address as line 2"
    assert SchoolAddress.objects.count() == before
    result = address_imports.import_addresses(
        bad.encode(), municipality=municipality, user=office, skip_bad_rows=True
    )
    assert result.created == 1 and len(result.errors) == 3
    with translation.override("en"), pytest.raises(address_imports.ImportFailed) as failed:
        address_imports.import_addresses(
            b"address;postcode\nX;3999\n", municipality=municipality, user=office
        )
    assert "Missing column(s): latitude, longitude" in failed.value.errors[0][1]
    with pytest.raises(address_imports.ImportFailed):
        address_imports.import_addresses(b"\xff\xfe", municipality=municipality, user=office)


def test_only_the_school_office_imports_addresses(municipality, other_municipality, town, council):  # noqa: F811
    stranger = make_staff(Role.SCHOOL_OFFICE, other_municipality, username="naboskolekontor")
    for user in (council, stranger):
        with pytest.raises(PermissionDenied):
            address_imports.import_addresses(ADDRESSES.encode(), municipality=municipality, user=user)
    assert not SchoolAddress.objects.filter(address="Storgata 1").exists()
