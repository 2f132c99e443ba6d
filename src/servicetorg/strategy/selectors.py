"""Read queries of the strategy: lists, the full strategy tree, and the follow-up report's figures."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.benchmarking import series
from servicetorg.benchmarking.owndata import peers as peer_comparison
from servicetorg.core.permissions import Perm
from servicetorg.core.tenancy import scope
from servicetorg.indicators.selectors import value_table

from . import charts
from .models import (
    ConsultationComment,
    FocusArea,
    FollowUpReport,
    Goal,
    GoalIndicator,
    GoalNote,
    Measure,
    MeasureStatus,
    ModerationState,
    ReportState,
    StatusSection,
    Strategy,
    StrategyState,
)
from .status import AT_RISK, MISSED, NO_DATA, ON_TRACK, Status, evaluate

PUBLIC_STATES = (StrategyState.PUBLISHED, StrategyState.SUPERSEDED)


def strategies_for(user) -> QuerySet[Strategy]:
    return (
        scope(Strategy.objects.select_related("municipality", "period"), user, Perm.STRATEGY_READ)
        .annotate(
            n_focus_areas=Count("focus_areas", distinct=True),
            n_pending=Count(
                "comments", filter=Q(comments__moderation=ModerationState.PENDING), distinct=True
            ),
        )
        .order_by("municipality__name", "-period__start_year", "-revision")
    )


def strategy_tree(queryset: QuerySet[Strategy]) -> QuerySet[Strategy]:
    """Prefetch everything a strategy page shows, in a fixed number of queries."""
    return queryset.select_related("municipality", "period", "previous").prefetch_related(
        Prefetch(
            "status_sections",
            queryset=StatusSection.objects.select_related("service_area").prefetch_related("indicators"),
        ),
        "instruments",
        Prefetch(
            "focus_areas",
            queryset=FocusArea.objects.prefetch_related(
                Prefetch(
                    "goals",
                    queryset=Goal.objects.select_related("responsible_unit").prefetch_related(
                        Prefetch(
                            "goal_indicators",
                            queryset=GoalIndicator.objects.select_related("indicator").prefetch_related(
                                "targets"
                            ),
                        )
                    ),
                ),
                Prefetch(
                    "measures",
                    queryset=Measure.objects.select_related(
                        "responsible_unit", "instrument", "goal"
                    ).prefetch_related("milestones"),
                ),
            ),
        ),
    )


def current_public_strategy(municipality) -> Strategy | None:
    """The newest published revision of the municipality's newest election period."""
    return (
        strategy_tree(Strategy.objects.filter(municipality=municipality, state=StrategyState.PUBLISHED))
        .order_by("-period__start_year", "-revision")
        .first()
    )


#: States after a consultation in which its page stays up, read-only, with the published comments.
AFTER_CONSULTATION_STATES = (StrategyState.ADOPTED, StrategyState.PUBLISHED, StrategyState.SUPERSEDED)


def consultations(municipality) -> QuerySet[Strategy]:
    """Every strategy whose consultation page the portal shows: open, or ended (deadline passed or adopted).

    A draft sent back from consultation is not shown: its text is being reworked.
    """
    return Strategy.objects.filter(
        Q(state=StrategyState.CONSULTATION)
        | Q(state__in=AFTER_CONSULTATION_STATES, consultation_deadline__isnull=False),
        municipality=municipality,
    ).select_related("period")


def in_consultation(municipality) -> QuerySet[Strategy]:
    """Consultations open for comments now."""
    return consultations(municipality).filter(
        Q(consultation_deadline__isnull=True) | Q(consultation_deadline__gt=timezone.now()),
        state=StrategyState.CONSULTATION,
    )


def ended_consultations(municipality) -> QuerySet[Strategy]:
    """Consultations whose deadline has passed or whose strategy the council has adopted, newest first."""
    return (
        consultations(municipality)
        .exclude(pk__in=in_consultation(municipality).values("pk"))
        .order_by("-consultation_deadline", "-pk")
    )


def revisions_of(strategy: Strategy) -> QuerySet[Strategy]:
    return Strategy.objects.filter(period=strategy.period).order_by("-revision")


def approved_comments(strategy: Strategy) -> QuerySet[ConsultationComment]:
    return strategy.comments.filter(moderation=ModerationState.APPROVED).select_related("focus_area")


def published_reports(municipality) -> QuerySet[FollowUpReport]:
    return FollowUpReport.objects.filter(
        strategy__municipality=municipality, state=ReportState.PUBLISHED
    ).select_related("strategy__period")


