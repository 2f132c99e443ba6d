"""Transactional outbox: e-mails and SMS that are never lost and never sent twice.

Call :func:`enqueue_email` or :func:`enqueue_sms` *inside the transaction of the change that causes
the message* (a registered inquiry, a deadline warning, a reply). The message is a row in
``core.OutboxMessage``, so it commits or rolls back with that change: a crash between the commit and
the send loses nothing, and a rolled-back change sends nothing. ::

    from servicetorg.core.outbox import enqueue_email, enqueue_sms

    with transaction.atomic():
        inquiry = ...  # the change
        enqueue_email(
            municipality=inquiry.municipality,
            to=inquiry.contact_email,  # one address or a list
            subject="...",
            body="...",
            key=f"inquiries.receipt:{inquiry.pk}",  # unique per effect
        )
        enqueue_sms(municipality=..., to="+4791234567", body="...", key=f"inquiries.receipt-sms:{inquiry.pk}")

``key`` names the effect, unique across the platform (``<app>.<what>:<ids>``). Enqueueing a key that
already exists returns the existing message and changes nothing, so a task or request that runs
again never repeats an effect. Empty recipients are dropped; with none left nothing is enqueued and
``None`` is returned.

Sending: when the transaction commits, a Celery task (``core.outbox_deliver``) sends the message;
``core.outbox_sweep`` (Celery beat, every minute; also ``manage.py send_outbox``) sends whatever is
due, which covers a worker that died, a broker that was down and every retry. A message is sent
under a row lock (``SELECT ... FOR UPDATE SKIP LOCKED``), so two workers never send it at once, and
is marked sent in the same transaction. A failure is recorded with its reason and retried with
exponential back-off (1, 2, 4 ... 60 minutes, :data:`MAX_ATTEMPTS` attempts); a permanent failure
(an address or number the server refuses for good) and the last attempt leave it ``failed``. Staff
with the administration role see every message of their municipality at ``/staff/utboks/``
(pending, sent, failed with the reason) and can send a failed one again (:func:`retry`).

The one remaining window: a process killed after the mail server or SMS gateway accepted the
message but before its transaction committed sends it again on the next attempt (at-least-once
delivery). E-mails carry a ``Message-ID`` derived from the key, so mail systems can see the repeat.

SMS go through the gateway chosen by ``SMS_BACKEND`` (see :mod:`servicetorg.core.sms`); e-mails
through Django's ``EMAIL_BACKEND`` (SMTP in production; ``EMAIL_TIMEOUT`` bounds each attempt).
"""

import hashlib
import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import sms
from .models import Municipality, OutboxChannel, OutboxMessage, OutboxState
from .permissions import Perm, require
from .redaction import redact_case_links
from .workflow import Workflow

logger = logging.getLogger(__name__)

#: Attempts before a message is left ``failed`` (about three hours of back-off in all).
MAX_ATTEMPTS = 8

SEND = "send"
FAIL = "fail"
RETRY = "retry"

#: A pending message is sent or, after the last attempt or a permanent refusal, failed (both by the
#: worker only); staff send a failed or waiting one again. A sent message is never sent again.
WORKFLOW = Workflow.declare(
    gettext_lazy("the message"),
    model=OutboxMessage,
    states=OutboxState.choices,
    actions={SEND: gettext_lazy("Sent"), FAIL: gettext_lazy("Failed"), RETRY: gettext_lazy("Send again")},
    table={
        (OutboxState.PENDING, SEND): OutboxState.SENT,
        (OutboxState.PENDING, FAIL): OutboxState.FAILED,
        (OutboxState.PENDING, RETRY): OutboxState.PENDING,
        (OutboxState.FAILED, RETRY): OutboxState.PENDING,
    },
    internal={SEND, FAIL},
)


def enqueue_email(
    *,
    municipality: Municipality | int,
    to: str | Iterable[str],
    subject: str,
    body: str,
    key: str,
    from_email: str = "",
) -> OutboxMessage | None:
    """Write an e-mail to the outbox in the current transaction (sent after it commits)."""
    return _enqueue(OutboxChannel.EMAIL, municipality, to, subject, body, key, from_email)


def enqueue_sms(*, municipality: Municipality | int, to: str, body: str, key: str) -> OutboxMessage | None:
    """Write an SMS to the outbox in the current transaction (sent after it commits)."""
    if to:
        to = sms.normalise_number(to)  # a number the gateway cannot take is refused now, not later
    return _enqueue(OutboxChannel.SMS, municipality, to, "", body, key, "")


