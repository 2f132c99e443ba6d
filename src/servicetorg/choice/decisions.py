"""Care decisions (vedtak): create, new version, end. Plain transactional functions used by the
staff pages, the API and the demo alike; each takes the acting user and checks, in this order, the
permission (``choice.order`` with unit reach on the decision's ordering unit), the table
(``DECISION_WORKFLOW``: lock + apply), then its own rules.

A decision is health data (GDPR art. 9): the number is stored encrypted with its keyed digest, the
name encrypted, and every read goes through :func:`decision_selectors.read_decision`, which logs it.
A change is a new version: the old one is *replaced* (internal action) and the user's current and
pending choices and waiting-list places carry over to the new version.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core.permissions import SYSTEM, Perm, can, require, user_of

from . import workflow
from .models import (
    BANDS,
    Choice,
    ChoiceState,
    Decision,
    DecisionHours,
    DecisionState,
    PriceModel,
    Scheme,
    SchemeState,
    WaitingEntry,
    WaitingState,
)


def can_order(user, municipality_id: int, unit_id: int | None = None, *, unit_bound: bool = True) -> bool:
    return can(user, Perm.CHOICE_ORDER, municipality_id, unit_id, unit_bound=unit_bound)


def require_order(user, decision: Decision) -> None:
    """The ordering unit's right on this decision (its unit), else PermissionDenied."""
    require(user, Perm.CHOICE_ORDER, decision.municipality_id, decision.unit_id)


def _clean_hours(scheme: Scheme, hours: dict | None, care_level: str) -> dict:
    """``{band: Decimal}`` of an hourly decision (bands with hours only), or {} for a daily one."""
    errors: dict[str, list] = {}
    result: dict[str, Decimal] = {}
    if scheme.price_model == PriceModel.HOURLY:
        if care_level:
            errors["care_level"] = [_("An hourly scheme's decision gives hours per week, not a care level.")]
        for band, value in (hours or {}).items():
            if band not in BANDS[PriceModel.HOURLY]:
                errors.setdefault("hours", []).append(_("Unknown time band: %(band)s.") % {"band": band})
                continue
            if value in (None, ""):
                continue
            try:
                number = Decimal(str(value))
            except (InvalidOperation, ValueError):
                errors[f"hours_{band}"] = [_("Give the hours as a number.")]
                continue
            if number == 0:
                continue
            if not (Decimal("0.25") <= number <= Decimal("168")):
                errors[f"hours_{band}"] = [_("Between 0.25 and 168 hours per week.")]
                continue
            result[band] = number.quantize(Decimal("0.01"))
        if not result and not errors:
            errors["hours"] = [_("Give the hours per week in at least one time band.")]
    else:
        if any(v not in (None, "", 0) for v in (hours or {}).values()):
            errors["hours"] = [_("A scheme priced per day gives a care level, not hours.")]
        if care_level not in BANDS[PriceModel.DAILY]:
            errors["care_level"] = [_("Choose the care level.")]
    if errors:
        raise ValidationError(errors)
    return result


def _check_period(scheme: Scheme, decided_on, valid_from, valid_until) -> None:
    errors = {}
    if valid_from is None:
        errors["valid_from"] = _("Give the date the decision is valid from.")
    elif scheme.valid_from and valid_from < scheme.valid_from:
        errors["valid_from"] = _("The decision cannot start before the scheme does (%(date)s).") % {
            "date": scheme.valid_from
        }
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = _("The decision cannot end before it starts.")
    if decided_on and decided_on > timezone.localdate():
        errors["decided_on"] = _("The decision date cannot be in the future.")
    if errors:
        raise ValidationError(errors)


def _save_hours(decision: Decision, hours: dict) -> None:
    for band, value in hours.items():
        DecisionHours.objects.create(decision=decision, band=band, hours_per_week=value)


@transaction.atomic
def create_decision(
    *,
    scheme: Scheme,
    national_id: str,
    name: str,
    decided_on,
    valid_from,
    user,
    unit=None,
    valid_until=None,
    hours: dict | None = None,
    care_level: str = "",
    district: str = "",
    case_reference: str = "",
    contact_email: str = "",
    contact_phone: str = "",
) -> Decision:
    """A new decision in ``scheme`` for the person with ``national_id`` (checked), ordered by ``unit``."""
    require(user, Perm.CHOICE_ORDER, scheme.municipality_id, unit.pk if unit else None)
    if unit is not None and unit.municipality_id != scheme.municipality_id:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})
    if scheme.state != SchemeState.ADOPTED:
        raise ValidationError({"scheme": _("Decisions are made only in a scheme adopted by the council.")})
    hours = _clean_hours(scheme, hours, care_level)
    _check_period(scheme, decided_on, valid_from, valid_until)
    decision = Decision(
        municipality_id=scheme.municipality_id,
        scheme=scheme,
        unit=unit,
        national_id=(national_id or "").replace(" ", ""),
        name=(name or "").strip(),
        district=(district or "").strip(),
        case_reference=(case_reference or "").strip(),
        contact_email=(contact_email or "").strip(),
        contact_phone=(contact_phone or "").replace(" ", ""),
        decided_on=decided_on,
        valid_from=valid_from,
        valid_until=valid_until,
        care_level=care_level if scheme.price_model == PriceModel.DAILY else "",
        created_by=user_of(user),
    )
    decision.full_clean(exclude=["national_id_digest", "created_by"])
    if not decision.name:
        raise ValidationError({"name": _("Give the person's name.")})
    decision.save()  # the digest is set on save
    overlapping = Decision.objects.filter(
        scheme=scheme, national_id_digest=decision.national_id_digest, state=DecisionState.IN_FORCE
    ).exclude(pk=decision.pk)
    if valid_until:
        overlapping = overlapping.filter(valid_from__lte=valid_until)
    if overlapping.exclude(valid_until__lt=valid_from).exists():
        raise ValidationError(
            {
                "national_id": _(
                    "This person already has a decision in force in this scheme: make a new version of it."
                )
            }
        )
    _save_hours(decision, hours)
    return decision


