"""Citizen pages: answer a survey anonymously on the portal, by open link or invitation code.

The session holds only the hash that keys the half-finished answer (and, for an open link, the
resume key shown to the respondent); it is forgotten when the answer is submitted.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servicetorg.core.portal import portal_municipality

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


def start(request, public_id):
    survey = _survey(public_id)
    closed = _closed_reason(survey)
    code_error = resume_error = None
    if request.method == "POST" and not closed:
        action = request.POST.get("action")
        try:
            if action == "code":
                key = services.start_with_code(survey, request.POST.get("code", ""))
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
                resume, key = services.start_open(survey)
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
    key = state["key"]
    values = services.draft_data(survey, key)
    errors: dict = {}
    if request.method == "POST":
        raw = _raw_from_post(questions, request.POST)
        values = raw
        if "save" in request.POST:
            _clean, errors, kept = services.validate_answers(questions, raw, require=False)
            services.save_draft(survey, key, kept)
            if errors:
                messages.warning(request, _("Your answers were saved, except those marked with an error."))
            else:
                messages.success(request, _("Your answers are saved. You can come back and finish later."))
        else:
            try:
                services.submit(survey, key, raw)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    errors = {code: msgs[0] for code, msgs in error.message_dict.items()}
                else:
                    messages.error(request, error.messages[0])
                    if error.code in ("used", "closed"):
                        request.session.pop(_session_key(survey), None)
                        return redirect("surveys_public:start", public_id=survey.public_id)
            else:
                request.session.pop(_session_key(survey), None)
                return redirect("surveys_public:thanks", public_id=survey.public_id)
    error_list = [
        {"id": f"id_q_{q.code}", "text": q.text, "message": errors[q.code]}
        for q in questions
        if q.code in errors
    ]
    return render(
        request,
        "surveys/public/answer.html",
        {
            "survey": survey,
            "sections": _blocks(questions, values, errors),
            "error_list": error_list,
            "resume_key": state.get("resume"),
            "invitation": survey.access == SurveyAccess.INVITATION,
        },
    )


def thanks(request, public_id):
    survey = _survey(public_id)
    return render(request, "surveys/public/thanks.html", {"survey": survey})
