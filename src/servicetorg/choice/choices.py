"""The user's choice of provider: choose and switch, the default provider, waiting lists, and
moving every user of a provider that leaves the scheme. Plain transactional functions; each takes
the acting user — a member of the ordering unit (``choice.order`` on the decision's unit), SYSTEM,
or ``CITIZEN`` with the :class:`~servicetorg.citizens.services.Viewer` of Min side (she herself, or
someone a recorded relation lets her act for, signed in at ``assurance.CARE``).

Rules (published on the scheme's page and brochure):

- Only approved providers can be chosen: an application *approved* in the scheme, or the scheme's
  default provider. A switch takes effect by the scheme's notice rule (:mod:`choice.notice`); the
  current choice ends the day before. A first choice takes effect at once (or on the decision's
  first day). No limit on how often she switches; choosing again before a switch takes effect
  replaces that switch, and a switch not yet in effect can be cancelled.
- A full provider (its current and coming users ≥ its capacity; a capacity of 0 means no limit
  declared) puts her on its waiting list: position by the date of the wish, earliest first. If she
  has no provider yet, the default provider serves her meanwhile (``how=waiting``); if she has one,
  she keeps it. When a place frees, the first on the list is moved there by the notice rule.
- Who never chooses gets the default provider (``how=default``) by the scheme's rule: the municipal
  provider, a rotation list, or the nearest (her district among the provider's districts).
- A provider withdrawn from the scheme: on the day it takes effect all its users move to their next
  choice (if approved and not full) or the default provider (``how=moved``), with a letter each.

A choice is *in effect* on a day when it is not cancelled and the day lies between its
``effective_from`` and ``effective_until``. A choice stays ``current`` until a switch away from it
has taken effect (so that cancelling the switch restores it); ending a decision or a withdrawal ends
it at once (nothing restores those).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from servicetorg.citizens import assurance
from servicetorg.core.outbox import enqueue_email, enqueue_sms
from servicetorg.core.permissions import CITIZEN, SYSTEM, Perm, check_actor, require, user_of

from . import notice, workflow
from .decisions import require_order
from .models import (
    Application,
    ApplicationState,
    Choice,
    ChoiceHow,
    ChoiceState,
    Decision,
    DecisionState,
    DefaultRule,
    Provider,
    Scheme,
    SwitchReason,
    WaitingEntry,
    WaitingState,
)

#: Reasons a user (or the case officer on her behalf) may give for a switch; the others are the system's.
USER_REASONS = (
    SwitchReason.QUALITY,
    SwitchReason.CONTINUITY,
    SwitchReason.LANGUAGE,
    SwitchReason.MOVED,
    SwitchReason.OTHER,
)


# --- Reads ------------------------------------------------------------------------------------


def in_effect_q(day: date, prefix: str = "") -> Q:
    return (
        ~Q(**{f"{prefix}state": ChoiceState.CANCELLED})
        & Q(**{f"{prefix}effective_from__lte": day})
        & (Q(**{f"{prefix}effective_until__isnull": True}) | Q(**{f"{prefix}effective_until__gte": day}))
    )


def current_choice(decision: Decision, day: date | None = None) -> Choice | None:
    """The choice in effect on ``day`` (today)."""
    day = day or timezone.localdate()
    return (
        Choice.objects.filter(in_effect_q(day), decision=decision)
        .select_related("provider", "next_provider")
        .order_by("-effective_from", "-pk")
        .first()
    )


def pending_choices(decision: Decision, day: date | None = None):
    """Choices made but not yet in effect (a switch waiting for its date)."""
    day = day or timezone.localdate()
    return Choice.objects.filter(
        decision=decision, state=ChoiceState.CURRENT, effective_from__gt=day
    ).select_related("provider")


def approved_providers(scheme: Scheme):
    """The providers she may choose in ``scheme``: approved there, or its default provider."""
    approved = Application.objects.filter(scheme=scheme, state=ApplicationState.APPROVED).values(
        "provider_id"
    )
    q = Q(pk__in=approved)
    if scheme.default_provider_id:
        q |= Q(pk=scheme.default_provider_id)
    return Provider.objects.filter(q, municipality_id=scheme.municipality_id).order_by("name")


def is_approved(scheme: Scheme, provider: Provider) -> bool:
    return approved_providers(scheme).filter(pk=provider.pk).exists()


def taken(provider: Provider, day: date, *, besides: Decision | None = None) -> int:
    """Users the provider has on ``day`` or takes on after it (current and coming choices)."""
    qs = (
        Choice.objects.filter(provider=provider)
        .exclude(state=ChoiceState.CANCELLED)
        .exclude(effective_until__lt=day)  # an ended choice holds its place until its last day
    )
    if besides is not None:
        qs = qs.exclude(decision=besides)
    return qs.values("decision").distinct().count()


def is_full(provider: Provider, day: date, *, besides: Decision | None = None) -> bool:
    """A capacity of 0 declares no limit."""
    return bool(provider.capacity_users) and taken(provider, day, besides=besides) >= provider.capacity_users


def waiting_position(entry: WaitingEntry) -> int:
    """Her place in the queue (1 = next), by the published rule: earliest wish first."""
    return (
        WaitingEntry.objects.filter(provider_id=entry.provider_id, state=WaitingState.WAITING)
        .filter(Q(wished_at__lt=entry.wished_at) | Q(wished_at=entry.wished_at, pk__lt=entry.pk))
        .count()
        + 1
    )


def waiting_list(provider: Provider):
    return WaitingEntry.objects.filter(provider=provider, state=WaitingState.WAITING).order_by(
        "wished_at", "pk"
    )


def default_provider_for(decision: Decision, *, day: date | None = None, exclude=()) -> Provider | None:
    """The provider the scheme's default rule gives ``decision`` (None if the scheme has none left)."""
    day = day or timezone.localdate()
    scheme = decision.scheme
    excluded = {p.pk if isinstance(p, Provider) else p for p in exclude}
    candidates = [
        p for p in approved_providers(scheme).order_by("pk") if p.pk not in excluded and not is_full(p, day)
    ]
    fallback = scheme.default_provider if scheme.default_provider_id not in excluded else None
    if scheme.default_rule == DefaultRule.ROTATION and candidates:
        last = (
            Choice.objects.filter(decision__scheme=scheme, how=ChoiceHow.DEFAULT, provider__in=candidates)
            .order_by("-pk")
            .values_list("provider_id", flat=True)
            .first()
        )
        ids = [p.pk for p in candidates]
        return candidates[(ids.index(last) + 1) % len(ids)] if last in ids else candidates[0]
    if scheme.default_rule == DefaultRule.NEAREST and decision.district:
        district = decision.district.strip().casefold()
        near = [p for p in candidates if district in {d.strip().casefold() for d in p.districts.split(",")}]
        if near:
            return near[0]
        if fallback is None:
            everywhere = [p for p in candidates if not p.districts.strip()]
            if everywhere:
                return everywhere[0]
    if fallback is not None:
        return fallback  # the municipality serves whoever is left, full or not (its duty)
    municipal = [p for p in candidates if p.is_municipal]
    return (municipal or candidates or [None])[0]


