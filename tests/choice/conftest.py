from datetime import date
from decimal import Decimal

import pytest

from servicetorg.catalogue.models import Service
from servicetorg.choice import services
from servicetorg.choice.models import Band, PriceModel
from servicetorg.core.permissions import SYSTEM

from ..factories import make_service

DECISION = {"decision_date": date(2025, 12, 11), "case_reference": "PS 112/25"}


def rate(running="468", capital="24", common="120", minimum=30, amount=None):
    parts = [Decimal(running), Decimal(capital), Decimal(common)]
    return {
        "amount": Decimal(amount) if amount is not None else sum(parts),
        "minimum_minutes": minimum,
        "running_costs": parts[0],
        "capital_costs": parts[1],
        "common_costs": parts[2],
    }


def build_scheme(municipality, *, service=None, adopt=False, valid_from=date(2026, 1, 1), **fields):
    """An hourly scheme with day and evening rates; optionally adopted by the council."""
    slug = f"praktisk-bistand-{municipality.number}"
    service = (
        service
        or Service.objects.filter(municipality=municipality, slug=slug).first()
        or make_service(municipality, slug=slug, name="Praktisk bistand")
    )
    scheme = services.create_scheme(
        municipality=municipality,
        service=service,
        name="Brukervalg i praktisk bistand",
        price_model=PriceModel.HOURLY,
        user=SYSTEM,
    )
    scheme = services.update_scheme(
        scheme,
        valid_from=valid_from,
        requirements="Krav til kompetanse.",
        rates={Band.DAY: rate(), Band.EVENING: rate("548", "28", "132")},
        user=SYSTEM,
        **fields,
    )
    if adopt:
        scheme = services.adopt(scheme, **DECISION, user=SYSTEM)
    return scheme


@pytest.fixture
def draft(municipality):
    return build_scheme(municipality)


@pytest.fixture
def adopted(municipality):
    return build_scheme(municipality, adopt=True)
