"""User choice's personal data: retention kinds, the access export (health data restricted to those
who serve the person; finding is a logged read) and erasure, found by the person's number."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from servicetorg.choice.models import (
    Band,
    Choice,
    ChoiceHow,
    ChoiceState,
    Decision,
    DecisionHours,
    DecisionRead,
    Settlement,
    SettlementLine,
    Visit,
    VisitState,
    WaitingEntry,
    WaitingState,
)
from servicetorg.core.choices import Role
from servicetorg.privacy import access, retention
from tests.factories import make_staff

from .conftest import build_scheme
from .people import INGRID, KARI, make_provider

OSLO = ZoneInfo("Europe/Oslo")
KINDS = (
    "choice.decisions",
    "choice.choices",
    "choice.waiting",
    "choice.visits",
    "choice.settlement_lines",
    "choice.decision_reads",
)


def _person_data(scheme, provider, number, *, valid_until=None, ended_choice=None):
    d = Decision.objects.create(
        municipality=scheme.municipality,
        scheme=scheme,
        national_id=number,
        name=f"Person {number[:4]}",
        decided_on=date(2026, 1, 1),
        valid_from=date(2026, 1, 1),
        valid_until=valid_until,
    )
    DecisionHours.objects.create(decision=d, band=Band.DAY, hours_per_week=Decimal("3"))
    Choice.objects.create(
        decision=d,
        provider=provider,
        how=ChoiceHow.ACTIVE,
        effective_from=date(2026, 1, 1),
        effective_until=ended_choice,
        state=ChoiceState.ENDED if ended_choice else ChoiceState.CURRENT,
    )
    WaitingEntry.objects.create(
        decision=d, provider=provider, state=WaitingState.PLACED, ended_at=timezone.now()
    )
    start = datetime(2026, 2, 2, 9, tzinfo=OSLO)
    Visit.objects.create(
        provider=provider,
        decision=d,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        band=Band.DAY,
        minutes=60,
        staff_pseudonym="H-1",
        state=VisitState.ATTESTED,
    )
    settlement, _ = Settlement.objects.get_or_create(scheme=scheme, provider=provider, month=date(2026, 2, 1))
    SettlementLine.objects.create(
        settlement=settlement, decision=d, band=Band.DAY, decided_minutes=60, rate=Decimal("612"), amount=612
    )
    DecisionRead.objects.create(decision=d, actor="saksbehandler", where="decision page")
    return d


@pytest.fixture
def world(municipality):
    scheme = build_scheme(municipality, adopt=True)
    provider = make_provider(municipality, "Hjelp AS")
    ingrid = _person_data(scheme, provider, INGRID)
    kari = _person_data(scheme, provider, KARI)
    return scheme, provider, ingrid, kari


def test_every_kind_is_registered_for_retention_and_access(db):
    assert set(KINDS) <= {k.key for k in retention.kinds()}
    assert set(KINDS) <= {h.key for h in access.holdings()}


def test_found_by_the_number_restricted_and_logged(world, municipality):
    _, _, ingrid, kari = world
    admin = make_staff(Role.ADMIN, municipality)
    before = DecisionRead.objects.filter(decision=ingrid).count()
    found = {
        f.holding.key: f.records
        for f in access.search(municipality, access.Person(national_id=INGRID), user=admin)
    }
    for key in KINDS:
        assert [r.pk for r in found[key]] == [ingrid.pk], key
        assert all(r.restricted and r.level for r in found[key])  # health data
    [decision] = found["choice.decisions"]
    assert "Person 3091" in [v for _, v in decision.fields]
    assert INGRID not in str(decision.fields)  # the number masked
    assert len(found["choice.visits"][0].parts) == 1
    # Finding them is a read of her decision, logged; Kari's is not touched.
    assert DecisionRead.objects.filter(decision=ingrid).count() == before + 1
    assert DecisionRead.objects.filter(decision=kari).count() == 1
    # Nothing found in another municipality or by another identifier.
    assert not any(
        f.records for f in access.search(municipality, access.Person(email="x@example.no"), user=admin)
    )


def test_readable_only_by_who_serves_the_person(world, municipality):
    ingrid = world[2]
    found = access.search(
        municipality, access.Person(national_id=INGRID), user=make_staff(Role.ADMIN, municipality)
    )
    [record] = next(f.records for f in found if f.holding.key == "choice.decisions")
    assert record.readable_by(make_staff(Role.ADMINISTRATION, municipality))  # orders for the municipality
    assert not record.readable_by(make_staff(Role.DESK_WORKER, municipality))
    assert ingrid.pk == record.pk


def test_erasure_deletes_hers_only(world, municipality):
    scheme, provider, ingrid, kari = world
    admin = make_staff(Role.ADMIN, municipality)
    counts = access.erase(municipality, access.Person(national_id=INGRID), user=admin)
    assert set(counts) == set(KINDS)
    assert not Decision.objects.filter(pk=ingrid.pk).exists()
    assert not Decision.history.filter(id=ingrid.pk).exists()
    for model in (Choice, WaitingEntry, Visit, SettlementLine, DecisionRead):
        assert not model.objects.filter(decision_id=ingrid.pk).exists()
        assert model.objects.filter(decision_id=kari.pk).exists()
    assert Settlement.objects.filter(scheme=scheme).exists()  # the statement stays
    assert not any(
        f.records for f in access.search(municipality, access.Person(national_id=INGRID), user=admin)
    )


def test_retention_purges_what_is_due(world, municipality):
    scheme, provider, ingrid, kari = world
    admin = make_staff(Role.ADMIN, municipality)
    ended = _person_data(
        scheme, provider, "09891852018", valid_until=date(2026, 3, 31), ended_choice=date(2026, 3, 31)
    )
    later = timezone.now() + timedelta(days=6 * 365)
    retention.purge(user=admin, municipality=municipality, now=later, kind_keys=["choice.decisions"])
    assert not Decision.objects.filter(pk=ended.pk).exists()
    assert Decision.objects.filter(pk__in=[ingrid.pk, kari.pk]).count() == 2  # still in force
    retention.purge(user=admin, municipality=municipality, now=later)
    # Visits, lines and reads older than their periods went; decisions in force stay.
    assert (
        not Visit.objects.exists()
        and not SettlementLine.objects.exists()
        and not DecisionRead.objects.exists()
    )
    assert not WaitingEntry.objects.exists()
    assert Choice.objects.filter(state=ChoiceState.CURRENT).count() == 2