def preview(decision: Decision, *, day: date | None = None) -> date:
    """The day a choice made now would take effect (shown before she confirms)."""
    day = day or timezone.localdate()
    first = current_choice(decision, day) is None
    return notice.effective_date(decision.scheme, day, first=first, starts_on=decision.valid_from)


# --- Who may act ------------------------------------------------------------------------------


def may_act_for(viewer, decision: Decision) -> bool:
    """Is the decision hers, or of someone a valid relation lets her act for, at the care level?"""
    return (
        viewer is not None
        and viewer.municipality.pk == decision.municipality_id
        and viewer.subject_digest == decision.national_id_digest
        and assurance.satisfies(viewer.signed_in.level, assurance.CARE)
    )


def _require_actor(user, decision: Decision, viewer) -> str:
    """Check who acts; returns the digest to record for a citizen ("" for staff)."""
    check_actor(user)
    if user is CITIZEN:
        if not may_act_for(viewer, decision):
            raise PermissionDenied
        return viewer.signed_in.digest
    require_order(user, decision)
    return ""


def _in_force(decision: Decision) -> Decision:
    decision = workflow.DECISION_WORKFLOW.lock(decision, reload=True)
    if decision.state != DecisionState.IN_FORCE:
        raise ValidationError(_("The decision is no longer in force: no provider can be chosen for it."))
    return decision


