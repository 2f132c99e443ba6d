"""Helpers for the decisions and choices tests: providers approved in a scheme, decisions, a
scheme with a default provider. (Kept apart from conftest.py, which other parts of issue 21 fill.)"""

from datetime import date
from decimal import Decimal

from servicetorg.choice import decisions
from servicetorg.choice.models import Application, ApplicationState, Band, Provider, Scheme
from servicetorg.core.permissions import SYSTEM
from tests.factories import _org_number

from .conftest import build_scheme

#: Synthetic fødselsnumre (ACCEPT_SYNTHETIC_NATIONAL_IDS in the tests that use them).
KARI = "14838540024"
OLA = "02878341069"
EMMA = "20851650025"
INGRID = "30915020093"
JONAS = "09891852018"

_count = [0]


def make_provider(municipality, name, *, capacity=0, unit=None, districts=""):
    _count[0] += 1
    return Provider.objects.create(
        municipality=municipality,
        name=name,
        organization_number=_org_number(1000 + 10 * _count[0]),
        unit=unit,
        capacity_users=capacity,
        districts=districts,
    )


def approve(scheme, provider):
    return Application.objects.create(scheme=scheme, provider=provider, state=ApplicationState.APPROVED)


def world(municipality, *, unit=None, notice_months=1, notice_days=0, default_rule="municipal", capacity=0):
    """An adopted hourly scheme with the municipal provider (default) and two private ones."""
    scheme = build_scheme(
        municipality,
        adopt=True,
        valid_from=date(2026, 1, 1),
        notice_months=notice_months,
        notice_days=notice_days,
        default_rule=default_rule,
    )
    municipal = make_provider(municipality, "Fjordvik hjemmetjeneste", unit=unit)
    Scheme.objects.filter(pk=scheme.pk).update(default_provider=municipal)
    scheme.refresh_from_db()
    a = make_provider(municipality, "Aktiv Omsorg AS", capacity=capacity, districts="Sentrum")
    b = make_provider(municipality, "Bedre Hjelp AS", districts="Nord")
    for p in (municipal, a, b):
        approve(scheme, p)
    return scheme, municipal, a, b


def decide(scheme, national_id=KARI, *, unit=None, valid_from=date(2026, 1, 1), user=SYSTEM, **fields):
    fields.setdefault("hours", {Band.DAY: Decimal("3.5")})
    return decisions.create_decision(
        scheme=scheme,
        national_id=national_id,
        name=fields.pop("name", "Kari Nordmann"),
        decided_on=fields.pop("decided_on", date(2025, 12, 1)),
        valid_from=valid_from,
        unit=unit,
        user=user,
        **fields,
    )
