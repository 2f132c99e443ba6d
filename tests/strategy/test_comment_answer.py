"""The municipality's answer to a consultation comment reaches the commenter: one e-mail through the
outbox, in the language she wrote in, and none when she gave no address."""

import pytest
from django.urls import reverse

from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.strategy import services, workflow
from servicetorg.strategy.models import ConsultationComment

from .conftest import soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(draft_strategy):
    return services.transition(
        draft_strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )


def _mails():
    return OutboxMessage.objects.filter(key__startswith="strategy.comment-answer:")


def test_an_answer_queues_exactly_one_email_with_the_answer(consultation):
    comment = services.submit_comment(
        consultation,
        name="Kari Nordmann",
        email="kari@example.no",
        text="Lengre åpningstid.",
        role="citizen",
        user=CITIZEN,
    )
    assert _mails().count() == 0  # nothing before the municipality answers
    services.moderate_comment(
        comment, decision="approved", answer="Vi åpner til 19 på torsdager.", user=SYSTEM
    )
    [mail] = _mails()
    assert mail.recipients == ["kari@example.no"]
    assert mail.municipality_id == consultation.municipality_id
    assert "Vi åpner til 19 på torsdager." in mail.body and "Lengre åpningstid." in mail.body
    assert f"/strategi/horing/{consultation.pk}/" in mail.body
    assert mail.subject == f"Svar på merknaden din til «{consultation.title}»"
    # Saving the same answer again (or only a new moderation decision) sends nothing more.
    services.moderate_comment(
        comment, decision="approved", answer="Vi åpner til 19 på torsdager.", user=SYSTEM
    )
    services.moderate_comment(comment, decision="rejected", answer="", user=SYSTEM)
    assert _mails().count() == 1
    # A changed answer is news: one more e-mail, with the new text.
    services.moderate_comment(comment, decision="approved", answer="Til 20, faktisk.", user=SYSTEM)
    assert _mails().count() == 2
    assert _mails().filter(body__contains="Til 20, faktisk.").count() == 1


def test_no_email_without_an_address(consultation):
    comment = services.submit_comment(consultation, name="Ola", text="Bra.", role="citizen", user=CITIZEN)
    services.moderate_comment(comment, decision="approved", answer="Takk!", user=SYSTEM)
    assert _mails().count() == 0
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "subject", "heading"),
    [
        ("nn", "Svar på merknaden din til", "Svar frå kommunen"),
        ("en", "Answer to your comment on", "Answer from the municipality"),
        ("nb", "Svar på merknaden din til", "Svar fra kommunen"),
    ],
)
def test_the_answer_is_written_in_the_language_she_commented_in(
    client, consultation, language, subject, heading
):
    """She comments on the portal in her language; the editor moderates in bokmål; the e-mail is hers."""
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    url = reverse("strategy_public:consultation", args=[consultation.pk])
    response = client.post(
        url,
        {"name": "Kari", "email": "kari@example.no", "role": "citizen", "text": "Merknad.", "focus_area": ""},
    )
    assert response.status_code == 302
    comment = ConsultationComment.objects.get(name="Kari")
    assert comment.language == language
    services.moderate_comment(comment, decision="approved", answer="Takk for innspelet.", user=SYSTEM)
    [mail] = _mails()
    assert mail.subject.startswith(subject)
    assert f"{heading}:\nTakk for innspelet." in mail.body


def test_the_editor_is_told_where_the_answer_went(client, administration, consultation):
    comment = services.submit_comment(
        consultation,
        name="Kari",
        email="kari@example.no",
        text="Bra",
        role="citizen",
        language="nn",
        user=CITIZEN,
    )
    client.force_login(administration)
    listing = client.get(reverse("strategy:comment-list", args=[consultation.pk])).content.decode()
    assert "svar sendes på e-post til kari@example.no på" in listing
    response = client.post(
        reverse("strategy:comment-moderate", args=[consultation.pk, comment.pk]),
        {f"c{comment.pk}-moderation": "approved", f"c{comment.pk}-answer": "Takk!"},
        follow=True,
    )
    assert "Svaret ble sendt på e-post til kari@example.no" in response.content.decode()
    assert _mails().count() == 1
