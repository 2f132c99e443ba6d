"""Staff pages of surveys: build, open and close, invitations, results, analysis, export, import.

Thin: forms validate, services.py changes, selectors.py reads. Every survey is fetched through the
tenancy helpers, so another municipality's survey is a 404.
"""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.exports import safe_row
from servicetorg.core.forms import apply_validation_error
from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404
from servicetorg.core.validators import strip_forbidden_characters

from . import charts, permissions, selectors, services
from .forms import (
    CrosstabForm,
    ImportForm,
    IndicatorForm,
    InvitationForm,
    QuestionEditForm,
    QuestionForm,
    SectionForm,
    SurveyForm,
    TemplateSurveyForm,
)
from .models import Question, QuestionKind, Survey


def _survey(request, pk) -> Survey:
    return get_scoped_or_404(
        Survey.objects.select_related("municipality", "service", "unit", "previous_round"),
        request.user,
        Perm.SURVEY_READ,
        pk=pk,
    )


def _editable(request, pk) -> Survey:
    """A survey the user may change (administration; a unit leader her unit's surveys)."""
    survey = _survey(request, pk)
    permissions.require_edit(request.user, survey)
    return survey


def _breakdown(request, pk) -> Survey:
    """A survey the user may break down by background questions (its editors)."""
    survey = _survey(request, pk)
    permissions.require_break_down(request.user, survey)
    return survey


def _can_edit(request, survey) -> bool:
    return permissions.can_edit(request.user, survey)


def _editor_municipalities(request) -> set[int]:
    allowed = municipality_ids(request.user, Perm.SURVEY_EDIT)
    if allowed is None:
        from servicetorg.core.models import Municipality

        allowed = set(Municipality.objects.values_list("pk", flat=True))
    if not allowed:
        raise PermissionDenied
    return allowed


@login_required
def survey_list(request):
    allowed = municipality_ids(request.user, Perm.SURVEY_READ)
    if allowed is not None and not allowed:
        raise PermissionDenied
    surveys = selectors.surveys_for(request.user).order_by("-opens_on", "title")
    page = Paginator(surveys, 50).get_page(request.GET.get("page"))
    can_create = municipality_ids(request.user, Perm.SURVEY_EDIT) != set()
    return render(request, "surveys/survey_list.html", {"page": page, "can_create": can_create})


