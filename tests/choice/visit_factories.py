"""Providers, decisions, choices and visits made directly with the ORM for the visit and settlement
tests (the decisions' own services live in another part of issue 21)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from servicetorg.choice import visits
from servicetorg.choice.models import (
    Band,
    Choice,
    ChoiceHow,
    Decision,
    DecisionHours,
    Provider,
    ProviderMember,
    Visit,
    VisitSource,
    VisitState,
)
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.factories import make_staff

from .conftest import rate

#: Synthetic fødselsnumre (tests accept them) for the users of the decisions.
KARI = "14838540024"
OLA = "02878341069"
EMMA = "20851650025"
INGRID = "30915020093"

ORG_NUMBERS = ["974575396", "945578564", "964338531", "964969590", "972417807"]


def make_provider(municipality, name="Omsorg AS", n=0) -> Provider:
    return Provider.objects.create(municipality=municipality, name=name, organization_number=ORG_NUMBERS[n])


def provider_user(provider: Provider, username: str | None = None):
    user = make_staff(Role.PROVIDER, provider.municipality, username=username or f"lev-{provider.pk}")
    ProviderMember.objects.create(provider=provider, user=user)
    return user


def make_decision(
    scheme,
    *,
    national_id: str = KARI,
    name: str = "Kari Nordmann",
    valid_from: date = date(2026, 1, 1),
    valid_until: date | None = None,
    hours: dict | None = None,
    care_level: str = "",
    unit=None,
    reference: str = "",
) -> Decision:
    decision = Decision.objects.create(
        municipality=scheme.municipality,
        scheme=scheme,
        unit=unit,
        national_id=national_id,
        name=name,
        decided_on=valid_from,
        valid_from=valid_from,
        valid_until=valid_until,
        care_level=care_level,
        case_reference=reference,
    )
    for band, per_week in (hours if hours is not None else {Band.DAY: Decimal("3.5")}).items():
        DecisionHours.objects.create(decision=decision, band=band, hours_per_week=Decimal(per_week))
    return decision


def choose(decision, provider, *, effective_from=None, effective_until=None, how=ChoiceHow.ACTIVE) -> Choice:
    return Choice.objects.create(
        decision=decision,
        provider=provider,
        how=how,
        effective_from=effective_from or decision.valid_from,
        effective_until=effective_until,
    )


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=visits.OSLO)


def visit(
    provider, decision, start: datetime, minutes: int, *, state=VisitState.REGISTERED, approved=False
) -> Visit:
    """A visit registered through the service (SYSTEM), then put in ``state`` for the settlement tests."""
    from datetime import timedelta

    made = visits.register_visit(
        provider=provider,
        decision=decision,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        staff_pseudonym="H1",
        source=VisitSource.REGISTERED,
        user=SYSTEM,
    )
    if state != VisitState.REGISTERED or approved:
        Visit.objects.filter(pk=made.pk).update(state=state, deviation_approved=approved)
        made.refresh_from_db()
    return made


def hourly_rates(night=False, weekend=False):
    rates = {Band.DAY: rate(), Band.EVENING: rate("548", "28", "132")}
    if night:
        rates[Band.NIGHT] = rate("700", "30", "150", minimum=60)
    if weekend:
        rates[Band.WEEKEND] = rate("650", "30", "140", minimum=None)
    return rates


def walk_objects(scheme, user) -> dict:
    """For tests/core/test_roles_walk.py: a provider ``user`` works for, a user of it with a visit in
    March 2026, and the provider's statement of that month (a draft)."""
    from servicetorg.choice import settlement

    provider = make_provider(scheme.municipality, "Walk Omsorg AS", n=4)
    ProviderMember.objects.create(provider=provider, user=user)
    decision = make_decision(scheme)
    choose(decision, provider)
    made = visit(provider, decision, at(date(2026, 3, 2), 10), 60)
    done = settlement.compute(scheme, date(2026, 3, 1), user=SYSTEM)
    statement = next(s for s in done if s.provider_id == provider.pk)
    return {
        "visit": {"pk": made.pk},
        "settlement": {"pk": statement.pk},
        "settlement.csv": {"pk": statement.pk, "fmt": "csv"},
    }
