"""The ranking's domain operations: methods and their weights, runs (read the inputs, grade, rank,
store), publishing and verifying. Every function that changes something takes the acting ``user``
and checks ``Perm.BENCHMARK_EDIT`` in the method's municipality first.

Inputs (``read_inputs``): the catalogue's national KOSTRA indicators the method weighs (not neutral),
the current municipalities of the register (not the demo's fictional one), and the data year's
official values (the latest year with figures unless the method names one). A value with a symbol of
Statistics Norway is missing, never 0. Where a municipality's code is newer than the year, its
figure is read through ``benchmarking.series`` (renumbering, mergers by the indicator's rule).

A run freezes the weights, the method's version and the inputs themselves; the SHA-256 of the inputs
(canonical JSON) seeds the weight draws, and the SHA-256 of the results is kept. ``verify`` computes
the results again from the frozen inputs and compares the hashes (and says whether today's figures
still hash the same).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core.permissions import Perm, require, user_of
from servicetorg.indicators.models import Direction, ImportRun, Indicator, Sector, Source

from .. import series
from ..models import OfficialValue, Region, RegionKind, Symbol
from . import grading
from .models import RankingMethod, RankingResult, RankingRun, RankingRunState
from .workflow import PUBLISH, RUN_WORKFLOW

MAX_WEIGHT = 100
DIGITS = 6  # grades, totals and contributions are stored rounded to this many decimals
DEFAULT_SECTOR_WEIGHT = 1


def _canonical(data) -> bytes:
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def sha256(data) -> str:
    return hashlib.sha256(_canonical(data)).hexdigest()


# --- Methods ------------------------------------------------------------------------------------


def catalogue():
    """The indicators a method can weigh: the national KOSTRA catalogue, neutral ones left out."""
    return (
        Indicator.objects.filter(municipality__isnull=True, source=Source.KOSTRA)
        .exclude(direction=Direction.NEUTRAL)
        .exclude(sector__in=["", Sector.CONTEXT])
        .order_by("sector", "name", "pk")
    )


def _clean_weights(indicator_weights: dict, sector_weights: dict) -> tuple[dict, dict]:
    known = {i.code: i for i in catalogue()}
    errors = []
    clean_i, clean_s = {}, {}
    for code, weight in (indicator_weights or {}).items():
        if code not in known:
            errors.append(
                _("%(code)s is not an indicator of the catalogue that can be ranked.") % {"code": code}
            )
            continue
        clean_i[code] = _weight(weight, code, errors)
    for sector, weight in (sector_weights or {}).items():
        if sector not in Sector.values or sector == Sector.CONTEXT:
            errors.append(_("%(sector)s is not a sector that can be ranked.") % {"sector": sector})
            continue
        clean_s[sector] = _weight(weight, sector, errors)
    if errors:
        raise ValidationError(errors)
    clean_i = {k: v for k, v in clean_i.items() if v > 0}
    clean_s = {k: v for k, v in clean_s.items() if v > 0}
    if not clean_i or not any(known[c].sector in clean_s for c in clean_i):
        raise ValidationError(_("Give at least one indicator and its sector a weight above 0."))
    return clean_i, clean_s


def _weight(raw, label, errors) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        errors.append(_("The weight of %(label)s is not a number.") % {"label": label})
        return 0.0
    if not math.isfinite(value) or value < 0 or value > MAX_WEIGHT:
        errors.append(
            _("The weight of %(label)s must lie between 0 and %(max)s.") % {"label": label, "max": MAX_WEIGHT}
        )
        return 0.0
    return int(value) if value == int(value) else value


def default_weights() -> tuple[dict, dict]:
    """Every ranked indicator 1, every sector with one of them 1."""
    indicators = list(catalogue())
    return (
        {i.code: 1 for i in indicators},
        {s: DEFAULT_SECTOR_WEIGHT for s in sorted({i.sector for i in indicators})},
    )


@transaction.atomic
def create_method(
    *,
    municipality,
    user,
    name: str,
    description: str = "",
    year: int | None = None,
    indicator_weights: dict | None = None,
    sector_weights: dict | None = None,
) -> RankingMethod:
    require(user, Perm.BENCHMARK_EDIT, municipality.pk)
    if indicator_weights is None and sector_weights is None:
        indicator_weights, sector_weights = default_weights()
    else:
        indicator_weights, sector_weights = _clean_weights(indicator_weights or {}, sector_weights or {})
    method = RankingMethod(
        municipality=municipality,
        name=name,
        description=description,
        year=year,
        indicator_weights=indicator_weights,
        sector_weights=sector_weights,
    )
    method._history_user = user_of(user)  # who changed the weights: the method's history
    method.save()
    return method


@transaction.atomic
def update_method(
    method: RankingMethod,
    *,
    user,
    name: str | None = None,
    description: str | None = None,
    year: int | None = None,
    indicator_weights: dict | None = None,
    sector_weights: dict | None = None,
) -> RankingMethod:
    """Change the method; a change of weights or year raises its version (runs keep their copy)."""
    require(user, Perm.BENCHMARK_EDIT, method.municipality_id)
    method = RankingMethod.objects.select_for_update().get(pk=method.pk)
    changed = False
    if indicator_weights is not None or sector_weights is not None:
        clean_i, clean_s = _clean_weights(
            method.indicator_weights if indicator_weights is None else indicator_weights,
            method.sector_weights if sector_weights is None else sector_weights,
        )
        if clean_i != method.indicator_weights or clean_s != method.sector_weights:
            method.indicator_weights, method.sector_weights = clean_i, clean_s
            changed = True
    if year != method.year:
        method.year = year
        changed = True
    if name is not None:
        method.name = name
    if description is not None:
        method.description = description
    if changed:
        method.version += 1
    method._history_user = user_of(user)
    method.save()
    return method


# --- Inputs -------------------------------------------------------------------------------------


def latest_year(indicator_ids) -> int | None:
    return OfficialValue.objects.filter(indicator_id__in=indicator_ids, value__isnull=False).aggregate(
        year=Max("year")
    )["year"]


def read_inputs(indicator_codes, year: int | None = None) -> dict:
    """The frozen inputs of a run: regions, indicators, year and the value matrix (None = missing)."""
    indicators = list(catalogue().filter(code__in=list(indicator_codes)).order_by("sector", "code"))
    ids = [i.pk for i in indicators]
    year = year or latest_year(ids)
    if year is None:
        raise ValidationError(_("There are no official figures for the method's indicators yet."))
    regions = list(
        Region.objects.filter(kind=RegionKind.MUNICIPALITY, valid_to__isnull=True, fictional=False)
        .order_by("code")
        .values_list("code", "name", "county_code", "county_name", "valid_from")
    )
    # Codes newer than the data year: their figure was published under older codes (a split's
    # successor has none: nothing is carried across a split).
    renamed: dict[str, tuple[str, ...]] = {}
    graph = None
    for code, _name, _cc, _cn, valid_from in regions:
        if valid_from is not None and valid_from.year > year:
            graph = graph or series.Graph.load()
            sources = tuple(series.codes_for_year(code, year, graph=graph))
            if sources != (code,):
                renamed[code] = sources
    single = {sources[0]: code for code, sources in renamed.items() if len(sources) == 1}
    wanted = [code for code, *_rest in regions if code not in renamed] + list(single)
    column = {i.pk: j for j, i in enumerate(indicators)}
    row = {code: k for k, (code, *_rest) in enumerate(regions)}
    values: list[list[float | None]] = [[None] * len(indicators) for _r in regions]
    synthetic = False
    rows = OfficialValue.objects.filter(indicator_id__in=ids, year=year, region_code__in=wanted).values_list(
        "indicator_id", "region_code", "value", "symbol", "run__kind"
    )
    for indicator_id, code, value, symbol, kind in rows.iterator(chunk_size=5000):
        target = single.get(code, code)
        if target in renamed and len(renamed[target]) == 1 or target in row and target not in renamed:
            if value is not None and Symbol.has_number(symbol) and math.isfinite(value):
                values[row[target]][column[indicator_id]] = float(value)
            synthetic = synthetic or kind == ImportRun.Kind.DEMO
    merged = [code for code, sources in renamed.items() if len(sources) > 1]
    if merged:
        for indicator in indicators:
            points = series.read(indicator, merged, range(year, year + 1), graph=graph)
            for code in merged:
                for point in points.get(code, ()):
                    if point.year == year and point.value is not None and math.isfinite(point.value):
                        values[row[code]][column[indicator.pk]] = float(point.value)
    if not synthetic:
        synthetic = OfficialValue.objects.filter(
            indicator_id__in=ids, year=year, run__kind=ImportRun.Kind.DEMO
        ).exists()
    return {
        "year": year,
        "regions": [[code, name, cc, cn] for code, name, cc, cn, _vf in regions],
        "indicators": [[i.code, i.name, i.direction, i.sector, i.unit_of_measure] for i in indicators],
        "values": values,
        "synthetic": synthetic,
    }


# --- Computing ----------------------------------------------------------------------------------


@dataclass
class Computed:
    results: list[dict]  # one per region, the fields of RankingResult (without names)
    stats: dict
    ranked: int


def _r(x) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), DIGITS)


def _rows(array) -> list[list[float | None]]:
    """``_r`` of every cell of a 2-d array, as lists of Python floats (None for NaN)."""
    return [
        [None if x != x else round(x, DIGITS) for x in row] for row in np.asarray(array, dtype=float).tolist()
    ]


def compute(
    inputs: dict, indicator_weights: dict, sector_weights: dict, *, seed: int, draws: int, min_coverage: float
) -> Computed:
    """Grade and rank the frozen ``inputs`` with the frozen weights (pure: no database)."""
    codes = [i[0] for i in inputs["indicators"]]
    directions = [i[2] for i in inputs["indicators"]]
    sectors = [i[3] for i in inputs["indicators"]]
    matrix = np.array(
        [[np.nan if v is None else v for v in row] for row in inputs["values"]], dtype=float
    ).reshape(len(inputs["regions"]), len(codes))
    outcome = grading.rank(
        matrix,
        codes,
        directions,
        sectors,
        indicator_weights,
        sector_weights,
        draws=draws,
        seed=seed,
        min_coverage=min_coverage,
    )
    col = {c: j for j, c in enumerate(codes)}
    graded = outcome.indicators
    # Plain Python floats (one conversion per array, not per cell), rounded by _rows as by _r.
    values = _rows(matrix[:, [col[c] for c in graded]])
    grades = _rows(outcome.grades)
    contributions = _rows(np.where(np.isnan(outcome.grades), np.nan, outcome.contributions))
    totals, coverage = _rows(outcome.total[None, :])[0], _rows(outcome.coverage[None, :])[0]
    sector_rows = {s: _rows(g[None, :])[0] for s, g in outcome.sector_grades.items()}
    results = []
    for i, region in enumerate(inputs["regions"]):
        ranked = bool(outcome.ranked[i])
        results.append(
            {
                "region_code": region[0],
                "total": totals[i],
                "ranked": ranked,
                "rank": int(outcome.rank[i]) if ranked else None,
                "rank_low": int(outcome.rank_low[i]) if ranked else None,
                "rank_high": int(outcome.rank_high[i]) if ranked else None,
                "coverage": coverage[i],
                "missing": outcome.missing[i],
                "sector_grades": {s: g[i] for s, g in sector_rows.items()},
                "indicator_grades": {
                    code: [v, g, c]
                    for code, v, g, c in zip(graded, values[i], grades[i], contributions[i], strict=True)
                },
                "lifting": outcome.lifting[i],
                "lowering": outcome.lowering[i],
            }
        )
    stats = {
        code: {
            "n": s.n,
            "mean": _r(s.mean),
            "p5": _r(s.p5),
            "p95": _r(s.p95),
            "share": _r(outcome.effective_weights[code]),
        }
        for code, s in outcome.stats.items()
    }
    return Computed(results=results, stats=stats, ranked=int(outcome.ranked.sum()))


RESULT_FIELDS = (
    "region_code",
    "total",
    "ranked",
    "rank",
    "rank_low",
    "rank_high",
    "coverage",
    "missing",
    "sector_grades",
    "indicator_grades",
    "lifting",
    "lowering",
)


def results_hash(results: list[dict]) -> str:
    return sha256(sorted(([r[f] for f in RESULT_FIELDS] for r in results), key=lambda x: x[0]))


def inputs_hash(inputs: dict) -> str:
    return sha256(inputs)


def seed_of(data_hash: str) -> int:
    """The weight draws' seed: the first 8 hex digits of the inputs' SHA-256 (anyone can redo it)."""
    return int(data_hash[:8], 16)


@transaction.atomic
def run(method: RankingMethod, *, user, draws: int = grading.DRAWS) -> RankingRun:
    """Compute a draft run with the method as it is now; its weights and inputs are frozen in it."""
    require(user, Perm.BENCHMARK_EDIT, method.municipality_id)
    started = time.perf_counter()
    inputs = read_inputs(method.indicator_weights.keys(), method.year)
    data_hash = inputs_hash(inputs)
    seed = seed_of(data_hash)
    computed = compute(
        inputs,
        method.indicator_weights,
        method.sector_weights,
        seed=seed,
        draws=draws,
        min_coverage=grading.MIN_COVERAGE,
    )
    ranking = RankingRun.objects.create(
        method=method,
        municipality_id=method.municipality_id,
        name=method.name,
        method_version=method.version,
        year=inputs["year"],
        indicator_weights=method.indicator_weights,
        sector_weights=method.sector_weights,
        seed=seed,
        draws=draws,
        min_coverage=grading.MIN_COVERAGE,
        inputs=inputs,
        data_hash=data_hash,
        results_hash=results_hash(computed.results),
        indicator_stats=computed.stats,
        synthetic=inputs["synthetic"],
        regions=len(computed.results),
        ranked=computed.ranked,
        created_by=user if getattr(user, "pk", None) else None,
    )
    names = {r[0]: r for r in inputs["regions"]}
    RankingResult.objects.bulk_create(
        [
            RankingResult(
                run=ranking,
                name=names[r["region_code"]][1],
                county_code=names[r["region_code"]][2] or "",
                county_name=names[r["region_code"]][3] or "",
                **r,
            )
            for r in computed.results
        ],
        batch_size=500,
    )
    ranking.milliseconds = round((time.perf_counter() - started) * 1000)
    ranking.save(update_fields=["milliseconds"])
    return ranking


@transaction.atomic
def publish(ranking: RankingRun, *, user) -> RankingRun:
    require(user, Perm.BENCHMARK_EDIT, ranking.municipality_id)
    RUN_WORKFLOW.lock(ranking)
    RUN_WORKFLOW.apply(ranking, PUBLISH)
    ranking.published_at = timezone.now()
    ranking.published_by = user if getattr(user, "pk", None) else None
    ranking.save(update_fields=["state", "published_at", "published_by"])
    return ranking


@dataclass
class Verification:
    recomputed_hash: str
    stored_hash: str
    rows_hash: str
    data_unchanged: bool | None  # today's figures hash as the frozen inputs (None: not checked)

    @property
    def identical(self) -> bool:
        return self.recomputed_hash == self.stored_hash == self.rows_hash


def stored_results(ranking: RankingRun) -> list[dict]:
    return list(ranking.results.order_by("region_code").values(*RESULT_FIELDS))


def verify(ranking: RankingRun, *, user, check_data: bool = True) -> Verification:
    """Recompute the run from its frozen inputs and weights; compare with the stored hash and rows.
    Anyone may verify a published run (the method is open); a draft only its benchmark editors."""
    if ranking.state != RankingRunState.PUBLISHED:
        require(user, Perm.BENCHMARK_EDIT, ranking.municipality_id)
    computed = compute(
        ranking.inputs,
        ranking.indicator_weights,
        ranking.sector_weights,
        seed=ranking.seed,
        draws=ranking.draws,
        min_coverage=ranking.min_coverage,
    )
    unchanged = None
    if check_data:
        try:
            today = read_inputs([i[0] for i in ranking.inputs["indicators"]], ranking.year)
        except ValidationError:
            unchanged = False
        else:
            unchanged = inputs_hash(today) == ranking.data_hash
    return Verification(
        recomputed_hash=results_hash(computed.results),
        stored_hash=ranking.results_hash,
        rows_hash=results_hash(stored_results(ranking)),
        data_unchanged=unchanged,
    )
