"""The ranking's arithmetic: pure numpy, no Django (``services.py`` feeds it and stores what it returns).

The method, in the words the public page uses (docs/benchmarking.md, "Ranking", has a worked example):

1. **Grade per indicator, 1–6.** Over the municipalities with a number (a value with a symbol of
   Statistics Norway is missing, never 0), take the mean ``m`` (the national average), the 5th
   percentile ``p5`` and the 95th ``p95``. A value at the mean gets 3.5; between the mean and ``p95``
   the grade rises linearly to 6, between ``p5`` and the mean it falls linearly to 1; beyond the
   percentiles it stays at 6 or 1. For a lower-is-better indicator the grade is mirrored (``7 − g``).
   Neutral indicators (context) are left out, and so is an indicator no municipality has a number for.
2. **Sector grade**: the weighted mean of the sector's available indicator grades (indicator weights);
   **total**: the weighted mean of the available sector grades (sector weights).
3. **Coverage**: the share of the method's total weight (sector weight × the indicator's share of its
   sector) the municipality has numbers for. Ranked only with coverage ≥ 60 %; else "not ranked".
4. **Place**: 1 + the number of ranked municipalities with a higher total.
5. **Rank interval**: ``draws`` times (seeded), every indicator weight and every sector weight is
   multiplied by a factor drawn uniformly from [0.5, 1.5] and the places computed again; the interval
   is the 5th–95th percentile of a municipality's places (widened to hold its place): "12 (8–17)".
6. **Lifting and lowering**: an indicator's contribution to the total is its share of the weight the
   municipality is graded on × (grade − 3.5); the contributions add up to total − 3.5. The three
   largest positive lift, the three most negative lower.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

AVERAGE = 3.5
LOW, HIGH = 1.0, 6.0
MIN_COVERAGE = 0.6
DRAWS = 500
FACTOR_LOW, FACTOR_HIGH = 0.5, 1.5
SHOWN = 3  # lifting / lowering indicators per municipality

HIGHER, LOWER, NEUTRAL = "higher", "lower", "neutral"


@dataclass(frozen=True)
class Stats:
    """The reference points of one indicator: its mean and 5th/95th percentiles over ``n`` numbers."""

    n: int
    mean: float
    p5: float
    p95: float


def stats(values: np.ndarray) -> Stats | None:
    """Mean and percentiles of the numbers in ``values`` (NaN = missing); None if there are none."""
    values = np.asarray(values, dtype=float)
    present = values[~np.isnan(values)]
    if present.size == 0:
        return None
    p5, p95 = np.percentile(present, [5, 95])
    return Stats(n=int(present.size), mean=float(np.mean(present)), p5=float(p5), p95=float(p95))


def grade(values: np.ndarray, direction: str, reference: Stats | None = None) -> np.ndarray:
    """Grades 1–6 of ``values`` (NaN stays NaN): piecewise linear through (p5, 1), (mean, 3.5),
    (p95, 6), clipped; mirrored for ``lower``. ``reference`` defaults to the stats of ``values``."""
    values = np.asarray(values, dtype=float)
    if direction == NEUTRAL:
        raise ValueError("A neutral indicator has no grade.")
    reference = reference or stats(values)
    out = np.full(values.shape, np.nan)
    if reference is None:
        return out
    m, p5, p95 = reference.mean, reference.p5, reference.p95
    with np.errstate(divide="ignore", invalid="ignore"):
        up = (
            AVERAGE + (HIGH - AVERAGE) * (values - m) / (p95 - m)
            if p95 > m
            else np.where(values > m, HIGH, AVERAGE)
        )
        down = AVERAGE - (AVERAGE - LOW) * (m - values) / (m - p5) if p5 < m else np.full(values.shape, LOW)
    graded = np.clip(np.where(values >= m, up, down), LOW, HIGH)
    out = np.where(np.isnan(values), np.nan, graded)
    if direction == LOWER:
        out = (LOW + HIGH) - out
    return out


@dataclass
class Outcome:
    """What a run computes, in the order of the input's municipalities and indicators."""

    indicators: list[str]  # the graded indicators (codes), in the input's order, neutral/empty left out
    stats: dict[str, Stats]
    grades: np.ndarray  # municipalities × graded indicators, NaN = missing
    sector_grades: dict[str, np.ndarray]  # sector → grades per municipality (NaN = none)
    total: np.ndarray  # per municipality, NaN if nothing graded
    coverage: np.ndarray  # 0–1
    ranked: np.ndarray  # bool
    rank: np.ndarray  # int, 0 = not ranked
    rank_low: np.ndarray
    rank_high: np.ndarray
    contributions: np.ndarray  # municipalities × graded indicators (0 where missing)
    missing: list[list[str]] = field(default_factory=list)  # per municipality, the codes missing
    lifting: list[list[str]] = field(default_factory=list)
    lowering: list[list[str]] = field(default_factory=list)
    effective_weights: dict[str, float] = field(default_factory=dict)  # nominal share of the total


