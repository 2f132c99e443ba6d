"""The citizen hears from us: a receipt at once, and an e-mail with the case link at every change she
cares about; a lost link sent again without telling a stranger anything. Through the outbox."""

import re
import socket
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from servicetorg.core.choices import Channel
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/sak/[A-Z0-9-]+/[A-Za-z0-9_-]+/)")


@pytest.fixture(autouse=True)
def links_to_testserver(settings):
    settings.PORTAL_BASE_URL = "http://testserver"


def link_in(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def test_receipt_at_once_with_reference_date_text_and_link(
    client, municipality, service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("inquiries_public:contact-service", args=[service.slug]),
            {
                "subject": "Plass til høsten",
                "body": "Når får jeg svar om plass?",
                "contact_name": "Kari",
                "contact_email": "kari@example.no",
            },
        )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    [receipt] = mail.outbox
    assert receipt.to == ["kari@example.no"]
    assert inquiry.reference in receipt.subject and inquiry.reference in receipt.body
    assert "Plass til høsten" in receipt.body and "Når får jeg svar om plass?" in receipt.body
    months = "januar februar mars april mai juni juli august september oktober november desember".split()
    assert f"{inquiry.reply_deadline.day}. {months[inquiry.reply_deadline.month - 1]}" in receipt.body
    page = client.get(link_in(receipt), follow=True)
    assert page.status_code == 200 and inquiry.reference in page.content.decode()


def test_no_receipt_without_an_address(client, municipality, service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("inquiries_public:contact-service", args=[service.slug]),
            {"subject": "Hei", "body": "Tekst", "contact_name": "Ola"},
        )
    assert Inquiry.objects.count() == 1 and mail.outbox == []


def test_every_change_she_cares_about_brings_the_link(
    client, municipality, service, case_officer, django_capture_on_commit_callbacks
):
    registered = services.register(
        municipality=municipality,
        channel=Channel.WEB_FORM,
        service=service,
        subject="Snø",
        body="Brøyt veien",
        contact_email="ola@example.no",
        user=CITIZEN,
    )
    inquiry = registered.inquiry
    services.take(inquiry, user=case_officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.preliminary_reply(
            inquiry,
            reason="Vi trenger mer tid.",
            expected_date=inquiry.reply_deadline + timedelta(days=7),
            user=case_officer,
        )
        services.ask_citizen(inquiry, text="Hvilken vei gjelder det?", user=case_officer)
        services.citizen_message(inquiry, text="Storgata.", user=CITIZEN)  # no e-mail to herself
        services.reply(inquiry, text="Veien er brøytet.", user=case_officer)
        services.close(inquiry, user=case_officer)
    texts = ["Vi trenger mer tid.", "Hvilken vei gjelder det?", "Veien er brøytet.", "avsluttet"]
    assert len(mail.outbox) == 4
    for message, text in zip(mail.outbox, texts, strict=True):
        assert text in message.body and inquiry.reference in message.subject
        assert client.get(link_in(message), follow=True).status_code == 200


def test_desk_sends_the_receipt_by_sms_or_email(
    client, municipality, service, desk_worker, tmp_path, django_capture_on_commit_callbacks
):
    sms_file = tmp_path / "sms.jsonl"
    client.force_login(desk_worker)
    url = reverse("inquiries:register")
    base = {"municipality": municipality.pk, "channel": "phone", "subject": "Ringte", "outcome": "open"}
    # Asking for a receipt without the address is a message on the field.
    response = client.post(url, {**base, "receipt": "sms"})
    assert response.status_code in (200, 400) and "contact_phone" in response.context["form"].errors
    with override_settings(SMS_BACKEND="servicetorg.core.sms.FileBackend", SMS_FILE_PATH=str(sms_file)):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {**base, "contact_phone": "912 34 567", "receipt": "sms"})
        assert response.status_code == 302
    sent = sms_file.read_text()
    inquiry = Inquiry.objects.get()
    assert inquiry.reference in sent and "/sak/" in sent
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**base, "subject": "Skranken", "contact_email": "a@example.no", "receipt": "email"})
    assert mail.outbox[-1].to == ["a@example.no"]
    assert client.get(link_in(mail.outbox[-1]), follow=True).status_code == 200


def test_a_lost_link_is_sent_again_and_strangers_learn_nothing(
    client, municipality, service, django_capture_on_commit_callbacks
):
    registered = services.register(
        municipality=municipality,
        channel=Channel.WEB_FORM,
        service=service,
        subject="Hei",
        contact_email="Kari@Example.no",
        user=CITIZEN,
    )
    inquiry = registered.inquiry
    old = f"/sak/{inquiry.reference}/{registered.token}/"
    assert client.get(old, follow=True).status_code == 200
    url = reverse("inquiries_public:lookup")
    with django_capture_on_commit_callbacks(execute=True):
        wrong = client.post(
            url, {"lost-reference": inquiry.reference, "lost-email": "noen@example.no"}, follow=True
        )
        unknown = client.post(
            url, {"lost-reference": "ABCD-EFGH", "lost-email": "kari@example.no"}, follow=True
        )
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        right = client.post(
            url, {"lost-reference": inquiry.reference.lower(), "lost-email": "kari@example.no"}, follow=True
        )
    messages = [[str(m) for m in r.context["messages"]] for r in (wrong, unknown, right)]
    assert messages[0] == messages[1] == messages[2] and messages[0]
    [sent] = mail.outbox
    assert sent.to == ["Kari@Example.no"]
    assert client.get(link_in(sent), follow=True).status_code == 200
    # The link she had keeps working: a stranger asking cannot cut her off her case (review 2 §2.7).
    assert Client().get(old, follow=True).status_code == 200
    # A bad address is a message on the field, not a 500.
    response = client.post(url, {"lost-reference": inquiry.reference, "lost-email": "ikke en adresse"})
    assert response.status_code == 400 and "email" in response.context["lost"].errors


