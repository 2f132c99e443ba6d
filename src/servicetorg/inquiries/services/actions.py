"""The case worker's and the citizen's actions on an inquiry, each one transition of the table:
resolve, route, take, preliminary reply, question, reply, the citizen's message, close, reopen and
the contact person; the citizen hears of each through the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core import formatting, outbox
from servicetorg.core import permissions as core_permissions
from servicetorg.core.models import Unit
from servicetorg.core.permissions import CITIZEN, Perm, user_of

from .. import case_extensions, notices
from ..attachments import CheckedFile
from ..models import AttachmentSource, DeadlineSource, Handling, Inquiry, InquiryMessage, MessageKind
from ..workflow import Action
from .base import _check_unit, _transition
from .compensation import _compensate
from .files import _store_attachments


@transaction.atomic
def resolve(inquiry: Inquiry, *, user, note: str = "") -> Inquiry:
    """Ferdigbehandlet: the desk answered the citizen there and then."""

    def change(inquiry: Inquiry) -> None:
        now = timezone.now()
        inquiry.handling = Handling.RESOLVED_AT_DESK
        inquiry.replied_at = inquiry.closed_at = now
        inquiry.breached = timezone.localdate(now) > inquiry.reply_deadline

    log = (MessageKind.REPLY, note or _("Resolved at the service desk."))
    saved = _transition(inquiry, Action.RESOLVE_AT_DESK, user=user, log=log, change=change)[0]
    case_extensions.case_closed(saved, user=user)
    return saved


@transaction.atomic
def route(
    inquiry: Inquiry, *, unit: Unit, handling: str = Handling.FORWARDED, user, note: str = ""
) -> Inquiry:
    """Send the inquiry to a unit (partly handled or forwarded); the contact person stays."""

    def check() -> None:
        _check_unit(inquiry.municipality_id, unit)
        if handling not in (Handling.PARTLY_HANDLED, Handling.FORWARDED):
            raise ValidationError({"handling": _("Choose partly handled or forwarded.")})

    def change(inquiry: Inquiry) -> None:
        if inquiry.handling == Handling.PENDING or inquiry.unit_id is None:
            inquiry.handling = handling
        inquiry.unit = unit
        inquiry.assigned_to = None
        if inquiry.contact_person_id is None:
            inquiry.contact_person = user_of(user)

    text = _("Routed to %(unit)s.") % {"unit": unit.name}
    log = (MessageKind.EVENT, f"{text} {note}".strip())
    return _transition(inquiry, Action.ROUTE, user=user, log=log, check=check, change=change)[0]


@transaction.atomic
def take(inquiry: Inquiry, *, user) -> Inquiry:
    """A case officer takes the inquiry (becomes its handler; contact person if it has none)."""

    def change(inquiry: Inquiry) -> None:
        inquiry.assigned_to = user_of(user)
        if inquiry.contact_person_id is None:
            inquiry.contact_person = user_of(user)

    log = (MessageKind.EVENT, _("Taken by %(user)s.") % {"user": _name(user)})
    return _transition(inquiry, Action.TAKE, user=user, log=log, change=change)[0]


def _name(user) -> str:
    if user_of(user) is None:
        return "–"
    return user.get_full_name() or user.get_username()


@transaction.atomic
def preliminary_reply(inquiry: Inquiry, *, reason: str, expected_date: date, user) -> Inquiry:
    """Foreløpig svar: why it takes longer and when the citizen can expect the answer."""

    def check() -> None:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the reply takes longer.")})

    def change(inquiry: Inquiry) -> None:
        if expected_date <= inquiry.reply_deadline:
            raise ValidationError(
                {"expected_date": _("The expected date must be after the current deadline.")}
            )
        today = timezone.localdate()
        if today > inquiry.first_deadline and inquiry.preliminary_reply_at is None:
            inquiry.breached = True  # the preliminary reply itself came too late
        inquiry.preliminary_reply_at = timezone.now()
        inquiry.reply_deadline = expected_date
        inquiry.deadline_source = DeadlineSource.PRELIMINARY
        inquiry.warning_sent_for = None

    text = _("%(reason)s\n\nExpected reply by %(date)s.") % {
        "reason": reason.strip(),
        "date": formatting.date(expected_date),
    }
    log = (MessageKind.PRELIMINARY, text)
    saved, logged = _transition(
        inquiry, Action.PRELIMINARY_REPLY, user=user, log=log, check=check, change=change
    )
    if saved.breached:
        _compensate(saved)
    with notices.in_her_language(saved):
        _notify_citizen(
            saved, logged, _("Preliminary reply to your inquiry %(ref)s") % {"ref": saved.reference}, reason
        )
    return saved


@transaction.atomic
def ask_citizen(inquiry: Inquiry, *, text: str, user) -> Inquiry:
    def check() -> None:
        if not text.strip():
            raise ValidationError({"text": _("Write the question.")})

    log = (MessageKind.QUESTION, text.strip())
    saved, logged = _transition(inquiry, Action.ASK_CITIZEN, user=user, log=log, check=check)
    with notices.in_her_language(saved):
        _notify_citizen(
            saved, logged, _("Question about your inquiry %(ref)s") % {"ref": saved.reference}, text
        )
    return saved


@transaction.atomic
def reply(inquiry: Inquiry, *, text: str, user, attachments: Sequence[CheckedFile] = ()) -> Inquiry:
    """The answer to the citizen, with ``attachments`` (checked files) for her; late answers mark the
    deadline as broken."""

    def check() -> None:
        if not text.strip():
            raise ValidationError({"text": _("Write the reply.")})

    def change(inquiry: Inquiry) -> None:
        now = timezone.now()
        if inquiry.replied_at is None:
            inquiry.replied_at = now
            if timezone.localdate(now) > inquiry.reply_deadline:
                inquiry.breached = True
        if inquiry.assigned_to_id is None:
            inquiry.assigned_to = user_of(user)

    log = (MessageKind.REPLY, text.strip())
    saved, logged = _transition(inquiry, Action.REPLY, user=user, log=log, check=check, change=change)
    stored = _store_attachments(saved, attachments, user=user, source=AttachmentSource.STAFF, message=logged)
    if saved.breached:
        _compensate(saved)
    with notices.in_her_language(saved):
        if stored:  # the files stay on the platform: the e-mail names them, the case link serves them
            names = ", ".join(a.name for a in stored)
            text = f"{text.strip()}\n\n" + _("Attached (download from your case page): %(names)s") % {
                "names": names
            }
        _notify_citizen(saved, logged, _("Reply to your inquiry %(ref)s") % {"ref": saved.reference}, text)
    return saved


@transaction.atomic
def citizen_message(inquiry: Inquiry, *, text: str, user, attachments: Sequence[CheckedFile] = ()) -> Inquiry:
    """The citizen writes (CITIZEN: through the secret link, which the caller has checked), or staff
    register what she sent another way; ``attachments`` (checked files) go with the message."""

    def check() -> None:
        if not text.strip():
            raise ValidationError({"text": _("Write a message.")})

    log = (MessageKind.CITIZEN, text.strip())
    # CITIZEN holds no working right: the secret link, checked by the caller, is hers.
    saved, logged = _transition(
        inquiry, Action.CITIZEN_MESSAGE, user=user, log=log, check=check, require=user is not CITIZEN
    )
    source = AttachmentSource.CITIZEN if user is CITIZEN else AttachmentSource.STAFF
    _store_attachments(saved, attachments, user=user, source=source, message=logged)
    return saved


@transaction.atomic
def close(inquiry: Inquiry, *, user) -> Inquiry:
    def change(inquiry: Inquiry) -> None:
        inquiry.closed_at = timezone.now()

    log = (MessageKind.EVENT, _("Closed."))
    saved, logged = _transition(inquiry, Action.CLOSE, user=user, log=log, change=change)
    # E.g. the satisfaction question (surveys), in the same transaction.
    case_extensions.case_closed(saved, user=user)
    with notices.in_her_language(saved):
        text = _(
            "Your inquiry is closed. You can still read it with the link below; "
            "write a new inquiry if you need more help."
        )
        if saved.contact_email:
            notes = case_extensions.closing_notes(saved, notices.case_url(saved))
            text = "\n\n".join([text, *notes])
        _notify_citizen(saved, logged, _("Your inquiry %(ref)s is closed") % {"ref": saved.reference}, text)
    return saved


@transaction.atomic
def reopen(inquiry: Inquiry, *, user, note: str = "") -> Inquiry:
    def change(inquiry: Inquiry) -> None:
        inquiry.closed_at = None

    log = (MessageKind.EVENT, f"{_('Reopened.')} {note}".strip())
    return _transition(inquiry, Action.REOPEN, user=user, log=log, change=change)[0]


@transaction.atomic
def change_contact_person(inquiry: Inquiry, *, contact_person, user) -> Inquiry:
    """Hand the case over to another contact person (still one at a time), while the case is open."""

    def check() -> None:
        if not core_permissions.can(
            contact_person, Perm.INQUIRY_WORK, inquiry.municipality_id, unit_bound=False
        ):
            raise ValidationError({"contact_person": _("The contact person must work in this municipality.")})

    def change(inquiry: Inquiry) -> None:
        inquiry.contact_person = contact_person

    log = (MessageKind.EVENT, _("Contact person: %(user)s.") % {"user": _name(contact_person)})
    return _transition(inquiry, Action.CHANGE_CONTACT_PERSON, user=user, log=log, check=check, change=change)[
        0
    ]


def _notify_citizen(inquiry: Inquiry, logged: InquiryMessage, subject: str, text: str) -> None:
    """E-mail the citizen (when she left an address) through the outbox, in the caller's transaction."""
    if not inquiry.contact_email:
        return
    body = notices.change_text(inquiry, text)
    outbox.enqueue_email(
        municipality=inquiry.municipality_id,
        to=inquiry.contact_email,
        subject=subject,
        body=body,
        key=f"inquiries.citizen-notice:{inquiry.pk}:{logged.pk}",
    )
