"""Series across reforms: one line through a municipality's codes, read from the change table.

Official statistics are published under the code in force the year they describe: Larvik's 2017
figure under 0709, 2018–2019 under 0712 (after the merger with Lardal), 2020–2023 under 3805 and
2024 under 3909. :func:`lineage` walks the change table back from a code and gives the codes that
fed each period; :func:`read` reads a series through them in one query:

* a **renumbering** joins: the earlier code's points belong to the series (``fed_by`` says which
  code fed each point);
* a **merger** combines the predecessors only where that is arithmetic: an additive figure is
  summed, a ratio recomputed from its summed numerator and denominator, anything else is shown with
  the predecessors apart (no value for the merged municipality);
* a **split** is a break: nothing is carried across (Ålesund 1507 → 1508 + 1580 in 2024), and the
  point says why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from servicetorg.indicators.models import Indicator, MergeRule

from .models import CodeChange, OfficialValue, Symbol

#: The walk back stops before this year (KOSTRA began in 2001; nothing older is kept).
FIRST_YEAR = 2000


@dataclass(frozen=True)
class Segment:
    """The codes that fed a series from ``first_year`` to ``last_year`` (None: open-ended)."""

    codes: tuple[str, ...]
    first_year: int | None
    last_year: int | None
    #: How this segment became the next (newer) one: renumbering, merger, or "" for the newest.
    became: str = ""
    #: Set on the oldest segment when the history stops at a split: why nothing older is shown.
    break_reason: str = ""
    break_year: int | None = None

    def covers(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )


@dataclass(frozen=True)
class Point:
    year: int
    value: float | None
    symbol: str = ""
    fed_by: tuple[str, ...] = ()
    preliminary: bool = False
    note: str = ""
    #: "value", "symbol" (an SSB symbol, no number), "none" (nothing published), "apart" (a merger's
    #: predecessors that cannot be added; see ``parts``), "break" (before a split).
    kind: str = "value"
    parts: tuple[tuple[str, float | None, str], ...] = field(default=())


class Graph:
    """The change table in memory (one query): which changes led to and from each code."""

    def __init__(self, changes: Iterable[tuple]):
        self.to: dict[str, list[tuple]] = defaultdict(list)  # new code -> changes
        self.from_: dict[str, list[tuple]] = defaultdict(list)  # old code -> changes
        self.names: dict[str, str] = {}
        for change in changes:
            old, old_name, new, new_name, occurred, kind = change
            self.to[new].append(change)
            self.from_[old].append(change)
            self.names.setdefault(old, old_name)
            self.names[new] = new_name

    @classmethod
    def load(cls) -> Graph:
        return cls(
            CodeChange.objects.values_list("old_code", "old_name", "new_code", "new_name", "occurred", "kind")
        )

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def lineage(self, code: str) -> list[Segment]:
        segments: list[Segment] = []
        codes: tuple[str, ...] = (code,)
        last_year: int | None = None
        became = ""
        while True:
            incoming = [
                c
                for c in (c for k in codes for c in self.to.get(k, ()))
                if c[5] != CodeChange.Kind.NAME and (last_year is None or c[4].year <= last_year)
            ]
            if not incoming:
                segments.append(Segment(codes, None, last_year, became))
                return segments
            start = max(c[4] for c in incoming)
            at_start = [c for c in incoming if c[4] == start]
            if start.year <= FIRST_YEAR:
                segments.append(Segment(codes, None, last_year, became))
                return segments
            olds = tuple(sorted({c[0] for c in at_start}))
            split = sorted({c[0] for c in at_start if c[5] == CodeChange.Kind.SPLIT})
            if split:
                reason = _(
                    "%(old)s was split in %(year)s (into %(new)s): figures from before %(year)s are not "
                    "carried across."
                ) % {
                    "old": ", ".join(f"{c} {self.name(c)}" for c in split),
                    "year": start.year,
                    "new": ", ".join(
                        sorted({f"{c[2]} {c[3]}" for old in split for c in self.from_[old] if c[4] == start})
                    ),
                }
                segments.append(Segment(codes, start.year, last_year, became, reason, start.year))
                return segments
            segments.append(Segment(codes, start.year, last_year, became))
            became = CodeChange.Kind.MERGER if len(olds) > 1 else CodeChange.Kind.RENUMBERING
            if len(olds) == 1 and olds == codes:  # only a name or boundary change with the same number
                became = ""
            codes, last_year = olds, start.year - 1

    def current_code(self, code: str, year: int | None = None) -> str | None:
        """The code in use today (or, with ``year``, at the end of ``year``) for ``code``: itself if
        unchanged; None if it was split."""
        seen_until = None
        for _step in range(20):
            onward = sorted(
                (
                    c
                    for c in self.from_.get(code, ())
                    if c[5] != CodeChange.Kind.NAME
                    and (seen_until is None or c[4] > seen_until)
                    and (year is None or c[4].year <= year)
                ),
                key=lambda c: c[4],
            )
            if not onward:
                return code
            first = onward[0][4]
            step = [c for c in onward if c[4] == first]
            if any(c[5] == CodeChange.Kind.SPLIT for c in step):
                return None
            code, seen_until = step[0][2], first
        return code


def lineage(code: str, *, graph: Graph | None = None) -> list[Segment]:
    """The segments of ``code``'s series, newest first."""
    return (graph or Graph.load()).lineage(code)


