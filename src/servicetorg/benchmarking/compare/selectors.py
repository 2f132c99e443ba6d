"""Read queries of the compare part: the register's current municipalities, the national catalogue,
and official values of today's municipalities for a year, read through ``series`` (so a 2022 figure
of Larvik, published under 3805, is Larvik 3909's point for 2022).

Each function reads with few queries: one for the register, one per indicator for values
(``series.read`` over all codes at once), nothing per municipality.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max, Q

from servicetorg.core.db import is_postgresql
from servicetorg.indicators.models import Indicator, Source

from .. import series
from ..models import OfficialValue, Region, RegionKind, Symbol
from ..selectors import synthetic_notice

__all__ = [
    "Municipality",
    "current_municipalities",
    "municipality_map",
    "catalogue",
    "latest_year",
    "values_for_year",
    "read_many",
    "CachedGraph",
    "graph",
    "demo_shown",
    "year_values",
    "year_medians",
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


class CachedGraph(series.Graph):
    """The change table with each code's lineage computed once (a page asks for the same codes once
    per indicator)."""

    def __init__(self, changes):
        super().__init__(changes)
        self._lineages: dict[str, list[series.Segment]] = {}

    def lineage(self, code: str) -> list[series.Segment]:
        found = self._lineages.get(code)
        if found is None:
            found = self._lineages[code] = super().lineage(code)
        return found


def graph() -> CachedGraph:
    return CachedGraph.load()


def fast_read_enabled() -> bool:
    """``settings.BENCHMARKING_FAST_READ`` (default on): :func:`read_many` reads the plain part of
    many series in one query; off, it calls ``series.read`` per indicator."""
    return getattr(settings, "BENCHMARKING_FAST_READ", True)


#: Above this many source codes the fast read filters by indicator and year only (an IN list of
#: hundreds of codes costs more to send than the rows it saves).
REGION_FILTER_LIMIT = 60


def read_many(
    indicators: Sequence[Indicator],
    codes: Sequence[str],
    years: Iterable[int],
    *,
    graph: series.Graph | None = None,
) -> dict[int, dict[str, list[series.Point]]]:
    """``series.read`` for several indicators at once: {indicator pk: {code: points, oldest first}}.

    The fast path (see :func:`fast_read_enabled`) answers exactly as ``series.read``: it walks each
    code's lineage, reads the codes whose points each come from a single source code (a renumbering,
    a split's break, nothing published) in one query for all indicators, and hands the codes with a
    merger's several predecessors in ``years`` to ``series.read`` (which sums, recomputes a ratio or
    shows them apart). Tests compare the two paths."""
    graph = graph or CachedGraph.load()
    years = sorted(set(years))
    codes = list(dict.fromkeys(codes))
    if not fast_read_enabled():
        return {i.pk: series.read(i, codes, years, graph=graph) for i in indicators}
    plan: dict[str, list[tuple[int, series.Segment | None, bool]]] = {}
    merged: list[str] = []
    for code in codes:
        segments = graph.lineage(code)
        rows = []
        for year in years:
            segment = next((s for s in segments if s.covers(year)), None)
            if segment is None and segments[-1].break_year and year < segments[-1].break_year:
                segment = segments[-1]
            broken = bool(segment is not None and segment.break_year and year < segment.break_year)
            if segment is not None and not broken and len(segment.codes) != 1:
                merged.append(code)
                break
            rows.append((year, segment, broken))
        else:
            plan[code] = rows
    sources = {
        seg.codes[0] for rows in plan.values() for _y, seg, broken in rows if seg is not None and not broken
    }
    found: dict[tuple[int, str, int], tuple[float | None, str, bool]] = {}
    if sources and indicators:
        qs = OfficialValue.objects.filter(indicator_id__in=[i.pk for i in indicators], year__in=years)
        if len(sources) <= REGION_FILTER_LIMIT:
            qs = qs.filter(region_code__in=sorted(sources))
        for ind, region, year, value, symbol, preliminary in qs.values_list(
            "indicator_id", "region_code", "year", "value", "symbol", "preliminary"
        ):
            if region in sources:
                found[(ind, region, year)] = (value, symbol, preliminary)
    out: dict[int, dict[str, list[series.Point]]] = {}
    for indicator in indicators:
        pk = indicator.pk
        per_code: dict[str, list[series.Point]] = {}
        for code in codes:
            rows = plan.get(code)
            if rows is None:
                continue
            points = []
            for year, segment, broken in rows:
                if segment is None:
                    points.append(series.Point(year, None, kind="none"))
                elif broken:
                    points.append(series.Point(year, None, kind="break", note=segment.break_reason))
                else:
                    hit = found.get((pk, segment.codes[0], year))
                    if hit is None:
                        points.append(series.Point(year, None, fed_by=segment.codes, kind="none"))
                    else:
                        value, symbol, preliminary = hit
                        kind = "value" if Symbol.has_number(symbol) else "symbol"
                        points.append(
                            series.Point(year, value, symbol, segment.codes, preliminary, kind=kind)
                        )
            per_code[code] = points
        if merged:
            per_code.update(series.read(indicator, merged, years, graph=graph))
        out[pk] = {code: per_code[code] for code in codes}
    return out


def values_for_year(
    indicator: Indicator, codes: list[str], year: int, *, graph: series.Graph | None = None
) -> dict[str, series.Point]:
    """Each code's point for ``year`` (through its lineage)."""
    read = read_many([indicator], codes, [year], graph=graph)[indicator.pk]
    return {code: points[0] for code, points in read.items()}


