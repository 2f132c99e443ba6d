"""What the service strategy publishes as open data (registered in core's open-data registry).

The published strategy's goals with, per indicator and year of the election period, the target and
the result (the municipality's value of the indicator), as CSV: the figures of the follow-up report
in a form others can reuse. Three queries whatever the size of the strategy.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from django.db.models import Max, Prefetch

from servicetorg.core.opendata import Concept, Dataset, Distribution
from servicetorg.indicators.models import IndicatorValue

from .models import Goal, GoalIndicator, Strategy, StrategyState
from .selectors import current_public_strategy

CSV_COLUMNS = [
    "strategi",
    "periode",
    "fokusomrade",
    "mal",
    "indikator_kode",
    "indikator",
    "maleenhet",
    "utgangspunkt_aar",
    "utgangspunkt",
    "aar",
    "maal",
    "resultat",
]


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def rows(municipality) -> list[dict]:
    strategy = current_public_strategy(municipality)
    if strategy is None:
        return []
    goals = list(
        Goal.objects.filter(focus_area__strategy=strategy)
        .select_related("focus_area")
        .prefetch_related(
            Prefetch(
                "goal_indicators",
                queryset=GoalIndicator.objects.select_related("indicator").prefetch_related("targets"),
            )
        )
        .order_by("focus_area__position", "position", "pk")
    )
    indicator_ids = {gi.indicator_id for goal in goals for gi in goal.goal_indicators.all()}
    years = strategy.period.years
    results = {
        (v.indicator_id, v.year): v.value
        for v in IndicatorValue.objects.filter(
            municipality=municipality, unit__isnull=True, indicator_id__in=indicator_ids, year__in=years
        )
    }
    period = f"{years[0]}–{years[-1]}"
    out = []
    for goal in goals:
        common = {
            "strategi": strategy.title,
            "periode": period,
            "fokusomrade": goal.focus_area.title,
            "mal": goal.title,
        }
        links = list(goal.goal_indicators.all())
        if not links:
            out.append(common)
        for link in links:
            targets = {t.year: t.value for t in link.targets.all()}
            for year in years:
                out.append(
                    {
                        **common,
                        "indikator_kode": link.indicator.code,
                        "indikator": link.indicator.name,
                        "maleenhet": link.indicator.unit_of_measure,
                        "utgangspunkt_aar": link.baseline_year,
                        "utgangspunkt": _number(link.baseline_value),
                        "aar": year,
                        "maal": _number(targets.get(year)),
                        "resultat": _number(results.get((link.indicator_id, year))),
                    }
                )
    return out


def csv_text(municipality) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(municipality))
    return out.getvalue()


def _temporal(municipality) -> tuple[date | None, date | None]:
    strategy = current_public_strategy(municipality)
    if strategy is None:
        return None, None
    years = strategy.period.years
    return date(years[0], 1, 1), date(years[-1], 12, 31)


def _modified(municipality):
    return Strategy.objects.filter(municipality=municipality, state=StrategyState.PUBLISHED).aggregate(
        changed=Max("published_at")
    )["changed"]


DATASETS = [
    Dataset(
        key="servicestrategi",
        position=70,
        title={
            "nb": "Servicestrategiens mål og resultater",
            "nn": "Mål og resultat i servicestrategien",
            "en": "The service strategy's goals and results",
        },
        description={
            "nb": "Målene i den vedtatte servicestrategien, med utgangspunkt, årlige mål og resultater for "
            "hver indikator i valgperioden.",
            "nn": "Måla i den vedtekne servicestrategien, med utgangspunkt, årlege mål og resultat for kvar "
            "indikator i valperioden.",
            "en": "The goals of the adopted service strategy, with baseline, yearly targets and results for "
            "each indicator over the election period.",
        },
        distributions=(
            Distribution(
                filename="servicestrategi.csv",
                title={"nb": "Mål og resultater (CSV)", "en": "Goals and results (CSV)"},
                media_type="text/csv",
                file_type="CSV",
                render=lambda municipality, base_url: csv_text(municipality),
            ),
        ),
        themes=("GOVE",),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={"nb": ("servicestrategi", "mål", "oppfølging"), "en": ("service strategy",)},
        frequency="ANNUAL",
        concepts=("servicestrategi", "oppfolgingsredegjorelse", "indikator"),
        temporal=_temporal,
        modified=_modified,
    ),
]

CONCEPTS = [
    Concept(
        key="servicestrategi",
        term={"nb": "servicestrategi", "nn": "servicestrategi", "en": "service strategy"},
        definition={
            "nb": "Kommunestyrets plan for kommunens tjenester i valgperioden: fokusområder, mål med "
            "indikatorer og årlige mål, virkemidler og tiltak.",
            "nn": "Planen til kommunestyret for tenestene til kommunen i valperioden: fokusområde, mål med "
            "indikatorar og årlege mål, verkemiddel og tiltak.",
            "en": "The council's plan for the municipality's services over the election period: focus "
            "areas, goals with indicators and yearly targets, instruments and measures.",
        },
        see_also=("oppfolgingsredegjorelse",),
    ),
    Concept(
        key="oppfolgingsredegjorelse",
        term={"nb": "oppfølgingsredegjørelse", "nn": "oppfølgingsutgreiing", "en": "follow-up report"},
        definition={
            "nb": "Den årlige redegjørelsen til kommunestyret om hvordan målene i servicestrategien følges "
            "opp: i rute, i fare eller ikke nådd.",
            "nn": "Den årlege utgreiinga til kommunestyret om korleis måla i servicestrategien vert følgde "
            "opp: i rute, i fare eller ikkje nådd.",
            "en": "The yearly report to the council on how the goals of the service strategy are followed "
            "up: on track, at risk or missed.",
        },
        see_also=("servicestrategi",),
    ),
]