# --- Choose and switch ------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    """What a choice led to: the new choice (None when she keeps her provider while waiting), her
    place on a full provider's waiting list, and the day it takes effect."""

    choice: Choice | None
    waiting: WaitingEntry | None
    effective_from: date | None
    position: int | None = None


def _close_past(decision: Decision, day: date) -> None:
    """End the choices whose last day has passed (a switch away from them took effect)."""
    for choice in Choice.objects.filter(
        decision=decision, state=ChoiceState.CURRENT, effective_until__lt=day
    ):
        workflow.CHOICE_WORKFLOW.lock(choice)
        workflow.CHOICE_WORKFLOW.apply(choice, workflow.END_CHOICE, internal=True)
        choice.save()


def _cancel(choice: Choice) -> None:
    workflow.CHOICE_WORKFLOW.lock(choice)
    workflow.CHOICE_WORKFLOW.apply(choice, workflow.CANCEL)
    choice.save()


def _leave_waiting(entry: WaitingEntry, action: str) -> None:
    workflow.WAITING_WORKFLOW.lock(entry)
    workflow.WAITING_WORKFLOW.apply(entry, action, internal=action == workflow.PLACE)
    entry.ended_at = timezone.now()
    entry.save()


def _end_before(choice: Choice, day: date) -> None:
    """``choice`` serves until the day before ``day``."""
    choice.effective_until = day - timedelta(days=1)
    choice.save(update_fields=["effective_until"])


@transaction.atomic
def choose(
    decision: Decision,
    provider: Provider,
    *,
    user,
    viewer=None,
    reason: str = "",
    reason_text: str = "",
    next_provider: Provider | None = None,
    day: date | None = None,
) -> Outcome:
    """She chooses ``provider`` (first choice or switch). See the module's rules."""
    by_citizen = _require_actor(user, decision, viewer)
    decision = _in_force(decision)
    day = day or timezone.localdate()
    scheme = decision.scheme
    errors = {}
    if provider.municipality_id != decision.municipality_id or not is_approved(scheme, provider):
        errors["provider"] = _("This provider is not approved in the scheme.")
    if next_provider is not None and (
        next_provider.pk == provider.pk or not is_approved(scheme, next_provider)
    ):
        errors["next_provider"] = _("The next choice must be another approved provider.")
    if errors:
        raise ValidationError(errors)
    _close_past(decision, day)
    active = current_choice(decision, day)
    for pending in pending_choices(decision, day):  # choosing again replaces a switch not yet in effect
        _cancel(pending)
    first = active is None
    effective = notice.effective_date(scheme, day, first=first, starts_on=decision.valid_from)
    if active is not None and active.effective_until is not None:
        if active.state == ChoiceState.CURRENT:  # the switch away from it was just cancelled
            active.effective_until = None
            active.save(update_fields=["effective_until"])
        else:  # its provider leaves: no notice is owed beyond its last day
            effective = min(effective, active.effective_until + timedelta(days=1))
    if decision.valid_until and effective > decision.valid_until:
        raise ValidationError(
            _("The decision ends on %(end)s, before a switch could take effect (%(date)s).")
            % {"end": date_text(decision.valid_until), "date": date_text(effective)}
        )
    if active is not None and active.provider_id == provider.pk:
        if next_provider is not None or reason_text:
            active.next_provider = next_provider
            active.save(update_fields=["next_provider"])
        for entry in WaitingEntry.objects.filter(decision=decision, state=WaitingState.WAITING):
            _leave_waiting(entry, workflow.CANCEL)
        return Outcome(choice=active, waiting=None, effective_from=active.effective_from)
    if first:
        reason = SwitchReason.FIRST
    elif reason not in USER_REASONS:
        reason = SwitchReason.OTHER
    if is_full(provider, effective, besides=decision):
        entry = WaitingEntry.objects.filter(
            decision=decision, provider=provider, state=WaitingState.WAITING
        ).first()
        entry = entry or WaitingEntry.objects.create(decision=decision, provider=provider)
        choice = None
        if first:
            default = default_provider_for(decision, day=effective, exclude=[provider])
            if default is None:
                raise ValidationError(_("The scheme has no default provider to serve her while she waits."))
            choice = Choice.objects.create(
                decision=decision,
                provider=default,
                how=ChoiceHow.WAITING,
                reason=SwitchReason.FIRST,
                chosen_by=user_of(user),
                by_citizen=by_citizen,
                effective_from=effective,
            )
        return Outcome(
            choice=choice, waiting=entry, effective_from=effective, position=waiting_position(entry)
        )
    if active is not None:
        _end_before(active, effective)
    choice = Choice.objects.create(
        decision=decision,
        provider=provider,
        how=ChoiceHow.ACTIVE,
        reason=reason,
        reason_text=(reason_text or "").strip()[:500],
        next_provider=next_provider,
        chosen_by=user_of(user),
        by_citizen=by_citizen,
        effective_from=effective,
    )
    for entry in WaitingEntry.objects.filter(decision=decision, state=WaitingState.WAITING):
        _leave_waiting(entry, workflow.CANCEL)  # she chose: she waits for no one else
    if active is not None:  # her place at the provider she leaves goes to its waiting list
        place_from_waiting_list(active.provider, scheme=scheme, user=SYSTEM, day=day)
    return Outcome(choice=choice, waiting=None, effective_from=effective)


