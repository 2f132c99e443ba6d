"""Evaluation of a user-choice scheme (seed 004 §13; the Oslo pilot's «11 % of all users and 21 % of
new users chose a private provider»): aggregates in SQL only, never personal data, each figure with
its n. The scheme is the whole *ordning*: every version of it (``selectors.versions_of``).

Definitions (the dashboard says them in plain words too):

- *Users* on a day: persons (by the digest of their number) with a decision in force that day and a
  choice in effect. The shares are of the users on the period's **last day**.
- *New users*: those among them with no decision of the scheme that started before the period.
- *Private provider*: a provider that is not one of the municipality's own units.
- *Active / default*: how the choice in effect came about (chosen, the default, the default while
  waiting for a full provider, moved when a provider left).
- *Switches*: choices that took effect in the period and were not the user's first; the user's own
  switches (``how = active``, not a place freed on a waiting list) per 100 users served at any
  time in the period, and all of them by reason.
- *Waiting time*: days on a waiting list of those placed in the period; and who still waits.
- *Delivery rate* and *cost per hour*: from the settlement lines of the months settled in the period
  (performed ÷ decided minutes; amount ÷ paid hours). No settled month: not measured.
- *Satisfaction per provider*: the overall figure (mean of the scale answers) of the user survey
  linked to the provider (``Provider.survey``; surveys' ``overall_figures``), with its n; hidden
  under the survey's anonymity threshold; «not measured» where no survey is linked.

:func:`record_indicators` stores the figures as indicator values of the municipality (indicators
app), one per figure and year, so that a strategy can follow them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicetorg.core.formatting import number
from servicetorg.core.permissions import Perm, require
from servicetorg.indicators import services as indicator_services
from servicetorg.indicators.models import Aspect, Direction, Indicator, Source
from servicetorg.surveys import selectors as survey_selectors

from . import selectors
from .models import Choice as ChoiceRow
from .models import (
    ChoiceHow,
    ChoiceState,
    Decision,
    Provider,
    Scheme,
    SettlementLine,
    SwitchReason,
    WaitingEntry,
    WaitingState,
)

OSLO = ZoneInfo("Europe/Oslo")
PERIOD_DAYS = 365


@dataclass(frozen=True)
class Figure:
    """A figure and the number it stands on (``n``); ``value`` None: not measured."""

    value: Decimal | None
    n: int

    @property
    def measured(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    share: Decimal | None  # percent of the row's n
    private: bool | None = None


@dataclass(frozen=True)
class ProviderRow:
    name: str
    private: bool
    users: int
    share: Decimal | None
    capacity: int
    waiting: int
    delivery: Figure
    cost_per_hour: Figure
    satisfaction: Figure
    #: The top of the survey's scale (5 for 1–5); None without a survey.
    satisfaction_top: int | None = None
    #: A survey is linked but has fewer respondents than its anonymity threshold.
    satisfaction_hidden: bool = False


@dataclass
class Evaluation:
    scheme: Scheme
    start: date
    end: date
    users: int = 0
    new_users: int = 0
    private: Figure = Figure(None, 0)
    new_private: Figure = Figure(None, 0)
    active: Figure = Figure(None, 0)
    new_active: Figure = Figure(None, 0)
    how: list[Row] = field(default_factory=list)
    new_how: list[Row] = field(default_factory=list)
    served: int = 0
    switches_per_100: Figure = Figure(None, 0)
    switches: list[Row] = field(default_factory=list)
    waiting_days: Figure = Figure(None, 0)
    waiting_now: Figure = Figure(None, 0)  # mean days so far of those still waiting
    delivery: Figure = Figure(None, 0)
    cost_per_hour: Figure = Figure(None, 0)
    settled_months: int = 0
    providers: list[ProviderRow] = field(default_factory=list)

    @property
    def how_table(self) -> list[tuple[Row, Row]]:
        """(all users, new users) per way of getting the provider."""
        return list(zip(self.how, self.new_how, strict=True))


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 12 months up to today."""
    end = today or timezone.localdate()
    return end - timedelta(days=PERIOD_DAYS - 1), end


def _pct(part: int | Decimal | None, whole: int | Decimal | None) -> Decimal | None:
    if not whole or part is None:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _days(duration: timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _aware(day: date, end_of_day: bool = False) -> datetime:
    moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time.min, tzinfo=OSLO)
    return moment


def _in_force_on(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


def _current_choices(ids: list[int], day: date):
    """The choices in effect on ``day`` of decisions of the scheme in force that day."""
    return (
        ChoiceRow.objects.filter(decision__scheme_id__in=ids, effective_from__lte=day)
        .exclude(state=ChoiceState.CANCELLED)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=day))
        .filter(_in_force_on(day, "decision__"))
    )