def _enqueue(channel, municipality, to, subject, body, key, from_email) -> OutboxMessage | None:
    recipients = [to] if isinstance(to, str) else list(to)
    recipients = sorted({address.strip() for address in recipients if address and address.strip()})
    if not recipients:
        return None
    if not key or len(key) > 200:
        raise ValueError("An outbox key is required (at most 200 characters).")
    municipality_id = municipality if isinstance(municipality, int) else municipality.pk
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={
            "municipality_id": municipality_id,
            "channel": channel,
            "recipients": recipients,
            "subject": subject[:250],
            "body": body,
            "from_email": from_email,
            "next_attempt_at": timezone.now(),
        },
    )
    if created:
        transaction.on_commit(lambda: _kick(message.pk))
    return message


def _kick(message_id: int) -> None:
    """Hand the message to a worker now; if the broker is down, the sweep sends it later."""
    from .tasks import deliver_outbox

    try:
        deliver_outbox.delay(message_id)
    except Exception:  # the broker is unreachable: the message stays pending for the sweep
        logger.warning("Outbox message %s left for the sweep (broker unavailable)", message_id, exc_info=True)


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after ``attempts`` failed ones: 1, 2, 4 ... at most 60 minutes."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def deliver(message_id: int) -> str:
    """Send one message if it is pending and due; returns its state afterwards ('' if skipped).

    The row stays locked while sending, so a second worker skips it; success and failure are
    recorded in the same transaction. Never raises for a failed send: the failure is recorded.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, state=OutboxState.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if message is None:
            return ""
        WORKFLOW.lock(message)  # the row is this worker's already (skip_locked): reads it under the lock
        try:
            reference = _send(message)
        except Exception as exc:  # recorded with its reason, retried later or left failed
            if _record_failure(message, exc):
                WORKFLOW.apply(message, FAIL, internal=True)
            message.save()
        else:
            WORKFLOW.apply(message, SEND, internal=True)
            # Once sent, the kept copy needs no live case link: the secret in it would let whoever
            # reads the outbox (admin, a backup) open the case as the citizen. The reference stays.
            message.body = redact_case_links(message.body)
            message.sent_at = timezone.now()
            message.provider_reference = reference[:120]
            message.last_error = ""
            message.attempts += 1
            message.save()
        return message.state


def deliver_due(limit: int = 500) -> dict:
    """Send every pending message that is due (oldest first). Returns counts per resulting state."""
    ids = list(
        OutboxMessage.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {OutboxState.SENT: 0, OutboxState.PENDING: 0, OutboxState.FAILED: 0}
    for pk in ids:
        state = deliver(pk)
        if state:
            counts[state] += 1
    return {str(state): count for state, count in counts.items()}


def _send(message: OutboxMessage) -> str:
    if message.channel == OutboxChannel.SMS:
        references = [
            sms.get_backend().send(sms.Sms(to=number, body=message.body, reference=message.key))
            for number in message.recipients
        ]
        return ",".join(references)
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:24]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "servicetorg.local"
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email or None,
        to=message.recipients,
        headers={"Message-ID": f"<outbox.{message.pk}.{digest}@{domain}>"},
        connection=get_connection(fail_silently=False),
    )
    email.send()
    return email.extra_headers["Message-ID"]


def _is_permanent(exc: Exception) -> bool:
    import smtplib

    if isinstance(exc, sms.SmsError):
        return exc.permanent
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500  # 4xx: try again later; 5xx: the server refuses for good
    return False


def _record_failure(message: OutboxMessage, exc: Exception) -> bool:
    """Count the failed attempt (not saved); True when the message is to be left failed."""
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning("Outbox message %s (%s) failed: %s", message.pk, message.key, message.last_error)
    if _is_permanent(exc) or message.attempts >= MAX_ATTEMPTS:
        return True
    message.next_attempt_at = timezone.now() + backoff(message.attempts)
    return False


@transaction.atomic
def retry(message: OutboxMessage, *, user) -> OutboxMessage:
    """Staff sends a failed (or waiting) message again now."""
    require(user, Perm.OUTBOX, message.municipality_id)
    message = WORKFLOW.lock(message, reload=True)
    WORKFLOW.apply(message, RETRY)  # a sent message is not sent again: TransitionRefused
    message.next_attempt_at = timezone.now()
    message.attempts = 0
    message.save(update_fields=["state", "next_attempt_at", "attempts"])
    transaction.on_commit(lambda: _kick(message.pk))
    return message
