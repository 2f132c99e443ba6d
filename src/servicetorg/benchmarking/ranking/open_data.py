"""What the ranking publishes as open data (added to benchmarking's registration in
``benchmarking/open_data.py``): the municipality's published ranking runs — the newest of each of its
methods — one row per region, as CSV and JSON: place and interval, total grade, coverage, what is
missing, sector grades, the indicators lifting and lowering; the JSON also carries each run's frozen
method (every weight, version, year, seed, draws) and both SHA-256 hashes, so anyone can check a
recomputation. Official statistics only: no personal data.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from django.db.models import Max, Min
from django.utils import timezone

from servicetorg.core.exports import csv_cell
from servicetorg.core.opendata import Concept, Dataset, csv_and_json

from .. import selectors as benchmarking_selectors
from .models import RankingRun, RankingRunState

CSV_COLUMNS = [
    "rangering",
    "metodeversjon",
    "aar",
    "kommunenummer",
    "kommune",
    "fylke",
    "rangert",
    "plass",
    "plass_fra",
    "plass_til",
    "karakter",
    "dekning",
    "mangler",
    "loftende",
    "senkende",
    "data_sha256",
    "resultat_sha256",
]


def _published(municipality):
    return RankingRun.objects.filter(municipality=municipality, state=RankingRunState.PUBLISHED)


def runs(municipality) -> list[RankingRun]:
    """The newest published run of each of the municipality's methods."""
    seen, out = set(), []
    for ranking in _published(municipality).order_by("-published_at", "-pk").defer("inputs"):
        if ranking.method_id not in seen:
            seen.add(ranking.method_id)
            out.append(ranking)
    return out


def rows(municipality) -> list[dict]:
    out = []
    for ranking in runs(municipality):
        for r in ranking.results.order_by("-ranked", "rank", "name", "region_code"):
            out.append(
                {
                    "rangering": ranking.name,
                    "metodeversjon": ranking.method_version,
                    "aar": ranking.year,
                    "kommunenummer": r.region_code,
                    "kommune": r.name,
                    "fylke": r.county_name,
                    "rangert": r.ranked,
                    "plass": r.rank,
                    "plass_fra": r.rank_low,
                    "plass_til": r.rank_high,
                    "karakter": r.total,
                    "dekning": r.coverage,
                    "mangler": r.missing,
                    "sektorkarakterer": r.sector_grades,
                    "loftende": r.lifting,
                    "senkende": r.lowering,
                    "data_sha256": ranking.data_hash,
                    "resultat_sha256": ranking.results_hash,
                    "_run": ranking.pk,
                }
            )
    return out


def csv_text(municipality) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows(municipality):
        writer.writerow({key: csv_cell(row[key]) for key in CSV_COLUMNS})
    return out.getvalue()


