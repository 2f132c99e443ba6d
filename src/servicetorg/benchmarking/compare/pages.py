"""What the comparison pages show, built from few queries (one per indicator through ``series``,
one for the register), for the views and the API alike.

* :func:`profile` — one municipality: per indicator its value, 5-year trend, and its standing in
  the chosen peer group (percentile, median, quartiles, n with data, the sentence);
* :func:`indicator_table` — one indicator across today's municipalities over 10 years;
* :func:`compare` — up to 10 municipalities side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from servicetorg.indicators.models import Indicator

from .. import series
from . import peers as peer_module
from . import selectors, stats
from .charts import strip_svg, trend_svg

MAX_COMPARE = 10
TREND_YEARS = 5
INDICATOR_YEARS = 10


@dataclass
class PeerChoice:
    """The peer group asked for on a page (``?gruppe=county`` …)."""

    kind: str = "county"
    group: str = ""
    k: int = peer_module.DEFAULT_K
    context: list[str] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: Mapping) -> PeerChoice:
        kind = query.get("gruppe") or "county"
        if kind not in peer_module.KINDS:
            kind = "county"
        try:
            k = int(query.get("antall") or peer_module.DEFAULT_K)
        except (TypeError, ValueError):
            k = peer_module.DEFAULT_K
        k = max(1, min(k, peer_module.MAX_K))
        context = [c[:80] for c in (query.getlist("kontekst") if hasattr(query, "getlist") else [])][:20]
        weights: dict[str, float] = {}
        for key in list(query.keys())[:100]:
            if key.startswith("vekt_"):
                try:
                    weight = float(query.get(key))
                except (TypeError, ValueError):
                    continue
                if 0 <= weight <= 10:
                    weights[key[5:85]] = weight
        return cls(kind, (query.get("g") or "")[:40], k, context, weights)


@dataclass
class ProfileRow:
    indicator: Indicator
    point: series.Point
    trend: list[series.Point]
    stats: stats.PeerStats
    sentence: str
    trend_svg: str
    notes: list[str]


@dataclass
class Profile:
    municipality: selectors.Municipality
    year: int | None
    choice: PeerChoice
    peers: list[str]
    peer_names: list[tuple[str, str]]
    rows: list[ProfileRow]
    error: str = ""
    similar: peer_module.Similar | None = None
    kostra_group: object = None  # the group compared with (the own one, or one chosen by code)
    own_kostra_group: object = None  # the municipality's own group in the year's grouping
    demo: bool = False


def _peer_error(exc: Exception) -> str:
    text = str(exc)
    if "KOSTRA" in text:
        return _(
            "This municipality is in no KOSTRA group (no grouping uploaded yet), or the group is unknown."
        )
    if "saved" in text:
        return _("The saved group was not found.")
    if "context" in text or "weights" in text:
        return _(
            "«Similar municipalities» cannot be formed: the municipality lacks a context figure for the "
            "year, or no context indicator was chosen."
        )
    return _("The peer group cannot be formed.")


def _notes(points: list[series.Point], code: str) -> list[str]:
    notes: list[str] = []
    for point in points:
        if point.note and point.note not in notes:
            notes.append(point.note)
        if point.fed_by and point.fed_by != (code,) and point.kind in ("value", "symbol"):
            text = _("%(year)s: published under %(codes)s") % {
                "year": point.year,
                "codes": ", ".join(point.fed_by),
            }
            notes.append(text)
    return notes


def profile(code: str, *, year: int | None = None, choice: PeerChoice | None = None) -> Profile | None:
    """The profile of today's municipality ``code`` (None if it is not one)."""
    choice = choice or PeerChoice()
    names = selectors.municipality_map()
    municipality = names.get(code)
    if municipality is None:
        return None
    indicators = list(selectors.catalogue())
    year = year or selectors.latest_year(indicators)
    result = Profile(municipality, year, choice, [], [], [])
    if year is None:
        return result
    graph = selectors.graph()  # the code changes: read once for the groups and the series
    result.own_kostra_group = peer_module.kostra_group_of(code, year, graph=graph)
    try:
        if choice.kind == "similar":
            result.similar = peer_module.similar(
                code, year, context_codes=choice.context or None, weights=choice.weights, k=choice.k
            )
            result.peers = [c for c, _d in result.similar.neighbours]
        else:
            group = choice.group or None
            if choice.kind == "kostra_group":
                group = result.kostra_group = peer_module.kostra_group(
                    code, year, group or result.own_kostra_group, graph=graph
                )
            result.peers = peer_module.peer_codes(choice.kind, code, year, group=group, graph=graph)
    except peer_module.PeerError as exc:
        result.error = _peer_error(exc)
        result.peers = []
    result.peer_names = [(c, names[c].name if c in names else c) for c in result.peers]
    years = list(range(year - TREND_YEARS + 1, year + 1))
    own_all = selectors.read_many(indicators, [code], years, graph=graph)
    peer_all = selectors.read_many(indicators, result.peers, [year], graph=graph) if result.peers else {}
    for indicator in indicators:
        own = own_all[indicator.pk][code]
        point = own[-1]
        peer_points = {c: points[0] for c, points in peer_all.get(indicator.pk, {}).items()}
        peer_stats = stats.peer_stats(point.value, [p.value for p in peer_points.values()])
        sentence = stats.sentence(
            peer_stats,
            name=municipality.name,
            year=year,
            direction=indicator.direction,
            unit=indicator.unit_of_measure,
        )
        svg = trend_svg(
            _("%(indicator)s, %(name)s, %(first)s–%(last)s")
            % {"indicator": indicator.name, "name": municipality.name, "first": years[0], "last": years[-1]},
            [(p.year, p.value) for p in own],
        )
        result.rows.append(ProfileRow(indicator, point, own, peer_stats, sentence, svg, _notes(own, code)))
    result.demo = selectors.demo_shown(indicators, years)
    return result


