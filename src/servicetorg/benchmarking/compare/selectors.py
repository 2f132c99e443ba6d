"""Read queries of the compare part: the register's current municipalities, the national catalogue,
and official values of today's municipalities for a year, read through ``series`` (so a 2022 figure
of Larvik, published under 3805, is Larvik 3909's point for 2022).

Each function reads with few queries: one for the register, one per indicator for values
(``series.read`` over all codes at once), nothing per municipality.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Q

from servicetorg.indicators.models import Indicator, Source

from .. import series
from ..models import OfficialValue, Region, RegionKind
from ..selectors import synthetic_notice

__all__ = [
    "Municipality",
    "current_municipalities",
    "municipality_map",
    "catalogue",
    "latest_year",
    "values_for_year",
    "demo_shown",
    "year_values",
]


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    county_code: str
    county_name: str
    fictional: bool


def current_municipalities(*, include_fictional: bool = False) -> list[Municipality]:
    """Today's municipalities of the register (one query), by code."""
    qs = Region.objects.filter(kind=RegionKind.MUNICIPALITY, valid_to__isnull=True)
    if not include_fictional:
        qs = qs.filter(fictional=False)
    return [
        Municipality(*row)
        for row in qs.order_by("code").values_list("code", "name", "county_code", "county_name", "fictional")
    ]


def municipality_map(*, include_fictional: bool = True) -> dict[str, Municipality]:
    return {m.code: m for m in current_municipalities(include_fictional=include_fictional)}


def catalogue():
    """The national indicators (the KOSTRA catalogue and any other national ones), by sector and name."""
    return Indicator.objects.filter(municipality__isnull=True, source=Source.KOSTRA).order_by(
        "sector", "name", "code"
    )


def latest_year(indicators: Iterable[Indicator] | None = None) -> int | None:
    """The newest year with any official value (of ``indicators`` when given)."""
    qs = OfficialValue.objects.all()
    if indicators is not None:
        qs = qs.filter(indicator__in=[i.pk for i in indicators])
    return qs.aggregate(year=Max("year"))["year"]


def values_for_year(
    indicator: Indicator, codes: list[str], year: int, *, graph: series.Graph | None = None
) -> dict[str, series.Point]:
    """Each code's point for ``year`` (through its lineage)."""
    read = series.read(indicator, codes, [year], graph=graph)
    return {code: points[0] for code, points in read.items()}


def demo_shown(indicators: Iterable[Indicator], years: Iterable[int] | None = None) -> bool:
    """Do the values of ``indicators`` (in ``years``) include synthetic demo figures?"""
    qs = OfficialValue.objects.filter(indicator__in=[i.pk for i in indicators])
    if years is not None:
        qs = qs.filter(year__in=list(years))
    return synthetic_notice(qs)


def year_values(indicators: Iterable[Indicator], year: int) -> dict[int, list[float]]:
    """The numbers of every municipality of ``year`` (the codes in force that year, as published;
    the demo's fictional ones and every symbol left out), per indicator: one query."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    regions = Region.objects.filter(kind=RegionKind.MUNICIPALITY, fictional=False).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=end), Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
    out: dict[int, list[float]] = {}
    rows = OfficialValue.objects.filter(
        indicator__in=[i.pk for i in indicators],
        year=year,
        symbol__in=["", "-"],
        region_code__in=regions.values("code"),
    ).values_list("indicator_id", "value")
    for indicator_id, value in rows:
        out.setdefault(indicator_id, []).append(value)
    return out
