"""What core keeps about people, and for how long (privacy.retention, privacy.access).

- Outbox messages hold e-mail bodies, addresses and phone numbers: deleted a period after sending
  (or after their last failure); a pending message is never purged.
- Sessions: Django's own expiry (``clearsessions``), platform-wide.
- Log-in attempts (django-axes: user name, address, browser): platform-wide.
- One-time form tokens: platform-wide, 24 hours (core.once).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from servicetorg.core import once
from servicetorg.core.models import Municipality, OutboxMessage, OutboxState
from servicetorg.core.redaction import redact_case_links

from .access import Holding, Person, Record
from .retention import RecordKind


def _outbox_due(municipality, cutoff):
    return OutboxMessage.objects.filter(municipality=municipality).filter(
        Q(state=OutboxState.SENT, sent_at__lt=cutoff) | Q(state=OutboxState.FAILED, created_at__lt=cutoff)
    )


def _outbox_purge(ids) -> int:
    return OutboxMessage.objects.filter(pk__in=ids).delete()[0]


def _sessions_due(_municipality, cutoff):
    # The period is 0 days: a session goes when it has expired (as ``clearsessions`` does).
    return Session.objects.filter(expire_date__lt=cutoff)


def _sessions_purge(ids) -> int:
    return Session.objects.filter(pk__in=ids).delete()[0]


def _attempts_due(_municipality, cutoff):
    from axes.models import AccessLog

    return AccessLog.objects.filter(attempt_time__lt=cutoff)


def _attempts_purge(ids) -> int:
    # Each batch of access-log rows, and with it every lock-out and failure record as old as them.
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    rows = AccessLog.objects.filter(pk__in=ids)
    newest = max(rows.values_list("attempt_time", flat=True), default=None)
    deleted = rows.delete()[0]
    if newest is not None:
        deleted += AccessAttempt.objects.filter(attempt_time__lte=newest).delete()[0]
        deleted += AccessFailureLog.objects.filter(attempt_time__lte=newest).delete()[0]
    return deleted


def _tokens_due(_municipality, cutoff):
    from servicetorg.core.models import FormSubmission

    return FormSubmission.objects.filter(created_at__lt=cutoff)


def _tokens_purge(ids) -> int:
    from servicetorg.core.models import FormSubmission

    return FormSubmission.objects.filter(pk__in=ids).delete()[0]


RETENTION = [
    RecordKind(
        key="core.outbox",
        label=_("E-mails and SMS sent by the platform (the outbox)"),
        purpose=_("to send receipts, replies and notices, and to show staff that they were sent"),
        counted_from=_("after it was sent (or failed for good)"),
        default_days=30,
        min_days=7,
        max_days=365,
        due=_outbox_due,
        date_field="created_at",
        purge=_outbox_purge,
        outcome=_("deleted"),
        position=80,
    ),
    RecordKind(
        key="core.sessions",
        label=_("Log-in sessions and visits"),
        purpose=_("to keep you logged in, and to show a citizen the receipt of what they sent"),
        counted_from=_("after the session expired"),
        default_days=0,
        min_days=0,
        max_days=0,
        due=_sessions_due,
        date_field="expire_date",
        purge=_sessions_purge,
        per_municipality=False,
        outcome=_("deleted"),
        position=90,
    ),
    RecordKind(
        key="core.login_attempts",
        label=_("Log-in attempts of staff (user name, address, browser)"),
        purpose=_("to stop password guessing and to investigate security incidents"),
        counted_from=_("after the attempt"),
        default_days=180,
        min_days=180,
        max_days=180,
        due=_attempts_due,
        date_field="attempt_time",
        purge=_attempts_purge,
        per_municipality=False,
        outcome=_("deleted"),
        position=91,
    ),
    RecordKind(
        key="core.form_tokens",
        label=_("One-time tokens of sent forms"),
        purpose=_("so that a form sent twice is handled once"),
        counted_from=_("after the form was sent"),
        default_days=once.KEEP.days or 1,
        min_days=once.KEEP.days or 1,
        max_days=once.KEEP.days or 1,
        due=_tokens_due,
        date_field="created_at",
        purge=_tokens_purge,
        per_municipality=False,
        outcome=_("deleted"),
        position=92,
    ),
]
if not apps.is_installed("axes"):  # pragma: no cover - axes is in INSTALLED_APPS
    RETENTION = [k for k in RETENTION if k.key != "core.login_attempts"]


# --- Right of access and erasure: the outbox -------------------------------------------------------


def _outbox_of(municipality: Municipality, who: Person):
    """The person's outbox messages: recipients is a JSON list, matched as text and then exactly."""
    from .access import compact_phone

    q = Q()
    if who.email:
        q |= Q(recipients_text__icontains=who.email)
    if who.phone:
        q |= Q(recipients_text__contains=who.phone.lstrip("+")[-8:])
    if not q:
        return []
    candidates = (
        OutboxMessage.objects.filter(municipality=municipality)
        .annotate(recipients_text=Cast("recipients", TextField()))
        .filter(q)
        .order_by("created_at", "pk")
    )
    out = []
    for message in candidates:
        mine = [
            r
            for r in message.recipients
            if (who.email and str(r).strip().lower() == who.email)
            or (who.phone and compact_phone(str(r)) == who.phone)
        ]
        if mine:
            out.append(message)
    return out


def _outbox_find(municipality, who) -> list[Record]:
    return [
        Record(
            pk=m.pk,
            title=m.subject or str(m.get_channel_display()),
            when=m.created_at,
            fields=[
                (_("channel"), m.get_channel_display()),
                (_("recipients"), ", ".join(map(str, m.recipients))),
                (_("subject"), m.subject),
                # The case link in a receipt is a live secret: whoever holds the export could
                # open the case as the person (she can ask for a new link by its reference).
                (_("text"), redact_case_links(m.body)),
                (_("status"), m.get_state_display()),
                (_("sent"), m.sent_at),
            ],
        )
        for m in _outbox_of(municipality, who)
    ]


def _outbox_erase(municipality, who) -> int:
    ids = [m.pk for m in _outbox_of(municipality, who)]
    OutboxMessage.objects.filter(pk__in=ids).delete()
    return len(ids)


HOLDINGS = [
    Holding(
        key="core.outbox",
        label=_("E-mails and SMS to the person"),
        find=_outbox_find,
        erase=_outbox_erase,
        outcome=_("deleted"),
        position=80,
    ),
]