def status_rows(strategy: Strategy) -> list[tuple[StatusSection, list[tuple]]]:
    """Each status section with its indicators' values from the year before the period on (one query)."""
    sections = list(strategy.status_sections.all())
    years = [strategy.period.start_year - 1, *strategy.period.years]
    ids = {i.pk for section in sections for i in section.indicators.all()}
    values = value_table(strategy.municipality, ids, years) if ids else {}
    return [
        (
            section,
            [(i, [(y, tidy(values.get((i.pk, y)))) for y in years]) for i in section.indicators.all()],
        )
        for section in sections
    ]


# --- follow-up figures ----------------------------------------------------------------------------


@dataclass
class YearCell:
    year: int
    target: Decimal | None
    actual: Decimal | None
    status: Status
    relative: str = ""  # a relative target: "median, County" (the value is the peer statistic)


@dataclass
class IndicatorRow:
    link: GoalIndicator
    cells: list[YearCell]
    current: Status
    chart: str = ""
    baseline: Decimal | None = None
    #: The peer comparisons of the years with a relative target (own value, peer median, n).
    comparisons: list = field(default_factory=list)

    @property
    def indicator(self):
        return self.link.indicator

    @property
    def synthetic(self) -> bool:
        return any(c.synthetic for c in self.comparisons)


@dataclass
class GoalRow:
    goal: Goal
    rows: list[IndicatorRow]
    status: Status
    note: str = ""


@dataclass
class AreaBlock:
    area: FocusArea
    goals: list[GoalRow]
    measures_done: list[Measure]
    measures_open: list[Measure]

    @property
    def measure_total(self) -> int:
        return len(self.measures_done) + len(self.measures_open)


@dataclass
class FollowUp:
    strategy: Strategy
    as_of_year: int
    years: list[int]
    areas: list[AreaBlock]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def measure_counts(self) -> tuple[int, int]:
        done = sum(len(a.measures_done) for a in self.areas)
        return done, done + sum(len(a.measures_open) for a in self.areas)


def tidy(value: Decimal | None) -> Decimal | None:
    """Drop trailing zeros for display (57.6000 → 57.6, 250000.0000 → 250000)."""
    if value is None:
        return None
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


_SEVERITY = {MISSED: 3, AT_RISK: 2, NO_DATA: 1, ON_TRACK: 0}


def _worst(statuses: list[Status]) -> Status:
    if not statuses:
        return Status(NO_DATA, _("The goal has no indicators."))
    return max(statuses, key=lambda s: _SEVERITY[s.code])


def _current_status(cells: list[YearCell], as_of_year: int) -> Status:
    """The latest year up to ``as_of_year`` that has both a target and a value; else the latest target."""
    targeted = [c for c in cells if c.year <= as_of_year and c.target is not None]
    measured = [c for c in targeted if c.actual is not None]
    if measured:
        cell = measured[-1]
    elif targeted:
        cell = targeted[-1]
    else:
        return Status(NO_DATA, _("No target up to %(year)s.") % {"year": as_of_year})
    return Status(cell.status.code, f"{cell.year}: {cell.status.explanation}")


def _decimal(number: float | None) -> Decimal | None:
    return None if number is None else tidy(Decimal(str(round(number, 4))))


def relative_comparisons(strategy: Strategy, links) -> dict[tuple[int, int], peer_comparison.Comparison]:
    """The peer comparison of every relative target of ``links``: {(link pk, year): comparison}.

    The municipality's code in each year comes from the change table (one query for the table), and
    each (indicator, year, peer group) is computed once."""
    wanted = [(link, t) for link in links for t in link.targets.all() if t.is_relative]
    if not wanted:
        return {}
    graph = series.Graph.load()
    code = strategy.municipality.number
    done: dict[tuple, peer_comparison.Comparison] = {}
    found = {}
    for link, target in wanted:
        key = (link.indicator_id, target.year, target.peers, target.peer_statistic)
        if key not in done:
            done[key] = peer_comparison.compare(
                link.indicator, code, target.year, target.peers, target.peer_statistic, graph=graph
            )
        found[(link.pk, target.year)] = done[key]
    return found


def _relative_label(target) -> str:
    return _("%(statistic)s of the peer group (%(peers)s)") % {
        "statistic": target.get_peer_statistic_display(),
        "peers": target.get_peers_display(),
    }


