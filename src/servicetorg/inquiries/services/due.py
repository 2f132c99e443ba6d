"""Deadlines: the channel rules, the warning the working day before, and breaches after."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core import outbox
from servicetorg.core import permissions as core_permissions
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, user_of
from servicetorg.core.workdays import add_working_days

from .. import rollups
from ..models import OPEN_STATES, ChannelRule, Inquiry
from .base import _require_system
from .compensation import _compensate


@transaction.atomic
def mark_breaches(today: date | None = None, *, user) -> int:
    """Open inquiries past their deadline: mark broken, create compensations. Returns how many.
    A nightly task over every municipality: ``user`` is SYSTEM."""
    _require_system(user)
    today = today or timezone.localdate()
    overdue = (
        Inquiry.objects.select_for_update(of=("self",))
        .select_related("service")
        .filter(state__in=OPEN_STATES, breached=False, reply_deadline__lt=today)
    )
    count = 0
    for inquiry in overdue:
        before = rollups.snapshot(inquiry)
        inquiry.breached = True
        inquiry.save(update_fields=["breached", "updated_at"])
        rollups.apply_change(before, rollups.snapshot(inquiry))
        _compensate(inquiry)
        count += 1
    return count


@transaction.atomic
def set_channel_rule(*, municipality: Municipality, channel: str, working_days: int, user) -> ChannelRule:
    core_permissions.require(user, Perm.INQUIRY_ADMINISTER, municipality.pk)
    rule = ChannelRule.objects.filter(municipality=municipality, channel=channel).first() or ChannelRule(
        municipality=municipality, channel=channel
    )
    rule.working_days = working_days
    rule._history_user = user_of(user)
    rule.full_clean()
    rule.save()
    return rule


def due_for_warning(today: date | None = None):
    """Open inquiries due by the next working day whose current deadline has not been warned about.

    Deadlines of today are included: their warning was due on an earlier run that did not happen
    (the worker was down), and is sent now, marked late.
    """
    today = today or timezone.localdate()
    tomorrow = add_working_days(today, 1)
    return (
        Inquiry.objects.filter(state__in=OPEN_STATES, reply_deadline__gte=today, reply_deadline__lte=tomorrow)
        .exclude(warning_sent_for=F("reply_deadline"))
        .select_related("contact_person", "assigned_to", "unit")
        .order_by("reply_deadline", "pk")
    )


def send_warnings(today: date | None = None, *, user) -> int:
    """Warn about deadlines of the next working day (see :func:`warn_due`); returns how many."""
    return warn_due(today, user=user)["warned"]


def warn_due(today: date | None = None, *, user) -> dict:
    """E-mail the contact person and case officer (or the unit) one working day before the deadline.

    Each warning is written to the outbox in the transaction that records it as sent
    (``warning_sent_for``), keyed by inquiry and deadline: a re-run, or a task run twice after a
    worker died, never warns twice about one deadline. A warning that should have gone out on an
    earlier day is sent now and says it is late. Returns {"warned": n, "late": m}. A task over
    every municipality: ``user`` is SYSTEM.
    """
    _require_system(user)
    today = today or timezone.localdate()
    tomorrow = add_working_days(today, 1)
    warned = late_count = 0
    for inquiry in due_for_warning(today):
        with transaction.atomic():
            locked = Inquiry.objects.select_for_update().filter(pk=inquiry.pk, state__in=OPEN_STATES).first()
            if locked is None or locked.warning_sent_for == locked.reply_deadline:
                continue  # closed meanwhile, or warned by a concurrent run
            if locked.reply_deadline != inquiry.reply_deadline:
                continue  # the deadline moved meanwhile: the next run looks at it again
            late = inquiry.reply_deadline < tomorrow
            recipients = [
                getattr(inquiry.contact_person, "email", ""),
                getattr(inquiry.assigned_to, "email", ""),
                getattr(inquiry.unit, "email", "") if inquiry.assigned_to_id is None else "",
            ]
            values = {"subject": inquiry.subject, "ref": inquiry.reference, "date": inquiry.reply_deadline}
            subject = _("Inquiry %(ref)s is due %(date)s") % values
            body = _("The inquiry “%(subject)s” (%(ref)s) must be answered by %(date)s.") % values
            if late:
                subject = _("Late warning: %(subject)s") % {"subject": subject}
                body += "\n\n" + _(
                    "This warning was due on an earlier working day but could not be sent then."
                )
            outbox.enqueue_email(
                municipality=inquiry.municipality_id,
                to=recipients,
                subject=subject,
                body=body,
                key=f"inquiries.deadline-warning:{inquiry.pk}:{inquiry.reply_deadline.isoformat()}",
            )
            Inquiry.objects.filter(pk=inquiry.pk).update(warning_sent_for=inquiry.reply_deadline)
            warned += 1
            late_count += late
    return {"warned": warned, "late": late_count}
