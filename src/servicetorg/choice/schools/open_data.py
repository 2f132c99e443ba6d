"""What school choice publishes as open data (through choice/open_data.py, which adds these to the
choice app's registration): the published cutoff of each school in each published intake round, as
CSV and JSON — the seats, how many were placed and wished for it first, whether it filled, and the
priority group and lottery number of its last seat (``published.py``). With each round its published
rules (priority order, tie break, the guarantee) and its lottery seed with the hash committed before
the run, so anyone can recompute the lottery.

No personal data: no child, application or placement. A special-needs priority is never named: a
school whose last seat went to that group shows only that it filled.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from django.db.models import Max, Min
from django.utils import timezone

from servicetorg.core.opendata import Concept, Dataset, csv_and_json

from . import published
from .models import Priority, Round, TieBreak

#: Stable codes of the priority groups in the files (Norwegian, as the rules are published).
GROUP_CODES = {
    Priority.SPECIAL_NEEDS: "spesielle_behov",
    Priority.SIBLING: "sosken",
    Priority.CATCHMENT: "naerskole",
    Priority.OTHER: "ovrige",
}
TIE_BREAK_CODES = {TieBreak.SINGLE: "ett_lodd_per_soker", TieBreak.PER_SCHOOL: "nytt_lodd_per_skole"}

CSV_COLUMNS = [
    "opptak",
    "skolear",
    "trinn",
    "skole",
    "plasser",
    "tildelt",
    "forstevalg",
    "full",
    "siste_plass_gruppe",
    "siste_plass_loddnummer",
]


def _rounds(municipality):
    return Round.objects.filter(municipality=municipality, state__in=published.PUBLIC_STATES)


def rows(municipality) -> list[dict]:
    """One row per published round and school in it, by school year, grade, round and school name."""
    out = []
    for cutoff in published.public_cutoffs(_rounds(municipality)):
        out.append(
            {
                "opptak": cutoff.round_name,
                "skolear": cutoff.school_year,
                "trinn": cutoff.grade,
                "skole": cutoff.school_name,
                "plasser": cutoff.seats,
                "tildelt": cutoff.placed,
                "forstevalg": cutoff.first_wishes,
                "full": cutoff.full,
                "siste_plass_gruppe": GROUP_CODES.get(cutoff.last_group) if cutoff.last_group else None,
                "siste_plass_loddnummer": cutoff.last_lottery,
                "_round": cutoff.round_id,
            }
        )
    return out


def _cell(value) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nei"
    return "" if value is None else str(value)


def csv_text(municipality) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows(municipality):
        writer.writerow({key: _cell(row[key]) for key in CSV_COLUMNS})
    return out.getvalue()


def json_text(municipality) -> str:
    """``{"kommune": …, "opptak": [{"opptak": …, "prioriteter": […], "loddfro": …, "skoler": [...]}]}``."""
    rounds = {r.pk: r for r in _rounds(municipality)}
    entries: dict[int, dict] = {}
    for row in rows(municipality):
        round_ = rounds[row["_round"]]
        entry = entries.get(round_.pk)
        if entry is None:
            entry = entries[round_.pk] = {
                "opptak": round_.name,
                "skolear": round_.school_year,
                "trinn": round_.grade,
                "publisert": timezone.localdate(round_.published_at).isoformat()
                if round_.published_at
                else None,
                "prioriteter": [GROUP_CODES[Priority(p)] for p in round_.priorities]
                + [GROUP_CODES[Priority.OTHER]],
                "loddtrekning": TIE_BREAK_CODES.get(round_.tie_break, round_.tie_break),
                "garanti_naerskole": round_.guarantee,
                "loddfro_sha256": round_.seed_hash or None,
                "loddfro": round_.seed or None,
                "skoler": [],
            }
        entry["skoler"].append(
            {k: v for k, v in row.items() if k not in ("opptak", "skolear", "trinn", "_round")}
        )
    document = {
        "kommune": municipality.name,
        "kommunenummer": municipality.number,
        "dato": timezone.localdate().isoformat(),
        "opptak": list(entries.values()),
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def _temporal(municipality) -> tuple[date | None, date | None]:
    """From the first published round's school year (its autumn) until now (open-ended)."""
    first = _rounds(municipality).aggregate(first=Min("school_year"))["first"]
    return (date(first, 8, 1) if first else timezone.localdate()), None