@transaction.atomic
def cancel_switch(choice: Choice, *, user, viewer=None, day: date | None = None) -> Choice:
    """Cancel a choice not yet in effect; the choice before it goes on serving."""
    _require_actor(user, choice.decision, viewer)
    day = day or timezone.localdate()
    workflow.CHOICE_WORKFLOW.lock(choice)
    workflow.CHOICE_WORKFLOW.apply(choice, workflow.CANCEL)  # TransitionRefused
    if choice.effective_from <= day:
        raise ValidationError(_("This choice has already taken effect: choose another provider instead."))
    choice.save()
    before = (
        Choice.objects.filter(
            decision_id=choice.decision_id,
            state=ChoiceState.CURRENT,
            effective_until=choice.effective_from - timedelta(days=1),
        )
        .order_by("-effective_from")
        .first()
    )
    if before is not None:
        before.effective_until = None
        before.save(update_fields=["effective_until"])
    place_from_waiting_list(choice.provider, scheme=choice.decision.scheme, user=SYSTEM, day=day)
    return choice


@transaction.atomic
def cancel_waiting(entry: WaitingEntry, *, user, viewer=None) -> WaitingEntry:
    """She no longer waits for this provider."""
    _require_actor(user, entry.decision, viewer)
    _leave_waiting(entry, workflow.CANCEL)  # TransitionRefused
    return entry


@transaction.atomic
def assign_default(decision: Decision, *, user, day: date | None = None) -> Choice:
    """The default provider for a user who has not chosen (``how=default``)."""
    check_actor(user)
    if user is not SYSTEM:
        require_order(user, decision)
    decision = _in_force(decision)
    day = day or timezone.localdate()
    if Choice.objects.filter(decision=decision, state=ChoiceState.CURRENT).exists():
        raise ValidationError(_("She already has a provider."))
    provider = default_provider_for(decision, day=day)
    if provider is None:
        raise ValidationError(_("The scheme has no default provider: set one on the scheme."))
    return Choice.objects.create(
        decision=decision,
        provider=provider,
        how=ChoiceHow.DEFAULT,
        reason=SwitchReason.FIRST,
        chosen_by=user_of(user),
        effective_from=max(day, decision.valid_from),
    )


@transaction.atomic
def place_from_waiting_list(
    provider: Provider, *, user, scheme: Scheme | None = None, day: date | None = None
) -> list[Choice]:
    """Give freed places at ``provider`` to those first on its waiting list (earliest wish first);
    each switch takes effect by the notice rule."""
    check_actor(user)
    if user is not SYSTEM:
        require(user, Perm.CHOICE_ORDER, provider.municipality_id, unit_bound=False)
    day = day or timezone.localdate()
    placed = []
    entries = waiting_list(provider).select_related("decision", "decision__scheme")
    if scheme is not None:
        entries = entries.filter(decision__scheme=scheme)
    for entry in entries:
        decision = entry.decision
        if decision.state != DecisionState.IN_FORCE or not is_approved(decision.scheme, provider):
            _leave_waiting(entry, workflow.CANCEL)
            continue
        active = current_choice(decision, day)
        effective = notice.effective_date(
            decision.scheme, day, first=active is None, starts_on=decision.valid_from
        )
        if is_full(provider, effective, besides=decision):
            break
        if decision.valid_until and effective > decision.valid_until:
            _leave_waiting(entry, workflow.CANCEL)
            continue
        for pending in pending_choices(decision, day):
            _cancel(pending)
        if active is not None:
            _end_before(active, effective)
        choice = Choice.objects.create(
            decision=decision,
            provider=provider,
            how=ChoiceHow.ACTIVE,
            reason=SwitchReason.WAITING_OVER,
            chosen_by=user_of(user),
            effective_from=effective,
        )
        _leave_waiting(entry, workflow.PLACE)
        _letter(
            decision,
            f"choice.placed:{entry.pk}",
            _("A place at %(provider)s") % {"provider": provider.name},
            _(
                "A place has become free at %(provider)s, whose waiting list you were on. "
                "%(provider)s serves you from %(date)s."
            )
            % {"provider": provider.name, "date": date_text(effective)},
        )
        placed.append(choice)
    return placed