def build_followup(
    strategy: Strategy, as_of_year: int, *, with_charts: bool = True, notes: dict[int, str] | None = None
) -> FollowUp:
    """Each goal's targets against actual values up to ``as_of_year``, in the strategy's structure.

    The status of a goal indicator is that of the latest year ≤ ``as_of_year`` with a target; a goal's
    status is the worst of its indicators'. Reads values in one query.
    """
    if (
        not hasattr(strategy, "_prefetched_objects_cache")
        or "focus_areas" not in strategy._prefetched_objects_cache
    ):
        strategy = strategy_tree(Strategy.objects.filter(pk=strategy.pk)).get()
    years = strategy.period.years
    areas = list(strategy.focus_areas.all())
    links = [link for area in areas for goal in area.goals.all() for link in goal.goal_indicators.all()]
    baseline_years = {link.baseline_year for link in links}
    values = value_table(
        strategy.municipality, {link.indicator_id for link in links}, set(years) | baseline_years
    )
    comparisons = relative_comparisons(strategy, links)
    counts = dict.fromkeys((ON_TRACK, AT_RISK, MISSED, NO_DATA), 0)
    blocks = []
    notes = notes or {}
    for area in areas:
        goal_rows = []
        for goal in area.goals.all():
            rows = []
            for link in goal.goal_indicators.all():
                indicator = link.indicator
                targets = {t.year: t for t in link.targets.all()}
                baseline = link.baseline_value
                if baseline is None:
                    baseline = values.get((indicator.pk, link.baseline_year))
                cells = []
                row_comparisons = []
                for year in years:
                    target = targets.get(year)
                    actual = values.get((indicator.pk, year)) if year <= as_of_year else None
                    target_value = target.value if target else None
                    relative = ""
                    comparison = comparisons.get((link.pk, year))
                    if comparison is not None:
                        relative = _relative_label(target)
                        target_value = _decimal(comparison.peer_value)
                        if comparison.own_value is not None and year <= as_of_year:
                            # like with like: its own official figure, from the same source as the peers'
                            actual = _decimal(comparison.own_value)
                        if year <= as_of_year:
                            row_comparisons.append(comparison)
                    if comparison is not None and target_value is None:
                        status = Status(
                            NO_DATA,
                            _("The peer group's %(statistic)s for %(year)s is not available yet.")
                            % {"statistic": target.get_peer_statistic_display(), "year": year},
                        )
                    else:
                        status = evaluate(
                            actual=actual,
                            target=target_value,
                            higher_is_better=indicator.higher_is_better,
                            baseline=baseline,
                            original_target=target.original_value if target and not relative else None,
                        )
                    cells.append(YearCell(year, tidy(target_value), tidy(actual), status, relative))
                current = _current_status(cells, as_of_year)
                row = IndicatorRow(
                    link=link,
                    cells=cells,
                    current=current,
                    baseline=tidy(baseline),
                    comparisons=row_comparisons,
                )
                if with_charts:
                    chart_years = sorted({link.baseline_year, *years})
                    actual = {c.year: c.actual for c in cells}
                    if baseline is not None:
                        actual[link.baseline_year] = baseline
                    row.chart = charts.data_uri(
                        charts.indicator_chart(
                            years=chart_years,
                            actual=actual,
                            target={c.year: c.target for c in cells},
                            unit_of_measure=indicator.unit_of_measure,
                            actual_label=_("Actual"),
                            target_label=_("Target"),
                        )
                    )
                rows.append(row)
            status = _worst([r.current for r in rows])
            counts[status.code] += 1
            goal_rows.append(GoalRow(goal=goal, rows=rows, status=status, note=notes.get(goal.pk, "")))
        measures = list(area.measures.all())
        blocks.append(
            AreaBlock(
                area=area,
                goals=goal_rows,
                measures_done=[m for m in measures if m.status == MeasureStatus.DONE],
                measures_open=[m for m in measures if m.status != MeasureStatus.DONE],
            )
        )
    return FollowUp(strategy=strategy, as_of_year=as_of_year, years=years, areas=blocks, counts=counts)


def report_figures(report: FollowUpReport, *, with_charts: bool = True) -> FollowUp:
    notes = dict(GoalNote.objects.filter(report=report).values_list("goal_id", "reason"))
    strategy = strategy_tree(Strategy.objects.filter(pk=report.strategy_id)).get()
    return build_followup(strategy, report.as_of_year, with_charts=with_charts, notes=notes)