def json_text(municipality) -> str:
    entries: dict[int, dict] = {}
    by_pk = {r.pk: r for r in runs(municipality)}
    for row in rows(municipality):
        ranking = by_pk[row["_run"]]
        entry = entries.get(ranking.pk)
        if entry is None:
            entry = entries[ranking.pk] = {
                "rangering": ranking.name,
                "metodeversjon": ranking.method_version,
                "aar": ranking.year,
                "publisert": timezone.localdate(ranking.published_at).isoformat()
                if ranking.published_at
                else None,
                "indikatorvekter": ranking.indicator_weights,
                "sektorvekter": ranking.sector_weights,
                "minste_dekning": ranking.min_coverage,
                "trekk": ranking.draws,
                "fro": ranking.seed,
                "data_sha256": ranking.data_hash,
                "resultat_sha256": ranking.results_hash,
                "syntetiske_demotall": ranking.synthetic,
                "kommuner": [],
            }
        entry["kommuner"].append(
            {
                k: v
                for k, v in row.items()
                if k not in ("rangering", "metodeversjon", "aar", "data_sha256", "resultat_sha256", "_run")
            }
        )
    document = {
        "utgiver": municipality.name,
        "kilde": benchmarking_selectors.SOURCE,
        "dato": timezone.localdate().isoformat(),
        "rangeringer": list(entries.values()),
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def _temporal(municipality) -> tuple[date | None, date | None]:
    first = _published(municipality).aggregate(first=Min("year"))["first"]
    return (date(first, 1, 1) if first else timezone.localdate()), None


def _modified(municipality):
    return _published(municipality).aggregate(changed=Max("published_at"))["changed"]


DATASETS = [
    Dataset(
        key="kommunerangering",
        position=91,
        title={
            "nb": "Rangering av kommunene med åpen metode",
            "nn": "Rangering av kommunane med open metode",
            "en": "Ranking of the municipalities with an open method",
        },
        description={
            "nb": "Kommunens publiserte rangeringer av alle kommuner etter KOSTRA-tall: karakter 1–6 per "
            "indikator (3,5 er landsgjennomsnittet), sektorkarakter og totalkarakter som vektede snitt, "
            "plass med intervall fra tilfeldig endrede vekter, dekning og hvilke tall som mangler, og de "
            "tre indikatorene som trekker mest opp og ned. JSON-filen har hver rangerings vekter, "
            "metodeversjon og SHA-256 av grunnlaget og resultatet.",
            "nn": "Dei publiserte rangeringane til kommunen av alle kommunar etter KOSTRA-tal: karakter "
            "1–6 per indikator (3,5 er landsgjennomsnittet), sektorkarakter og totalkarakter som vekta "
            "snitt, plass med intervall frå tilfeldig endra vekter, dekning og kva tal som manglar, og "
            "dei tre indikatorane som trekkjer mest opp og ned. JSON-fila har vektene, metodeversjonen "
            "og SHA-256 av grunnlaget og resultatet for kvar rangering.",
            "en": "The municipality's published rankings of all municipalities by KOSTRA figures: a grade "
            "1–6 per indicator (3.5 is the national average), sector and total grades as weighted means, "
            "a place with its interval from randomly changed weights, coverage and the missing figures, "
            "and the three indicators lifting and lowering the total most. The JSON file has each "
            "ranking's weights, method version and the SHA-256 of its inputs and results.",
        },
        distributions=csv_and_json(
            "kommunerangering",
            {"nb": "Rangering", "nn": "Rangering", "en": "Ranking"},
            csv=csv_text,
            json=json_text,
        ),
        themes=("GOVE", "REGI"),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={
            "nb": ("kommunerangering", "KOSTRA", "kommunebarometer"),
            "en": ("municipal ranking", "KOSTRA", "benchmarking"),
        },
        frequency="ANNUAL",
        concepts=("kommunerangering",),
        temporal=_temporal,
        modified=_modified,
    ),
]

CONCEPTS = [
    Concept(
        key="kommunerangering",
        term={"nb": "kommunerangering", "nn": "kommunerangering", "en": "ranking of municipalities"},
        definition={
            "nb": "Sammenstilling av offisiell statistikk for alle kommuner til karakterer 1–6 per "
            "indikator, der 3,5 er landsgjennomsnittet, vektet sammen til en totalkarakter og en plass. "
            "Vektene er valgt av utgiveren og publisert med rangeringen.",
            "nn": "Samanstilling av offisiell statistikk for alle kommunar til karakterar 1–6 per "
            "indikator, der 3,5 er landsgjennomsnittet, vekta saman til ein totalkarakter og ein plass. "
            "Vektene er valde av utgjevaren og publiserte med rangeringa.",
            "en": "Official statistics for every municipality summarised as grades 1–6 per indicator, "
            "3.5 being the national average, weighted into a total grade and a place. The weights are "
            "chosen by the publisher and published with the ranking.",
        },
        alternative_terms={"nb": ("kommunebarometer",), "en": ("municipal benchmark",)},
    ),
]