PERSON = "decision__national_id_digest"


def _how_rows(choices, n: int) -> list[Row]:
    counts = dict(
        choices.values("how").annotate(k=Count(PERSON, distinct=True)).values_list("how", "k").order_by()
    )
    return [
        Row(str(label), counts.get(value, 0), _pct(counts.get(value, 0), n))
        for value, label in ChoiceHow.choices
    ]


def evaluate(scheme: Scheme, start: date, end: date) -> Evaluation:
    """Every figure of the scheme (all its versions) for the period ``start``–``end`` (inclusive)."""
    ids = [s.pk for s in selectors.versions_of(scheme)]
    result = Evaluation(scheme=scheme, start=start, end=end)

    # Shares on the last day: all users, and new users (no decision of the scheme before the period).
    current = _current_choices(ids, end)
    earlier = Decision.objects.filter(
        scheme_id__in=ids, national_id_digest=OuterRef(PERSON), valid_from__lt=start
    )
    new = current.filter(~Exists(earlier))
    private = Q(provider__unit__isnull=True)
    active = Q(how=ChoiceHow.ACTIVE)
    totals = current.aggregate(
        users=Count(PERSON, distinct=True),
        private=Count(PERSON, distinct=True, filter=private),
        active=Count(PERSON, distinct=True, filter=active),
    )
    new_totals = new.aggregate(
        users=Count(PERSON, distinct=True),
        private=Count(PERSON, distinct=True, filter=private),
        active=Count(PERSON, distinct=True, filter=active),
    )
    result.users, result.new_users = totals["users"], new_totals["users"]
    result.private = Figure(_pct(totals["private"], totals["users"]), totals["users"])
    result.new_private = Figure(_pct(new_totals["private"], new_totals["users"]), new_totals["users"])
    result.active = Figure(_pct(totals["active"], totals["users"]), totals["users"])
    result.new_active = Figure(_pct(new_totals["active"], new_totals["users"]), new_totals["users"])
    result.how = _how_rows(current, result.users)
    result.new_how = _how_rows(new, result.new_users)

    # Switches in the period, per 100 users served at any time in it.
    result.served = (
        Decision.objects.filter(scheme_id__in=ids, valid_from__lte=end)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .aggregate(n=Count("national_id_digest", distinct=True))["n"]
    )
    switched = (
        ChoiceRow.objects.filter(
            decision__scheme_id__in=ids, effective_from__gte=start, effective_from__lte=end
        )
        .exclude(state=ChoiceState.CANCELLED)
        .exclude(reason=SwitchReason.FIRST)
    )
    by_reason = dict(switched.values("reason").annotate(k=Count("pk")).values_list("reason", "k").order_by())
    own = switched.filter(how=ChoiceHow.ACTIVE).exclude(reason=SwitchReason.WAITING_OVER).count()
    per_100 = (
        (Decimal(own) * 100 / result.served).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if result.served
        else None
    )
    result.switches_per_100 = Figure(per_100, result.served)
    result.switches = [
        Row(str(label), by_reason[value], _pct(by_reason[value], result.served))
        for value, label in SwitchReason.choices
        if by_reason.get(value)
    ]

    # Waiting lists: days on the list of those placed in the period; those still waiting at its end.
    since = ExpressionWrapper(F("ended_at") - F("wished_at"), output_field=DurationField())
    placed = WaitingEntry.objects.filter(
        decision__scheme_id__in=ids,
        state=WaitingState.PLACED,
        ended_at__gte=_aware(start),
        ended_at__lt=_aware(end, end_of_day=True),
    ).aggregate(n=Count("pk"), mean=Avg(since))
    result.waiting_days = Figure(_days(placed["mean"]), placed["n"])
    so_far = ExpressionWrapper(
        Value(_aware(end, end_of_day=True)) - F("wished_at"), output_field=DurationField()
    )
    waiting = WaitingEntry.objects.filter(
        decision__scheme_id__in=ids, state=WaitingState.WAITING, wished_at__lt=_aware(end, end_of_day=True)
    ).aggregate(n=Count("pk"), mean=Avg(so_far))
    result.waiting_now = Figure(_days(waiting["mean"]), waiting["n"])

    # Delivery rate and cost per hour: the settlement lines of the months settled in the period.
    lines = SettlementLine.objects.filter(
        settlement__scheme_id__in=ids, settlement__month__gte=start.replace(day=1), settlement__month__lte=end
    )
    sums = dict(
        decided=Sum("decided_minutes"),
        performed=Sum("performed_minutes"),
        paid=Sum("paid_minutes"),
        amount=Sum("amount"),
        users=Count("decision", distinct=True),
    )
    overall = lines.aggregate(months=Count("settlement__month", distinct=True), **sums)
    result.settled_months = overall["months"]
    result.delivery = Figure(_pct(overall["performed"], overall["decided"]), overall["users"])
    result.cost_per_hour = Figure(_per_hour(overall["amount"], overall["paid"]), overall["users"])
    per_provider = {
        row["settlement__provider"]: row
        for row in lines.values("settlement__provider").annotate(**sums).order_by()
    }

    # Per provider: users on the last day, capacity, waiting, delivery, cost, satisfaction.
    users_by = dict(
        current.values("provider")
        .annotate(k=Count(PERSON, distinct=True))
        .values_list("provider", "k")
        .order_by()
    )
    waiting_by = dict(
        WaitingEntry.objects.filter(decision__scheme_id__in=ids, state=WaitingState.WAITING)
        .values("provider")
        .annotate(k=Count("pk"))
        .values_list("provider", "k")
        .order_by()
    )
    provider_ids = set(users_by) | set(per_provider) | set(waiting_by)
    shown = list(Provider.objects.filter(pk__in=provider_ids).select_related("survey").order_by("name"))
    surveys = survey_selectors.overall_figures({p.survey_id: p.survey for p in shown if p.survey_id}.values())
    for provider in shown:
        money = per_provider.get(provider.pk, {})
        figure = surveys.get(provider.survey_id) if provider.survey_id else None
        result.providers.append(
            ProviderRow(
                name=provider.name,
                private=not provider.is_municipal,
                users=users_by.get(provider.pk, 0),
                share=_pct(users_by.get(provider.pk, 0), result.users),
                capacity=provider.capacity_users,
                waiting=waiting_by.get(provider.pk, 0),
                delivery=Figure(_pct(money.get("performed"), money.get("decided")), money.get("users", 0)),
                cost_per_hour=Figure(
                    _per_hour(money.get("amount"), money.get("paid")), money.get("users", 0)
                ),
                satisfaction=Figure(
                    Decimal(str(round(figure.mean, 2))) if figure and figure.mean is not None else None,
                    figure.n if figure else 0,
                ),
                satisfaction_top=figure.top if figure else None,
                satisfaction_hidden=bool(figure and figure.suppressed),
            )
        )
    result.providers.sort(key=lambda p: (p.private, p.name))  # the municipal provider first
    return result


