"""Staff pages: tenant isolation, roles, query counts, results, exports, import, building."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from servicetorg.core.choices import Role
from servicetorg.surveys.models import Invitation, Question, Response, Survey, SurveyAccess

from .conftest import answer, close, make_survey


def _fill(survey, n=6):
    for i in range(n):
        answer(
            survey,
            {
                "q1": str(1 + i % 6),
                "q2": str(1 + (i + 1) % 6),
                "kjonn": str(1 + i % 2),
                "kontakter": str(i),
                "kanal": ["1"],
                "bedre": f"Tekst {i}",
            },
        )


READ_PAGES = [
    "surveys:survey-detail",
    "surveys:results",
    "surveys:report",
    "surveys:correlations",
    "surveys:export-xlsx",
]
#: Breakdowns by background questions: the survey's editors only.
BREAKDOWN_PAGES = ["surveys:crosstab", "surveys:compare"]
SURVEY_PAGES = READ_PAGES + BREAKDOWN_PAGES
EDIT_PAGES = [
    "surveys:survey-edit",
    "surveys:question-add",
    "surveys:import",
    "surveys:publish-indicator",
    "surveys:export-csv",
]


@pytest.mark.parametrize("name", SURVEY_PAGES + EDIT_PAGES)
def test_other_municipality_gets_404(client, survey, other_staff, name):
    client.force_login(other_staff)
    assert client.get(reverse(name, args=[survey.pk])).status_code == 404


@pytest.mark.parametrize("name", READ_PAGES)
def test_own_staff_can_read(client, survey, desk_worker, name):
    _fill(survey)
    client.force_login(desk_worker)
    assert client.get(reverse(name, args=[survey.pk])).status_code == 200


@pytest.mark.parametrize("name", BREAKDOWN_PAGES)
def test_breakdowns_for_editors_only(client, survey, desk_worker, administration, name):
    _fill(survey)
    client.force_login(desk_worker)
    assert client.get(reverse(name, args=[survey.pk])).status_code == 403
    client.force_login(administration)
    assert client.get(reverse(name, args=[survey.pk])).status_code == 200


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_desk_worker_cannot_edit(client, survey, desk_worker, name):
    client.force_login(desk_worker)
    assert client.get(reverse(name, args=[survey.pk])).status_code == 403


def test_other_tenant_cannot_post_changes(client, survey, other_staff):
    client.force_login(other_staff)
    for name in [
        "surveys:survey-publish",
        "surveys:survey-close",
        "surveys:invitations-create",
        "surveys:section-add",
    ]:
        assert client.post(reverse(name, args=[survey.pk]), {"count": 3, "title": "x"}).status_code == 404
    q = survey.questions.first()
    assert client.post(reverse("surveys:question-delete", args=[survey.pk, q.pk])).status_code == 404
    for name in ["surveys:free-text", "surveys:question-chart", "surveys:question-edit"]:
        assert client.get(reverse(name, args=[survey.pk, q.pk])).status_code == 404
    survey.refresh_from_db()
    assert survey.state == "published" and not Invitation.objects.exists()


def test_anonymous_redirected_to_login(client, survey):
    response = client.get(reverse("surveys:results", args=[survey.pk]))
    assert (
        response.status_code == 302 and "logg-inn" in response["Location"] or "login" in response["Location"]
    )


def test_list_shows_only_own_and_bounded_queries(
    client, municipality, other_municipality, administration, django_assert_max_num_queries
):
    for i in range(5):
        make_survey(municipality, title=f"Egen {i}")
    make_survey(other_municipality, title="Fremmed")
    client.force_login(administration)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("surveys:survey-list"))
    body = response.content.decode()
    assert "Egen 4" in body and "Fremmed" not in body


def test_user_without_role_gets_403_on_list(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("surveys:survey-list")).status_code == 403


def test_results_page_bounded_queries_and_content(
    client, survey, administration, django_assert_max_num_queries
):
    _fill(survey, 12)
    client.force_login(administration)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("surveys:results", args=[survey.pk]))
    body = response.content.decode()
    assert "Sum" in body and "Vet ikke" in body
    # Ten released in two batches of the threshold; the last two wait, and the page says so.
    assert "10 besvarelser" in body
    assert "2 svar venter og blir vist når det er minst 5 nye, eller når undersøkelsen lukkes." in body


def test_results_hidden_below_threshold(client, survey, administration):
    _fill(survey, 3)
    client.force_login(administration)
    response = client.get(reverse("surveys:results", args=[survey.pk]))
    assert "Svært fornøyd" not in response.content.decode()
    export = client.get(reverse("surveys:export-csv", args=[survey.pk]))
    assert export.status_code == 302


def test_create_survey_and_questions(client, municipality, administration, other_municipality):
    client.force_login(administration)
    response = client.post(
        reverse("surveys:survey-create"),
        {
            "municipality": municipality.pk,
            "title": "Innbyggerundersøkelse",
            "kind": "citizen_survey",
            "access": "open_link",
            "opens_on": "2026-01-01",
            "closes_on": "2026-02-01",
            "anonymity_threshold": 5,
        },
    )
    survey = Survey.objects.get(title="Innbyggerundersøkelse")
    assert response.status_code == 302
    client.post(reverse("surveys:section-add", args=[survey.pk]), {"title": "Tjenestene"})
    response = client.post(
        reverse("surveys:question-add", args=[survey.pk]),
        {
            "section": survey.sections.get().pk,
            "text": "Hvor fornøyd er du?",
            "kind": "likert",
            "options": "I liten grad\nI noen grad\nI stor grad",
            "dont_know": "Vet ikke",
            "required": "on",
        },
    )
    assert response.status_code == 302
    q = Question.objects.get(survey=survey)
    assert [o.value for o in q.options.all()] == [1, 2, 3, 9]
    # Bad input: field-level messages, no 500.
    response = client.post(
        reverse("surveys:question-add", args=[survey.pk]),
        {"text": "", "kind": "single_choice", "options": "Bare én"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        reverse("surveys:survey-create"),
        {
            "municipality": other_municipality.pk,
            "title": "x",
            "kind": "user_survey",
            "access": "open_link",
            "opens_on": "2026-02-01",
            "closes_on": "2026-01-01",
            "anonymity_threshold": 5,
        },
    )
    assert response.status_code == 200 and "municipality" in response.context["form"].errors


def test_closing_date_error_is_field_level(client, municipality, administration):
    client.force_login(administration)
    response = client.post(
        reverse("surveys:survey-create"),
        {
            "municipality": municipality.pk,
            "title": "x",
            "kind": "user_survey",
            "access": "open_link",
            "opens_on": "2026-02-01",
            "closes_on": "2026-01-01",
            "anonymity_threshold": 5,
        },
    )
    assert "closes_on" in response.context["form"].errors


def test_create_from_template(client, municipality, administration):
    client.force_login(administration)
    response = client.post(
        reverse("surveys:survey-from-template"),
        {
            "template": "kvalitetsforbedring_1999",
            "municipality": municipality.pk,
            "kind": "user_survey",
            "access": "invitation",
            "opens_on": "2026-01-01",
            "closes_on": "2026-02-01",
        },
    )
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert survey.template_key == "kvalitetsforbedring_1999" and survey.questions.count() > 100


def test_invitation_download_gives_codes_once(client, municipality, administration):
    survey = make_survey(municipality, access=SurveyAccess.INVITATION)
    client.force_login(administration)
    response = client.post(reverse("surveys:invitations-create", args=[survey.pk]), {"count": 4})
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 5 and Invitation.objects.count() == 4
    code = lines[1].split(";")[0]
    assert not Invitation.objects.filter(code_hash__icontains=code.replace("-", "")).exists()


def test_exports(client, survey, administration):
    _fill(survey, 6)
    client.force_login(administration)

    def csv_rows():
        response = client.get(reverse("surveys:export-csv", args=[survey.pk]))
        return b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()

    rows = csv_rows()
    assert rows[0].startswith("response;q1;q2;kjonn;kontakter;kanal;bedre")  # no dates: not linkable
    assert len(rows) == 6  # the released five: the sixth waits (an export is live results too)
    close(survey)
    assert len(csv_rows()) == 7
    response = client.get(reverse("surveys:export-xlsx", args=[survey.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Resultater", "Svar"] or book.sheetnames == ["Results", "Answers"]
    assert book.worksheets[1].max_row == 7


def test_reader_gets_results_but_not_row_level_answers(client, survey, desk_worker):
    _fill(survey, 6)
    client.force_login(desk_worker)
    assert client.get(reverse("surveys:export-csv", args=[survey.pk])).status_code == 403
    book = load_workbook(io.BytesIO(client.get(reverse("surveys:export-xlsx", args=[survey.pk])).content))
    assert len(book.sheetnames) == 1


def test_import_view_reports_lines(client, survey, administration):
    client.force_login(administration)
    upload = io.BytesIO(b"q1;kjonn\n4;1\n8;1\n")
    upload.name = "papir.csv"
    response = client.post(reverse("surveys:import", args=[survey.pk]), {"file": upload})
    assert response.status_code == 200
    assert "3" in str(response.context["report"].errors[0][0])
    assert Response.objects.count() == 0


def test_crosstab_view(client, survey, administration):
    _fill(survey, 60)  # enough in each cell to show it (threshold 5)
    client.force_login(administration)
    q1 = survey.questions.get(code="q1")
    kjonn = survey.questions.get(code="kjonn")
    response = client.get(reverse("surveys:crosstab", args=[survey.pk]), {"question": q1.pk, "by": kjonn.pk})
    assert response.context["table"].column_labels == ["Mann", "Kvinne"]
    bad = client.get(reverse("surveys:crosstab", args=[survey.pk]), {"question": "x", "by": "999999"})
    assert bad.status_code == 200 and bad.context["table"] is None


def test_free_text_view(client, survey, administration):
    _fill(survey, 6)
    client.force_login(administration)
    q = survey.questions.get(code="bedre")
    url = reverse("surveys:free-text", args=[survey.pk, q.pk])
    body = client.get(url).content.decode()
    assert "Tekst 4" in body and "Tekst 5" not in body  # the sixth answer waits for the pool
    close(survey)
    assert "Tekst 5" in client.get(url).content.decode()


def test_chart_svg(client, survey, administration):
    _fill(survey, 6)
    client.force_login(administration)
    q = survey.questions.get(code="q1")
    response = client.get(reverse("surveys:question-chart", args=[survey.pk, q.pk]))
    assert response["Content-Type"] == "image/svg+xml" and response.content.startswith(b"<svg")


def test_history_records_changes(client, survey, administration):
    client.force_login(administration)
    client.post(reverse("surveys:survey-close", args=[survey.pk]))
    latest = survey.history.first()
    assert latest.state == "closed" and latest.history_user == administration


def test_unit_leader_of_municipality_can_edit(client, survey, make_staff, municipality):
    leader = make_staff(Role.UNIT_LEADER, municipality)
    client.force_login(leader)
    assert client.get(reverse("surveys:survey-edit", args=[survey.pk])).status_code == 200


def test_edit_question(client, survey, administration, other_staff):
    q1 = survey.questions.get(code="q1")
    url = reverse("surveys:question-edit", args=[survey.pk, q1.pk])
    client.force_login(other_staff)
    assert client.get(url).status_code == 404
    client.force_login(administration)
    assert client.get(url).status_code == 200
    labels = "\n".join(["Svært dårlig", "Dårlig", "Litt dårlig", "Litt bra", "Bra", "Svært bra"])
    response = client.post(
        url,
        {"text": "Alt i alt, hvor fornøyd?", "options": labels, "dont_know": "Vet ikke", "required": "on"},
    )
    assert response.status_code == 302
    q1.refresh_from_db()
    assert q1.text == "Alt i alt, hvor fornøyd?"
    assert [o.label for o in q1.options.all()][:2] == ["Svært dårlig", "Dårlig"]
    answer(survey, {"q1": "3"})
    response = client.post(url, {"text": "x", "options": "Ja\nNei", "required": "on"})
    assert response.status_code == 200 and "options" in response.context["form"].errors
    assert q1.options.count() == 7


def test_report_pdf(client, survey, administration, tmp_path):
    _fill(survey, 6)
    client.force_login(administration)
    response = client.get(reverse("surveys:report", args=[survey.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Tagged for screen readers (PDF/UA), with the survey's title as its file name.
    import subprocess

    (tmp_path / "r.pdf").write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, check=True, text=True)
    assert "Tagged:          yes" in info.stdout, info.stdout
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename")
    assert "%" in disposition or survey.title in disposition  # non-ASCII titles are RFC 6266-encoded


def test_admin_pages(client, survey, db):
    from django.contrib.auth import get_user_model

    answer(survey, {"q1": "4"})
    admin = get_user_model().objects.create_superuser("root", "root@example.no", "pass-for-tests-1")
    client.force_login(admin)
    for model in ["survey", "question", "invitation", "response", "responsedraft"]:
        assert client.get(f"/admin/surveys/{model}/").status_code == 200
    assert client.get(f"/admin/surveys/survey/{survey.pk}/change/").status_code == 200
    assert client.get(f"/admin/surveys/survey/{survey.pk}/history/").status_code == 200
    q = survey.questions.first()
    assert client.get(f"/admin/surveys/question/{q.pk}/change/").status_code == 200
