"""Deadlines: the channel rules, the warning the working day before, and breaches after."""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core import outbox
from servicetorg.core import permissions as core_permissions
from servicetorg.core.choices import Role
from servicetorg.core.models import Membership, Municipality
from servicetorg.core.permissions import Perm, user_of
from servicetorg.core.workdays import add_working_days

from .. import rollups
from ..models import OPEN_STATES, ChannelRule, Inquiry
from .base import _require_system
from .compensation import _compensate

logger = logging.getLogger(__name__)


def warning_recipients(inquiry: Inquiry) -> list[str]:
    """Who is warned about an inquiry's deadline: its contact person and case officer (or, not yet
    taken, its unit's address); an inquiry with no one of its own (every Open311 request, a general
    web inquiry) reaches the leaders of its unit (or of its service's responsible unit), and one with
    no unit at all the municipality's administration, who run the desk's queue."""
    own = [
        getattr(inquiry.contact_person, "email", ""),
        getattr(inquiry.assigned_to, "email", ""),
        getattr(inquiry.unit, "email", "") if inquiry.assigned_to_id is None else "",
    ]
    found = [address for address in own if address]
    if found:
        return found
    unit_id = inquiry.unit_id or getattr(inquiry.service, "responsible_unit_id", None)
    leaders = Membership.objects.filter(
        municipality_id=inquiry.municipality_id, user__is_active=True
    ).exclude(user__email="")
    if unit_id is not None:
        found = list(
            leaders.filter(role=Role.UNIT_LEADER, unit_id=unit_id).values_list("user__email", flat=True)
        )
    if not found:
        found = list(
            leaders.filter(role=Role.ADMINISTRATION, unit__isnull=True).values_list("user__email", flat=True)
        )
    return sorted(set(found))


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
        .select_related("contact_person", "assigned_to", "unit", "service")
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
    earlier day is sent now and says it is late. A warning with no recipient at all is not marked
    sent but logged as an error (and tried again at the next run). Returns {"warned": n, "late": m,
    "no_recipient": k}. A task over
    every municipality: ``user`` is SYSTEM.
    """
    _require_system(user)
    today = today or timezone.localdate()
    tomorrow = add_working_days(today, 1)
    warned = late_count = unsent = 0
    for inquiry in due_for_warning(today):
        with transaction.atomic():
            locked = Inquiry.objects.select_for_update().filter(pk=inquiry.pk, state__in=OPEN_STATES).first()
            if locked is None or locked.warning_sent_for == locked.reply_deadline:
                continue  # closed meanwhile, or warned by a concurrent run
            if locked.reply_deadline != inquiry.reply_deadline:
                continue  # the deadline moved meanwhile: the next run looks at it again
            late = inquiry.reply_deadline < tomorrow
            recipients = warning_recipients(inquiry)
            if not recipients:
                # Not marked sent: the next run tries again, and the error is seen (log, task result).
                logger.error(
                    "Deadline warning for inquiry %s (%s) has no recipient: give it a contact person, "
                    "or its unit a leader or an e-mail address",
                    inquiry.reference,
                    inquiry.pk,
                )
                unsent += 1
                continue
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
    return {"warned": warned, "late": late_count, "no_recipient": unsent}