def codes_for_year(code: str, year: int, *, graph: Graph | None = None) -> tuple[str, ...]:
    """The source codes that feed ``code``'s point in ``year`` (empty before a break)."""
    for segment in lineage(code, graph=graph):
        if segment.covers(year):
            return () if segment.break_year and year < segment.break_year else segment.codes
    return ()


def current_code(code: str, *, year: int | None = None, graph: Graph | None = None) -> str | None:
    return (graph or Graph.load()).current_code(code, year)


def renumbered_from(code: str, *, graph: Graph | None = None) -> set[str]:
    """``code`` and the numbers its municipality had before, back to its last merger or split (the
    parts of a merger were other municipalities)."""
    found = {code}
    for segment in lineage(code, graph=graph):
        if len(segment.codes) != 1:
            break
        found.update(segment.codes)
        if segment.break_year:
            break
    return found


def read(
    indicator: Indicator, codes: list[str], years: Iterable[int], *, graph: Graph | None = None
) -> dict[str, list[Point]]:
    """Each code's series over ``years`` (oldest first), read through its lineage in one query (two
    for a ratio recomputed across a merger)."""
    graph = graph or Graph.load()
    years = sorted(set(years))
    lineages = {code: graph.lineage(code) for code in codes}
    wanted: dict[tuple[str, ...], set[int]] = {}
    plan: dict[str, list[tuple[int, Segment | None]]] = {}
    for code, segments in lineages.items():
        rows = []
        for year in years:
            segment = next((s for s in segments if s.covers(year)), None)
            if segment is None and segments[-1].break_year and year < segments[-1].break_year:
                segment = segments[-1]
            rows.append((year, segment))
            if segment is not None and not (segment.break_year and year < segment.break_year):
                wanted.setdefault(segment.codes, set()).add(year)
        plan[code] = rows
    all_codes = {c for group in wanted for c in group}
    ratio = (
        indicator.merge_rule == MergeRule.RATIO
        and indicator.numerator_id is not None
        and indicator.denominator_id is not None
    )
    indicator_ids = [indicator.pk] + ([indicator.numerator_id, indicator.denominator_id] if ratio else [])
    found: dict[tuple[int, str, int], tuple[float | None, str, bool]] = {}
    if all_codes:
        for ind, region, year, value, symbol, preliminary in OfficialValue.objects.filter(
            indicator_id__in=indicator_ids, region_code__in=all_codes, year__in=years
        ).values_list("indicator_id", "region_code", "year", "value", "symbol", "preliminary"):
            found[(ind, region, year)] = (value, symbol, preliminary)
    out: dict[str, list[Point]] = {}
    for code, rows in plan.items():
        out[code] = [_point(indicator, year, segment, found, ratio) for year, segment in rows]
    return out


def _point(indicator, year, segment, found, ratio) -> Point:
    if segment is None:
        return Point(year, None, kind="none")
    if segment.break_year and year < segment.break_year:
        return Point(year, None, kind="break", note=segment.break_reason)
    if len(segment.codes) == 1:
        hit = found.get((indicator.pk, segment.codes[0], year))
        if hit is None:
            return Point(year, None, fed_by=segment.codes, kind="none")
        value, symbol, preliminary = hit
        kind = "value" if Symbol.has_number(symbol) else "symbol"
        return Point(year, value, symbol, segment.codes, preliminary, kind=kind)
    parts = tuple((c, *found.get((indicator.pk, c, year), (None, "", False))[:2]) for c in segment.codes)
    preliminary = any(found.get((indicator.pk, c, year), (None, "", False))[2] for c in segment.codes)
    merged = _("Before the merger: %(codes)s") % {"codes": ", ".join(segment.codes)}
    if indicator.merge_rule == MergeRule.SUM:
        numbers = [v for _c, v, s in parts if v is not None and Symbol.has_number(s)]
        if len(numbers) == len(parts):
            return Point(
                year, sum(numbers), "", segment.codes, preliminary, merged + " " + _("(summed)"), parts=parts
            )
        return Point(year, None, "", segment.codes, preliminary, merged, kind="apart", parts=parts)
    if ratio:
        num = [found.get((indicator.numerator_id, c, year)) for c in segment.codes]
        den = [found.get((indicator.denominator_id, c, year)) for c in segment.codes]
        if all(n and n[0] is not None for n in num) and all(d and d[0] is not None for d in den):
            total = sum(d[0] for d in den)
            if total:
                value = sum(n[0] for n in num) / total * indicator.scale
                note = merged + " " + _("(recomputed from numerator and denominator)")
                return Point(year, value, "", segment.codes, preliminary, note, parts=parts)
    return Point(year, None, "", segment.codes, preliminary, merged, kind="apart", parts=parts)
