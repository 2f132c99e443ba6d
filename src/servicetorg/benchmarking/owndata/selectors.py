"""Reading the installation's own figures for the benchmark.

**The rule of three.** A municipality's *published* values are shown by its name. An *unpublished*
value is never shown; it enters the peer statistics (median, quartiles, n) only when at least
:data:`MIN_UNPUBLISHED` unpublished values of the same figure and year enter together, and then the
quartiles are shown only from :data:`MIN_FOR_QUARTILES` values counted (three order statistics of
three values are the values). Counting the
unpublished values (not all municipalities) keeps any single one from being derived by subtracting
the published ones: with two municipalities of which one publishes, the other's value would
otherwise follow from the median. When fewer are present the statistics rest on the published
values alone, and the page says how many municipalities' figures were left out.

Values are the municipality-wide ones (``unit`` empty) of the shared national indicators.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from servicetorg.benchmarking.models import Region
from servicetorg.core.models import Municipality
from servicetorg.indicators.models import Indicator, IndicatorValue

from .models import Publication
from .services import shared_indicators

MIN_UNPUBLISHED = 3
#: With unpublished values counted, the quartiles are shown only when at least this many values are
#: counted: with three values the median and the two quartiles give all three back (q2 = x2,
#: x1 = 2·q1 − q2, x3 = 2·q3 − q2), and with a few more the published ones fill in the rest.
MIN_FOR_QUARTILES = 10


@dataclass(frozen=True)
class PeerStats:
    n: int  # values counted
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    withheld: int  # unpublished values left out (too few of them)
    quartiles_hidden: bool = False  # unpublished values counted, too few values for quartiles

    @property
    def has_figures(self) -> bool:
        return self.n > 0


def quartiles(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """Lower quartile, median and upper quartile, linear interpolation between order statistics
    (the "inclusive" method: numpy's default, R's type 7)."""
    if not values:
        return None, None, None
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def peer_statistics(published: list[float], unpublished: list[float]) -> PeerStats:
    """The statistics under the rule of three (see the module's note)."""
    counted = list(published)
    withheld = len(unpublished)
    if len(unpublished) >= MIN_UNPUBLISHED:
        counted += unpublished
        withheld = 0
    q1, q2, q3 = quartiles(sorted(counted))
    hidden = bool(unpublished) and not withheld and len(counted) < MIN_FOR_QUARTILES
    if hidden:
        q1 = q3 = None
    return PeerStats(
        n=len(counted),
        median=q2,
        lower_quartile=q1,
        upper_quartile=q3,
        withheld=withheld,
        quartiles_hidden=hidden,
    )


@dataclass
class PublishedValue:
    municipality: Municipality
    value: float


@dataclass
class FigureYear:
    indicator: Indicator
    year: int | None
    years: list[int]
    published: list[PublishedValue]
    stats: PeerStats
    synthetic: bool = False


@dataclass
class FigureSummary:
    indicator: Indicator
    year: int | None
    stats: PeerStats
    published: int
    synthetic: bool = False


@dataclass
class _Table:
    """The values of some shared indicators: {(indicator_id, year): [(municipality_id, value), ...]}."""

    values: dict[tuple[int, int], list[tuple[int, float]]] = field(default_factory=dict)
    published: set[tuple[int, int]] = field(default_factory=set)  # (municipality_id, indicator_id)


def _table(indicator_ids, years=None) -> _Table:
    rows = IndicatorValue.objects.filter(indicator_id__in=indicator_ids, unit__isnull=True)
    if years is not None:
        rows = rows.filter(year__in=years)
    table = _Table()
    for indicator_id, year, municipality_id, value in rows.values_list(
        "indicator_id", "year", "municipality_id", "value"
    ).order_by("indicator_id", "year", "municipality_id"):
        table.values.setdefault((indicator_id, year), []).append((municipality_id, float(value)))
    table.published = set(
        Publication.objects.filter(indicator_id__in=indicator_ids, published=True).values_list(
            "municipality_id", "indicator_id"
        )
    )
    return table


def _split(table: _Table, indicator_id: int, year: int) -> tuple[list[tuple[int, float]], list[float]]:
    published, unpublished = [], []
    for municipality_id, value in table.values.get((indicator_id, year), []):
        if (municipality_id, indicator_id) in table.published:
            published.append((municipality_id, value))
        else:
            unpublished.append(value)
    return published, unpublished


def _fictional_ids(municipality_ids) -> set[int]:
    """Municipalities whose number is a fictional code of the register (the demo's): their figures
    are synthetic demo figures."""
    numbers = dict(Municipality.objects.filter(pk__in=municipality_ids).values_list("number", "pk"))
    fictional = Region.objects.filter(code__in=list(numbers), fictional=True).values_list("code", flat=True)
    return {numbers[code] for code in fictional}


def overview() -> list[FigureSummary]:
    """Every shared figure with its latest year's peer statistics (three queries in all)."""
    indicators = list(shared_indicators())
    table = _table([i.pk for i in indicators])
    fictional = _fictional_ids({m for rows in table.values.values() for m, _v in rows})
    summaries = []
    for indicator in indicators:
        years = sorted(y for (i, y) in table.values if i == indicator.pk)
        if not years:
            summaries.append(FigureSummary(indicator, None, peer_statistics([], []), 0))
            continue
        year = years[-1]
        published, unpublished = _split(table, indicator.pk, year)
        stats = peer_statistics([v for _m, v in published], unpublished)
        synthetic = any(m in fictional for m, _v in table.values[(indicator.pk, year)])
        summaries.append(FigureSummary(indicator, year, stats, len(published), synthetic))
    return summaries


def figure_year(indicator: Indicator, year: int | None = None) -> FigureYear:
    """One shared figure in one year (the latest with values when ``year`` is None): the published
    values by municipality name and the peer statistics."""
    years = sorted(
        set(
            IndicatorValue.objects.filter(indicator=indicator, unit__isnull=True)
            .values_list("year", flat=True)
            .distinct()
        )
    )
    if year is None or year not in years:
        year = years[-1] if years else None
    if year is None:
        return FigureYear(indicator, None, years, [], peer_statistics([], []))
    table = _table([indicator.pk], [year])
    published, unpublished = _split(table, indicator.pk, year)
    municipalities = Municipality.objects.in_bulk([m for m, _v in published])
    rows = sorted(
        (PublishedValue(municipalities[m], v) for m, v in published),
        key=lambda r: (r.municipality.name, r.municipality.pk),
    )
    fictional = _fictional_ids([m for m, _v in table.values.get((indicator.pk, year), [])])
    stats = peer_statistics([v for _m, v in published], unpublished)
    return FigureYear(indicator, year, years, rows, stats, synthetic=bool(fictional))


def choices_of(municipality: Municipality) -> list[tuple[Indicator, Publication | None, list[int]]]:
    """The staff page: each shared figure with the municipality's choice and the years it has values."""
    indicators = list(shared_indicators())
    chosen = {
        p.indicator_id: p
        for p in Publication.objects.filter(municipality=municipality).select_related("chosen_by")
    }
    years: dict[int, list[int]] = {}
    for indicator_id, year in (
        IndicatorValue.objects.filter(municipality=municipality, indicator__in=indicators, unit__isnull=True)
        .values_list("indicator_id", "year")
        .order_by("year")
    ):
        years.setdefault(indicator_id, []).append(year)
    return [(i, chosen.get(i.pk), years.get(i.pk, [])) for i in indicators]
