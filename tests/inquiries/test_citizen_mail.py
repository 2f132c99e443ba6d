"""Issue 24 points 1, 8 and 9: what the e-mails to the citizen say, and in which language.

- A sensitive service's receipt and notices say only that there is news and where to read it: no word
  of what she wrote or of the reply, neither in the e-mail nor in the outbox's kept copy.
- Every e-mail to her is in the language she wrote in (stored on the inquiry), not the case officer's.
- A phone inquiry's receipt says "Dette noterte vi" over the desk worker's note, not "Dette skrev du".
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from servicetorg.core.choices import Channel
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry

pytestmark = pytest.mark.django_db

SECRET_TEXT = "angst og alkohol"
SECRET_REPLY = "Du får time hos psykolog tirsdag"


@pytest.fixture(autouse=True)
def links_to_testserver(settings):
    settings.PORTAL_BASE_URL = "http://testserver"


def _walk(inquiry, officer):
    services.take(inquiry, user=officer)
    services.preliminary_reply(
        inquiry,
        reason="Vi trenger en uke til.",
        expected_date=inquiry.reply_deadline + timedelta(days=7),
        user=officer,
    )
    services.ask_citizen(inquiry, text="Kan du si mer om alkoholbruken?", user=officer)
    services.reply(inquiry, text=SECRET_REPLY, user=officer)
    services.close(inquiry, user=officer)


def test_sensitive_service_mails_say_only_that_there_is_news(
    client, service, case_officer, django_capture_on_commit_callbacks
):
    service.sensitive = True
    service.save(update_fields=["sensitive"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("inquiries_public:contact-service", args=[service.slug]),
            {
                "subject": "Hjelp",
                "body": f"Jeg sliter med {SECRET_TEXT}.",
                "contact_name": "Kari",
                "contact_email": "kari@example.no",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        inquiry = Inquiry.objects.get()
        _walk(inquiry, case_officer)
    assert len(mail.outbox) == 5
    secrets = [SECRET_TEXT, "Hjelp\n", SECRET_REPLY, "alkoholbruken", "en uke til"]
    for message in mail.outbox:
        for secret in secrets:
            assert secret not in message.body and secret not in message.subject, (secret, message.body)
        assert inquiry.reference in message.body and "/sak/" in message.body
    assert "personvern" in mail.outbox[0].body and "Det er nytt i saken din" in mail.outbox[-1].body
    for kept in OutboxMessage.objects.all():
        for secret in secrets:
            assert secret not in kept.subject + kept.body, kept.body


def test_not_sensitive_service_still_quotes_the_text(
    client, service, case_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("inquiries_public:contact-service", args=[service.slug]),
            {
                "subject": "Plass",
                "body": "Når får vi plass?",
                "contact_name": "Kari",
                "contact_email": "kari@example.no",
            },
        )
        inquiry = Inquiry.objects.get()
        _walk(inquiry, case_officer)
    assert "Når får vi plass?" in mail.outbox[0].body and SECRET_REPLY in mail.outbox[3].body


@pytest.mark.parametrize(
    ("language", "expected", "bokmal"),
    [
        (
            "nn",
            ["Vi har fått førespurnaden", "Svar på førespurnaden", "avslutta"],
            ["henvendelse", "avsluttet"],
        ),
        (
            "en",
            ["We have received your inquiry", "Reply to your inquiry", "is closed"],
            ["henvendelse", "Svar på"],
        ),
    ],
)
def test_every_mail_in_the_language_she_wrote_in(
    client, service, case_officer, django_capture_on_commit_callbacks, language, expected, bokmal
):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("inquiries_public:contact-service", args=[service.slug]),
            {"subject": "Plass", "body": "Når?", "contact_name": "Kari", "contact_email": "kari@example.no"},
        )
        inquiry = Inquiry.objects.get()
        assert inquiry.language == language
        _walk(inquiry, case_officer)  # the case officer works in bokmål (no language chosen)
    assert len(mail.outbox) == 5
    receipt, *_rest, replied, closed = mail.outbox
    everything = "\n".join(m.subject + "\n" + m.body for m in mail.outbox)
    assert expected[0].lower() in (receipt.subject + receipt.body).lower()
    assert expected[1].lower() in (replied.subject + replied.body).lower()
    assert expected[2].lower() in (closed.subject + closed.body).lower()
    for word in bokmal:
        assert word not in everything, (word, everything)


def test_staff_registered_inquiry_is_bokmal_and_phone_receipt_says_what_we_noted(
    municipality, service, desk_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registered = services.register(
            municipality=municipality,
            channel=Channel.PHONE,
            service=service,
            subject="Ringte om plass",
            body="Mor ringte, lurer på plass.",
            contact_email="kari@example.no",
            user=desk_worker,
            receipt="email",
        )
    assert registered.inquiry.language == "nb"
    [receipt] = mail.outbox
    assert "Dette noterte vi" in receipt.body and "Dette skrev du" not in receipt.body


def test_web_receipt_still_says_what_you_wrote(municipality, service, django_capture_on_commit_callbacks):
    with translation.override("nb"), django_capture_on_commit_callbacks(execute=True):
        services.register(
            municipality=municipality,
            channel=Channel.WEB_FORM,
            service=service,
            subject="Plass",
            contact_email="kari@example.no",
            user=CITIZEN,
            receipt="email",
        )
    assert "Dette skrev du" in mail.outbox[0].body


def test_case_officer_sees_her_language_and_what_happened_to_the_reply(
    client, service, case_officer, django_capture_on_commit_callbacks
):
    """Point 8/9: the staff page says the citizen chose nynorsk; after a reply the message says where
    it went ("Sendt til … på e-post"), not only "Lagret."."""
    client.post(reverse("set_language"), {"language": "nn", "next": "/"})
    client.post(
        reverse("inquiries_public:contact-service", args=[service.slug]),
        {"subject": "Plass", "body": "Når?", "contact_name": "Kari", "contact_email": "kari@example.no"},
    )
    inquiry = Inquiry.objects.get()
    client.cookies.clear()
    translation.activate("nb")
    client.force_login(case_officer)
    page = client.get(reverse("inquiries:detail", args=[inquiry.pk])).content.decode()
    assert "Innbyggeren skriver nynorsk: svar på nynorsk." in page
    client.post(reverse("inquiries:act", args=[inquiry.pk, "take"]))
    response = client.post(
        reverse("inquiries:act", args=[inquiry.pk, "reply"]), {"reply-text": "Svar"}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert "Sendt til kari@example.no på e-post, og lagt på saken." in shown, shown


def test_contact_form_of_a_sensitive_service_says_first_what_happens_to_her_text(client, service):
    """Point 1: before she writes, the form says her text never leaves by e-mail or SMS."""
    url = reverse("inquiries_public:contact-service", args=[service.slug])
    assert 'id="sensitive-note"' not in client.get(url).content.decode()
    service.sensitive = True
    service.save(update_fields=["sensitive"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert 'id="sensitive-note"' in page and "sender vi det aldri" in page
    assert page.index('id="sensitive-note"') < page.index('enctype="multipart/form-data"')
