"""Citizen pages: answering by open link and by invitation code, resuming, errors that keep answers."""

import datetime

from django.urls import reverse

from servicetorg.core.permissions import SYSTEM
from servicetorg.surveys import services
from servicetorg.surveys.models import Response, ResponseDraft, SurveyAccess

from .conftest import make_survey, today


def _start(client, survey):
    return client.post(reverse("surveys_public:start", args=[survey.public_id]), {"action": "start"})


def test_open_survey_listed_on_portal(client, survey, municipality):
    make_survey(municipality, title="Utkast", publish=False)
    body = client.get(reverse("surveys_public:list")).content.decode()
    assert survey.title in body and "Utkast" not in body


def test_draft_survey_is_404(client, municipality):
    draft = make_survey(municipality, publish=False)
    assert client.get(reverse("surveys_public:start", args=[draft.public_id])).status_code == 404


def test_answer_open_link(client, survey):
    response = _start(client, survey)
    assert response.status_code == 302
    page = client.get(reverse("surveys_public:answer", args=[survey.public_id]))
    assert page.status_code == 200 and "Alt i alt?" in page.content.decode()
    response = client.post(
        reverse("surveys_public:answer", args=[survey.public_id]),
        {"q_q1": "5", "q_kanal": ["1", "2"], "q_kontakter": "4", "submit": "1"},
    )
    assert response.status_code == 302 and response["Location"].endswith("/takk/")
    assert Response.objects.count() == 1
    # The session forgets the answer: the answer page sends back to the start.
    assert client.get(reverse("surveys_public:answer", args=[survey.public_id])).status_code == 302


