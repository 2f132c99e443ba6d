"""Read queries of providers and their applications: the staff registry and queue (scoped through
core.tenancy), the provider's own portal (choice.access) and the public comparison of a scheme's
providers (capacity, staff continuity and the user survey's figure, each computed in the database
for all providers at once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from servicetorg.core.permissions import Perm
from servicetorg.core.tenancy import scope
from servicetorg.surveys import selectors as survey_selectors

from . import access, choices, sql
from .models import (
    Application,
    ApplicationState,
    Choice,
    ChoiceState,
    Provider,
    Scheme,
    WaitingEntry,
    WaitingState,
)

#: Staff continuity is measured over this many weeks before today, in periods of this many days.
CONTINUITY_WEEKS = 12
CONTINUITY_PERIOD_DAYS = 14


# --- Staff ------------------------------------------------------------------------------------


def providers_for(user) -> QuerySet[Provider]:
    """The registry: providers of the municipalities where the user reads user choice."""
    return (
        scope(Provider.objects.select_related("municipality", "unit"), user, Perm.CHOICE_READ)
        .annotate(
            n_approved=Count("applications", filter=Q(applications__state=ApplicationState.APPROVED)),
            n_members=Count("members", distinct=True),
        )
        .order_by("municipality__name", "name")
    )


def applications_for(user, *, state: str = "") -> QuerySet[Application]:
    """The queue of applications the user may read, the oldest deadline first."""
    qs = scope(
        Application.objects.select_related("scheme", "provider", "scheme__municipality"),
        user,
        Perm.CHOICE_READ,
        field="scheme__municipality",
    )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("decide_by", "submitted_at")


# --- The provider's own portal ----------------------------------------------------------------


def own_providers(user) -> QuerySet[Provider]:
    """The providers the user works for (choice.provide and a ProviderMember link)."""
    return Provider.objects.filter(pk__in=access.all_provider_ids(user)).select_related("municipality")


# --- Capacity and waiting lists ---------------------------------------------------------------


def _count(qs, field="pk") -> Subquery:
    return Coalesce(
        Subquery(
            qs.values("provider").annotate(n=Count(field, distinct=True)).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def with_capacity(qs: QuerySet[Provider], day=None) -> QuerySet[Provider]:
    """Annotate ``n_users`` (its users on ``day`` and those coming: as ``choices.taken`` counts them)
    and ``n_waiting`` (on its waiting list)."""
    day = day or timezone.localdate()
    taken = Choice.objects.filter(provider=OuterRef("pk"), state=ChoiceState.CURRENT).exclude(
        effective_until__lt=day
    )
    waiting = WaitingEntry.objects.filter(provider=OuterRef("pk"), state=WaitingState.WAITING)
    return qs.annotate(n_users=_count(taken, "decision"), n_waiting=_count(waiting))


@dataclass
class Capacity:
    users: int
    capacity: int
    waiting: int

    @property
    def stated(self) -> bool:
        return self.capacity > 0

    @property
    def takes_new(self) -> bool:
        """Room for a new user (``choices.is_full`` the other way round): fewer users than its
        capacity; a capacity of 0 declares no limit."""
        return not self.stated or self.users < self.capacity


def capacity_of(provider: Provider) -> Capacity:
    """From a provider annotated by :func:`with_capacity`."""
    return Capacity(
        users=getattr(provider, "n_users", 0),
        capacity=provider.capacity_users,
        waiting=getattr(provider, "n_waiting", 0),
    )


# --- Staff continuity -------------------------------------------------------------------------


@dataclass
class Continuity:
    """Distinct helpers per user per period: ``pairs`` (user, period) with visits and ``helpers`` the
    sum of their distinct helpers; ``users`` served in the window."""

    helpers: int
    pairs: int
    users: int

    @property
    def average(self) -> float | None:
        return self.helpers / self.pairs if self.pairs else None


def continuity_window(today=None) -> tuple[datetime, datetime]:
    """[start, end) of the continuity window: the last :data:`CONTINUITY_WEEKS` whole days before
    today (Oslo time)."""
    today = today or timezone.localdate()
    end = timezone.make_aware(datetime.combine(today, time.min))
    return end - timedelta(weeks=CONTINUITY_WEEKS), end


def continuity(provider_ids, *, today=None) -> dict[int, Continuity]:
    """Staff continuity per provider: the average number of distinct helpers (``staff_pseudonym``)
    a user met per 14 days, over the last 12 weeks, from the visits (cancelled ones left out).

    Each (user, 14-day period) with at least one visit counts once; the average is the sum of their
    distinct helpers divided by their number. One statement for all providers (choice/sql.py: an
    aggregate of an aggregate, which the ORM cannot write).
    """
    ids = sorted(set(provider_ids))
    if not ids:
        return {}
    start, end = continuity_window(today)
    step = timedelta(days=CONTINUITY_PERIOD_DAYS)
    periods = CONTINUITY_WEEKS * 7 // CONTINUITY_PERIOD_DAYS
    boundaries = [start + step * i for i in range(periods)] + [end]
    return {
        provider: Continuity(helpers=helpers, pairs=pairs, users=users)
        for provider, helpers, pairs, users in sql.continuity_rows(ids, boundaries)
    }


# --- The public comparison --------------------------------------------------------------------


def split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def serves(provider: Provider, district: str) -> bool:
    """Does the provider serve ``district`` (an empty list of districts: all of them)?"""
    districts = [d.casefold() for d in split(provider.districts)]
    return not district or not districts or district.casefold() in districts


def public_providers(scheme: Scheme) -> QuerySet[Provider]:
    """The providers a user may choose in ``scheme`` (``choices.approved_providers``: approved in
    it — a suspended or withdrawn one is not — and its default provider)."""
    return choices.approved_providers(scheme)


@dataclass
class ComparisonRow:
    provider: Provider
    capacity: Capacity
    continuity: Continuity | None
    survey: survey_selectors.OverallFigure | None
    languages: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    rows: list[ComparisonRow]
    districts: list[str]  # every district named by a provider, for the filter


def comparison(scheme: Scheme, *, district: str = "", today=None) -> Comparison:
    """The scheme's providers side by side, the municipal one first: profile summary, languages,
    districts, fixed helper, capacity status, staff continuity and the user survey's figure.
    Four queries whatever the number of providers (providers with their counts, continuity,
    and the survey figures' two)."""
    providers = list(
        with_capacity(public_providers(scheme), today).select_related("survey").order_by("unit", "name")
    )
    providers.sort(key=lambda p: (not p.is_municipal, p.name.casefold()))
    districts = sorted({d for p in providers for d in split(p.districts)}, key=str.casefold)
    shown = [p for p in providers if serves(p, district)]
    figures = continuity([p.pk for p in shown], today=today)
    surveys = survey_selectors.overall_figures({p.survey_id: p.survey for p in shown if p.survey_id}.values())
    rows = [
        ComparisonRow(
            provider=p,
            capacity=capacity_of(p),
            continuity=figures.get(p.pk),
            survey=surveys.get(p.survey_id) if p.survey_id else None,
            languages=split(p.languages),
            districts=split(p.districts),
        )
        for p in shown
    ]
    return Comparison(rows=rows, districts=districts)