# --- A provider leaves the scheme -------------------------------------------------------------


@dataclasses.dataclass
class Move:
    decision: Decision
    provider: Provider | None  # where she moved (None: nowhere to go — the report says so)
    how: str  # "next", "default", "switch", "stays"
    letter: str  # "email", "sms", "print"


def date_text(day) -> str:
    return date_format(day, "DATE_FORMAT") if day else ""


def _letter(decision: Decision, key: str, subject: str, body: str) -> str:
    """Send a letter through the outbox; returns how it went ("print": no address on the decision)."""
    how = "print"
    if decision.contact_email:
        enqueue_email(
            municipality=decision.municipality_id,
            to=decision.contact_email,
            subject=subject,
            body=body,
            key=key,
        )
        how = "email"
    if decision.contact_phone:
        try:
            enqueue_sms(
                municipality=decision.municipality_id, to=decision.contact_phone, body=body, key=f"{key}:sms"
            )
        except ValidationError:
            return how
        how = "sms" if how == "print" else how
    return how


@transaction.atomic
def withdraw(application: Application, *, effective_on: date, reason: str, user) -> list[Move]:
    """Withdraw a provider's approval in a scheme from ``effective_on``: every user it serves then
    (or was to serve) moves that day to her next choice, if approved and not full, or the default
    provider; a switch to it not yet in effect is cancelled (she keeps her provider). Letters go
    through the outbox; those without an address are listed for a printed letter."""
    require(user, Perm.CHOICE_ADMINISTER, application.scheme.municipality_id)
    application = workflow.APPLICATION_WORKFLOW.lock(application, reload=True)
    workflow.APPLICATION_WORKFLOW.apply(application, workflow.WITHDRAW)  # TransitionRefused
    errors = {}
    if effective_on is None:
        errors["effective_on"] = _("Give the date the withdrawal takes effect.")
    elif effective_on < timezone.localdate():
        errors["effective_on"] = _("The withdrawal cannot take effect in the past.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason.")
    if errors:
        raise ValidationError(errors)
    application.effective_on = effective_on
    application.reason = reason.strip()
    application.decided_at = timezone.now()
    application.save()
    scheme, leaving = application.scheme, application.provider
    moves = []
    affected = (
        Choice.objects.filter(provider=leaving, decision__scheme=scheme, state=ChoiceState.CURRENT)
        .exclude(effective_until__lt=effective_on)
        .select_related("decision", "decision__scheme", "next_provider")
        .order_by("decision_id", "effective_from")
    )
    for choice in affected:
        decision = choice.decision
        workflow.CHOICE_WORKFLOW.lock(choice)
        if choice.effective_from >= effective_on:  # a switch to it that has not begun: cancelled
            workflow.CHOICE_WORKFLOW.apply(choice, workflow.CANCEL)
            choice.save()
            before = (
                Choice.objects.filter(
                    decision=decision,
                    state=ChoiceState.CURRENT,
                    effective_until=choice.effective_from - timedelta(days=1),
                )
                .exclude(provider=leaving)
                .first()
            )
            if before is not None:
                before.effective_until = None
                before.save(update_fields=["effective_until"])
                letter = _letter(
                    decision,
                    f"choice.provider-left:{application.pk}:{decision.pk}",
                    _("Your switch to %(provider)s is cancelled") % {"provider": leaving.name},
                    _(
                        "%(provider)s leaves the municipality's user-choice scheme on %(date)s. Your "
                        "switch to it is cancelled: %(current)s goes on serving you. You may choose "
                        "another provider at any time."
                    )
                    % {
                        "provider": leaving.name,
                        "date": date_text(effective_on),
                        "current": before.provider.name,
                    },
                )
                moves.append(Move(decision, before.provider, "stays", letter))
                continue
        else:
            workflow.CHOICE_WORKFLOW.apply(choice, workflow.END_CHOICE, internal=True)
            if choice.effective_until is None or choice.effective_until >= effective_on:
                choice.effective_until = effective_on - timedelta(days=1)
            choice.save()
        # A switch away that is still to come takes effect now instead.
        coming = pending_choices(decision, effective_on).exclude(provider=leaving).first()
        starts = max(effective_on, decision.valid_from)
        if coming is not None and not is_full(coming.provider, starts, besides=decision):
            coming.effective_from = starts
            coming.save(update_fields=["effective_from"])
            target, how = coming.provider, "switch"
        else:
            if coming is not None:
                _cancel(coming)
            target, how = None, "default"
            nxt = choice.next_provider
            if (
                nxt is not None
                and nxt.pk != leaving.pk
                and is_approved(scheme, nxt)
                and not is_full(nxt, starts, besides=decision)
            ):
                target, how = nxt, "next"
            else:
                target = default_provider_for(decision, day=starts, exclude=[leaving])
            if (
                target is not None
                and decision.state == DecisionState.IN_FORCE
                and (decision.valid_until is None or decision.valid_until >= starts)
            ):
                Choice.objects.create(
                    decision=decision,
                    provider=target,
                    how=ChoiceHow.MOVED,
                    reason=SwitchReason.PROVIDER_LEFT,
                    chosen_by=user_of(user),
                    effective_from=starts,
                )
        letter = _letter(
            decision,
            f"choice.provider-left:{application.pk}:{decision.pk}",
            _("%(provider)s leaves the user-choice scheme") % {"provider": leaving.name},
            _(
                "%(provider)s leaves the municipality's user-choice scheme on %(date)s. From that day "
                "%(new)s serves you, with the same help as in your decision. You may choose another "
                "provider at any time."
            )
            % {
                "provider": leaving.name,
                "date": date_text(starts),
                "new": target.name if target else _("a provider the municipality will tell you of"),
            },
        )
        moves.append(Move(decision, target, how, letter))
    for entry in WaitingEntry.objects.filter(
        provider=leaving, decision__scheme=scheme, state=WaitingState.WAITING
    ):
        _leave_waiting(entry, workflow.CANCEL)
    return moves