def test_missing_required_and_out_of_range_shown_and_kept(client, survey):
    _start(client, survey)
    url = reverse("surveys_public:answer", args=[survey.public_id])
    response = client.post(url, {"q_q2": "3", "q_kontakter": "1000", "submit": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in body
    assert 'value="3" checked' in body  # what was answered is still there
    assert Response.objects.count() == 0
    assert ResponseDraft.objects.get().data == {"q2": "3"}
    # Coming back later shows the saved answer.
    body = client.get(url).content.decode()
    assert 'value="3" checked' in body


def test_save_and_resume_with_key_on_another_device(client, survey):
    from django.test import Client

    _start(client, survey)
    url = reverse("surveys_public:answer", args=[survey.public_id])
    page = client.post(url, {"q_q1": "6", "save": "1"})
    resume_key = page.context["resume_key"]
    other = Client()
    response = other.post(
        reverse("surveys_public:start", args=[survey.public_id]),
        {"action": "resume", "resume_key": resume_key},
    )
    assert response.status_code == 302
    assert 'value="6" checked' in other.get(url).content.decode()
    bad = Client().post(
        reverse("surveys_public:start", args=[survey.public_id]), {"action": "resume", "resume_key": "feil"}
    )
    assert "No unfinished answer" in bad.content.decode() or "Ingen" in bad.content.decode()


def test_invitation_code_flow(client, municipality):
    survey = make_survey(municipality, access=SurveyAccess.INVITATION)
    [code] = services.create_invitations(survey, 1, user=SYSTEM)
    start = reverse("surveys_public:start", args=[survey.public_id])
    assert _start(client, survey).status_code == 200  # no open start without a code
    wrong = client.post(start, {"action": "code", "code": "XXXXX-YYYYY"})
    assert 'aria-invalid="true"' in wrong.content.decode()
    assert client.post(start, {"action": "code", "code": code}).status_code == 302
    client.post(reverse("surveys_public:answer", args=[survey.public_id]), {"q_q1": "2", "submit": "1"})
    assert Response.objects.count() == 1
    again = client.post(start, {"action": "code", "code": code})
    assert again.status_code == 200 and again.context["code_error"]


def test_closed_survey_says_so(client, municipality):
    survey = make_survey(
        municipality,
        opens_on=today() - datetime.timedelta(days=30),
        closes_on=today() - datetime.timedelta(days=1),
    )
    page = client.get(reverse("surveys_public:start", args=[survey.public_id]))
    assert page.context["closed"]
    assert _start(client, survey).status_code == 200
    assert not ResponseDraft.objects.exists()


def test_survey_closed_while_answering_keeps_nothing_broken(client, survey):
    _start(client, survey)
    services.close(survey, user=SYSTEM)
    response = client.post(
        reverse("surveys_public:answer", args=[survey.public_id]), {"q_q1": "2", "submit": "1"}
    )
    assert response.status_code == 302
    assert Response.objects.count() == 0


def test_garbage_input_never_500(client, survey):
    _start(client, survey)
    url = reverse("surveys_public:answer", args=[survey.public_id])
    response = client.post(
        url,
        {"q_q1": "\x00", "q_kanal": ["x", "1"], "q_kontakter": "nan", "q_bedre": "a" * 6000, "submit": "1"},
    )
    assert response.status_code == 400  # control characters are refused at the edge, with a message
    assert "kontrolltegn" in response.content.decode()
    response = client.post(
        url, {"q_q1": "x", "q_kanal": ["x", "1"], "q_kontakter": "nan", "q_bedre": "a" * 6000, "submit": "1"}
    )
    assert response.status_code == 200
    assert Response.objects.count() == 0
    assert client.get(reverse("surveys_public:start", args=["nope"])).status_code == 404


def test_one_page_per_section_with_errors_pointing_back(client, municipality):
    survey = make_survey(municipality)
    second = services.add_section(survey, title="Om deg", user=SYSTEM)
    services.add_question(
        survey,
        section=second,
        code="alder",
        kind="number",
        text="Alder",
        min_value=0,
        max_value=120,
        required=True,
        user=SYSTEM,
    )
    _start(client, survey)
    url = reverse("surveys_public:answer", args=[survey.public_id])
    page1 = client.get(url)
    assert page1.context["page_count"] == 2 and "Alder" not in page1.content.decode()
    response = client.post(url, {"side": "1", "q_q2": "4", "next": "1"})  # q1 (required) left for later
    assert response.status_code == 302 and response["Location"].endswith("?side=2")
    page2 = client.get(response["Location"])
    assert "Alder" in page2.content.decode() and "Alt i alt?" not in page2.content.decode()
    response = client.post(url, {"side": "2", "q_alder": "200", "submit": "1"})
    # Errors on both pages: the first page with an error is shown, the summary links to the other.
    assert response.context["page"] == 1
    hrefs = [e["href"] for e in response.context["error_list"]]
    assert hrefs == ["#id_q_q1", "?side=2#id_q_alder"]
    assert 'value="4" checked' in response.content.decode()  # page 1 answers kept
    response = client.post(url, {"side": "1", "q_q1": "5", "q_q2": "4", "next": "1"})
    response = client.post(url, {"side": "2", "q_alder": "44", "submit": "1"})
    assert response.status_code == 302 and response["Location"].endswith("/takk/")
    answers = {a.question.code: a.value for a in Response.objects.get().answers.select_related("question")}
    assert answers == {"q1": 5.0, "q2": 4.0, "alder": 44.0}


def test_previous_page_and_bad_page_number(client, municipality):
    survey = make_survey(municipality)
    second = services.add_section(survey, title="Om deg", user=SYSTEM)
    services.add_question(survey, section=second, code="alder", kind="number", text="Alder", user=SYSTEM)
    _start(client, survey)
    url = reverse("surveys_public:answer", args=[survey.public_id])
    assert client.get(url, {"side": "99"}).context["page"] == 2
    assert client.get(url, {"side": "x"}).context["page"] == 1
    response = client.post(url, {"side": "2", "q_alder": "30", "previous": "1"})
    assert response["Location"].endswith("?side=1")
    assert ResponseDraft.objects.get().data == {"alder": "30"}