def _per_hour(amount: Decimal | None, minutes: int | None) -> Decimal | None:
    if not minutes or amount is None:
        return None
    return (Decimal(amount) * 60 / minutes).quantize(Decimal("0.01"), ROUND_HALF_UP)


# --- Indicator values ---------------------------------------------------------------------------

#: code suffix, name, unit of measure, direction, aspect, the Evaluation attribute
INDICATORS = [
    (
        "andel-privat",
        gettext_lazy("Users with a private provider"),
        "%",
        Direction.HIGHER_IS_BETTER,
        Aspect.VOLUME,
        "private",
    ),
    (
        "andel-privat-nye",
        gettext_lazy("New users with a private provider"),
        "%",
        Direction.HIGHER_IS_BETTER,
        Aspect.VOLUME,
        "new_private",
    ),
    (
        "andel-aktive-valg",
        gettext_lazy("Users who chose actively"),
        "%",
        Direction.HIGHER_IS_BETTER,
        Aspect.QUALITY,
        "active",
    ),
    (
        "andel-aktive-valg-nye",
        gettext_lazy("New users who chose actively"),
        "%",
        Direction.HIGHER_IS_BETTER,
        Aspect.QUALITY,
        "new_active",
    ),
    (
        "bytter-per-100",
        gettext_lazy("Switches of provider per 100 users"),
        gettext_lazy("per 100"),
        Direction.LOWER_IS_BETTER,
        Aspect.QUALITY,
        "switches_per_100",
    ),
    (
        "ventetid",
        gettext_lazy("Days on a waiting list"),
        gettext_lazy("days"),
        Direction.LOWER_IS_BETTER,
        Aspect.QUALITY,
        "waiting_days",
    ),
    (
        "leveringsgrad",
        gettext_lazy("Delivery rate (performed ÷ decided hours)"),
        "%",
        Direction.HIGHER_IS_BETTER,
        Aspect.QUALITY,
        "delivery",
    ),
    (
        "kostnad-per-time",
        gettext_lazy("Cost per hour"),
        "NOK",
        Direction.LOWER_IS_BETTER,
        Aspect.RESOURCES,
        "cost_per_hour",
    ),
]


