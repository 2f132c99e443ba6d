"""Visits: bands, the refusals at the edge, the CSV upload, attestation and deviations."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from servicetorg.choice import visit_imports, visits, workflow
from servicetorg.choice.models import AttestedBy, Band, Visit, VisitSource, VisitState
from servicetorg.citizens import assurance
from servicetorg.citizens.models import Relation, RelationKind
from servicetorg.citizens.services import Viewer
from servicetorg.citizens.sessions import SignedIn
from servicetorg.core.choices import Role
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.core.workflow import TransitionRefused
from tests.factories import make_staff

from .conftest import build_scheme
from .visit_factories import EMMA, KARI, at, choose, make_decision, make_provider, provider_user, visit

MONDAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(municipality, settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    scheme = build_scheme(municipality, adopt=True)
    provider = make_provider(municipality)
    other = make_provider(municipality, "Annen Omsorg AS", n=1)
    decision = make_decision(
        scheme, valid_from=date(2026, 2, 1), valid_until=date(2026, 6, 30), reference="V-1"
    )
    choose(decision, provider)
    return {
        "scheme": scheme,
        "provider": provider,
        "other": other,
        "decision": decision,
        "user": provider_user(provider),
        "other_user": provider_user(other),
    }


def register(world, start, minutes=60, *, user=None, provider=None, **kwargs):
    return visits.register_visit(
        provider=provider or world["provider"],
        decision=world["decision"],
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        staff_pseudonym=kwargs.pop("pseudonym", "Hjelper A"),
        user=user or world["user"],
        **kwargs,
    )


# --- bands ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "band"),
    [
        (at(MONDAY, 7), Band.DAY),
        (at(MONDAY, 14, 59), Band.DAY),
        (at(MONDAY, 15), Band.EVENING),
        (at(MONDAY, 22, 59), Band.EVENING),
        (at(MONDAY, 23), Band.NIGHT),
        (at(MONDAY, 6, 59), Band.NIGHT),
        (at(date(2026, 3, 7), 10), Band.WEEKEND),  # Saturday
        (at(date(2026, 3, 8), 23, 30), Band.WEEKEND),  # Sunday night
        (at(date(2026, 5, 14), 10), Band.WEEKEND),  # Ascension Day, a Thursday
        (at(date(2026, 5, 1), 10), Band.WEEKEND),  # 1 May, a Friday
        (at(date(2026, 12, 24), 10), Band.DAY),  # Christmas Eve is no public holiday
    ],
)
def test_band_of(moment, band):
    assert visits.band_of(moment) == band


def test_band_is_read_in_oslo_time():
    # 06:30 UTC on a winter Monday is 07:30 in Oslo: daytime; in summer 06:30 UTC is 08:30.
    assert (
        visits.band_of(datetime(2026, 3, 2, 5, 30, tzinfo=visits.OSLO).astimezone(visits.OSLO)) == Band.NIGHT
    )
    from datetime import UTC

    assert visits.band_of(datetime(2026, 3, 2, 6, 30, tzinfo=UTC)) == Band.DAY
    assert visits.band_of(datetime(2026, 3, 2, 5, 30, tzinfo=UTC)) == Band.NIGHT


def test_a_visit_is_banded_by_its_start(world):
    made = register(world, at(MONDAY, 14, 30), 90)
    assert (made.band, made.minutes, made.source) == (Band.DAY, 90, VisitSource.REGISTERED)


# --- registration ---------------------------------------------------------------------------------


def test_register_stores_band_minutes_and_who(world):
    made = register(world, at(MONDAY, 16), 45, external_id="A-1")
    assert (made.band, made.minutes, made.registered_by, made.state) == (
        Band.EVENING,
        45,
        world["user"],
        VisitState.REGISTERED,
    )


@pytest.mark.parametrize(
    ("start", "minutes", "message"),
    [
        (at(MONDAY, 10), -30, "cannot end before it starts"),
        (at(MONDAY, 10), 0, "cannot end before it starts"),
        (at(MONDAY, 6), 13 * 60, "implausibly long"),
        (at(date(2026, 1, 20), 10), 60, "outside the decision's period"),
        (at(date(2026, 7, 1), 10), 60, "outside the decision's period"),
        (at(date(2026, 6, 30), 23, 30), 60, "outside the decision's period"),  # ends on 1 July
    ],
)
def test_refused_at_the_edge(world, start, minutes, message):
    with pytest.raises(ValidationError, match=message):
        register(world, start, minutes)
    assert not Visit.objects.exists()


def test_overlap_with_another_visit_of_the_decision_is_refused(world):
    register(world, at(MONDAY, 10), 60)
    with pytest.raises(ValidationError, match="overlaps another visit to this user"):
        register(world, at(MONDAY, 10, 30), 60)
    register(world, at(MONDAY, 11), 30)  # back to back is no overlap
    assert Visit.objects.count() == 2


def test_a_cancelled_visit_does_not_block_its_slot(world):
    first = register(world, at(MONDAY, 10), 60)
    visits.cancel(first, user=world["user"])
    register(world, at(MONDAY, 10), 60)


def test_only_days_the_provider_served(world):
    world["decision"].choices.update(effective_until=date(2026, 2, 28))
    choose(world["decision"], world["other"], effective_from=date(2026, 3, 1))
    with pytest.raises(ValidationError, match="did not serve this user on that day"):
        register(world, at(MONDAY, 10))
    register(world, at(date(2026, 2, 23), 10))  # in February she did
    register(world, at(MONDAY, 12), user=world["other_user"], provider=world["other"])


def test_another_providers_user_does_not_exist_for_her(world):
    with pytest.raises(PermissionDenied):
        register(world, at(MONDAY, 10), user=world["other_user"], provider=world["other"])
    with pytest.raises(PermissionDenied):  # acting for a provider she does not work for
        register(world, at(MONDAY, 10), user=world["other_user"])


def test_staff_without_the_provider_role_cannot_register(world, municipality):
    for role in (Role.ADMINISTRATION, Role.CASE_OFFICER):
        with pytest.raises(PermissionDenied):
            register(world, at(MONDAY, 10), user=make_staff(role, municipality))


def test_same_external_id_twice_is_refused(world):
    register(world, at(MONDAY, 10), external_id="X")
    with pytest.raises(ValidationError, match="already registered"):
        register(world, at(MONDAY, 12), external_id="X")


# --- CSV ------------------------------------------------------------------------------------------

GOOD = (
    "decision;start;end;helper;visit_id\n"
    "{pk};2026-03-02 10:00;2026-03-02 11:00;H1;v1\n"
    "V-1;02.03.2026 16:00;02.03.2026 16:45;H2;v2\n"
)


def test_csv_upload_registers_every_row(world):
    data = GOOD.format(pk=world["decision"].pk).encode()
    result = visit_imports.import_visits(data, provider=world["provider"], user=world["user"])
    assert (result.created, result.unchanged, result.errors) == (2, 0, [])
    assert sorted(Visit.objects.values_list("external_id", "band", "minutes", "source")) == [
        ("v1", Band.DAY, 60, VisitSource.UPLOAD),
        ("v2", Band.EVENING, 45, VisitSource.UPLOAD),
    ]


def test_csv_upload_again_changes_nothing(world):
    data = GOOD.format(pk=world["decision"].pk).encode()
    visit_imports.import_visits(data, provider=world["provider"], user=world["user"])
    before = list(Visit.objects.order_by("pk").values())
    again = visit_imports.import_visits(data, provider=world["provider"], user=world["user"])
    assert (again.created, again.unchanged, again.errors) == (0, 2, [])
    assert list(Visit.objects.order_by("pk").values()) == before


BAD = (
    "decision,start,end,helper,visit_id\n"
    "{pk},2026-03-02 10:00,2026-03-02 11:00,H1,v1\n"
    "{pk},2026-03-02 10:30,2026-03-02 11:30,H1,v2\n"  # overlaps line 2
    "{pk},2026-03-02 12:00,not a time,H1,v3\n"
    "99999,2026-03-02 12:00,2026-03-02 13:00,H1,v4\n"
    "{pk},2026-03-03 12:00,2026-03-03 13:00,,v5\n"
    "{pk},2026-03-04 12:00,2026-03-04 13:00,H1,v1\n"  # the id of line 2 again
    "{pk},2026-03-05 12:00,2026-03-05 13:00,H1,v7\n"
)


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_written(world):
    data = BAD.format(pk=world["decision"].pk).encode()
    with pytest.raises(visit_imports.ImportFailed) as failed:
        visit_imports.import_visits(data, provider=world["provider"], user=world["user"])
    lines = dict(failed.value.errors)
    assert sorted(lines) == [3, 4, 5, 6, 7]
    assert "overlaps" in lines[3]
    assert "end is not a time" in lines[4]
    assert "not one of your users" in lines[5]
    assert "pseudonym" in lines[6]
    assert "also on line 2" in lines[7]
    assert not Visit.objects.exists()


def test_skip_bad_rows_keeps_the_good_ones(world):
    data = BAD.format(pk=world["decision"].pk).encode()
    result = visit_imports.import_visits(
        data, provider=world["provider"], user=world["user"], skip_bad_rows=True
    )
    assert result.created == 2 and len(result.errors) == 5
    assert sorted(Visit.objects.values_list("external_id", flat=True)) == ["v1", "v7"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"decision;start;end\n1;2;3\n", "Missing column(s): helper, visit_id"),
        (b"\xff\xfe\x00x", "not UTF-8"),
        (b"decision;start;end;helper;visit_id\n" + b"x" * (3 * 1024 * 1024), "too large"),
    ],
)
def test_unreadable_files(world, data, message):
    with pytest.raises(visit_imports.ImportFailed) as failed:
        visit_imports.import_visits(data, provider=world["provider"], user=world["user"])
    assert message in failed.value.errors[0][1]


def test_too_many_rows(world, monkeypatch):
    monkeypatch.setattr(visit_imports, "MAX_ROWS", 1)
    data = GOOD.format(pk=world["decision"].pk).encode()
    with pytest.raises(visit_imports.ImportFailed, match="too many rows"):
        visit_imports.import_visits(data, provider=world["provider"], user=world["user"])


def test_another_providers_user_in_a_file(world):
    data = GOOD.format(pk=world["decision"].pk).encode()
    with pytest.raises(visit_imports.ImportFailed) as failed:
        visit_imports.import_visits(data, provider=world["other"], user=world["other_user"])
    assert all("not one of your users" in reason for _line, reason in failed.value.errors)
    with pytest.raises(PermissionDenied):
        visit_imports.import_visits(data, provider=world["provider"], user=world["other_user"])


# --- attestation ----------------------------------------------------------------------------------


def viewer(municipality, pid=KARI, *, level=assurance.HIGH, relation=None):
    signed_in = SignedIn(
        citizen_id=1,
        digest=national_id_digest(pid),
        level=level,
        issuer="test",
        sid="s",
        started=0,
        acting_for=relation.pk if relation else None,
    )
    return Viewer(signed_in=signed_in, municipality=municipality, relation=relation)


def test_the_user_attests(world, municipality):
    made = register(world, at(MONDAY, 10))
    visits.attest(made, user=CITIZEN, viewer=viewer(municipality))
    made.refresh_from_db()
    assert (made.state, made.attested_by, made.proof) == (VisitState.ATTESTED, AttestedBy.USER, "")
    assert made.attested_at is not None


def test_attesting_twice_is_refused_by_the_table(world, municipality):
    made = register(world, at(MONDAY, 10))
    visits.attest(made, user=CITIZEN, viewer=viewer(municipality))
    with pytest.raises(TransitionRefused, match="“Attest” is not possible when the visit is “Attested”"):
        visits.attest(made, user=CITIZEN, viewer=viewer(municipality))


def test_a_relative_attests_for_the_user(world, municipality):
    relation = Relation.objects.create(
        municipality=municipality,
        kind=RelationKind.RELATIVE,
        representative_national_id=EMMA,
        subject_national_id=KARI,
        subject_name="Kari Nordmann",
        valid_from=date(2025, 1, 1),
    )
    made = register(world, at(MONDAY, 10))
    visits.attest(made, user=CITIZEN, viewer=viewer(municipality, EMMA, relation=relation))
    made.refresh_from_db()
    assert made.attested_by == AttestedBy.RELATIVE


def test_nobody_else_attests(world, municipality, other_municipality):
    made = register(world, at(MONDAY, 10))
    for someone in (
        viewer(municipality, EMMA),  # another person, no relation
        viewer(municipality, level=assurance.SUBSTANTIAL),  # herself, below the care level
        viewer(other_municipality),  # herself, in another municipality's portal
        None,
    ):
        with pytest.raises(PermissionDenied):
            visits.attest(made, user=CITIZEN, viewer=someone)
    made.refresh_from_db()
    assert made.state == VisitState.REGISTERED


def test_the_provider_attests_with_proof_only_where_the_scheme_allows(world):
    made = register(world, at(MONDAY, 10))
    with pytest.raises(ValidationError, match="only the user or a relative"):
        visits.attest(made, user=world["user"], proof="Nøkkellogg")
    world["scheme"].__class__.objects.filter(pk=world["scheme"].pk).update(provider_may_attest=True)
    made = Visit.objects.get(pk=made.pk)
    with pytest.raises(ValidationError, match="proof"):
        visits.attest(made, user=world["user"], proof="  ")
    with pytest.raises(PermissionDenied):
        visits.attest(made, user=world["other_user"], proof="Nøkkellogg")
    visits.attest(made, user=world["user"], proof="Nøkkellogg 10:01–11:00")
    made.refresh_from_db()
    assert (made.state, made.attested_by, made.proof) == (
        VisitState.ATTESTED,
        AttestedBy.PROVIDER_PROOF,
        "Nøkkellogg 10:01–11:00",
    )


def test_dispute_correct_and_attest(world, municipality):
    made = register(world, at(MONDAY, 10))
    visits.dispute(made, user=CITIZEN, viewer=viewer(municipality))
    with pytest.raises(PermissionDenied):
        visits.dispute(made, user=world["user"])
    with pytest.raises(PermissionDenied):
        visits.correct(made, user=world["other_user"], starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 10, 30))
    fixed = visits.correct(made, user=world["user"], starts_at=at(MONDAY, 15, 30), ends_at=at(MONDAY, 16))
    assert (fixed.state, fixed.band, fixed.minutes) == (VisitState.REGISTERED, Band.EVENING, 30)
    visits.attest(fixed, user=CITIZEN, viewer=viewer(municipality))


def test_a_correction_is_checked_as_a_registration(world, municipality):
    register(world, at(MONDAY, 12))
    made = register(world, at(MONDAY, 10))
    visits.dispute(made, user=CITIZEN, viewer=viewer(municipality))
    with pytest.raises(ValidationError, match="overlaps"):
        visits.correct(made, user=world["user"], starts_at=at(MONDAY, 11, 30), ends_at=at(MONDAY, 12, 30))
    made.refresh_from_db()
    assert made.state == VisitState.DISPUTED


# --- every (state, action) pair of the visit's table -----------------------------------------------

ACTIONS = {
    workflow.ATTEST: lambda v, w, m: visits.attest(v, user=CITIZEN, viewer=viewer(m)),
    workflow.DISPUTE: lambda v, w, m: visits.dispute(v, user=CITIZEN, viewer=viewer(m)),
    workflow.CORRECT: lambda v, w, m: visits.correct(
        v, user=w["user"], starts_at=v.starts_at + timedelta(minutes=5), ends_at=v.ends_at
    ),
    workflow.CANCEL: lambda v, w, m: visits.cancel(v, user=w["user"]),
}


@pytest.mark.parametrize(("state", "action"), workflow.VISIT_WORKFLOW.pairs())
def test_every_state_and_action(world, municipality, state, action):
    made = register(world, at(MONDAY, 10))
    Visit.objects.filter(pk=made.pk).update(state=state)
    made.refresh_from_db()
    expected = workflow.VISIT_TRANSITIONS.get((state, action))
    if expected is None:
        with pytest.raises(TransitionRefused):
            ACTIONS[action](made, world, municipality)
        made.refresh_from_db()
        assert made.state == state
    else:
        ACTIONS[action](made, world, municipality)
        made.refresh_from_db()
        assert made.state == expected


# --- deviations -------------------------------------------------------------------------------------


def test_the_ordering_unit_approves_a_deviation(world, municipality):
    over = visit(world["provider"], world["decision"], at(MONDAY, 9), 240)
    elsewhere = visit(world["provider"], world["decision"], at(date(2026, 4, 6), 9), 240)
    with pytest.raises(PermissionDenied):
        visits.approve_deviation(world["decision"], date(2026, 3, 1), Band.DAY, user=world["user"])
    orderer = make_staff(Role.CASE_OFFICER, municipality)
    assert visits.approve_deviation(world["decision"], date(2026, 3, 1), Band.DAY, user=orderer) == 1
    over.refresh_from_db()
    elsewhere.refresh_from_db()
    assert over.deviation_approved and not elsewhere.deviation_approved


def test_a_unit_bound_orderer_approves_only_her_units_decisions(world, municipality):
    from tests.factories import UnitFactory

    helse, oppvekst = UnitFactory(municipality=municipality), UnitFactory(municipality=municipality)
    world["decision"].__class__.objects.filter(pk=world["decision"].pk).update(unit=helse)
    decision = world["decision"].__class__.objects.get(pk=world["decision"].pk)
    with pytest.raises(PermissionDenied):
        visits.approve_deviation(
            decision, date(2026, 3, 1), Band.DAY, user=make_staff(Role.CASE_OFFICER, municipality, oppvekst)
        )
    visits.approve_deviation(
        decision, date(2026, 3, 1), Band.DAY, user=make_staff(Role.CASE_OFFICER, municipality, helse)
    )


def test_system_registers_for_the_demo(world):
    made = register(world, at(MONDAY, 10), user=SYSTEM)
    assert made.registered_by is None
    assert Decimal(made.minutes) == 60
