"""Demo citizens for Min side: synthetic numbers (Skatteetaten's Test-Norge, month + 80) that the
local test identity provider signs in (``make run``; docs/development.md). No real person has them.

- Kari Nordmann, guardian of Emma (and Jonas, whose relation has ended);
- Ola Nordmann, relative (care) of Ingrid Hansen;
- Ingrid Hansen, a care user.
Their inquiries are added by the inquiries demo (``inquiries/demo.py``).
"""

from __future__ import annotations

from datetime import date

from servicetorg.core.crypto import national_id_digest
from servicetorg.core.permissions import SYSTEM

from . import services
from .models import Citizen, Relation, RelationKind, RelationSource

KARI = "14838540024"
OLA = "02878341069"
EMMA = "20851650025"
INGRID = "30915020093"
JONAS = "09891852018"

PEOPLE = {KARI: "Kari Nordmann", OLA: "Ola Nordmann", INGRID: "Ingrid Hansen", EMMA: "Emma Nordmann"}


def load(municipality, *, seed: int) -> None:
    for number in (KARI, OLA, INGRID):
        Citizen.objects.get_or_create(national_id_digest=national_id_digest(number))
    relations = [
        (RelationKind.GUARDIAN, KARI, EMMA, "Emma Nordmann", date(2016, 5, 20), date(2034, 5, 19)),
        (RelationKind.GUARDIAN, KARI, JONAS, "Jonas Nordmann", date(2018, 9, 9), date(2024, 12, 31)),
        (RelationKind.RELATIVE, OLA, INGRID, "Ingrid Hansen", date(2025, 1, 1), None),
    ]
    for kind, representative, subject, name, valid_from, valid_until in relations:
        exists = Relation.objects.filter(
            municipality=municipality,
            representative_digest=national_id_digest(representative),
            subject_digest=national_id_digest(subject),
        ).exists()
        if not exists:
            services.register_relation(
                municipality,
                kind=kind,
                representative_national_id=representative,
                subject_national_id=subject,
                subject_name=name,
                valid_from=valid_from,
                valid_until=valid_until,
                note="Folkeregisteret (demo)",
                source=RelationSource.IMPORTED,
                user=SYSTEM,
            )
