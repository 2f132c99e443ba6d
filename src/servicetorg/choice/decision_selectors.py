"""Reads of care decisions (health data, GDPR art. 9). Three kinds of reader, each narrowed here:

- the ordering unit: ``choice.order`` with its reach (a case officer her unit's decisions,
  administration the municipality's) — :func:`decisions_for`;
- a provider: only decisions its provider has a current choice for (now or coming) —
  :func:`provider_decisions`;
- the citizen on Min side: her own, or those of someone a valid relation lets her act for.

Every read of a decision goes through :func:`read_decision` (one) or :func:`log_reads` (a list),
which record a :class:`DecisionRead`: who, when, where — never what.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from servicetorg.core.permissions import Perm, filtered, user_of

from .access import all_provider_ids
from .models import Choice, ChoiceState, Decision, DecisionHours, DecisionRead

STAFF, PROVIDER, CITIZEN = "staff", "provider", "citizen"


def _base():
    return Decision.objects.select_related("scheme", "unit", "municipality").prefetch_related(
        Prefetch("hours", queryset=DecisionHours.objects.order_by("band"))
    )


def decisions_for(user):
    """The decisions the user reaches as the ordering unit (unit reach on ``Decision.unit``)."""
    return filtered(_base(), user, Perm.CHOICE_ORDER)


def provider_choices_q(user, day=None):
    day = day or timezone.localdate()
    # Not cancelled and not over: a choice ended by a withdrawal still serves until its last day.
    return (
        Choice.objects.filter(provider_id__in=all_provider_ids(user))
        .exclude(state=ChoiceState.CANCELLED)
        .exclude(effective_until__lt=day)
    )


def provider_decisions(user, *, day=None):
    """Decisions a provider the user works for serves now or will serve (a choice not cancelled
    and not over)."""
    return _base().filter(pk__in=provider_choices_q(user, day).values("decision_id"))


def citizen_decisions(viewer):
    """Hers (or the represented person's), in the portal's municipality."""
    return _base().filter(municipality=viewer.municipality, national_id_digest=viewer.subject_digest)


def _actor(user=None, viewer=None) -> tuple[object, str]:
    if viewer is not None:
        text = f"citizen {viewer.signed_in.digest[:16]}"
        if viewer.relation is not None:
            text += f" (relation {viewer.relation.pk})"
        return None, text
    who = user_of(user)
    return who, (who.get_username() if who is not None else str(user))[:150]


def log_reads(decisions, *, where: str, user=None, viewer=None) -> None:
    """Record a read of each decision shown (a list page)."""
    who, actor = _actor(user, viewer)
    DecisionRead.objects.bulk_create(
        [DecisionRead(decision_id=d.pk, user=who, actor=actor, where=where[:100]) for d in decisions]
    )


def read_decision(pk, *, where: str, as_: str = STAFF, user=None, viewer=None) -> Decision:
    """One decision the reader may read (else Http404), its read logged."""
    if as_ == CITIZEN:
        qs = citizen_decisions(viewer)
    elif as_ == PROVIDER:
        qs = provider_decisions(user)
    else:
        qs = decisions_for(user)
    try:
        decision = qs.get(pk=pk)
    except (Decision.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    log_reads([decision], where=where, user=user, viewer=viewer)
    return decision
