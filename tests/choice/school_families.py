"""School-choice test helpers for the families' side: a town of three schools with an open round,
guardians with recorded relations, and Min side viewers built without a browser."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from servicetorg.citizens import assurance
from servicetorg.citizens.models import RelationKind
from servicetorg.citizens.services import register_relation
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.permissions import SYSTEM

from .people import EMMA, INGRID, JONAS, KARI, OLA
from .school_factories import address, school, school_round

__all__ = ["EMMA", "INGRID", "JONAS", "KARI", "OLA", "guardian", "town", "viewer"]


def town(municipality, **round_fields):
    """Alfa, Beta and Gamma skole, an address by each, and an open 1st-grade round over the three."""
    a = school(municipality, "Alfa skole", lat="59.0500", lon="10.0000", profile="Alfa har skolehage.")
    b = school(municipality, "Beta skole", lat="59.0500", lon="10.1000")
    c = school(municipality, "Gamma skole", lat="59.1000", lon="10.0500")
    near_a = address(municipality, "Alfaveien 1", a, lat="59.0505", lon="10.0005")
    near_b = address(municipality, "Betaveien 1", b, lat="59.0505", lon="10.1005")
    near_c = address(municipality, "Gammaveien 1", c, lat="59.1005", lon="10.0505")
    round_fields.setdefault("state", "open")
    round_ = school_round(municipality, {a: 2, b: 2, c: 5}, **round_fields)
    return SimpleNamespace(a=a, b=b, c=c, near_a=near_a, near_b=near_b, near_c=near_c, round=round_)


def guardian(
    municipality, parent=KARI, child=EMMA, name="Emma Nordmann", *, kind=RelationKind.GUARDIAN, **dates
):
    return register_relation(
        municipality,
        kind=kind,
        representative_national_id=parent,
        subject_national_id=child,
        subject_name=name,
        valid_from=dates.get("valid_from", date(2020, 1, 1)),
        valid_until=dates.get("valid_until"),
        user=SYSTEM,
    )


def viewer(municipality, pid=KARI, *, level=assurance.SUBSTANTIAL, relation=None):
    """Min side's viewer of ``pid`` (as citizens.services.Viewer reads)."""
    signed_in = SimpleNamespace(digest=national_id_digest(pid), level=level, acting_for=None)
    return SimpleNamespace(
        signed_in=signed_in,
        municipality=municipality,
        relation=relation,
        subject_digest=relation.subject_digest if relation else signed_in.digest,
        for_herself=relation is None,
    )
