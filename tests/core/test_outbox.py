"""The transactional outbox: written with the change, sent once, retried with back-off, shown to staff."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from servicetorg.core import outbox
from servicetorg.core.choices import Role
from servicetorg.core.models import OutboxMessage, OutboxState
from servicetorg.core.tasks import sweep_outbox
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def enqueue(municipality, key="test.effect:1", to="kari@example.no"):
    return outbox.enqueue_email(municipality=municipality, to=to, subject="Emne", body="Tekst", key=key)


def test_message_is_sent_after_commit_and_once_per_key(municipality, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = enqueue(municipality)
        again = enqueue(municipality)  # a re-run of the same effect
    assert first.pk == again.pk and len(callbacks) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kari@example.no"]
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<outbox.{first.pk}.")
    first.refresh_from_db()
    assert first.state == OutboxState.SENT and first.attempts == 1 and first.sent_at
    # Delivering it again (a task run twice) sends nothing.
    assert outbox.deliver(first.pk) == ""
    assert sweep_outbox() == {"sent": 0, "pending": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_rolled_back_change_sends_nothing(municipality, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                enqueue(municipality)
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert not OutboxMessage.objects.exists() and mail.outbox == []


def test_no_recipient_enqueues_nothing_and_key_is_required(municipality):
    assert enqueue(municipality, to=["", "  "]) is None
    with pytest.raises(ValueError):
        outbox.enqueue_email(municipality=municipality, to="a@example.no", subject="s", body="b", key="")


class RefusingThenAcceptingBackend:
    """An e-mail backend that fails ``failures`` times, then accepts (a mail server coming back)."""

    failures = 2
    sent: list = []

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        if RefusingThenAcceptingBackend.failures > 0:
            RefusingThenAcceptingBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        RefusingThenAcceptingBackend.sent.extend(messages)
        return len(messages)


@override_settings(EMAIL_BACKEND="tests.core.test_outbox.RefusingThenAcceptingBackend")
def test_failure_is_recorded_and_retried_with_backoff(municipality):
    RefusingThenAcceptingBackend.failures, RefusingThenAcceptingBackend.sent = 2, []
    message = enqueue(municipality)
    assert outbox.deliver(message.pk) == OutboxState.PENDING
    message.refresh_from_db()
    assert message.attempts == 1 and "SMTPServerDisconnected" in message.last_error
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)
    # Not due yet: the sweep leaves it.
    assert sweep_outbox()["sent"] == 0
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver(message.pk) == OutboxState.PENDING
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at > timezone.now() + timedelta(seconds=110)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert sweep_outbox()["sent"] == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and message.last_error == ""
    assert len(RefusingThenAcceptingBackend.sent) == 1


def test_backoff_grows_and_is_capped():
    minutes = [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 7, 8, 20)]
    assert minutes == [1, 2, 4, 8, 60, 60, 60]


class RefusingRecipientBackend(RefusingThenAcceptingBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.no": (550, b"No such user")})


@override_settings(EMAIL_BACKEND="tests.core.test_outbox.RefusingRecipientBackend")
def test_permanent_refusal_fails_at_once_and_last_attempt_gives_up(municipality):
    message = enqueue(municipality)
    assert outbox.deliver(message.pk) == OutboxState.FAILED
    message.refresh_from_db()
    assert "550" in message.last_error and message.attempts == 1
    with override_settings(EMAIL_BACKEND="tests.core.test_outbox.RefusingThenAcceptingBackend"):
        RefusingThenAcceptingBackend.failures = 100
        other = enqueue(municipality, key="test.effect:2")
        for _attempt in range(outbox.MAX_ATTEMPTS):
            OutboxMessage.objects.filter(pk=other.pk).update(next_attempt_at=timezone.now())
            outbox.deliver(other.pk)
        other.refresh_from_db()
        assert other.state == OutboxState.FAILED and other.attempts == outbox.MAX_ATTEMPTS


def test_staff_page_lists_and_retries_only_own_municipality(
    client, municipality, other_municipality, django_capture_on_commit_callbacks
):
    with override_settings(EMAIL_BACKEND="tests.core.test_outbox.RefusingRecipientBackend"):
        failed = enqueue(municipality, to="feil@example.no")
        outbox.deliver(failed.pk)
    theirs = enqueue(other_municipality, key="test.theirs:1", to="nabo@example.no")
    admin = make_staff(Role.ADMINISTRATION, municipality)
    client.force_login(admin)
    page = client.get(reverse("core:outbox") + "?status=failed")
    html = page.content.decode()
    assert page.status_code == 200 and "feil@example.no" in html and "550" in html
    assert "nabo@example.no" not in client.get(reverse("core:outbox")).content.decode()
    # Another municipality's message does not exist for this user.
    assert client.post(reverse("core:outbox-retry", args=[theirs.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:outbox-retry", args=[failed.pk]), {"status": "failed"})
    assert response.status_code == 302 and response["Location"].endswith("?status=failed")
    failed.refresh_from_db()
    assert failed.state == OutboxState.SENT and mail.outbox[-1].to == ["feil@example.no"]
    # A sent message cannot be "sent again".
    client.post(reverse("core:outbox-retry", args=[failed.pk]))
    assert len(mail.outbox) == 1


def test_desk_worker_has_no_outbox(client, municipality):
    client.force_login(make_staff(Role.DESK_WORKER, municipality))
    assert client.get(reverse("core:outbox")).status_code == 403
    assert "utboks" not in client.get(reverse("core:staff-home")).content.decode()


def test_the_kept_copy_of_a_sent_message_holds_no_live_case_link(
    municipality, django_capture_on_commit_callbacks
):
    """Review: a sent receipt stayed in the outbox with the case link's secret for its whole retention
    period (readable in the admin and in backups). The citizen's e-mail has the link; the copy not."""
    link = "https://fjordvik.example/sak/AB12-CD34/0123456789abcdef0123456789abcdef/"
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue_email(
            municipality=municipality, to="kari@example.no", subject="Kvittering", body=f"Følg saken: {link}",
            key="receipt:1",
        )  # fmt: skip
    assert link in mail.outbox[0].body
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert "0123456789abcdef" not in message.body and "/sak/AB12-CD34/" in message.body