def fast_number(value: float, english: bool) -> str:
    """A figure with its published decimals as the language writes it ("12 345,6" / "12,345.6"),
    without Django's formatting machinery (thousands of cells on the indicator page)."""
    text = f"{value:,.{stats.decimals(value)}f}"
    if english:
        return text
    return text.replace(",", "\xa0").replace(".", ",")


def cell(point: series.Point, english: bool) -> tuple[str, str]:
    """(text, kind) of a point in a table: the number, SSB's symbol, or nothing."""
    if point.value is not None:
        return fast_number(point.value, english), "value"
    if point.symbol:
        return point.symbol, "symbol"
    return "", point.kind


@dataclass
class IndicatorRow:
    municipality: selectors.Municipality
    points: list[series.Point]  # oldest first
    latest: series.Point
    cells: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class IndicatorTable:
    indicator: Indicator
    years: list[int]
    year: int | None
    rows: list[IndicatorRow]
    stats: stats.PeerStats | None
    strip_svg: str
    demo: bool


SORTS = ("code", "name", "county", "value")


def indicator_table(
    indicator: Indicator, *, year: int | None = None, sort: str = "value", descending: bool = True
) -> IndicatorTable:
    """``indicator`` for every current municipality over the last 10 years (one query for values)."""
    year = year or selectors.latest_year([indicator])
    municipalities = selectors.current_municipalities()
    if year is None:
        return IndicatorTable(indicator, [], None, [], None, "", False)
    years = list(range(year - INDICATOR_YEARS + 1, year + 1))
    read = selectors.read_many([indicator], [m.code for m in municipalities], years)[indicator.pk]
    english = (get_language() or "").startswith("en")
    rows = [
        IndicatorRow(m, read[m.code], read[m.code][-1], [cell(p, english) for p in read[m.code]])
        for m in municipalities
    ]
    latest = [(r.municipality.code, r.latest.value) for r in rows if r.latest.value is not None]
    summary = None
    svg = ""
    if latest:
        values = np.array([v for _c, v in latest])
        q1, med, q3 = (float(x) for x in np.percentile(values, [25, 50, 75]))
        summary = stats.PeerStats(None, len(latest), med, q1, q3, None, None, "none")
        svg = strip_svg(
            _("%(indicator)s %(year)s: one dot per municipality")
            % {"indicator": indicator.name, "year": year},
            latest,
            quartiles=(q1, med, q3),
        )
    if sort not in SORTS:
        sort = "value"
    if sort == "value":
        with_value = [r for r in rows if r.latest.value is not None]
        without = [r for r in rows if r.latest.value is None]
        with_value.sort(key=lambda r: (r.latest.value, r.municipality.code), reverse=descending)
        rows = with_value + without  # no number: always last, never read as 0
    else:
        key = {
            "code": lambda r: r.municipality.code,
            "name": lambda r: (r.municipality.name, r.municipality.code),
            "county": lambda r: (r.municipality.county_name, r.municipality.name),
        }[sort]
        rows.sort(key=key, reverse=descending)
    return IndicatorTable(
        indicator, years, year, rows, summary, svg, selectors.demo_shown([indicator], years)
    )


@dataclass
class CompareRow:
    indicator: Indicator
    points: list[series.Point]  # one per municipality, in the order asked
    median: float | None
    n: int
    cells: list[tuple[str, str]] = field(default_factory=list)
    median_text: str = ""


@dataclass
class Comparison:
    codes: list[str]
    municipalities: list[selectors.Municipality]
    unknown: list[str]
    too_many: bool
    year: int | None
    rows: list[CompareRow]
    demo: bool = False


def compare(raw_codes: Sequence[str], *, year: int | None = None) -> Comparison:
    """Up to 10 of today's municipalities side by side, per indicator, with the national median."""
    codes = list(dict.fromkeys(c.strip()[:12] for c in raw_codes if c and c.strip()))[:50]
    if len(codes) > MAX_COMPARE:
        return Comparison(codes, [], [], True, None, [])
    names = selectors.municipality_map()
    unknown = [c for c in codes if c not in names]
    known = [c for c in codes if c in names]
    indicators = list(selectors.catalogue())
    year = year or selectors.latest_year(indicators)
    result = Comparison(known, [names[c] for c in known], unknown, False, year, [])
    if not known or year is None:
        return result
    medians = national_medians(indicators, year)
    read = selectors.read_many(indicators, known, [year])
    english = (get_language() or "").startswith("en")
    for indicator in indicators:
        points = read[indicator.pk]
        median, n = medians.get(indicator.pk, (None, 0))
        row_points = [points[c][0] for c in known]
        result.rows.append(
            CompareRow(
                indicator,
                row_points,
                median,
                n,
                [cell(p, english) for p in row_points],
                fast_number(round(median, 2), english) if median is not None else "",
            )
        )
    result.demo = selectors.demo_shown(indicators, [year])
    return result


def national_medians(indicators: list[Indicator], year: int) -> dict[int, tuple[float | None, int]]:
    """Median and n of the municipalities of ``year``, per indicator (values published under the
    codes in force that year, symbols left out): one aggregate query (see ``selectors``)."""
    return selectors.year_medians(indicators, year)
