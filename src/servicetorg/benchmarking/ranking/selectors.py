"""Read queries of the ranking: published runs for everyone, a tenant's methods and runs for its
benchmark editors, the rows of a run's table, and the plain-words description of a method."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from servicetorg.core.permissions import Perm
from servicetorg.core.tenancy import scope
from servicetorg.indicators.models import Sector

from .models import RankingMethod, RankingResult, RankingRun, RankingRunState


def published_runs() -> QuerySet[RankingRun]:
    return (
        RankingRun.objects.filter(state=RankingRunState.PUBLISHED)
        .select_related("municipality")
        .defer("inputs")
        .order_by("-published_at", "-pk")
    )


def latest_published() -> list[RankingRun]:
    """The newest published run of each method, newest first."""
    seen, out = set(), []
    for ranking in published_runs():
        if ranking.method_id not in seen:
            seen.add(ranking.method_id)
            out.append(ranking)
    return out


def methods_for(user) -> QuerySet[RankingMethod]:
    return scope(RankingMethod.objects.select_related("municipality"), user, Perm.BENCHMARK_EDIT).order_by(
        "municipality__name", "name", "pk"
    )


def runs_for(user) -> QuerySet[RankingRun]:
    return scope(
        RankingRun.objects.select_related("municipality", "method").defer("inputs"), user, Perm.BENCHMARK_EDIT
    )


def results(ranking: RankingRun, county: str = "") -> QuerySet[RankingResult]:
    """Ranked first by place, then the not ranked by name."""
    qs = ranking.results.all()
    if county:
        qs = qs.filter(county_code=county)
    return qs.order_by("-ranked", "rank", "name", "region_code")


def counties(ranking: RankingRun) -> list[tuple[str, str]]:
    return list(
        ranking.results.exclude(county_code="")
        .order_by("county_code")
        .values_list("county_code", "county_name")
        .distinct()
    )


@dataclass
class WeightLine:
    code: str
    name: str
    unit: str
    direction: str
    sector: str
    weight: float
    share: float | None  # of the total, when the run graded it
    stats: dict | None


@dataclass
class SectorBlock:
    sector: str
    label: str
    weight: float
    share: float
    lines: list[WeightLine]


def sector_label(sector: str) -> str:
    try:
        return str(Sector(sector).label)
    except ValueError:
        return sector


def method_blocks(ranking: RankingRun) -> list[SectorBlock]:
    """Every weight of the run's frozen method, by sector, with each indicator's share of the total
    and its reference points (mean, 5th and 95th percentile) — the method in plain words."""
    weights = ranking.indicator_weights
    sector_weights = {s: w for s, w in ranking.sector_weights.items() if w}
    by_sector: dict[str, list[WeightLine]] = {}
    for code, name, direction, sector, unit in ranking.inputs.get("indicators", []):
        stats = ranking.indicator_stats.get(code)
        by_sector.setdefault(sector, []).append(
            WeightLine(
                code=code,
                name=name,
                unit=unit,
                direction=direction,
                sector=sector,
                weight=weights.get(code, 0),
                share=stats["share"] if stats else None,
                stats=stats,
            )
        )
    total = sum(w for s, w in sector_weights.items() if s in by_sector) or 1
    return [
        SectorBlock(
            sector=sector,
            label=sector_label(sector),
            weight=sector_weights.get(sector, 0),
            share=sector_weights.get(sector, 0) / total,
            lines=lines,
        )
        for sector, lines in sorted(by_sector.items(), key=lambda kv: sector_label(kv[0]))
    ]


def indicator_names(ranking: RankingRun) -> dict[str, str]:
    return {i[0]: i[1] for i in ranking.inputs.get("indicators", [])}


def not_ranked_text(result: RankingResult, names: dict[str, str]) -> str:
    missing = ", ".join(names.get(code, code) for code in result.missing)
    return _("not ranked: %(missing)s missing") % {"missing": missing}