@transaction.atomic
def new_version(
    decision: Decision,
    *,
    user,
    valid_from,
    decided_on,
    valid_until=None,
    hours: dict | None = None,
    care_level: str = "",
    case_reference: str = "",
) -> Decision:
    """A new version of ``decision`` (changed hours, care level or period) that replaces it; the
    user's current and pending choices and her waiting-list places carry over."""
    require_order(user, decision)
    decision = workflow.DECISION_WORKFLOW.lock(decision, reload=True)
    workflow.DECISION_WORKFLOW.apply(decision, workflow.NEW_VERSION)  # TransitionRefused
    old = decision
    hours = _clean_hours(old.scheme, hours, care_level)
    _check_period(old.scheme, decided_on, valid_from, valid_until)
    if valid_from < old.valid_from:
        raise ValidationError(
            {
                "valid_from": _("A new version cannot start before the version it replaces (%(date)s).")
                % {"date": old.valid_from}
            }
        )
    workflow.DECISION_WORKFLOW.apply(decision, workflow.REPLACE, internal=True)
    if valid_from > old.valid_from:
        old.valid_until = valid_from - timedelta(days=1)
    old.save()
    new = Decision(
        municipality_id=old.municipality_id,
        scheme_id=old.scheme_id,
        unit_id=old.unit_id,
        national_id=old.national_id,
        name=old.name,
        district=old.district,
        contact_email=old.contact_email,
        contact_phone=old.contact_phone,
        version=old.version + 1,
        replaces=old,
        case_reference=(case_reference or old.case_reference).strip(),
        decided_on=decided_on,
        valid_from=valid_from,
        valid_until=valid_until,
        care_level=care_level if old.scheme.price_model == PriceModel.DAILY else "",
        created_by=user_of(user),
    )
    new.full_clean(exclude=["national_id_digest", "created_by", "replaces"])
    new.save()
    _save_hours(new, hours)
    Choice.objects.filter(decision=old, state=ChoiceState.CURRENT).update(decision=new)
    WaitingEntry.objects.filter(decision=old, state=WaitingState.WAITING).update(decision=new)
    return new


@transaction.atomic
def end_decision(decision: Decision, *, ends_on, user) -> Decision:
    """End the decision on ``ends_on`` (its last day): her choices end then (a switch that would take
    effect later is cancelled) and she leaves every waiting list. A place freed at a full provider
    goes to the first on its waiting list."""
    from . import choices  # choices imports this module

    require_order(user, decision)
    decision = workflow.DECISION_WORKFLOW.lock(decision, reload=True)
    workflow.DECISION_WORKFLOW.apply(decision, workflow.END_DECISION)  # TransitionRefused
    if ends_on is None or ends_on < decision.valid_from:
        raise ValidationError({"ends_on": _("The decision cannot end before it starts.")})
    if decision.valid_until and ends_on > decision.valid_until:
        raise ValidationError(
            {"ends_on": _("The decision already ends on %(date)s.") % {"date": decision.valid_until}}
        )
    decision.valid_until = ends_on
    decision.save()
    freed = set()
    for choice in Choice.objects.filter(decision=decision, state=ChoiceState.CURRENT).order_by("pk"):
        workflow.CHOICE_WORKFLOW.lock(choice)
        if choice.effective_from > ends_on:
            workflow.CHOICE_WORKFLOW.apply(choice, workflow.CANCEL)
        else:
            workflow.CHOICE_WORKFLOW.apply(choice, workflow.END_CHOICE, internal=True)
            if choice.effective_until is None or choice.effective_until > ends_on:
                choice.effective_until = ends_on
        choice.save()
        freed.add(choice.provider_id)
    for entry in WaitingEntry.objects.filter(decision=decision, state=WaitingState.WAITING):
        workflow.WAITING_WORKFLOW.lock(entry)
        workflow.WAITING_WORKFLOW.apply(entry, workflow.CANCEL)
        entry.ended_at = timezone.now()
        entry.save()
    for provider in decision.scheme.municipality.choice_providers.filter(pk__in=freed):
        choices.place_from_waiting_list(provider, scheme=decision.scheme, user=SYSTEM)
    return decision


def versions_of(decision: Decision) -> list[Decision]:
    """Every version of the decision, oldest first."""
    first = decision
    while first.replaces_id is not None:
        first = Decision.objects.get(pk=first.replaces_id)
    chain = [first]
    while True:
        following = Decision.objects.filter(replaces=chain[-1]).first()
        if following is None:
            return chain
        chain.append(following)
