import datetime

import pytest
from django.utils import timezone

from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.surveys import services
from servicetorg.surveys.models import QuestionKind, SurveyAccess

SCALE = ["Svært misfornøyd", "Misfornøyd", "Litt misfornøyd", "Litt fornøyd", "Fornøyd", "Svært fornøyd"]


def today():
    return timezone.localdate()


def make_survey(municipality, *, access=SurveyAccess.OPEN_LINK, publish=True, threshold=5, **fields):
    """A small survey: two 1–6 scales (q1 required), a yes/no background, a number, multiple choice, text."""
    survey = services.create_survey(
        municipality=municipality,
        title=fields.pop("title", "Brukerundersøkelse servicetorget"),
        opens_on=fields.pop("opens_on", today() - datetime.timedelta(days=10)),
        closes_on=fields.pop("closes_on", today() + datetime.timedelta(days=10)),
        access=access,
        anonymity_threshold=threshold,
        **fields,
        user=SYSTEM,
    )
    section = services.add_section(survey, title="Service", user=SYSTEM)
    services.add_question(
        survey,
        section=section,
        code="q1",
        kind=QuestionKind.LIKERT,
        text="Alt i alt?",
        options=SCALE,
        dont_know="Vet ikke",
        required=True,
        user=SYSTEM,
    )
    services.add_question(
        survey,
        section=section,
        code="q2",
        kind=QuestionKind.LIKERT,
        text="Ventetid?",
        options=SCALE,
        dont_know="Vet ikke",
        user=SYSTEM,
    )
    services.add_question(
        survey,
        section=section,
        code="kjonn",
        kind=QuestionKind.SINGLE_CHOICE,
        text="Kjønn",
        options=["Mann", "Kvinne"],
        background="other",
        user=SYSTEM,
    )
    services.add_question(
        survey,
        section=section,
        code="kontakter",
        kind=QuestionKind.NUMBER,
        text="Antall kontakter",
        min_value=0,
        max_value=365,
        user=SYSTEM,
    )
    services.add_question(
        survey,
        section=section,
        code="kanal",
        kind=QuestionKind.MULTIPLE_CHOICE,
        text="Kanal",
        options=["Telefon", "E-post", "Skranke"],
        dont_know="Husker ikke",
        user=SYSTEM,
    )
    services.add_question(
        survey,
        section=section,
        code="bedre",
        kind=QuestionKind.FREE_TEXT,
        text="Hva kan bli bedre?",
        user=SYSTEM,
    )
    if publish:
        services.publish(survey, user=SYSTEM)
    return survey


def answer(survey, data: dict):
    """Answer an open-link survey through the real flow (start, submit)."""
    _resume, key = services.start_open(survey, user=CITIZEN)
    return services.submit(survey, key, data, user=CITIZEN)


def close(survey):
    """Close a survey (its results then count every response, also those waiting to be released)."""
    services.close(survey, user=SYSTEM)
    survey.refresh_from_db()
    return survey


@pytest.fixture
def survey(municipality):
    return make_survey(municipality)
