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


def values(municipality, sources) -> list[IndicatorValue]:
    """The municipality's values of ``sources``, with indicator and unit (one query)."""
    return list(
        IndicatorValue.objects.filter(municipality=municipality, indicator__source__in=sources)
        .select_related("indicator", "unit")
        .order_by("indicator__code", "unit__name", "year")
    )


def _unit(value: IndicatorValue) -> str:
    return value.unit.name if value.unit_id else WHOLE_MUNICIPALITY


def csv_text(municipality, sources) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for v in values(municipality, sources):
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


def jsonstat_text(municipality, sources, *, label: str) -> str:
    """A JSON-stat 2.0 dataset: dimensions indikator × enhet × år, every cell present."""
    rows = values(municipality, sources)
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


def _temporal(sources):
    def temporal(municipality) -> tuple[date | None, date | None]:
        span = IndicatorValue.objects.filter(
            municipality=municipality, indicator__source__in=sources
        ).aggregate(first=Min("year"), last=Max("year"))
        if span["first"] is None:
            return None, None
        return date(span["first"], 1, 1), date(span["last"], 12, 31)

    return temporal


def _modified(sources):
    def modified(municipality):
        return IndicatorValue.objects.filter(
            municipality=municipality, indicator__source__in=sources
        ).aggregate(changed=Max("updated_at"))["changed"]

    return modified


def _files(stem: str, sources, title_nb: str, title_en: str) -> tuple[Distribution, ...]:
    return (
        Distribution(
            filename=f"{stem}.csv",
            title={"nb": f"{title_nb} (CSV)", "en": f"{title_en} (CSV)"},
            media_type="text/csv",
            file_type="CSV",
            render=lambda municipality, base_url: csv_text(municipality, sources),
        ),
        Distribution(
            filename=f"{stem}.json",
            title={"nb": f"{title_nb} (JSON-stat 2.0)", "en": f"{title_en} (JSON-stat 2.0)"},
            media_type="application/json",
            file_type="JSON",
            render=lambda municipality, base_url: jsonstat_text(municipality, sources, label=title_nb),
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
        distributions=_files("indikatorer", OWN_AND_NATIONAL, "Indikatorverdier", "Indicator values"),
        themes=("GOVE", "SOCI"),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={"nb": ("indikatorer", "KOSTRA", "nøkkeltall"), "en": ("indicators",)},
        frequency="ANNUAL",
        concepts=("indikator",),
        temporal=_temporal(OWN_AND_NATIONAL),
        modified=_modified(OWN_AND_NATIONAL),
        conforms_to=(vocab.JSON_STAT,),
    ),
    Dataset(
        key="servicetorget",
        position=40,
        title={
            "nb": "Servicetorgets nøkkeltall",
            "nn": "Nøkkeltal for servicetorget",
            "en": "The service desk's key figures",
        },
        description={
            "nb": "Henvendelser til servicetorget per år: andel besvart innen fristen, andel ferdigbehandlet "
            "i skranken, median svartid og flere.",
            "nn": "Førespurnader til servicetorget per år: del svart innan fristen, del ferdig handsama "
            "i skranken, median svartid og fleire.",
            "en": "Inquiries to the service desk per year: share answered within the deadline, share "
            "resolved at the desk, median time to reply and more.",
        },
        distributions=_files(
            "servicetorget", FRONT_DESK, "Servicetorgets nøkkeltall", "Service desk figures"
        ),
        themes=("GOVE",),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={"nb": ("servicetorg", "henvendelser", "svartid"), "en": ("service desk",)},
        frequency="ANNUAL",
        concepts=("indikator", "servicetorg", "henvendelse"),
        temporal=_temporal(FRONT_DESK),
        modified=_modified(FRONT_DESK),
        conforms_to=(vocab.JSON_STAT,),
    ),
    Dataset(
        key="brukerundersokelser",
        position=50,
        title={
            "nb": "Resultater fra brukerundersøkelser",
            "nn": "Resultat frå brukarundersøkingar",
            "en": "User survey results",
        },
        description={
            "nb": "Tall fra kommunens brukerundersøkelser som er publisert som indikatorer (bare tall over "
            "anonymitetsgrensen).",
            "nn": "Tal frå brukarundersøkingane til kommunen som er publiserte som indikatorar.",
            "en": "Figures from the municipality's user surveys published as indicators (only figures "
            "above the anonymity threshold).",
        },
        distributions=_files("brukerundersokelser", SURVEYS, "Brukerundersøkelser", "User surveys"),
        themes=("GOVE", "SOCI"),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={"nb": ("brukerundersøkelse", "brukertilfredshet"), "en": ("user survey",)},
        frequency="ANNUAL",
        concepts=("indikator", "brukerundersokelse"),
        temporal=_temporal(SURVEYS),
        modified=_modified(SURVEYS),
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
