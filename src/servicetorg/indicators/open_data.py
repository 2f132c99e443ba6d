"""What the indicator store publishes as open data (registered in core's open-data registry).

Three datasets, one query each: the indicator values (KOSTRA and the municipality's own), the front
desk's key figures (source "inquiry_kpi") and the survey figures published as indicators (source
"survey"). Each comes as CSV and as JSON-stat 2.0 (written with pyjstat; a complete
indicator × unit × year cube, empty cells as null, the indicators' names and units of measure as
labels).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pandas as pd
from django.db.models import Max, Min
from pyjstat import pyjstat

from servicetorg.core.opendata import Concept, Dataset, Distribution, vocab

from .models import IndicatorValue, Source

WHOLE_MUNICIPALITY = "Hele kommunen"
CSV_COLUMNS = ["indikator_kode", "indikator", "maleenhet", "enhet", "aar", "verdi", "kilde", "merknad"]
OWN_AND_NATIONAL = (Source.KOSTRA, Source.OWN)
FRONT_DESK = (Source.INQUIRY_KPI,)
SURVEYS = (Source.SURVEY,)


def _rows(municipality, sources, withheld=None):
    rows = IndicatorValue.objects.filter(municipality=municipality, indicator__source__in=sources)
    if withheld is not None:
        rows = rows.exclude(indicator__in=withheld(municipality))
    return rows


def values(municipality, sources, withheld=None) -> list[IndicatorValue]:
    """The municipality's values of ``sources``, with indicator and unit (one query). ``withheld``:
    a callable giving, for the municipality, the indicators whose values are not published (see
    benchmarking's own figures: the shared figures a municipality has not chosen to publish)."""
    return list(
        _rows(municipality, sources, withheld)
        .select_related("indicator", "unit")
        .order_by("indicator__code", "unit__name", "year")
    )


def _unit(value: IndicatorValue) -> str:
    return value.unit.name if value.unit_id else WHOLE_MUNICIPALITY


def csv_text(municipality, sources, withheld=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for v in values(municipality, sources, withheld):
        writer.writerow(
            [
                v.indicator.code,
                v.indicator.name,
                v.indicator.unit_of_measure,
                _unit(v),
                v.year,
                format(v.value.normalize(), "f"),
                v.indicator.get_source_display(),
                v.note,
            ]
        )
    return out.getvalue()


def jsonstat_text(municipality, sources, *, label: str, withheld=None) -> str:
    """A JSON-stat 2.0 dataset: dimensions indikator × enhet × år, every cell present."""
    rows = values(municipality, sources, withheld)
    names = {v.indicator.code: v.indicator for v in rows}
    frame = pd.DataFrame(
        [
            {"indikator": v.indicator.code, "enhet": _unit(v), "år": str(v.year), "value": float(v.value)}
            for v in rows
        ],
        columns=["indikator", "enhet", "år", "value"],
    )
    if frame.empty:
        document = {
            "version": "2.0",
            "class": "dataset",
            "label": label,
            "source": f"{municipality.name} kommune",
            "id": ["indikator", "enhet", "år"],
            "size": [0, 0, 0],
            "dimension": {
                dim: {"label": dim, "category": {"index": {}, "label": {}}}
                for dim in ("indikator", "enhet", "år")
            },
            "value": [],
        }
        return json.dumps(document, ensure_ascii=False)
    # JSON-stat wants the whole cube: every indicator × unit × year, empty cells as null.
    full = pd.MultiIndex.from_product(
        [sorted(frame["indikator"].unique()), sorted(frame["enhet"].unique()), sorted(frame["år"].unique())],
        names=["indikator", "enhet", "år"],
    )
    cube = frame.set_index(["indikator", "enhet", "år"]).reindex(full).reset_index()
    document = json.loads(pyjstat.Dataset.read(cube, source=f"{municipality.name} kommune").write())
    document["label"] = label
    categories = document["dimension"]["indikator"]["category"]
    categories["label"] = {code: names[code].name for code in categories["index"]}
    categories["unit"] = {code: {"label": names[code].unit_of_measure} for code in categories["index"]}
    document["role"] = {"time": ["år"], "metric": ["indikator"]}
    updated = max((v.updated_at for v in rows), default=None)
    if updated:
        document["updated"] = updated.isoformat()
    return json.dumps(document, ensure_ascii=False)


def temporal_of(sources, withheld=None):
    def temporal(municipality) -> tuple[date | None, date | None]:
        span = _rows(municipality, sources, withheld).aggregate(first=Min("year"), last=Max("year"))
        if span["first"] is None:
            return None, None
        return date(span["first"], 1, 1), date(span["last"], 12, 31)

    return temporal


def modified_of(sources, withheld=None):
    def modified(municipality):
        return _rows(municipality, sources, withheld).aggregate(changed=Max("updated_at"))["changed"]

    return modified


def files(stem: str, sources, title_nb: str, title_en: str, withheld=None) -> tuple[Distribution, ...]:
    """The dataset's CSV and JSON-stat 2.0 distributions."""
    return (
        Distribution(
            filename=f"{stem}.csv",
            title={"nb": f"{title_nb} (CSV)", "en": f"{title_en} (CSV)"},
            media_type="text/csv",
            file_type="CSV",
            render=lambda municipality, base_url: csv_text(municipality, sources, withheld),
        ),
        Distribution(
            filename=f"{stem}.json",
            title={"nb": f"{title_nb} (JSON-stat 2.0)", "en": f"{title_en} (JSON-stat 2.0)"},
            media_type="application/json",
            file_type="JSON",
            render=lambda municipality, base_url: jsonstat_text(
                municipality, sources, label=title_nb, withheld=withheld
            ),
            conforms_to=(vocab.JSON_STAT,),
        ),
    )


DATASETS = [
    Dataset(
        key="indikatorer",
        position=30,
        title={"nb": "Indikatorverdier", "nn": "Indikatorverdiar", "en": "Indicator values"},
        description={
            "nb": "Verdiene kommunen følger med på, per år og enhet: KOSTRA-tall fra SSB og kommunens egne "
            "målinger.",
            "nn": "Verdiane kommunen følgjer med på, per år og eining: KOSTRA-tal frå SSB og eigne målingar.",
            "en": "The figures the municipality follows, per year and unit: KOSTRA figures from Statistics "
            "Norway and the municipality's own measurements.",
        },
        distributions=files("indikatorer", OWN_AND_NATIONAL, "Indikatorverdier", "Indicator values"),
        themes=("GOVE", "SOCI"),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={"nb": ("indikatorer", "KOSTRA", "nøkkeltall"), "en": ("indicators",)},
        frequency="ANNUAL",
        concepts=("indikator",),
        temporal=temporal_of(OWN_AND_NATIONAL),
        modified=modified_of(OWN_AND_NATIONAL),
        conforms_to=(vocab.JSON_STAT,),
    ),
]

CONCEPTS = [
    Concept(
        key="indikator",
        term={"nb": "indikator", "nn": "indikator", "en": "indicator"},
        definition={
            "nb": "Et tall som måles jevnlig og viser hvordan en tjeneste går, for eksempel andel "
            "henvendelser besvart innen fristen.",
            "nn": "Eit tal som vert målt jamleg og viser korleis ei teneste går, til dømes delen "
            "førespurnader svara innan fristen.",
            "en": "A figure measured regularly that shows how a service is doing, for example the share of "
            "inquiries answered within the deadline.",
        },
    ),
    Concept(
        key="brukerundersokelse",
        term={"nb": "brukerundersøkelse", "nn": "brukarundersøking", "en": "user survey"},
        definition={
            "nb": "Spørreundersøkelse blant dem som bruker en tjeneste, om hvordan de opplever den.",
            "nn": "Spørjeundersøking blant dei som bruker ei teneste, om korleis dei opplever ho.",
            "en": "A questionnaire to the users of a service about how they experience it.",
        },
        see_also=("indikator",),
    ),
]
