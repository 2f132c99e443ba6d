"""What the kommunetest publishes as open data (core's open-data registry): the results of the
published test rounds, one row per round and tested region — the protocol version (results compare
only within one), the score 0–100, whether it passed («godkjent» at 67), the score per channel —
as CSV and JSON. A municipality's files hold the rounds it organised and its own results in rounds
organised by others. No personal data: no tester, no evidence text.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from django.db.models import Max, Q
from django.utils import timezone

from servicetorg.core.exports import csv_cell
from servicetorg.core.opendata import Concept, Dataset, csv_and_json

from . import scoring
from .models import RoundRegion, RoundState

CSV_COLUMNS = [
    "runde",
    "arrangor",
    "protokollversjon",
    "publisert",
    "kommunenummer",
    "kommune",
    "innbyggere",
    "storrelsesgruppe",
    "poeng",
    "godkjent",
    "epost",
    "telefon",
    "web",
]


def _regions(municipality):
    return (
        RoundRegion.objects.filter(round__state=RoundState.PUBLISHED)
        .filter(Q(round__municipality=municipality) | Q(code=municipality.number))
        .select_related("round", "round__municipality")
        .order_by("-round__published_at", "round_id", "name")
    )


def rows(municipality) -> list[dict]:
    out = []
    for region in _regions(municipality):
        round_ = region.round
        out.append(
            {
                "runde": round_.name,
                "arrangor": round_.municipality.name,
                "protokollversjon": round_.protocol_version,
                "publisert": timezone.localdate(round_.published_at).isoformat()
                if round_.published_at
                else None,
                "kommunenummer": region.code,
                "kommune": region.name,
                "innbyggere": region.population,
                "storrelsesgruppe": region.band or None,
                "poeng": region.total,
                "godkjent": region.approved,
                "epost": region.by_channel.get(scoring.EMAIL),
                "telefon": region.by_channel.get(scoring.PHONE),
                "web": region.by_channel.get(scoring.WEB),
            }
        )
    return out


def csv_text(municipality) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(municipality):
        writer.writerow({key: csv_cell(row[key]) for key in CSV_COLUMNS})
    return out.getvalue()


def json_text(municipality) -> str:
    document = {
        "kommune": municipality.name,
        "kommunenummer": municipality.number,
        "dato": timezone.localdate().isoformat(),
        "grense_godkjent": scoring.PASS_MARK,
        "resultater": rows(municipality),
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def _temporal(municipality) -> tuple[date | None, date | None]:
    first = (
        _regions(municipality)
        .order_by("round__published_at")
        .values_list("round__published_at", flat=True)
        .first()
    )
    return (timezone.localdate(first) if first else None), None


def _modified(municipality):
    return _regions(municipality).aggregate(changed=Max("round__published_at"))["changed"]


DATASETS = [
    Dataset(
        key="kommunetest-resultater",
        position=90,
        title={
            "nb": "Kommunetest: resultater",
            "nn": "Kommunetest: resultat",
            "en": "Kommunetest (municipality service test): results",
        },
        description={
            "nb": "Resultatene av publiserte kommunetester: poeng fra 0 til 100 per kommune og kanal "
            "(e-post, telefon, web), om kommunen er godkjent (67 eller mer) og protokollversjonen "
            "resultatene kan sammenlignes innenfor.",
            "nn": "Resultata av publiserte kommunetestar: poeng frå 0 til 100 per kommune og kanal (e-post, "
            "telefon, web), om kommunen er godkjend (67 eller meir) og protokollversjonen resultata kan "
            "samanliknast innanfor.",
            "en": "The results of published service tests of municipalities: a score from 0 to 100 per "
            "municipality and channel (e-mail, phone, web), whether it passed (67 or more) and the "
            "protocol version within which results compare.",
        },
        distributions=csv_and_json(
            "kommunetest",
            {"nb": "Resultater", "nn": "Resultat", "en": "Results"},
            csv=csv_text,
            json=json_text,
        ),
        themes=("GOVE",),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={
            "nb": ("kommunetest", "service", "tilgjengelighet"),
            "en": ("service test", "accessibility"),
        },
        frequency="IRREG",
        concepts=("kommunetest",),
        temporal=_temporal,
        modified=_modified,
    ),
]

CONCEPTS = [
    Concept(
        key="kommunetest",
        term={"nb": "kommunetest", "nn": "kommunetest", "en": "municipality service test"},
        definition={
            "nb": "Test der testere stiller kommuner de samme spørsmålene på e-post, telefon og web, som en "
            "vanlig innbygger, og gir svarene poeng etter en publisert protokoll.",
            "nn": "Test der testarar stiller kommunar dei same spørsmåla på e-post, telefon og web, som ein "
            "vanleg innbyggjar, og gir svara poeng etter ein publisert protokoll.",
            "en": "A test in which testers ask municipalities the same questions by e-mail, phone and web, "
            "as an ordinary resident would, and score the answers by a published protocol.",
        },
    ),
]
