"""Citizen pages: answer a survey anonymously on the portal, by open link or invitation code.

The session holds only the hash that keys the half-finished answer (and, for an open link, the
resume key shown to the respondent); it is forgotten when the answer is submitted.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from servicetorg.core.permissions import CITIZEN
from servicetorg.core.portal import portal_municipality
from servicetorg.core.security import throttle_post

from . import selectors, services
from .models import QuestionKind, Survey, SurveyAccess, SurveyState


def _session_key(survey: Survey) -> str:
    return f"survey:{survey.public_id}"


def _survey(public_id: str) -> Survey:
    survey = (
        Survey.objects.select_related("municipality", "service", "unit")
        .exclude(state=SurveyState.DRAFT)
        .filter(public_id=public_id)
        .first()
    )
    if survey is None:
        raise Http404
    return survey


def survey_list(request):
    municipality = portal_municipality(request)
    surveys = selectors.open_surveys(municipality) if municipality else []
    return render(request, "surveys/public/list.html", {"surveys": surveys, "municipality": municipality})


def _closed_reason(survey: Survey) -> str | None:
    try:
        services.check_open(survey)
    except ValidationError as error:
        return error.messages[0]
    return None


def _start_scope(request) -> str | None:
    """Starting an open-link answer, and trying codes (invitation or resume), are throttled apart."""
    action = request.POST.get("action")
    return "survey" if action == "start" else ("survey_code" if action in ("code", "resume") else None)


@throttle_post(_start_scope)
def start(request, public_id):
    survey = _survey(public_id)
    closed = _closed_reason(survey)
    code_error = resume_error = None
    if request.method == "POST" and not closed:
        action = request.POST.get("action")
        try:
            if action == "code":
                key = services.start_with_code(survey, request.POST.get("code", ""), user=CITIZEN)
                request.session[_session_key(survey)] = {"key": key}
                return redirect("surveys_public:answer", public_id=survey.public_id)
            if action == "resume":
                resume = request.POST.get("resume_key", "")
                key = services.resume_open(survey, resume)
                request.session[_session_key(survey)] = {
                    "key": key,
                    "resume": services.normalise_code(resume),
                }
                return redirect("surveys_public:answer", public_id=survey.public_id)
            if action == "start" and survey.access == SurveyAccess.OPEN_LINK:
                resume, key = services.start_open(survey, user=CITIZEN)
                request.session[_session_key(survey)] = {"key": key, "resume": resume}
                return redirect("surveys_public:answer", public_id=survey.public_id)
        except ValidationError as error:
            message = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            if action == "code":
                code_error = (message.get("code") or message.get("__all__"))[0]
            else:
                resume_error = (message.get("resume_key") or message.get("__all__"))[0]
        else:
            closed = _closed_reason(survey)
    return render(
        request,
        "surveys/public/start.html",
        {
            "survey": survey,
            "closed": closed,
            "code_error": code_error,
            "resume_error": resume_error,
            "in_progress": _session_key(survey) in request.session,
            "question_count": survey.questions.count(),
        },
    )


def _raw_from_post(questions, post) -> dict:
    raw = {}
    for q in questions:
        name = f"q_{q.code}"
        if q.kind == QuestionKind.MULTIPLE_CHOICE:
            values = post.getlist(name)
            if values:
                raw[q.code] = values
        elif name in post:
            raw[q.code] = post.get(name)
    return raw


def _blocks(questions, values: dict, errors: dict) -> list[dict]:
    """Questions grouped by section, with their current values and errors, for the template."""
    sections: list[dict] = []
    for q in questions:
        if not sections or sections[-1]["section"] != q.section:
            sections.append({"section": q.section, "questions": []})
        value = values.get(q.code)
        chosen = (
            {str(v) for v in value}
            if isinstance(value, list)
            else ({str(value)} if value not in (None, "") else set())
        )
        sections[-1]["questions"].append(
            {
                "q": q,
                "name": f"q_{q.code}",
                "id": f"id_q_{q.code}",
                "value": "" if isinstance(value, list) or value is None else value,
                "chosen": chosen,
                "options": list(q.options.all()),
                "error": errors.get(q.code),
            }
        )
    return sections


def _pages(questions) -> list[list]:
    """One page per section (a long questionnaire is easier on a phone), in questionnaire order."""
    pages: list[list] = []
    for q in questions:
        if not pages or pages[-1][0].section_id != q.section_id:
            pages.append([])
        pages[-1].append(q)
    return pages or [[]]


def _page_number(request, count: int) -> int:
    try:
        number = int(request.POST.get("side") or request.GET.get("side") or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), count)


def answer(request, public_id):
    survey = _survey(public_id)
    state = request.session.get(_session_key(survey))
    if not state:
        return redirect("surveys_public:start", public_id=survey.public_id)
    closed = _closed_reason(survey)
    if closed:
        messages.error(request, closed)
        return redirect("surveys_public:start", public_id=survey.public_id)
    questions = services.questions_of(survey)
    pages = _pages(questions)
    number = _page_number(request, len(pages))
    key = state["key"]
    values = services.draft_data(survey, key)
    errors: dict = {}
    if request.method == "POST":
        # This page's answers replace what the draft held for its questions; the other pages' stay.
        shown = pages[number - 1]
        values = {code: v for code, v in values.items() if code not in {q.code for q in shown}}
        values.update(_raw_from_post(shown, request.POST))
        action = next((a for a in ("submit", "next", "previous", "save") if a in request.POST), "save")
        if action == "submit":
            try:
                services.submit(survey, key, values, user=CITIZEN)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    errors = {code: msgs[0] for code, msgs in error.message_dict.items()}
                    page_of = {q.code: i for i, page in enumerate(pages, start=1) for q in page}
                    number = min(page_of.get(code, number) for code in errors)
                else:
                    messages.error(request, error.messages[0])
                    if error.code in ("used", "closed"):
                        request.session.pop(_session_key(survey), None)
                        return redirect("surveys_public:start", public_id=survey.public_id)
            else:
                request.session.pop(_session_key(survey), None)
                return redirect("surveys_public:thanks", public_id=survey.public_id)
        else:
            _clean, all_errors, kept = services.validate_answers(questions, values, require=False)
            services.save_draft(survey, key, kept, user=CITIZEN)
            errors = {q.code: all_errors[q.code] for q in shown if q.code in all_errors}
            if errors:
                messages.warning(request, _("Your answers were saved, except those marked with an error."))
            elif action in ("next", "previous"):
                target = number + (1 if action == "next" else -1)
                url = reverse("surveys_public:answer", args=[survey.public_id])
                return redirect(f"{url}?side={min(max(target, 1), len(pages))}")
            else:
                messages.success(request, _("Your answers are saved. You can come back and finish later."))
    page_of = {q.code: i for i, page in enumerate(pages, start=1) for q in page}
    error_list = [
        {
            "id": f"id_q_{q.code}",
            "text": q.text,
            "message": errors[q.code],
            "href": f"#id_q_{q.code}"
            if page_of[q.code] == number
            else f"?side={page_of[q.code]}#id_q_{q.code}",
        }
        for q in questions
        if q.code in errors
    ]
    return render(
        request,
        "surveys/public/answer.html",
        {
            "survey": survey,
            "sections": _blocks(pages[number - 1], values, errors),
            "error_list": error_list,
            "resume_key": state.get("resume"),
            "invitation": survey.access == SurveyAccess.INVITATION,
            "page": number,
            "page_count": len(pages),
        },
    )


def thanks(request, public_id):
    survey = _survey(public_id)
    return render(request, "surveys/public/thanks.html", {"survey": survey})