def _free_port() -> int:
    for port in range(8150, 8199):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


@pytest.mark.django_db(transaction=True)
def test_receipt_through_a_real_smtp_server(client, municipality, unit, settings):
    """Once against a real SMTP server (aiosmtpd) started here: the link in the message opens the case."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    from tests.factories import make_service

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    port = _free_port()
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        service = make_service(municipality, unit=unit, slug="vann", name="Vann og avløp")
        client.post(
            reverse("inquiries_public:contact-service", args=[service.slug]),
            {
                "subject": "Lekkasje",
                "body": "Det renner vann i gata.",
                "contact_name": "Per",
                "contact_email": "per@example.no",
            },
        )
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        controller.stop()
    [message] = received
    assert message["To"] == "per@example.no"
    body = message.get_payload(decode=True).decode()
    path = LINK.search(body).group(1)
    page = client.get(path, follow=True)
    assert page.status_code == 200 and "Det renner vann i gata." in page.content.decode()


def _lookups(callbacks) -> int:
    """The look-ups handed to the background task (not the outbox's own hand-overs)."""
    return sum("request_case_link" in c.__qualname__ for c in callbacks)


def _ask(client, reference, email, ip="10.0.0.1"):
    return client.post(
        reverse("inquiries_public:lookup"),
        {"lost-reference": reference, "lost-email": email},
        REMOTE_ADDR=ip,
    )


def test_lost_link_requests_do_the_same_work_whether_or_not_the_pair_matches(
    client, municipality, service, django_capture_on_commit_callbacks
):
    """Review 2 §2.7: a timing difference confirmed a reference + e-mail pair. The request now does
    the same queries and gives the same answer either way; the look-up runs after it, off the
    request (a background task), and only then does a matching pair write an outbox row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from servicetorg.core.models import OutboxMessage

    inquiry = services.register(
        municipality=municipality,
        channel=Channel.WEB_FORM,
        service=service,
        subject="Hei",
        contact_email="kari@example.no",
        user=CITIZEN,
    ).inquiry
    seen = []
    for i, (reference, email) in enumerate(
        [
            (inquiry.reference, "kari@example.no"),
            (inquiry.reference, "noen@example.no"),
            ("ABCD-EFGH", "x@y.no"),
        ]
    ):
        with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
            response = _ask(client, reference, email, ip=f"10.0.1.{i}")
        seen.append(
            (
                response.status_code,
                response["Location"],
                [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries.captured_queries],
                len(callbacks),
            )
        )
        assert OutboxMessage.objects.count() == 0  # nothing written by the request itself
        if i == 0:
            matching_callbacks = callbacks
    assert seen[0] == seen[1] == seen[2], seen
    assert seen[0][0] == 302 and seen[0][3] == 1
    for callback in matching_callbacks:
        callback()  # the task (eager here): the look-up, and the e-mail for the matching pair
    assert OutboxMessage.objects.filter(key__startswith="inquiries.lost-link:").count() == 1


def test_lost_link_is_throttled_per_reference_address_and_client_and_never_invalidates_the_link(
    client, municipality, service, django_capture_on_commit_callbacks
):
    """36 requests sent her 36 e-mails and cut her old link each time. Now: per reference (3 a day)
    and per e-mail address (5 a day) whatever the client address, per client address (10 an hour),
    at most one e-mail per case a day, and her link keeps working."""
    registered = services.register(
        municipality=municipality,
        channel=Channel.WEB_FORM,
        service=service,
        subject="Hei",
        contact_email="kari@example.no",
        user=CITIZEN,
    )
    inquiry = registered.inquiry
    old = f"/sak/{inquiry.reference}/{registered.token}/"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answers = [
            _ask(client, inquiry.reference, "kari@example.no", ip=f"10.0.2.{i}").status_code
            for i in range(36)
        ]
    assert set(answers) == {302}  # the same answer: the limits are silent
    assert _lookups(callbacks) == 3  # per reference: three look-ups a day, whatever the client address
    assert len(mail.outbox) == 1  # and one e-mail a day per case
    assert Client().get(old, follow=True).status_code == 200
    # Per e-mail address, across references.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for i in range(8):
            _ask(client, f"ABCD-EF{i:02d}", "ola@example.no", ip=f"10.0.3.{i}")
    assert _lookups(callbacks) == 5
    # Per client address: the page itself refuses after ten.
    codes = [
        _ask(client, f"WXYZ-AB{i:02d}", f"p{i}@example.no", ip="10.0.4.1").status_code for i in range(11)
    ]
    assert codes[:10] == [302] * 10 and codes[10] == 429


def test_the_receipt_page_shows_the_case_link_only_just_after_the_form(client, municipality, service):
    """Review 2 §2.9: the receipt page showed the case link (its token) for the session's whole life
    (10 hours). Now only in the minutes after the form; later it names the reference and the e-mail."""
    response = client.post(
        reverse("inquiries_public:contact-service", args=[service.slug]),
        {
            "subject": "Plass",
            "body": "Når får jeg svar?",
            "contact_name": "Kari",
            "contact_email": "k@example.no",
        },
    )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    token = inquiry.link_token()
    assert token in client.get(reverse("inquiries_public:receipt")).content.decode()
    Inquiry.objects.filter(pk=inquiry.pk).update(received_at=inquiry.received_at - timedelta(minutes=11))
    later = client.get(reverse("inquiries_public:receipt")).content.decode()
    assert token not in later and inquiry.reference in later
    assert reverse("inquiries_public:lookup") in later