def places(totals: np.ndarray) -> np.ndarray:
    """Competition ranking per row ("1224"): 1 + how many have a strictly higher total."""
    totals = np.atleast_2d(totals)
    ordered = np.sort(totals, axis=1)
    n = totals.shape[1]
    out = np.empty(totals.shape, dtype=np.int64)
    for row in range(totals.shape[0]):
        out[row] = n - np.searchsorted(ordered[row], totals[row], side="right") + 1
    return out


def _weighted(grades, present, weights, sector_index, n_sectors, sector_weights):
    """Sector grades and totals for one or several weight draws.

    ``weights``: draws × indicators, ``sector_weights``: draws × sectors. Returns (sector grades
    municipalities × sectors × draws, totals draws × municipalities)."""
    filled = np.where(present, grades, 0.0)
    present_f = present.astype(float)
    m, draws = grades.shape[0], weights.shape[0]
    sector_grade = np.full((m, n_sectors, draws), np.nan) if draws == 1 else None  # only the nominal
    num_total = np.zeros((m, draws))
    den_total = np.zeros((m, draws))
    for k in range(n_sectors):
        cols = np.flatnonzero(sector_index == k)
        if cols.size == 0:
            continue
        wk = weights[:, cols].T  # indicators × draws
        num = filled[:, cols] @ wk  # m × draws
        den = present_f[:, cols] @ wk
        has = den > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            grade_k = num / den  # NaN where the sector has no grade
        if sector_grade is not None:
            sector_grade[:, k, :] = grade_k
        num_total += np.where(has, grade_k, 0.0) * sector_weights[:, k][None, :]
        den_total += has * sector_weights[:, k][None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        totals = np.where(den_total > 0, num_total / den_total, np.nan).T
    return sector_grade, totals


def rank(
    values: np.ndarray,
    indicators: list[str],
    directions: list[str],
    sectors: list[str],
    indicator_weights: dict[str, float],
    sector_weights: dict[str, float],
    *,
    draws: int = DRAWS,
    seed: int = 0,
    min_coverage: float = MIN_COVERAGE,
) -> Outcome:
    """Grade, weigh and rank. ``values``: municipalities × indicators (NaN = missing) in the order of
    ``indicators`` (codes) with their ``directions`` and ``sectors``; weights by code and by sector
    (absent = 0). An indicator is in the method when it and its sector have a weight above 0, it is
    not neutral, and some municipality has a number for it."""
    values = np.asarray(values, dtype=float)
    m = values.shape[0]
    keep, kept_stats = [], {}
    for j, code in enumerate(indicators):
        if directions[j] == NEUTRAL:
            continue
        if (
            float(indicator_weights.get(code, 0) or 0) <= 0
            or float(sector_weights.get(sectors[j], 0) or 0) <= 0
        ):
            continue
        reference = stats(values[:, j])
        if reference is None:
            continue
        keep.append(j)
        kept_stats[code] = reference
    codes = [indicators[j] for j in keep]
    sector_names = sorted({sectors[j] for j in keep})
    sector_index = np.array([sector_names.index(sectors[j]) for j in keep], dtype=np.int64)
    grades = np.empty((m, len(keep)))
    for col, j in enumerate(keep):
        grades[:, col] = grade(values[:, j], directions[j], kept_stats[indicators[j]])
    present = ~np.isnan(grades)
    w = np.array([float(indicator_weights[c]) for c in codes], dtype=float)
    v = np.array([float(sector_weights[s]) for s in sector_names], dtype=float)

    # Nominal share of each indicator in the total: sector weight share × share within the sector.
    effective = np.zeros(len(keep))
    for k in range(len(sector_names)):
        cols = sector_index == k
        effective[cols] = v[k] / v.sum() * w[cols] / w[cols].sum()
    coverage = present.astype(float) @ effective if keep else np.zeros(m)
    coverage = np.round(coverage, 12)  # 0.6 stays 0.6 whatever the order of the sum
    ranked = coverage >= min_coverage

    sector_grade, totals = _weighted(grades, present, w[None, :], sector_index, len(sector_names), v[None, :])
    sector_grade, total = sector_grade[:, :, 0], totals[0]

    # Places among the ranked, and the interval from perturbed weights.
    rank_now = np.zeros(m, dtype=np.int64)
    low = np.zeros(m, dtype=np.int64)
    high = np.zeros(m, dtype=np.int64)
    idx = np.flatnonzero(ranked)
    if idx.size:
        rank_now[idx] = places(total[idx])[0]
        rng = np.random.default_rng(seed)
        wf = rng.uniform(FACTOR_LOW, FACTOR_HIGH, size=(draws, len(keep))) * w
        vf = rng.uniform(FACTOR_LOW, FACTOR_HIGH, size=(draws, len(sector_names))) * v
        _sg, drawn = _weighted(grades[idx], present[idx], wf, sector_index, len(sector_names), vf)
        drawn_places = places(drawn)
        lo, hi = np.percentile(drawn_places, [5, 95], axis=0, method="inverted_cdf")
        low[idx] = np.minimum(lo.astype(np.int64), rank_now[idx])
        high[idx] = np.maximum(hi.astype(np.int64), rank_now[idx])

    # Contributions: share of the weight graded on × (grade − 3.5); they sum to total − 3.5.
    contributions = np.zeros((m, len(keep)))
    has_sector = ~np.isnan(sector_grade)
    sector_share = np.where(has_sector, v[None, :], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sector_share = sector_share / sector_share.sum(axis=1, keepdims=True)
    for k in range(len(sector_names)):
        cols = np.flatnonzero(sector_index == k)
        within = np.where(present[:, cols], w[cols][None, :], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            within = within / within.sum(axis=1, keepdims=True)
        share = np.nan_to_num(within * sector_share[:, k : k + 1])
        contributions[:, cols] = np.where(present[:, cols], share * (grades[:, cols] - AVERAGE), 0.0)

    missing, lifting, lowering = [], [], []
    for i in range(m):
        missing.append([codes[c] for c in np.flatnonzero(~present[i])])
        order = np.argsort(-contributions[i], kind="stable")
        lifting.append([codes[c] for c in order[:SHOWN] if contributions[i, c] > 0])
        order = np.argsort(contributions[i], kind="stable")
        lowering.append([codes[c] for c in order[:SHOWN] if contributions[i, c] < 0])

    return Outcome(
        indicators=codes,
        stats=kept_stats,
        grades=grades,
        sector_grades={s: sector_grade[:, k] for k, s in enumerate(sector_names)},
        total=total,
        coverage=coverage,
        ranked=ranked,
        rank=rank_now,
        rank_low=low,
        rank_high=high,
        contributions=contributions,
        missing=missing,
        lifting=lifting,
        lowering=lowering,
        effective_weights={c: float(effective[k]) for k, c in enumerate(codes)},
    )
