"""The family's answer to a published placement: accept the seat, or decline it (then it goes to the
waiting list at the next waiting-list re-run and cannot be taken back). Only the placement of the
round's current run can be answered (``PLACEMENT_WORKFLOW``); a confirmation goes to the family
through the outbox.

Who may answer: ``CITIZEN`` with Min side's viewer — a guardian of the child through a recorded,
valid relation (``applications.may_act_for_child``); the school office (an answer given by phone or
letter); ``SYSTEM``.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from servicetorg.core.permissions import CITIZEN, Perm, check_actor, require

from . import letters
from .applications import may_act_for_child
from .models import AllocationRun, Placement, PlacementState, Round, RoundState
from .workflow import ACCEPT, DECLINE, PLACEMENT_WORKFLOW


def answer_by(round_: Round):
    """The last day to answer: ``answer_within_days`` after publishing (None before publishing)."""
    if round_.published_at is None:
        return None
    return timezone.localdate(round_.published_at) + timedelta(days=round_.answer_within_days)


def is_current(placement: Placement) -> bool:
    return AllocationRun.objects.filter(pk=placement.run_id, current=True).exists()


@transaction.atomic
def answer(placement: Placement, *, accept: bool, user, viewer=None) -> Placement:
    """Accept (``accept=True``) or decline the seat. Raises PermissionDenied (not hers), ValidationError
    (not the current run, the round not published) or TransitionRefused (e.g. declined already)."""
    check_actor(user)
    application = placement.application
    round_ = application.round
    if user is CITIZEN:
        if not may_act_for_child(viewer, application.national_id_digest, round_.municipality_id):
            raise PermissionDenied
    else:
        require(user, Perm.SCHOOL_ADMINISTER, round_.municipality_id)
    state = Round.objects.select_for_update().values_list("state", flat=True).get(pk=round_.pk)
    if state != RoundState.PUBLISHED:
        raise ValidationError(
            _("Placements can be answered only while the round's placements are published.")
        )
    if not AllocationRun.objects.select_for_update().filter(pk=placement.run_id, current=True).exists():
        raise ValidationError(_("This placement has been replaced by a newer one: open the newest."))
    placement = PLACEMENT_WORKFLOW.lock(placement)
    PLACEMENT_WORKFLOW.apply(placement, ACCEPT if accept else DECLINE)  # TransitionRefused
    placement.answered_at = timezone.now()
    placement.save(update_fields=["state", "answered_at"])
    _confirm(placement, application)
    return placement


def _confirm(placement: Placement, application) -> None:
    """A receipt through the outbox; like every message about an application it names no child,
    school or number (letters.py): the answer is on Min side."""
    accepted = placement.state == PlacementState.ACCEPTED

    def compose(url: str) -> tuple[str, str]:
        if accepted:
            return _("School choice: you accepted the seat"), _(
                "Your answer is registered: you accepted the school seat. See it on Min side: %(url)s"
            ) % {"url": url}
        return _("School choice: you declined the seat"), _(
            "Your answer is registered: you declined the school seat. The seat goes to the waiting "
            "list, and the answer cannot be taken back. Min side: %(url)s"
        ) % {"url": url}

    letters.tell(application, key=f"schools.answer:{placement.pk}:{placement.state}", compose=compose)


def deadline_text(round_: Round) -> str:
    day = answer_by(round_)
    return date_format(day, "DATE_FORMAT") if day else ""