@login_required
def survey_create(request):
    allowed = _editor_municipalities(request)
    form = SurveyForm(request.POST or None, municipality_ids=allowed)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "municipality"}
        try:
            survey = services.create_survey(
                municipality=form.cleaned_data["municipality"], user=request.user, **data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The survey was created. Add sections and questions."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form, "title": _("New survey")})


@login_required
def survey_from_template(request):
    allowed = _editor_municipalities(request)
    form = TemplateSurveyForm(request.POST or None, municipality_ids=allowed)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("template")
        if not data["title"]:
            data.pop("title")
        try:
            survey = services.create_from_template(key, user=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The survey was created from the template."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    return render(
        request,
        "surveys/survey_form.html",
        {"form": form, "title": _("New survey from a template"), "templates": services.available_templates()},
    )


@login_required
def survey_detail(request, pk):
    survey = _survey(request, pk)
    questions = services.questions_of(survey)
    sections = list(survey.sections.all())
    by_section = {s.pk: [] for s in sections}
    loose = []
    for q in questions:
        by_section.get(q.section_id, loose).append(q)
    context = {
        "survey": survey,
        "sections": [(s, by_section[s.pk]) for s in sections],
        "loose": loose,
        "can_edit": _can_edit(request, survey),
        "responses": selectors.response_count(survey),
        "waiting": selectors.waiting_count(survey),
        "invitations": survey.invitations.count(),
        "invitations_used": survey.invitations.filter(used=True).count(),
        "section_form": SectionForm(),
        "question_form": QuestionForm(survey=survey),
        "invitation_form": InvitationForm(),
        "public_url": request.build_absolute_uri(f"/undersokelser/{survey.public_id}/"),
    }
    return render(request, "surveys/survey_detail.html", context)


@login_required
def survey_edit(request, pk):
    survey = _editable(request, pk)
    form = SurveyForm(request.POST or None, instance=survey, municipality_ids={survey.municipality_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_survey(survey, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            survey.refresh_from_db()
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The survey was saved."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    return render(
        request, "surveys/survey_form.html", {"form": form, "survey": survey, "title": _("Edit survey")}
    )


@login_required
@require_POST
def section_add(request, pk):
    survey = _editable(request, pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        services.add_section(survey, **form.cleaned_data, user=request.user)
        messages.success(request, _("The section was added."))
    else:
        messages.error(request, _("The section needs a title."))
    return redirect("surveys:survey-detail", pk=survey.pk)


@login_required
def question_add(request, pk):
    survey = _editable(request, pk)
    form = QuestionForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["options"] = form.option_list()
        try:
            services.add_question(survey, **data, user=request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The question was added."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    return render(request, "surveys/question_form.html", {"form": form, "survey": survey})


@login_required
def question_edit(request, pk, question_pk):
    survey = _editable(request, pk)
    question = survey.questions.prefetch_related("options").filter(pk=question_pk).first()
    if question is None:
        raise Http404
    form = QuestionEditForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("options", "dont_know")}
        try:
            services.update_question(
                question,
                options=form.option_list(),
                dont_know=form.cleaned_data.get("dont_know", ""),
                **data,
                user=request.user,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The question was saved."))
            return redirect("surveys:survey-detail", pk=survey.pk)
    return render(
        request, "surveys/question_form.html", {"form": form, "survey": survey, "question": question}
    )


@login_required
@require_POST
def question_delete(request, pk, question_pk):
    survey = _editable(request, pk)
    question = get_scoped_or_404(
        Question.objects.all(), request.user, Perm.SURVEY_READ, field="survey__municipality", pk=question_pk
    )
    if question.survey_id != survey.pk:
        raise PermissionDenied
    try:
        services.delete_question(question, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The question was deleted."))
    return redirect("surveys:survey-detail", pk=survey.pk)


@login_required
@require_POST
def survey_publish(request, pk):
    survey = _editable(request, pk)
    try:
        services.publish(survey, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The survey is published and takes answers between its dates."))
    return redirect("surveys:survey-detail", pk=survey.pk)


@login_required
@require_POST
def survey_close(request, pk):
    survey = _editable(request, pk)
    try:
        services.close(survey, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The survey is closed."))
    return redirect("surveys:survey-detail", pk=survey.pk)


@login_required
@require_POST
def invitations_create(request, pk):
    survey = _editable(request, pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(form.errors.get("count", [_("Enter a number of codes.")])))
        return redirect("surveys:survey-detail", pk=survey.pk)
    codes = services.create_invitations(survey, form.cleaned_data["count"], user=request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="invitasjonskoder-{survey.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("code"), _("address")])
    link = request.build_absolute_uri(f"/undersokelser/{survey.public_id}/")
    for code in codes:
        writer.writerow([code, link])
    return response


@login_required
def results(request, pk):
    survey = _survey(request, pk)
    result = selectors.survey_results(survey)
    return render(
        request,
        "surveys/results.html",
        {"survey": survey, "results": result, "can_edit": _can_edit(request, survey), "print": False},
    )


@login_required
def report(request, pk):
    """Printable report: the results with charts, for the council or a PDF printer."""
    survey = _survey(request, pk)
    result = selectors.survey_results(survey)
    chart_svgs = {
        r.question.pk: charts.frequency_svg(r) for r in result.questions if r.table and not r.suppressed
    }
    if request.GET.get("format") == "pdf":
        return _report_pdf(request, survey, result, chart_svgs)
    return render(
        request,
        "surveys/report.html",
        {
            "survey": survey,
            "results": result,
            "items": [(r, chart_svgs.get(r.question.pk)) for r in result.questions],
            "comparison": selectors.compare_rounds(survey),
        },
    )


#: A report's PDF is kept this long in the default cache under a digest of its HTML: asked for again
#: while nothing in it changed, it is not laid out again. Any change to what it shows changes the digest.
REPORT_PDF_CACHE_SECONDS = 24 * 3600


def _report_pdf(request, survey, result, chart_svgs) -> HttpResponse:
    """The report as PDF (WeasyPrint), from a self-contained template: nothing is fetched."""
    import hashlib
    import re

    from django.core.cache import cache
    from django.template.loader import render_to_string

    html = render_to_string(
        "surveys/report_pdf.html",
        {
            "survey": survey,
            "results": result,
            "items": [(r, chart_svgs.get(r.question.pk)) for r in result.questions],
            "comparison": selectors.compare_rounds(survey),
        },
        request=request,
    )
    # The key is the HTML itself (less the per-request CSP nonce), so a cached PDF is never stale.
    digest = hashlib.sha256(re.sub(r' nonce="[^"]*"', "", html).encode()).hexdigest()
    key = f"surveys:report-pdf:{digest}"
    pdf = cache.get(key)
    if pdf is None:
        from weasyprint import HTML

        # Tagged (PDF/UA-1): a screen reader reads its headings and tables in order.
        pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf(pdf_variant="pdf/ua-1")
        cache.set(key, pdf, timeout=REPORT_PDF_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    # The survey's own title as the file name (æ, ø, å and spaces kept, encoded by RFC 6266).
    response["Content-Disposition"] = (
        content_disposition_header(False, f"{survey.title or 'rapport'}.pdf") or "inline"
    )
    return response


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"external resource not allowed in reports: {url}")


@login_required
def crosstab(request, pk):
    survey = _breakdown(request, pk)
    questions = services.questions_of(survey)
    choice = [q for q in questions if q.is_choice and q.kind != QuestionKind.MULTIPLE_CHOICE]
    background = [q for q in choice if q.is_background]
    form = CrosstabForm(request.GET or None, choice_questions=choice, background_questions=background)
    table = question = by = None
    if form.is_valid():
        by_pk = {str(q.pk): q for q in questions}
        question, by = by_pk[form.cleaned_data["question"]], by_pk[form.cleaned_data["by"]]
        table = selectors.crosstab(question, by)
    return render(
        request,
        "surveys/crosstab.html",
        {
            "survey": survey,
            "form": form,
            "table": table,
            "question": question,
            "by": by,
            "has_background": bool(background),
        },
    )


@login_required
def compare(request, pk):
    """Means per group of a background question (e.g. per unit), and against the previous round."""
    survey = _breakdown(request, pk)
    background = selectors.background_questions(survey)
    chosen = None
    by_id = request.GET.get("by")
    if by_id:
        chosen = next((q for q in background if str(q.pk) == by_id), None)
    elif background:
        chosen = next((q for q in background if q.background == "unit"), background[0])
    scale_questions, labels, cells = ([], [], {})
    if chosen is not None:
        scale_questions, labels, cells = selectors.means_by_group(survey, chosen)
    rows = [(q, [cells.get((q.pk, label)) for label in labels]) for q in scale_questions]
    shared, columns, survey_cells = selectors.compare_surveys(survey)
    survey_rows = [
        (code, text, [survey_cells.get((code, c.survey.pk)) for c in columns]) for code, text in shared
    ]
    return render(
        request,
        "surveys/compare.html",
        {
            "survey": survey,
            "background": background,
            "chosen": chosen,
            "labels": labels,
            "rows": rows,
            "rounds": selectors.compare_rounds(survey),
            "columns": columns,
            "survey_rows": survey_rows,
        },
    )


@login_required
def correlations(request, pk):
    survey = _survey(request, pk)
    questions, matrix = selectors.correlations(survey)
    rows = [
        (qa, [matrix.get((qa.pk, qb.pk)) if qa.pk != qb.pk else None for qb in questions]) for qa in questions
    ]
    return render(
        request, "surveys/correlations.html", {"survey": survey, "questions": questions, "rows": rows}
    )


@login_required
def free_text(request, pk, question_pk):
    survey = _breakdown(request, pk)
    question = survey.questions.filter(pk=question_pk, kind=QuestionKind.FREE_TEXT).first()
    if question is None:
        raise Http404
    texts = selectors.free_texts(question)
    return render(request, "surveys/free_text.html", {"survey": survey, "question": question, "texts": texts})


class _Echo:
    def write(self, value):
        return value


@login_required
def export_csv(request, pk):
    """The answers row by row: for editors only, as background answers of small groups could identify."""
    survey = _editable(request, pk)
    if selectors.response_count(survey) < survey.anonymity_threshold:
        messages.error(
            request,
            _("Too few answers to export (the anonymity threshold is %(n)s).")
            % {"n": survey.anonymity_threshold},
        )
        return redirect("surveys:results", pk=survey.pk)
    writer = csv.writer(_Echo(), delimiter=";")
    rows = (
        ("\ufeff" if i == 0 else "") + writer.writerow(safe_row(row))
        for i, row in enumerate(selectors.export_rows(survey))
    )
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(survey.title) or "undersokelse"}.csv"'
    return response


@login_required
def export_xlsx(request, pk):
    """Workbook with the results (one sheet of frequency tables) and the answers (one row per response)."""
    from openpyxl import Workbook

    survey = _survey(request, pk)
    result = selectors.survey_results(survey)
    if result.suppressed:
        messages.error(
            request,
            _("Too few answers to export (the anonymity threshold is %(n)s).")
            % {"n": survey.anonymity_threshold},
        )
        return redirect("surveys:results", pk=survey.pk)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Results"))
    sheet.append(safe_row([survey.title]))
    for r in result.questions:
        sheet.append([])
        sheet.append(safe_row([r.question.code, r.question.text]))
        if r.suppressed:
            sheet.append([_("Fewer answers than the anonymity threshold")])
            continue
        if r.table:
            sheet.append([_("Alternative"), _("Count"), _("Percent of valid answers")])
            for row in r.table.rows:
                percent = float(row.percent) if row.percent is not None else None
                count = row.count if not row.suppressed else _("hidden")
                sheet.append(safe_row([row.label, count, percent]))
            sheet.append(
                [
                    _("Sum"),
                    r.table.valid if not r.table.percent_withheld else None,
                    float(r.table.sum_percent) if r.table.sum_percent is not None else None,
                ]
            )
        if r.summary and r.summary.mean is not None:
            sheet.append([_("N"), _("Mean"), _("Standard deviation"), _("95% CI low"), _("95% CI high")])
            sheet.append([r.summary.n, r.summary.mean, r.summary.sd, r.summary.ci_low, r.summary.ci_high])
    if _can_edit(request, survey):  # row-level answers for editors only, as in the CSV export
        answers = book.create_sheet(_("Answers"))
        for row in selectors.export_rows(survey):
            # Control characters stored before they were refused at the edge would make openpyxl fail.
            answers.append(safe_row(strip_forbidden_characters(c) if isinstance(c, str) else c for c in row))
    stream = io.BytesIO()
    book.save(stream)
    response = HttpResponse(
        stream.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(survey.title) or "undersokelse"}.xlsx"'
    return response


@login_required
def import_csv(request, pk):
    survey = _editable(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.import_responses_csv(
            survey,
            form.cleaned_data["file"].read(),
            skip_bad_rows=form.cleaned_data["skip_bad_rows"],
            user=request.user,
        )
        if report.imported:
            messages.success(request, _("%(n)s responses were imported.") % {"n": report.imported})
    codes = [q.code for q in services.questions_of(survey)]
    log = survey.imports.all()[:20]
    return render(
        request,
        "surveys/import.html",
        {"survey": survey, "form": form, "report": report, "codes": codes, "log": log},
    )


@login_required
def publish_indicator(request, pk):
    survey = _editable(request, pk)
    form = IndicatorForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        question = survey.questions.get(pk=data["question"])
        try:
            value = services.publish_indicator_value(
                question,
                indicator=data["indicator"],
                statistic=data["statistic"],
                chosen=data["chosen"],
                unit=data["unit"],
                year=data["year"],
                user=request.user,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(indicator)s %(year)s = %(value)s was published.")
                % {"indicator": data["indicator"], "year": value.year, "value": value.value},
            )
            return redirect("surveys:results", pk=survey.pk)
    return render(request, "surveys/indicator_form.html", {"survey": survey, "form": form})


@login_required
def question_chart(request, pk, question_pk):
    survey = _survey(request, pk)
    question = survey.questions.filter(pk=question_pk).first()
    if question is None:
        raise Http404
    result = selectors.question_result(question)
    if result.suppressed or not result.table:
        raise Http404
    return HttpResponse(charts.frequency_svg(result), content_type="image/svg+xml")
