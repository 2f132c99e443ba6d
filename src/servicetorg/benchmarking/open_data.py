"""What benchmarking publishes as open data (registered through ``BenchmarkingConfig.open_data``):
each part of the app adds its datasets and concepts here.

- Own figures (``owndata/open_data.py``): the front desk's key figures and the survey figures, only
  the shared figures the municipality chose to publish.
- Ranking (``ranking/open_data.py``): the municipality's published rankings, CSV and JSON.
- Official statistics (here): each municipality's KOSTRA figures — of its code and the codes it had
  before (as published), of its county and of the country — as CSV and JSON-stat 2.0, with «Kilde:
  Statistisk sentralbyrå (CC BY 4.0)». The whole table for every region is in the API
  (/api/statistikk/verdier/).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from django.db.models import Max, Min

from servicetorg.core.opendata import Dataset, Distribution, vocab

from . import selectors, series
from .models import OfficialValue
from .owndata import open_data as _owndata
from .ranking import open_data as _ranking

SOURCE = selectors.SOURCE
CSV_COLUMNS = [
    "indikator_kode",
    "indikator",
    "maleenhet",
    "region",
    "aar",
    "verdi",
    "symbol",
    "forelopig",
    "syntetisk",
    "kilde",
]


def region_codes(municipality) -> list[str]:
    """The municipality's code and every code that fed its series, its county and the country."""
    codes = {municipality.number, f"EKA{municipality.number[:2]}", "EAK"}
    for segment in series.lineage(municipality.number):
        codes.update(segment.codes)
    return sorted(codes)


def values(municipality):
    return OfficialValue.objects.filter(
        region_code__in=region_codes(municipality), indicator__municipality__isnull=True
    ).select_related("indicator")


def csv_text(municipality) -> str:
    demo = selectors.demo_run_ids()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for v in values(municipality).order_by("indicator__code", "region_code", "year"):
        writer.writerow(
            [
                v.indicator.code,
                v.indicator.name,
                v.indicator.unit_of_measure,
                v.region_code,
                v.year,
                "" if v.value is None else repr(v.value),
                v.symbol,
                "ja" if v.preliminary else "nei",
                "ja" if v.run_id in demo else "nei",
                SOURCE,
            ]
        )
    return out.getvalue()


def jsonstat_text(municipality) -> str:
    from .api import jsonstat_dataset

    document = jsonstat_dataset(values(municipality))
    document["label"] = f"KOSTRA: {municipality.name}, fylket og landet"
    return json.dumps(document, ensure_ascii=False)


def _temporal(municipality) -> tuple[date | None, date | None]:
    span = values(municipality).aggregate(first=Min("year"), last=Max("year"))
    if span["first"] is None:
        return None, None
    return date(span["first"], 1, 1), date(span["last"], 12, 31)


def _modified(municipality):
    return values(municipality).aggregate(changed=Max("changed_at"))["changed"]


OFFICIAL_DATASETS = [
    Dataset(
        key="kostra",
        position=60,
        title={
            "nb": "KOSTRA-tall fra SSB",
            "nn": "KOSTRA-tal frå SSB",
            "en": "KOSTRA figures from Statistics Norway",
        },
        description={
            "nb": "Offisiell statistikk for kommunen (også under tidligere kommunenummer), fylket og landet, "
            "slik SSB publiserte den, med SSBs symboler. Kilde: Statistisk sentralbyrå (CC BY 4.0).",
            "nn": "Offisiell statistikk for kommunen (også under tidlegare kommunenummer), fylket og landet, "
            "slik SSB publiserte han, med symbola til SSB. Kjelde: Statistisk sentralbyrå (CC BY 4.0).",
            "en": "Official statistics of the municipality (also under its former numbers), its county and "
            "the country as Statistics Norway published them, with its symbols. "
            "Source: Statistisk sentralbyrå (CC BY 4.0).",
        },
        distributions=(
            Distribution(
                filename="kostra.csv",
                title={"nb": "KOSTRA-tall (CSV)", "en": "KOSTRA figures (CSV)"},
                media_type="text/csv",
                file_type="CSV",
                render=lambda municipality, base_url: csv_text(municipality),
            ),
            Distribution(
                filename="kostra.json",
                title={"nb": "KOSTRA-tall (JSON-stat 2.0)", "en": "KOSTRA figures (JSON-stat 2.0)"},
                media_type="application/json",
                file_type="JSON",
                render=lambda municipality, base_url: jsonstat_text(municipality),
                conforms_to=(vocab.JSON_STAT,),
            ),
        ),
        themes=("GOVE", "SOCI", "REGI"),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={
            "nb": ("KOSTRA", "SSB", "nøkkeltall", "kommunesammenligning"),
            "en": ("KOSTRA", "statistics"),
        },
        frequency="ANNUAL",
        concepts=("indikator",),
        temporal=_temporal,
        modified=_modified,
        conforms_to=(vocab.JSON_STAT,),
    ),
]

DATASETS = [*OFFICIAL_DATASETS, *_owndata.DATASETS, *_ranking.DATASETS]
CONCEPTS = [*_ranking.CONCEPTS]
