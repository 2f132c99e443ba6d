"""The survey's states: every (state, action) pair through the services, and the pages that use them."""

import pytest
from django.urls import reverse

from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.core.workflow import TransitionRefused
from servicetorg.surveys import services
from servicetorg.surveys.models import ResponseDraft, Survey, SurveyState
from servicetorg.surveys.workflow import CLOSE, PUBLISH, WORKFLOW

from .conftest import make_survey

ACT = {PUBLISH: services.publish, CLOSE: services.close}
EXPECTED = {
    (SurveyState.DRAFT, PUBLISH): SurveyState.PUBLISHED,
    (SurveyState.PUBLISHED, CLOSE): SurveyState.CLOSED,
}


def _survey_in(state, municipality):
    survey = make_survey(municipality, publish=state != SurveyState.DRAFT)
    if state == SurveyState.CLOSED:
        services.close(survey, user=SYSTEM)
    assert Survey.objects.get(pk=survey.pk).state == state
    return survey


@pytest.mark.parametrize(("state", "action"), WORKFLOW.pairs())
def test_every_pair(state, action, municipality):
    survey = _survey_in(state, municipality)
    if (state, action) in EXPECTED:
        returned = ACT[action](survey, user=SYSTEM)
        assert returned.state == survey.state == EXPECTED[(state, action)]
        assert Survey.objects.get(pk=survey.pk).state == EXPECTED[(state, action)]
    else:
        with pytest.raises(TransitionRefused) as refused:
            ACT[action](survey, user=SYSTEM)
        assert refused.value.code == "transition_refused"
        assert Survey.objects.get(pk=survey.pk).state == state


def test_table_is_the_expected_one():
    assert dict(WORKFLOW.table) == EXPECTED


def test_a_stale_object_cannot_reopen_a_closed_survey(municipality):
    """The decision reads the locked row, not the caller's (possibly old) copy."""
    survey = make_survey(municipality, publish=False)
    stale = Survey.objects.get(pk=survey.pk)
    services.publish(survey, user=SYSTEM)
    services.close(survey, user=SYSTEM)
    with pytest.raises(TransitionRefused):
        services.publish(stale, user=SYSTEM)
    assert Survey.objects.get(pk=survey.pk).state == SurveyState.CLOSED


def test_close_deletes_the_unfinished_answers_in_the_same_step(survey):
    _resume, key = services.start_open(survey, user=CITIZEN)
    services.save_draft(survey, key, {"q1": "3"}, user=CITIZEN)
    services.close(survey, user=SYSTEM)
    assert not ResponseDraft.objects.filter(survey=survey).exists()


def test_closing_a_draft_on_the_page_says_why(client, municipality, administration):
    survey = make_survey(municipality, publish=False)
    client.force_login(administration)
    response = client.post(reverse("surveys:survey-close", args=[survey.pk]), follow=True)
    assert response.status_code == 200
    assert "not possible" in response.content.decode() or "ikke mulig" in response.content.decode()
    assert Survey.objects.get(pk=survey.pk).state == SurveyState.DRAFT


def test_publishing_a_closed_survey_on_the_page_says_why(client, survey, administration):
    services.close(survey, user=SYSTEM)
    client.force_login(administration)
    response = client.post(reverse("surveys:survey-publish", args=[survey.pk]), follow=True)
    assert response.status_code == 200
    assert "not possible" in response.content.decode() or "ikke mulig" in response.content.decode()
    assert Survey.objects.get(pk=survey.pk).state == SurveyState.CLOSED