def indicator_code(scheme: Scheme, suffix: str) -> str:
    return f"brukervalg-{scheme.service.slug}"[: 80 - len(suffix) - 1] + f"-{suffix}"


@transaction.atomic
def record_indicators(scheme: Scheme, period: tuple[date, date], *, user) -> list:
    """Record the scheme's figures for ``period`` as indicator values of its municipality for the
    year the period ends in (creating the indicators the first time). A figure not measured is not
    recorded. Returns the values written."""
    municipality = scheme.municipality
    require(user, Perm.INDICATOR_EDIT, municipality.pk)
    start, end = period
    result = evaluate(scheme, start, end)
    written = []
    for suffix, name, unit, direction, aspect, attribute in INDICATORS:
        figure: Figure = getattr(result, attribute)
        if not figure.measured:
            continue
        code = indicator_code(scheme, suffix)
        indicator = Indicator.objects.filter(municipality=municipality, code=code).first()
        if indicator is None:
            indicator = indicator_services.create_indicator(
                municipality=municipality,
                code=code,
                name=f"{name} ({scheme.service.name})"[:200],
                description=_("Evaluation of the user-choice scheme «%(scheme)s» (brukervalg).")
                % {"scheme": scheme.name},
                unit_of_measure=str(unit),
                direction=direction,
                aspect=aspect,
                source=Source.OWN,
                user=user,
            )
        note = _("n = %(n)s; %(start)s–%(end)s") % {
            "n": figure.n,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        written.append(
            indicator_services.record_value(
                indicator=indicator,
                municipality=municipality,
                year=end.year,
                value=figure.value,
                source=Source.OWN,
                note=note,
                user=user,
            )
        )
    return written


# --- Charts ---------------------------------------------------------------------------------------

WIDTH = 600
ROW_HEIGHT = 30
BAR = 20
TOP = 10
FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="12"'
MUNICIPAL_COLOUR = "#1e5a8c"
PRIVATE_COLOUR = "#b35c00"


def bars_svg(title: str, rows: list[tuple[str, float, str, bool | None]]) -> str:
    """Horizontal bars: (label, value 0–100, the text at the bar's end, private?). A private
    provider's bar is also hatched-free but marked «(private)» in its label: colour is never the only
    signal, and the table beside the chart holds the same figures."""
    left = min(260, max((7 * len(r[0]) for r in rows), default=0) + 14)
    right = WIDTH - 110
    top_value = max([100.0, *(r[1] for r in rows)]) if rows and max(r[1] for r in rows) > 100 else 100.0
    scale = (right - left) / top_value
    height = 2 * TOP + ROW_HEIGHT * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" {FONT}>',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, text, is_private) in enumerate(rows):
        y = TOP + ROW_HEIGHT * i
        baseline = y + ROW_HEIGHT / 2 + 4
        width = max(0.0, value) * scale
        colour = PRIVATE_COLOUR if is_private else MUNICIPAL_COLOUR
        parts.append(
            f'<text x="{left - 6}" y="{baseline:.1f}" text-anchor="end" fill="#1a1a1a">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + (ROW_HEIGHT - BAR) / 2:.1f}" width="{width:.1f}" height="{BAR}" '
            f'fill="{colour}"/>'
            f'<text x="{left + width + 4:.1f}" y="{baseline:.1f}" fill="#1a1a1a">{escape(text)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{TOP}" x2="{left}" y2="{TOP + ROW_HEIGHT * len(rows)}" stroke="#1a1a1a" '
        'stroke-width="0.8"/></svg>'
    )
    return "".join(parts)


def _short(label: str) -> str:
    return label if len(label) <= 34 else label[:32] + "…"


def provider_chart(result: Evaluation) -> str:
    rows = [
        (
            _short(p.name + (" " + _("(private)") if p.private else "")),
            float(p.share or 0),
            f"{number(p.share, 1)} % ({number(p.users)})" if p.share is not None else "–",
            p.private,
        )
        for p in result.providers
    ]
    return bars_svg(_("Users per provider on the last day"), rows)


def delivery_chart(result: Evaluation) -> str:
    rows = [
        (
            _short(p.name + (" " + _("(private)") if p.private else "")),
            float(p.delivery.value or 0),
            f"{number(p.delivery.value, 1)} %" if p.delivery.measured else _("not measured"),
            p.private,
        )
        for p in result.providers
    ]
    return bars_svg(_("Delivery rate per provider"), rows)