def _modified(municipality):
    return _rounds(municipality).aggregate(changed=Max("published_at"))["changed"]


DATASETS = [
    Dataset(
        key="skolevalg-grenser",
        position=81,
        title={
            "nb": "Fritt skolevalg: siste plass per skole",
            "nn": "Fritt skuleval: siste plass per skule",
            "en": "Free school choice: the last seat per school",
        },
        description={
            "nb": "For hvert publiserte opptak til 1. og 8. trinn: hver skoles plasser, hvor mange som fikk "
            "plass, hvor mange som hadde skolen som førstevalg, om skolen ble full, og prioritetsgruppen og "
            "loddnummeret til den siste som fikk plass. Med opptakets regler og loddtrekningens frø, så alle "
            "kan regne loddnumrene om igjen. Ingen personopplysninger.",
            "nn": "For kvart publiserte opptak til 1. og 8. trinn: plassane til kvar skule, kor mange "
            "som fekk plass, kor mange som hadde skulen som førsteval, om skulen vart full, og "
            "prioritetsgruppa og loddnummeret til den siste som fekk plass. Med reglane for opptaket og "
            "frøet til loddtrekninga, så alle kan rekne loddnummera om att. Ingen personopplysningar.",
            "en": "For each published intake to the 1st and 8th grade: each school's seats, how many were "
            "placed, how many wished for it first, whether it filled, and the priority group and lottery "
            "number of the last one placed. With the intake's rules and the lottery's seed, so anyone can "
            "recompute the lottery numbers. No personal data.",
        },
        distributions=csv_and_json(
            "skolevalg-grenser",
            {"nb": "Siste plass per skole", "nn": "Siste plass per skule", "en": "Last seat per school"},
            csv=csv_text,
            json=json_text,
        ),
        themes=("EDUC",),
        los_themes=("skole-og-utdanning",),
        keywords={
            "nb": ("fritt skolevalg", "skoleopptak", "nærskole", "loddtrekning"),
            "en": ("school choice", "school admission", "lottery"),
        },
        frequency="ANNUAL",
        concepts=("fritt-skolevalg", "naerskole"),
        temporal=_temporal,
        modified=_modified,
    ),
]

CONCEPTS = [
    Concept(
        key="fritt-skolevalg",
        term={"nb": "fritt skolevalg", "nn": "fritt skuleval", "en": "free school choice"},
        definition={
            "nb": "Ordning der foreldre kan søke om plass ved en annen offentlig skole enn nærskolen. "
            "Plassene fordeles etter publiserte prioriteringer og loddtrekning, og alle er garantert "
            "plass på nærskolen.",
            "nn": "Ordning der foreldre kan søkje om plass ved ein annan offentleg skule enn nærskulen. "
            "Plassane vert fordelte etter publiserte prioriteringar og loddtrekning, og alle er garanterte "
            "plass på nærskulen.",
            "en": "A scheme in which parents may apply for a seat at another public school than the "
            "catchment school. Seats are allocated by published priorities and a lottery, and everyone is "
            "guaranteed a seat at the catchment school.",
        },
        alternative_terms={"nb": ("skolevalg",), "en": ("school choice",)},
        see_also=("naerskole",),
    ),
    Concept(
        key="naerskole",
        term={"nb": "nærskole", "nn": "nærskule", "en": "catchment school"},
        definition={
            "nb": "Den skolen eleven sokner til etter bostedsadressen, slik kommunen har delt inn "
            "skolekretsene. Eleven har rett til å gå på nærskolen (opplæringslova).",
            "nn": "Den skulen eleven soknar til etter bustadadressa, slik kommunen har delt inn "
            "skulekrinsane. Eleven har rett til å gå på nærskulen (opplæringslova).",
            "en": "The school a pupil belongs to by her home address, as the municipality has drawn the "
            "school districts. The pupil has a right to attend it (the Education Act).",
        },
        alternative_terms={"nb": ("skolekrets",), "en": ("neighbourhood school",)},
    ),
]
