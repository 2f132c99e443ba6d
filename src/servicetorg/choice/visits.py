"""Visits (besøk): registered by the provider, attested by the user (or a relative, or the provider
with proof where the scheme accepts it), and the ordering unit's approval of a deviation.

**Bands.** A visit is banded by its *start*, in Oslo time (:func:`band_of`): a visit on a Saturday,
a Sunday or a Norwegian public holiday (``core.workdays``) is ``weekend`` whatever the hour; on other
days 07–15 is ``day``, 15–23 ``evening`` and 23–07 ``night``. A visit that starts at 14:30 and ends at
16:00 is a day visit of 90 minutes: one visit, one band (what the provider's own systems do, and what
the settlement can sum in SQL). Its band and minutes are stored when it is registered or corrected.

**At the edge.** A visit is refused with a clear message when it ends before it starts, is shorter
than a minute or longer than :data:`MAX_MINUTES`, lies outside the decision's period, overlaps another
visit of the same decision, or falls on a day the provider did not serve the decision (its choice was
not in effect). The decision's row is locked while a visit is written, so two concurrent posts
cannot both pass the overlap check.

Every function takes the acting user as ``user=`` and checks the permission first, then the table
(``VISIT_WORKFLOW``), then its own rules.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.citizens import assurance
from servicetorg.core.permissions import CITIZEN, Perm, can, check_actor, is_system, require, user_of
from servicetorg.core.workdays import public_holidays

from . import access, workflow
from .models import (
    AttestedBy,
    Band,
    Choice,
    ChoiceState,
    Decision,
    Provider,
    Visit,
    VisitSource,
    VisitState,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
#: A longer visit is refused as implausible (a typing error in the end time, most often).
MAX_MINUTES = 12 * 60


def band_of(starts_at: datetime) -> str:
    """The time band of a visit starting at ``starts_at`` (aware; read in Oslo time): weekend and
    public holidays first, then 07–15 day, 15–23 evening, 23–07 night. Banded by the start."""
    local = starts_at.astimezone(OSLO)
    day = local.date()
    if day.weekday() >= 5 or day in public_holidays(day.year):
        return Band.WEEKEND
    if 7 <= local.hour < 15:
        return Band.DAY
    if 15 <= local.hour < 23:
        return Band.EVENING
    return Band.NIGHT


def local_day(moment: datetime) -> date:
    return moment.astimezone(OSLO).date()


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first moment of ``month`` and of the month after, in Oslo time (aware)."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, time.min, tzinfo=OSLO),
        datetime.combine(following, time.min, tzinfo=OSLO),
    )


def choices_in_effect(decision_id: int, day: date):
    """The choices (any provider) serving the decision on ``day``: not cancelled, in their period."""
    return (
        Choice.objects.filter(decision_id=decision_id, effective_from__lte=day)
        .exclude(state=ChoiceState.CANCELLED)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=day))
    )


def provider_serves(provider_id: int, decision_id: int, day: date) -> bool:
    return choices_in_effect(decision_id, day).filter(provider_id=provider_id).exists()


def _require_provider(user, provider: Provider) -> None:
    """Only a member of ``provider`` (holding choice.provide), or SYSTEM."""
    check_actor(user)
    if is_system(user):
        return
    require(user, Perm.CHOICE_PROVIDE, provider.municipality_id, unit_bound=False)
    if not access.may_provide(user, provider):
        raise PermissionDenied


def _check_times(decision: Decision, provider_id: int, starts_at, ends_at, *, exclude_pk=None) -> None:
    if starts_at is None or ends_at is None:
        raise ValidationError({"starts_at": _("Give the start and the end of the visit.")})
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("visit times must be aware")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The visit cannot end before it starts.")})
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    if minutes < 1:
        raise ValidationError({"ends_at": _("The visit is shorter than a minute.")})
    if minutes > MAX_MINUTES:
        raise ValidationError(
            {"ends_at": _("The visit is implausibly long (more than %(hours)s hours).") % {"hours": 12}}
        )
    first, last = local_day(starts_at), local_day(ends_at - timedelta(microseconds=1))
    if first < decision.valid_from or (decision.valid_until and last > decision.valid_until):
        raise ValidationError(
            {
                "starts_at": _("The visit is outside the decision's period (%(period)s).")
                % {"period": _period(decision)}
            }
        )
    if not provider_serves(provider_id, decision.pk, first):
        raise ValidationError({"starts_at": _("Your provider did not serve this user on that day.")})
    overlapping = (
        Visit.objects.filter(decision_id=decision.pk, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(state=VisitState.CANCELLED)
        .exclude(pk=exclude_pk)
    )
    other = overlapping.order_by("starts_at").first()
    if other is not None:
        start = timezone.localtime(other.starts_at, OSLO)
        end = timezone.localtime(other.ends_at, OSLO)
        raise ValidationError(
            {
                "starts_at": _("The visit overlaps another visit to this user (%(start)s–%(end)s).")
                % {"start": f"{start:%d.%m.%Y %H:%M}", "end": f"{end:%H:%M}"}
            }
        )


def _period(decision: Decision) -> str:
    until = f"{decision.valid_until:%d.%m.%Y}" if decision.valid_until else "…"
    return f"{decision.valid_from:%d.%m.%Y}–{until}"


def _has_served(provider_id: int, decision_id: int) -> bool:
    return (
        Choice.objects.filter(provider_id=provider_id, decision_id=decision_id)
        .exclude(state=ChoiceState.CANCELLED)
        .exists()
    )


@transaction.atomic
def register_visit(
    *,
    provider: Provider,
    decision: Decision,
    starts_at: datetime,
    ends_at: datetime,
    staff_pseudonym: str,
    user,
    source: str = VisitSource.REGISTERED,
    external_id: str = "",
) -> Visit:
    """Register a visit ``provider`` performed for ``decision``. A decision the provider never
    served does not exist for it (PermissionDenied); the rules of the module's note are checked."""
    _require_provider(user, provider)
    if decision.municipality_id != provider.municipality_id or not _has_served(provider.pk, decision.pk):
        raise PermissionDenied
    decision = Decision.objects.select_for_update().get(pk=decision.pk)  # serialises overlap checks
    pseudonym = (staff_pseudonym or "").strip()
    if not pseudonym:
        raise ValidationError({"staff_pseudonym": _("Give the helper's pseudonym.")})
    if len(pseudonym) > 40:
        raise ValidationError({"staff_pseudonym": _("The helper's pseudonym is at most 40 characters.")})
    external_id = (external_id or "").strip()
    if len(external_id) > 64:
        raise ValidationError({"external_id": _("The visit id is at most 64 characters.")})
    if external_id and Visit.objects.filter(provider=provider, external_id=external_id).exists():
        raise ValidationError({"external_id": _("A visit with this id is already registered.")})
    _check_times(decision, provider.pk, starts_at, ends_at)
    visit = Visit(
        provider=provider,
        decision=decision,
        starts_at=starts_at,
        ends_at=ends_at,
        band=band_of(starts_at),
        minutes=int((ends_at - starts_at).total_seconds() // 60),
        staff_pseudonym=pseudonym,
        source=source,
        external_id=external_id,
        registered_by=user_of(user),
    )
    visit.save()
    return visit


# --- Attestation ---------------------------------------------------------------------------------


def _citizen_attester(visit: Visit, viewer) -> str:
    """Who attests for the citizen viewer: the user herself or a relative (a valid relation), at the
    care level of assurance; anyone else is refused (the visit does not exist for her)."""
    if viewer is None:
        raise PermissionDenied
    if not assurance.satisfies(viewer.signed_in.level, assurance.CARE):
        raise PermissionDenied
    decision = visit.decision
    if (
        decision.municipality_id != viewer.municipality.pk
        or decision.national_id_digest != viewer.subject_digest
    ):
        raise PermissionDenied
    return AttestedBy.USER if viewer.for_herself else AttestedBy.RELATIVE


@transaction.atomic
def attest(visit: Visit, *, user, viewer=None, proof: str = "") -> Visit:
    """The user or her relative attests a visit (``user=CITIZEN`` and her Min side ``viewer``), or the
    provider does with ``proof`` where its scheme lets it (``Scheme.provider_may_attest``). Attesting
    twice is the table's refusal."""
    check_actor(user)
    proof = (proof or "").strip()
    if user is CITIZEN:
        attested_by = _citizen_attester(visit, viewer)
        proof = ""
    else:
        _require_provider(user, visit.provider)
        if not visit.decision.scheme.provider_may_attest:
            raise ValidationError(_("In this scheme only the user or a relative attests visits."))
        if not proof:
            raise ValidationError({"proof": _("Describe the proof of the visit (e.g. the key log).")})
        if len(proof) > 200:
            raise ValidationError({"proof": _("The proof is at most 200 characters.")})
        attested_by = AttestedBy.PROVIDER_PROOF
    visit = workflow.VISIT_WORKFLOW.lock(visit, reload=True)
    workflow.VISIT_WORKFLOW.apply(visit, workflow.ATTEST)  # TransitionRefused
    visit.attested_at = timezone.now()
    visit.attested_by = attested_by
    visit.proof = proof
    visit.save(update_fields=["state", "attested_at", "attested_by", "proof"])
    return visit


@transaction.atomic
def dispute(visit: Visit, *, user, viewer=None) -> Visit:
    """The user or her relative says a visit did not take place as registered: the provider corrects
    or cancels it."""
    check_actor(user)
    if user is not CITIZEN:
        raise PermissionDenied
    _citizen_attester(visit, viewer)
    visit = workflow.VISIT_WORKFLOW.lock(visit, reload=True)
    workflow.VISIT_WORKFLOW.apply(visit, workflow.DISPUTE)
    visit.save(update_fields=["state"])
    return visit


@transaction.atomic
def correct(
    visit: Visit, *, user, starts_at: datetime, ends_at: datetime, staff_pseudonym: str = ""
) -> Visit:
    """The provider corrects a disputed visit (new times): it goes back to the user to attest."""
    _require_provider(user, visit.provider)
    Decision.objects.select_for_update().get(pk=visit.decision_id)
    visit = workflow.VISIT_WORKFLOW.lock(visit, reload=True)
    workflow.VISIT_WORKFLOW.apply(visit, workflow.CORRECT)
    pseudonym = (staff_pseudonym or visit.staff_pseudonym).strip()[:40]
    _check_times(visit.decision, visit.provider_id, starts_at, ends_at, exclude_pk=visit.pk)
    visit.starts_at, visit.ends_at, visit.staff_pseudonym = starts_at, ends_at, pseudonym
    visit.band = band_of(starts_at)
    visit.minutes = int((ends_at - starts_at).total_seconds() // 60)
    visit.deviation_approved = False
    visit.save()
    return visit


@transaction.atomic
def cancel(visit: Visit, *, user) -> Visit:
    """The provider withdraws a visit that is not attested (registered by mistake, or disputed)."""
    _require_provider(user, visit.provider)
    visit = workflow.VISIT_WORKFLOW.lock(visit, reload=True)
    workflow.VISIT_WORKFLOW.apply(visit, workflow.CANCEL)
    visit.save(update_fields=["state"])
    return visit


# --- Deviations ---------------------------------------------------------------------------------


def may_order(user, decision: Decision) -> bool:
    return can(user, Perm.CHOICE_ORDER, decision.municipality_id, decision.unit_id)


@transaction.atomic
def approve_deviation(decision: Decision, month: date, band: str, *, user) -> int:
    """The ordering unit approves the visits of ``decision`` in ``band`` and ``month`` beyond the
    decided hours: the settlement pays them in full (not capped). Returns the visits marked."""
    check_actor(user)
    if not may_order(user, decision):
        raise PermissionDenied
    if band not in Band.values:
        raise ValidationError({"band": _("Unknown band.")})
    start, end = month_bounds(month)
    return (
        Visit.objects.filter(decision=decision, band=band, starts_at__gte=start, starts_at__lt=end)
        .exclude(state=VisitState.CANCELLED)
        .update(deviation_approved=True)
    )