def demo_shown(indicators: Iterable[Indicator], years: Iterable[int] | None = None) -> bool:
    """Do the values of ``indicators`` (in ``years``) include synthetic demo figures?"""
    qs = OfficialValue.objects.filter(indicator__in=[i.pk for i in indicators])
    if years is not None:
        qs = qs.filter(year__in=list(years))
    return synthetic_notice(qs)


def _year_values_qs(indicators: Iterable[Indicator], year: int):
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    regions = Region.objects.filter(kind=RegionKind.MUNICIPALITY, fictional=False).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=end), Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
    return OfficialValue.objects.filter(
        indicator__in=[i.pk for i in indicators],
        year=year,
        symbol__in=["", "-"],
        region_code__in=regions.values("code"),
    )


def year_medians(indicators: Iterable[Indicator], year: int) -> dict[int, tuple[float | None, int]]:
    """(median, n) of :func:`year_values` per indicator. On PostgreSQL one aggregate query
    (``percentile_cont(0.5)``, the same interpolated median as numpy's), so the compare page reads 50
    rows instead of 18 000; elsewhere the values are read and numpy takes the median."""
    indicators = list(indicators)
    out: dict[int, tuple[float | None, int]] = {i.pk: (None, 0) for i in indicators}
    if not indicators:
        return out
    if is_postgresql():
        sql, params = (
            _year_values_qs(indicators, year).values_list("indicator_id", "value").query.sql_with_params()
        )
        with connection.cursor() as cursor:
            # Raw SQL: Django has no ordered-set aggregate; the filter is the ORM's own query.
            median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY v.value)"
            query = f"SELECT v.indicator_id, {median}, count(*) FROM ({sql}) AS v (indicator_id, value) "  # noqa: S608
            cursor.execute(query + "GROUP BY v.indicator_id", params)
            for indicator_id, median, n in cursor.fetchall():
                out[indicator_id] = (float(median), int(n))
        return out
    for indicator_id, numbers in year_values(indicators, year).items():
        out[indicator_id] = (float(np.median(numbers)), len(numbers))
    return out


def year_values(indicators: Iterable[Indicator], year: int) -> dict[int, list[float]]:
    """The numbers of every municipality of ``year`` (the codes in force that year, as published;
    the demo's fictional ones and every symbol left out), per indicator: one query."""
    out: dict[int, list[float]] = {}
    rows = _year_values_qs(indicators, year).values_list("indicator_id", "value")
    for indicator_id, value in rows:
        out.setdefault(indicator_id, []).append(value)
    return out
