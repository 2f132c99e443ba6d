"""Helpers for the tests of the school office's rounds (services, pages, browser): a small town of
three schools and a lower secondary school, a draft made through the services, and a round walked to
a given state with applications (the shared ``school_factories`` do the rows)."""

from __future__ import annotations

from datetime import date

import pytest

from servicetorg.choice.schools import allocate, rounds
from servicetorg.choice.schools.models import Priority, RoundState
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.factories import make_staff

from .school_factories import address, application, school, school_round

#: A draft's rules (dates in the past: a round may be closed from the day after it closes).
RULES = {
    "name": "Skolestart 2026",
    "school_year": 2026,
    "grade": 1,
    "opens_on": date(2025, 11, 1),
    "closes_on": date(2025, 12, 1),
    "wishes": 2,
    "priorities": [Priority.CATCHMENT, Priority.SIBLING],
}


@pytest.fixture
def office(municipality):
    return make_staff(Role.SCHOOL_OFFICE, municipality, username="skolekontor")


@pytest.fixture
def council(municipality):
    return make_staff(Role.COUNCIL, municipality, username="politiker")


@pytest.fixture
def town(municipality):
    """Alfa, Beta, Gamma (grades 1–7), Ungdomsskolen (8–10); an address near each primary school."""
    a = school(municipality, "Alfa skole", lat="59.0500", lon="10.0000")
    b = school(municipality, "Beta skole", lat="59.0500", lon="10.1000")
    c = school(municipality, "Gamma skole", lat="59.1000", lon="10.0500")
    u = school(municipality, "Ungdomsskolen", lat="59.0700", lon="10.0500", first=8, last=10)
    near_a = address(municipality, "Alfaveien 1", a, lat="59.0505", lon="10.0005", secondary=u)
    near_b = address(municipality, "Betaveien 1", b, lat="59.0505", lon="10.1005", secondary=u)
    near_c = address(municipality, "Gammaveien 1", c, lat="59.1005", lon="10.0505", secondary=u)
    return {"a": a, "b": b, "c": c, "u": u, "near_a": near_a, "near_b": near_b, "near_c": near_c}


def draft(municipality, seats, **rules):
    """A draft round made through the services (as SYSTEM)."""
    return rounds.create_round(municipality=municipality, user=SYSTEM, seats=seats, **{**RULES, **rules})


def allocated_round(municipality, town, *, state=RoundState.ALLOCATED, **fields):
    """A closed round over A (2 seats), B (2), C (5) with five applications (two of them with an
    e-mail and a mobile), run once when ``state`` is allocated or later."""
    t = town
    before_run = state if state in (RoundState.DRAFT, RoundState.OPEN) else RoundState.CLOSED
    round_ = school_round(municipality, {t["a"]: 2, t["b"]: 2, t["c"]: 5}, state=before_run, **fields)
    apps = [
        application(round_, t["near_a"], [t["a"], t["b"]], name="Ada"),
        application(round_, t["near_a"], [t["a"], t["b"]], name="Bo"),
        application(round_, t["near_b"], [t["a"], t["b"]], name="Cato"),
        application(round_, t["near_b"], [t["a"], t["b"]], name="Dina"),
        application(round_, t["near_c"], [t["a"]], name="Eli"),
    ]
    apps[0].contact_email = "forelder.ada@example.no"
    apps[0].contact_phone = "912 34 567"
    apps[0].save()
    apps[2].contact_email = "forelder.cato@example.no"
    apps[2].save()
    if state in (RoundState.ALLOCATED, RoundState.PUBLISHED, RoundState.FINISHED):
        allocate.run_main(round_, user=SYSTEM)
    if state in (RoundState.PUBLISHED, RoundState.FINISHED):
        rounds.publish(round_, user=SYSTEM)
    if state == RoundState.FINISHED:
        rounds.finish(round_, user=SYSTEM)
    round_.refresh_from_db()
    return round_, apps
