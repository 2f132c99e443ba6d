"""Appeals (klage) against a school placement: registered by the family on Min side (or by the school
office from a letter), answered by the school office with its reasons — upheld or not — and the
answer sent to the family through the outbox. Every change through ``APPEAL_WORKFLOW``.

An application has at most one appeal being handled at a time; a new one may follow an answered or
withdrawn one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core.permissions import CITIZEN, Perm, check_actor, require, user_of
from servicetorg.core.validators import has_forbidden_characters

from . import letters
from .applications import may_act_for_child
from .models import Appeal, AppealState, Round, RoundState, SchoolApplication, SchoolApplicationState
from .workflow import APPEAL_WORKFLOW, REJECT, UPHOLD, WITHDRAW

TEXT_MAX = 5000

#: A family appeals once the placements are published; the school office also registers a letter
#: that comes after the round is finished.
_OPEN_CITIZEN = {RoundState.PUBLISHED}
_OPEN_STAFF = {RoundState.PUBLISHED, RoundState.FINISHED}


def _clean_text(value, *, field: str, required: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None or not text:
        raise ValidationError({field: [required]})
    if has_forbidden_characters(text):
        raise ValidationError({field: [_("The text contains control characters that are not allowed.")]})
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {
                field: [
                    _("Write at most %(limit)s characters (this is %(length)s).")
                    % {"limit": TEXT_MAX, "length": len(text)}
                ]
            }
        )
    return text


def _require_family_or_office(application: SchoolApplication, *, user, viewer) -> set:
    check_actor(user)
    municipality_id = application.round.municipality_id
    if user is CITIZEN:
        if not may_act_for_child(viewer, application.national_id_digest, municipality_id):
            raise PermissionDenied
        return _OPEN_CITIZEN
    require(user, Perm.SCHOOL_ADMINISTER, municipality_id)
    return _OPEN_STAFF


@transaction.atomic
def register_appeal(application: SchoolApplication, *, text: str, user, viewer=None) -> Appeal:
    """Register the family's appeal (state received) and send a receipt."""
    allowed = _require_family_or_office(application, user=user, viewer=viewer)
    text = _clean_text(text, field="text", required=_("Write what you appeal against, and why."))
    state = Round.objects.select_for_update().values_list("state", flat=True).get(pk=application.round_id)
    if state not in allowed:
        raise ValidationError(_("An appeal can be made once the placements are published."))
    application = SchoolApplication.objects.select_for_update().get(pk=application.pk)
    if application.state != SchoolApplicationState.SUBMITTED:
        raise ValidationError(_("The application was withdrawn."))
    if Appeal.objects.filter(application=application, state=AppealState.RECEIVED).exists():
        raise ValidationError(
            _(
                "An appeal for this child is being handled already. You are told by e-mail or SMS when "
                "it is answered."
            )
        )
    appeal = Appeal(application=application, text=text)
    appeal._history_user = user_of(user)
    appeal.save()
    letters.tell(
        application,
        key=f"schools.appeal:{appeal.pk}:received",
        compose=lambda url: (
            _("School choice: we have received your appeal"),
            _(
                "We have received your appeal (klage) about a school seat. The school office answers it "
                "with its reasons; you are told when the answer is ready on Min side: %(url)s"
            )
            % {"url": url},
        ),
    )
    return appeal


@transaction.atomic
def answer_appeal(appeal: Appeal, *, user, uphold: bool, answer: str) -> Appeal:
    """The school office's answer: upheld or not, with its reasons; sent to the family."""
    require(user, Perm.SCHOOL_ADMINISTER, appeal.application.round.municipality_id)
    answer = _clean_text(answer, field="answer", required=_("Write the answer with its reasons."))
    appeal = APPEAL_WORKFLOW.lock(appeal, reload=True)
    APPEAL_WORKFLOW.apply(appeal, UPHOLD if uphold else REJECT)  # TransitionRefused once answered
    appeal.answer = answer
    appeal.answered_at = timezone.now()
    appeal.answered_by = user_of(user)
    appeal._history_user = user_of(user)
    appeal.save(update_fields=["state", "answer", "answered_at", "answered_by"])

    def compose(url):
        outcome = (
            _("The school office has upheld your appeal (klage) about a school seat.")
            if uphold
            else _("The school office has not upheld your appeal (klage) about a school seat.")
        )
        more = _("Read the answer and its reasons on Min side: %(url)s") % {"url": url}
        return _("School choice: the answer to your appeal"), f"{outcome} {more}"

    letters.tell(appeal.application, key=f"schools.appeal:{appeal.pk}:answer", compose=compose)
    return appeal


@transaction.atomic
def withdraw_appeal(appeal: Appeal, *, user, viewer=None) -> Appeal:
    """The family (or the school office for it) withdraws an appeal not yet answered."""
    _require_family_or_office(appeal.application, user=user, viewer=viewer)
    appeal = APPEAL_WORKFLOW.lock(appeal, reload=True)
    APPEAL_WORKFLOW.apply(appeal, WITHDRAW)
    appeal._history_user = user_of(user)
    appeal.save(update_fields=["state"])
    return appeal
