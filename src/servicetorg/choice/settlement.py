"""Monthly settlement ("money follows the user"): compute a scheme's month for every provider,
approve, mark paid; and the delivery rate (performed ÷ decided) per provider and per user.

:func:`compute` makes (or empties) the draft statement of every provider that served a decision of
the scheme in the month or performed a visit in it, and writes all their lines with one SQL
statement per price model (choice/sql.py, where the rules are). Computing a month again replaces the
lines of its drafts (``recompute`` in the table); an approved or paid statement is never touched.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core.permissions import Perm, can, check_actor, require

from . import access, sql, visits, workflow
from .models import (
    Choice,
    ChoiceState,
    PriceModel,
    Provider,
    Scheme,
    SchemeState,
    Settlement,
    SettlementLine,
    SettlementState,
    Visit,
    VisitState,
)


def first_of(month: date) -> date:
    return month.replace(day=1)


def last_of(month: date) -> date:
    return (first_of(month) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def may_settle(user, municipality_id: int) -> bool:
    return can(user, Perm.CHOICE_SETTLE, municipality_id)


def may_read(user, settlement: Settlement) -> bool:
    """The settlement office, or the provider the statement is for."""
    check_actor(user)
    return may_settle(user, settlement.scheme.municipality_id) or access.may_provide(
        user, settlement.provider
    )


def _providers(scheme: Scheme, first: date, last: date) -> set[int]:
    served = (
        Choice.objects.filter(decision__scheme=scheme, effective_from__lte=last)
        .exclude(state=ChoiceState.CANCELLED)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=first))
        .filter(decision__valid_from__lte=last)
        .filter(Q(decision__valid_until__isnull=True) | Q(decision__valid_until__gte=first))
        .values_list("provider_id", flat=True)
        .distinct()
    )
    providers = set(served)
    if scheme.price_model == PriceModel.HOURLY:
        starts, ends = visits.month_bounds(first)
        # One probe of the (provider, starts_at) index per provider of the municipality: a DISTINCT
        # over a month's visits would read them all (benchmarks/choice_settlement.py).
        visited = Visit.objects.filter(
            provider=OuterRef("pk"), decision__scheme=scheme, starts_at__gte=starts, starts_at__lt=ends
        ).exclude(state=VisitState.CANCELLED)
        performed = Provider.objects.filter(municipality_id=scheme.municipality_id).filter(Exists(visited))
        providers |= set(performed.values_list("pk", flat=True))
    return providers


@transaction.atomic
def compute(scheme: Scheme, month: date, *, user) -> list[Settlement]:
    """Compute (again) the month's statements of every provider of ``scheme``: the drafts' lines are
    replaced; approved and paid statements stay as they are. Returns the month's statements."""
    require(user, Perm.CHOICE_SETTLE, scheme.municipality_id)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)  # one computation of a scheme at a time
    if scheme.state == SchemeState.DRAFT:
        raise ValidationError(_("A draft scheme has nothing to settle."))
    first, last = first_of(month), last_of(month)
    if first > timezone.localdate():
        raise ValidationError({"month": _("A month that has not begun cannot be settled.")})
    existing = {s.provider_id: s for s in Settlement.objects.filter(scheme=scheme, month=first)}
    drafts = []
    for settlement in existing.values():
        if settlement.state != SettlementState.DRAFT:
            continue
        workflow.SETTLEMENT_WORKFLOW.lock(settlement)
        workflow.SETTLEMENT_WORKFLOW.apply(settlement, workflow.RECOMPUTE)  # TransitionRefused
        drafts.append(settlement)
    for provider_id in sorted(_providers(scheme, first, last) - set(existing)):
        drafts.append(Settlement.objects.create(scheme=scheme, provider_id=provider_id, month=first))
    SettlementLine.objects.filter(settlement__in=drafts).delete()
    if drafts:
        if scheme.price_model == PriceModel.DAILY:
            sql.insert_daily_lines(scheme_id=scheme.pk, month=first, last=last)
        else:
            starts, ends = visits.month_bounds(first)
            sql.insert_hourly_lines(
                scheme_id=scheme.pk,
                month=first,
                last=last,
                starts=starts,
                ends=ends,
                settle_on=scheme.settle_on,
            )
    totals = dict(
        SettlementLine.objects.filter(settlement__in=drafts)
        .values("settlement")
        .annotate(total=Sum("amount"))
        .values_list("settlement", "total")
    )
    now = timezone.now()
    for settlement in drafts:
        settlement.total = totals.get(settlement.pk) or Decimal("0")
        settlement.computed_at = now
        settlement.save()
    return list(
        Settlement.objects.filter(scheme=scheme, month=first)
        .select_related("provider")
        .order_by("provider__name")
    )


@transaction.atomic
def approve(settlement: Settlement, *, user) -> Settlement:
    """The settlement office approves a computed statement: it is not computed again."""
    require(user, Perm.CHOICE_SETTLE, settlement.scheme.municipality_id)
    settlement = workflow.SETTLEMENT_WORKFLOW.lock(settlement, reload=True)
    workflow.SETTLEMENT_WORKFLOW.apply(settlement, workflow.APPROVE_SETTLEMENT)  # TransitionRefused
    if settlement.computed_at is None:
        raise ValidationError(_("Compute the statement before it is approved."))
    settlement.approved_at = timezone.now()
    settlement.save()
    return settlement


@transaction.atomic
def pay(settlement: Settlement, *, user) -> Settlement:
    """Record that an approved statement is paid."""
    require(user, Perm.CHOICE_SETTLE, settlement.scheme.municipality_id)
    settlement = workflow.SETTLEMENT_WORKFLOW.lock(settlement, reload=True)
    workflow.SETTLEMENT_WORKFLOW.apply(settlement, workflow.PAY)  # TransitionRefused
    settlement.paid_at = timezone.now()
    settlement.save()
    return settlement


# --- Reading ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Delivery:
    """Performed ÷ decided minutes (None when nothing was decided)."""

    key: object
    decided: int
    performed: int

    @property
    def rate(self) -> float | None:
        return self.performed / self.decided if self.decided else None


def delivery_by_provider(scheme: Scheme, month: date) -> list[Delivery]:
    """The delivery rate of each provider of the scheme's settled month (hourly model)."""
    rows = (
        SettlementLine.objects.filter(settlement__scheme=scheme, settlement__month=first_of(month))
        .values("settlement__provider__name")
        .annotate(decided=Sum("decided_minutes"), performed=Sum("performed_minutes"))
        .order_by("settlement__provider__name")
    )
    return [Delivery(r["settlement__provider__name"], r["decided"] or 0, r["performed"] or 0) for r in rows]


def delivery_by_decision(settlement: Settlement) -> list[Delivery]:
    """The delivery rate of each user (decision) of a statement."""
    rows = (
        settlement.lines.values("decision_id")
        .annotate(decided=Sum("decided_minutes"), performed=Sum("performed_minutes"))
        .order_by("decision_id")
    )
    return [Delivery(r["decision_id"], r["decided"] or 0, r["performed"] or 0) for r in rows]


def settlements_for(user):
    """The statements the user may read: every one of the municipalities she settles, and her own
    provider's."""
    from servicetorg.core.permissions import municipality_ids

    qs = Settlement.objects.select_related("scheme", "provider")
    settled = municipality_ids(user, Perm.CHOICE_SETTLE)
    own = access.all_provider_ids(user)
    if settled is None:
        return qs
    return qs.filter(Q(scheme__municipality_id__in=settled) | Q(provider_id__in=own))


def require_read(user, settlement: Settlement) -> None:
    if not may_read(user, settlement):
        raise PermissionDenied
