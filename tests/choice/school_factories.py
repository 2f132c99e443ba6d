"""School-choice test data: schools on a small map, addresses with their catchment school, a round,
applications with wishes (straight into the database: the services are tested on their own)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from servicetorg.choice.demo_users import synthetic_national_id
from servicetorg.choice.schools import lottery
from servicetorg.choice.schools.models import (
    Priority,
    Round,
    RoundSchool,
    RoundState,
    School,
    SchoolAddress,
    SchoolApplication,
    Wish,
)

_rng = random.Random(22)
_used: set[str] = set()


def child_number(year: int = 2020) -> str:
    return synthetic_national_id(_rng, _used, born=(year, year))


def school(municipality, name, *, lat="59.0500", lon="10.0300", first=1, last=7, **fields) -> School:
    return School.objects.create(
        municipality=municipality,
        name=name,
        latitude=Decimal(lat),
        longitude=Decimal(lon),
        first_grade=first,
        last_grade=last,
        **fields,
    )


def address(municipality, text, school_, *, lat="59.0510", lon="10.0310", secondary=None) -> SchoolAddress:
    return SchoolAddress.objects.create(
        municipality=municipality,
        address=text,
        postcode="3999",
        latitude=Decimal(lat),
        longitude=Decimal(lon),
        primary_school=school_,
        secondary_school=secondary,
    )


def school_round(
    municipality, seats: dict, *, state=RoundState.CLOSED, seed="seed-for-tests", **fields
) -> Round:
    """A round of the 1st grade over ``seats`` ({school: seats}); closed with its seed committed unless
    another state is asked for."""
    fields.setdefault("priorities", [Priority.CATCHMENT, Priority.SIBLING])
    committed = state not in (RoundState.DRAFT, RoundState.OPEN)
    round_ = Round.objects.create(
        municipality=municipality,
        name=fields.pop("name", "Skolestart 2027"),
        school_year=2027,
        opens_on=date(2027, 1, 1),
        closes_on=date(2027, 2, 1),
        state=state,
        seed=seed if committed else "",
        seed_hash=lottery.seed_hash(seed) if committed else "",
        **fields,
    )
    for school_, n in seats.items():
        RoundSchool.objects.create(round=round_, school=school_, seats=n)
    return round_


def application(round_, address_, wishes, *, siblings=(), special=None, name="Barn", number=None):
    """An application listing ``wishes`` (schools, best first); ``siblings``: schools where a sibling
    attends; ``special``: the school a special-needs decision names."""
    app = SchoolApplication.objects.create(
        round=round_,
        national_id=number or child_number(),
        name=name,
        address=address_,
        catchment_school=address_.catchment(round_.grade),
        special_needs_school=special,
    )
    for rank, school_ in enumerate(wishes, start=1):
        Wish.objects.create(application=app, rank=rank, school=school_, sibling=school_ in siblings)
    return app
