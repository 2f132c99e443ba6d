"""Peer groups: which municipalities one municipality is compared with.

``peer_codes(kind, code, year, ...)`` gives the *other* members of the group (the municipality
itself is never in its own list), as today's codes, sorted:

* ``county`` — the other current municipalities of its county;
* ``country`` — every other current municipality (the demo's fictional ones left out);
* ``kostra_group`` — the other members of its KOSTRA group (``group`` = a group code such as
  "EKG13"; default: the group it belongs to) in the grouping that applies to ``year``;
* ``saved`` — a saved peer group (``group`` = the group, its pk or its share token);
* ``similar`` — «lignende kommuner»: the ``k`` nearest neighbours on the z-scores of context
  indicators (see :func:`similar`).

``similar(code, year, context_codes=..., weights=..., k=...)`` standardises each chosen context
indicator (sector "context") over today's municipalities with all chosen figures for ``year``
(z = (x − mean) / standard deviation), and measures the weighted Euclidean distance
``sqrt(Σ wᵢ (zᵢ − z'ᵢ)² / Σ wᵢ)``. The municipality itself is left out; ties are broken by code, so
the answer is deterministic. It also names the three context indicators where the municipality
differs most from its neighbours' median (in weighted z-units), with both values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from servicetorg.indicators.models import Indicator, Sector

from .. import series
from . import selectors
from .models import KostraGroup, KostraGroupMember, SavedPeerGroup

__all__ = [
    "KINDS",
    "PeerError",
    "Similar",
    "Difference",
    "peer_codes",
    "similar",
    "context_indicators",
    "kostra_group_of",
    "kostra_group",
]

KINDS = ("county", "country", "kostra_group", "saved", "similar")
DEFAULT_K = 10
MAX_K = 50


class PeerError(ValueError):
    """The peer group cannot be formed (unknown group, no data for the municipality, …)."""


@dataclass(frozen=True)
class Difference:
    code: str  # the indicator's code
    name: str
    unit: str
    value: float  # the municipality's
    peers: float  # the neighbours' median
    z_difference: float  # weighted, in standard deviations


@dataclass(frozen=True)
class Similar:
    neighbours: list[tuple[str, float]]  # (code, distance), nearest first
    weights: dict[str, float]  # indicator code → weight used
    largest_differences: list[Difference] = field(default_factory=list)
    year: int | None = None
    candidates: int = 0  # municipalities with every chosen figure


def context_indicators() -> list[Indicator]:
    """The national context indicators (population, density, …) «lignende kommuner» may use."""
    return list(selectors.catalogue().filter(sector=Sector.CONTEXT))


def _listed_as(code: str, graph: series.Graph) -> set[str]:
    """The numbers a grouping may list ``code``'s municipality under: its former numbers (a grouping
    of 2023 lists Larvik as 3805) and its number today."""
    codes = series.renumbered_from(code, graph=graph)
    today = graph.current_code(code)
    if today:
        codes.add(today)
    return codes


def kostra_group_of(code: str, year: int | None, *, graph: series.Graph | None = None) -> KostraGroup | None:
    """The KOSTRA group ``code`` belongs to in the grouping that applies to ``year`` (the newest
    grouping from that year or before; the oldest one if all are newer). A grouping made before a
    renumbering finds the municipality under its number of the time. ``graph``: the code changes, if
    the caller has them loaded."""
    listed = _listed_as(code, graph or series.Graph.load())
    members = KostraGroupMember.objects.filter(region_code__in=sorted(listed)).select_related(
        "group", "group__grouping"
    )
    members = sorted(members, key=lambda m: (m.group.grouping.year, m.group.grouping_id), reverse=True)
    if not members:
        return None
    if year is not None:
        for member in members:
            if member.group.grouping.year <= year:
                return member.group
    return members[-1].group


def kostra_group(code: str, year: int, group, *, graph: series.Graph | None = None) -> KostraGroup:
    if isinstance(group, KostraGroup):
        return group
    own = kostra_group_of(code, year, graph=graph)
    if group in (None, ""):
        if own is None:
            raise PeerError("no KOSTRA group")
        return own
    if own is not None and own.code == group:
        return own
    candidates = KostraGroup.objects.filter(code=group).select_related("grouping")
    found = sorted(candidates, key=lambda g: (g.grouping.year <= year, g.grouping.year, g.grouping_id))
    if not found:
        raise PeerError("unknown KOSTRA group")
    return found[-1]


def _saved(group) -> SavedPeerGroup:
    """A saved group: the object itself, or its share token (never its id: the token is what makes
    another municipality's group readable, and ids can be counted)."""
    if isinstance(group, SavedPeerGroup):
        return group
    token = str(group or "")
    found = SavedPeerGroup.objects.filter(token=token).first() if token else None
    if found is None:
        raise PeerError("unknown saved group")
    return found


def peer_codes(
    kind: str,
    code: str,
    year: int,
    *,
    group=None,
    k: int = DEFAULT_K,
    context: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    codes_of_year: bool = False,
    graph: series.Graph | None = None,
) -> list[str]:
    """The other members of ``code``'s peer group of ``kind`` (today's codes, sorted; never ``code``
    itself). Raises :class:`PeerError` when the group cannot be formed. ``codes_of_year``: a KOSTRA
    group's members under their codes in force in ``year`` (for statistics keyed by that year's codes).
    ``group``: a KOSTRA group's code, or the group itself (found once by the caller); ``graph``: the
    code changes, if the caller has them loaded (else they are read here)."""
    if kind == "similar":
        return [c for c, _d in similar(code, year, context_codes=context, weights=weights, k=k).neighbours]
    if kind == "saved":
        codes = set(_saved(group).codes)
    elif kind == "kostra_group":
        # The grouping lists the codes of its time: each member under its code today (or, with
        # ``codes_of_year``, at the end of ``year``); a member split since is left out.
        graph = graph or series.Graph.load()
        listed = KostraGroupMember.objects.filter(
            group=kostra_group(code, year, group, graph=graph)
        ).values_list("region_code", flat=True)
        codes = {graph.current_code(c, year if codes_of_year else None) for c in listed}
        codes.discard(None)
    elif kind in ("county", "country"):
        municipalities = selectors.current_municipalities()
        if kind == "county":
            own = selectors.municipality_map().get(code)
            if own is None:
                raise PeerError("unknown municipality")
            codes = {m.code for m in municipalities if m.county_code == own.county_code}
        else:
            codes = {m.code for m in municipalities}
    else:
        raise PeerError(f"unknown kind of peer group: {kind}")
    codes.discard(code)
    return sorted(codes)


def _matrix(indicators: list[Indicator], codes: list[str], year: int) -> np.ndarray:
    """Values (rows: codes, columns: indicators; NaN where there is no number) for ``year``."""
    read = selectors.read_many(indicators, codes, [year])
    matrix = np.full((len(codes), len(indicators)), np.nan)
    for j, indicator in enumerate(indicators):
        points = read[indicator.pk]
        for i, c in enumerate(codes):
            value = points[c][0].value
            if value is not None:
                matrix[i, j] = value
    return matrix


def similar(
    code: str,
    year: int,
    *,
    context_codes: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    k: int = DEFAULT_K,
) -> Similar:
    """«Lignende kommuner»: the ``k`` municipalities nearest to ``code`` on the chosen context
    indicators (all of sector "context" when none are chosen), each weighted (default 1)."""
    k = max(1, min(int(k), MAX_K))
    available = context_indicators()
    if context_codes:
        wanted = list(dict.fromkeys(context_codes))
        by_code = {i.code: i for i in available}
        unknown = [c for c in wanted if c not in by_code]
        if unknown:
            raise PeerError("unknown context indicator: " + ", ".join(unknown))
        chosen = [by_code[c] for c in wanted]
    else:
        chosen = available
    used_weights = {i.code: float((weights or {}).get(i.code, 1.0)) for i in chosen}
    if any(not np.isfinite(w) or w < 0 for w in used_weights.values()):
        raise PeerError("weights must be zero or more")
    chosen = [i for i in chosen if used_weights[i.code] > 0]
    if not chosen:
        raise PeerError("no context indicator chosen")
    municipalities = selectors.current_municipalities(include_fictional=True)
    codes = [m.code for m in municipalities if not m.fictional or m.code == code]
    if code not in codes:
        raise PeerError("unknown municipality")
    matrix = _matrix(chosen, codes, year)
    complete = ~np.isnan(matrix).any(axis=1)
    me = codes.index(code)
    if not complete[me]:
        raise PeerError("the municipality lacks a context figure for the year")
    rows = np.flatnonzero(complete)
    data = matrix[rows]
    mean = data.mean(axis=0)
    std = data.std(axis=0)
    keep = std > 0
    w = np.array([used_weights[i.code] for i in chosen])
    z = np.zeros_like(data)
    z[:, keep] = (data[:, keep] - mean[keep]) / std[keep]
    w_used = np.where(keep, w, 0.0)
    total = w_used.sum() or 1.0
    mine = z[list(rows).index(me)]
    distances = np.sqrt(((z - mine) ** 2 * w_used).sum(axis=1) / total)
    ranked = sorted(
        ((round(float(distances[r]), 12), codes[rows[r]]) for r in range(len(rows)) if rows[r] != me),
    )[:k]
    neighbours = [(c, d) for d, c in ranked]
    differences: list[Difference] = []
    if neighbours:
        chosen_rows = [list(rows).index(codes.index(c)) for c, _d in neighbours]
        median_z = np.median(z[chosen_rows], axis=0)
        median_value = np.median(data[chosen_rows], axis=0)
        gaps = np.abs(mine - median_z) * np.sqrt(w_used)
        order = sorted(range(len(chosen)), key=lambda j: (-gaps[j], chosen[j].code))
        for j in order[:3]:
            if not keep[j]:
                continue
            differences.append(
                Difference(
                    chosen[j].code,
                    chosen[j].name,
                    chosen[j].unit_of_measure,
                    float(data[list(rows).index(me), j]),
                    float(median_value[j]),
                    float(gaps[j]),
                )
            )
    return Similar(neighbours, used_weights, differences, year, int(len(rows)))
