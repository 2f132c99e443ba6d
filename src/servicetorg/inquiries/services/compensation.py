"""Compensation when a guaranteed reply deadline is broken, and its settlement."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.catalogue import selectors as catalogue_selectors
from servicetorg.core import permissions as core_permissions
from servicetorg.core.permissions import Perm, user_of

from ..models import Compensation, CompensationState, Inquiry
from ..workflow import COMPENSATION_WORKFLOW, PAY, REJECT

#: The settlement asked for (the state the form offers) and the table's action that reaches it.
_SETTLEMENT = {CompensationState.PAID: PAY, CompensationState.REJECTED: REJECT}


def _compensate(inquiry: Inquiry) -> Compensation | None:
    """A compensation record when the broken promise is under a guarantee with an amount."""
    if inquiry.service is None or hasattr(inquiry, "compensation"):
        return None
    promise = catalogue_selectors.promise_for(inquiry.service, "reply")
    if promise is None or not promise.compensation_amount:
        return None
    compensation, _created = Compensation.objects.get_or_create(
        inquiry=inquiry,
        defaults={
            "municipality_id": inquiry.municipality_id,
            "amount": promise.compensation_amount,
            "guarantee": promise.guarantee,
        },
    )
    return compensation


@transaction.atomic
def settle_compensation(compensation: Compensation, *, state: str, note: str = "", user) -> Compensation:
    core_permissions.require(user, Perm.INQUIRY_ADMINISTER, compensation.municipality_id)
    if state not in _SETTLEMENT:
        raise ValidationError({"state": _("Choose paid or rejected.")})
    compensation = COMPENSATION_WORKFLOW.lock(compensation, reload=True)
    COMPENSATION_WORKFLOW.apply(compensation, _SETTLEMENT[state])  # settled once: TransitionRefused
    if state == CompensationState.REJECTED and not note.strip():
        raise ValidationError({"note": _("Give the reason for rejecting.")})
    compensation.note = note
    compensation.settled_at = timezone.now()
    compensation.settled_by = user_of(user)
    compensation._history_user = user_of(user)
    compensation.save()
    return compensation


def compensation_total(compensations) -> Decimal:
    return sum((c.amount for c in compensations), Decimal("0"))