def withdrawal_report(application: Application) -> list[dict]:
    """Who moved where when ``application``'s provider left (read back from the choices)."""
    if application.state != ApplicationState.WITHDRAWN or application.effective_on is None:
        return []
    leaving, day = application.provider_id, application.effective_on
    ended = (
        Choice.objects.filter(
            provider_id=leaving,
            decision__scheme_id=application.scheme_id,
            effective_until=day - timedelta(days=1),
        )
        .exclude(state=ChoiceState.CANCELLED)
        .select_related("decision")
        .order_by("decision_id")
    )
    rows = []
    for choice in ended:
        decision = choice.decision
        after = current_choice(decision, max(day, decision.valid_from))
        rows.append(
            {
                "decision": decision,
                "from": choice,
                "to": after,
                "letter": "email"
                if decision.contact_email
                else ("sms" if decision.contact_phone else "print"),
            }
        )
    return rows


@transaction.atomic
def sweep(*, user, day: date | None = None) -> dict:
    """The daily round: end the choices whose last day has passed, and give places freed by date (a
    decision ending, a switch away having taken effect) to the first on each waiting list."""
    check_actor(user)
    if user is not SYSTEM:
        raise PermissionDenied
    day = day or timezone.localdate()
    ended = 0
    for choice in Choice.objects.filter(state=ChoiceState.CURRENT, effective_until__lt=day).order_by("pk"):
        workflow.CHOICE_WORKFLOW.lock(choice)
        workflow.CHOICE_WORKFLOW.apply(choice, workflow.END_CHOICE, internal=True)
        choice.save()
        ended += 1
    placed = 0
    waiting = WaitingEntry.objects.filter(state=WaitingState.WAITING).values_list("provider_id", flat=True)
    for provider in Provider.objects.filter(pk__in=waiting).order_by("pk"):
        placed += len(place_from_waiting_list(provider, user=SYSTEM, day=day))
    return {"ended": ended, "placed": placed}
