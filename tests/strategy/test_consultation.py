"""The consultation deadline: set when the draft goes out, closes commenting by itself, and the page
stays up read-only with the published comments and the municipality's answers afterwards."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.strategy import selectors, services, workflow
from servicetorg.strategy.models import ConsultationComment, Strategy

from .conftest import soon

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def consultation(draft_strategy):
    return services.transition(
        draft_strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )


def _end(strategy, ago=timedelta(minutes=1)):
    Strategy.objects.filter(pk=strategy.pk).update(consultation_deadline=timezone.now() - ago)
    strategy.refresh_from_db()
    return strategy


def _comment(strategy, text, decision, answer=""):
    comment = services.submit_comment(strategy, name="Kari Nordmann", text=text, role="citizen", user=CITIZEN)
    return services.moderate_comment(comment, decision=decision, answer=answer, user=SYSTEM)


def test_opening_needs_a_deadline_in_the_future(draft_strategy):
    with pytest.raises(ValidationError) as error:
        services.transition(draft_strategy, workflow.START_CONSULTATION, user=SYSTEM)
    assert "consultation_deadline" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.transition(
            draft_strategy,
            workflow.START_CONSULTATION,
            consultation_deadline=timezone.now() - timedelta(hours=1),
            user=SYSTEM,
        )
    assert "consultation_deadline" in error.value.message_dict
    draft_strategy.refresh_from_db()
    assert draft_strategy.state == "draft" and draft_strategy.consultation_deadline is None


def test_deadline_is_kept_when_editing_during_the_consultation(consultation):
    with pytest.raises(ValidationError):
        services.update_strategy(consultation, consultation_deadline=None, user=SYSTEM)
    later = soon() + timedelta(days=7)
    assert (
        services.update_strategy(consultation, consultation_deadline=later, user=SYSTEM).consultation_deadline
        == later
    )


def test_commenting_closes_at_the_deadline(consultation):
    services.submit_comment(consultation, name="Kari", text="I tide", role="citizen", user=CITIZEN)
    # The deadline in the database counts, not the copy the caller holds (a page opened before it).
    Strategy.objects.filter(pk=consultation.pk).update(
        consultation_deadline=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError) as error:
        services.submit_comment(consultation, name="Per", text="For sent", role="citizen", user=CITIZEN)
    assert error.value.code == "closed"
    assert list(ConsultationComment.objects.values_list("text", flat=True)) == ["I tide"]


def test_closed_page_is_read_only_with_published_comments_and_answers(client, consultation):
    _comment(consultation, "Godt forslag", "approved", answer="Takk, vi tar det med.")
    _comment(consultation, "Reklame", "rejected")
    services.submit_comment(
        consultation, name="Ola", text="Venter på moderering", role="citizen", user=CITIZEN
    )
    url = reverse("strategy_public:consultation", args=[consultation.pk])
    open_page = client.get(url).content.decode()
    assert 'name="text"' in open_page and "Høringsfrist:" in open_page
    _end(consultation)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="text"' not in html and "Send merknad" not in html
    assert "Godt forslag" in html and "Takk, vi tar det med." in html
    assert "Reklame" not in html and "Venter på moderering" not in html
    assert "Høringen ble avsluttet" in html
    home = client.get(reverse("strategy_public:home")).content.decode()
    assert url in home and "Avsluttede høringer" in home


def test_late_post_is_refused_and_keeps_the_text(client, consultation):
    _end(consultation)
    url = reverse("strategy_public:consultation", args=[consultation.pk])
    response = client.post(url, {"name": "Per", "role": "citizen", "text": "Min lange merknad om chat"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Min lange merknad om chat" in html
    assert "Merknaden din ble ikke sendt" in html
    assert not ConsultationComment.objects.exists()
    # An invalid late post says the same (and keeps what was typed).
    response = client.post(url, {"name": "", "role": "citizen", "text": "Bare tekst"})
    assert response.status_code == 400 and "Bare tekst" in response.content.decode()
    assert "Merknaden din ble ikke sendt" in response.content.decode()


def test_page_stays_after_adoption_but_not_for_a_draft_sent_back(client, consultation):
    _comment(consultation, "Bra plan", "approved", answer="Takk")
    adopted = services.transition(
        consultation, workflow.ADOPT, adopted_on=timezone.localdate(), case_reference="PS 1/26", user=SYSTEM
    )
    url = reverse("strategy_public:consultation", args=[adopted.pk])
    html = client.get(url).content.decode()
    assert "Bra plan" in html and 'name="text"' not in html
    assert client.post(url, {"name": "Per", "role": "citizen", "text": "Etterpå"}).status_code == 400
    assert ConsultationComment.objects.count() == 1


def test_back_to_draft_hides_the_page(client, consultation):
    services.transition(consultation, workflow.BACK_TO_DRAFT, user=SYSTEM)
    assert client.get(reverse("strategy_public:consultation", args=[consultation.pk])).status_code == 404


def test_open_and_ended_selectors(consultation, municipality):
    assert list(selectors.in_consultation(municipality)) == [consultation]
    assert not selectors.ended_consultations(municipality).exists()
    _end(consultation)
    assert not selectors.in_consultation(municipality).exists()
    assert list(selectors.ended_consultations(municipality)) == [consultation]


def test_deadline_shown_in_norwegian_time(client, administration, consultation):
    deadline = datetime(2099, 1, 15, 23, 59, tzinfo=OSLO)
    Strategy.objects.filter(pk=consultation.pk).update(consultation_deadline=deadline)
    html = client.get(reverse("strategy_public:consultation", args=[consultation.pk])).content.decode()
    assert "Høringsfrist: 15. januar 2099" in html
    Strategy.objects.filter(pk=consultation.pk).update(
        consultation_deadline=datetime(2099, 1, 15, 11, 0, tzinfo=ZoneInfo("UTC"))
    )
    html = client.get(reverse("strategy_public:consultation", args=[consultation.pk])).content.decode()
    assert "Høringsfrist: 15. januar 2099 kl. 12:00" in html  # 11:00 UTC is 12:00 in Oslo in winter
    client.force_login(administration)
    staff = client.get(reverse("strategy:strategy-detail", args=[consultation.pk])).content.decode()
    assert "Høringsfrist: 15. januar 2099 kl. 12:00" in staff and "åpen for merknader" in staff
    comments = client.get(reverse("strategy:comment-list", args=[consultation.pk])).content.decode()
    assert "Høringsfrist: 15. januar 2099 kl. 12:00" in comments
