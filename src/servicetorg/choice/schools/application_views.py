"""The school office's pages of a round's applications (list with filters, detail with the wishes,
the placement and its explanation, the history; register, change and withdraw; CSV import) and of
the appeals (list with their age, detail, answer).

The children's data are the school office's (SCHOOL_ADMINISTER): a reader of school choice (the
council, other staff) is refused these pages (403); a round, application or appeal of another
municipality answers 404. The national identity number is shown masked; the special-needs school of
a decision is shown only here. Thin: forms bound the input; applications.py, application_imports.py
and appeals.py decide.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.permissions import Perm, can, filtered, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404
from servicetorg.core.validators import mask_national_id
from servicetorg.core.workflow import TransitionRefused

from . import appeals, application_imports, applications, explain
from .application_forms import (
    AppealAnswerForm,
    AppealFilterForm,
    ApplicationFilterForm,
    ApplicationForm,
    ImportForm,
)
from .models import (
    AllocationRun,
    Appeal,
    AppealState,
    ApplicationSource,
    Placement,
    Round,
    School,
    SchoolApplication,
    SchoolApplicationState,
    Wish,
)
from .workflow import APPEAL_WORKFLOW, SCHOOL_APPLICATION_WORKFLOW, WITHDRAW

PAGE_SIZE = 50


# --- Scope ----------------------------------------------------------------------------------------


def _round(request, round_pk) -> Round:
    """The round (404 for another municipality's), for a member of the school office (else 403)."""
    round_ = get_scoped_or_404(
        Round.objects.select_related("municipality"), request.user, Perm.SCHOOL_READ, pk=round_pk
    )
    if not can(request.user, Perm.SCHOOL_ADMINISTER, round_.municipality_id):
        raise PermissionDenied
    return round_


def _application(request, round_, pk) -> SchoolApplication:
    application = (
        SchoolApplication.objects.select_related(
            "address", "catchment_school", "special_needs_school", "round__municipality"
        )
        .filter(round=round_, pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def _current_run(round_) -> AllocationRun | None:
    return AllocationRun.objects.filter(round=round_, current=True).first()


def _schools(round_):
    return list(School.objects.filter(round_seats__round=round_).order_by("name"))


# --- Applications ---------------------------------------------------------------------------------


@login_required
def application_list(request, round_pk):
    round_ = _round(request, round_pk)
    schools = _schools(round_)
    run = _current_run(round_)
    form = ApplicationFilterForm(request.GET or None, schools=schools)
    qs = SchoolApplication.objects.filter(round=round_).select_related("special_needs_school")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["onske"]:
            qs = qs.filter(pk__in=Wish.objects.filter(school_id=data["onske"]).values("application_id"))
        if data["plassert"]:
            placed = Placement.objects.filter(run=run) if run else Placement.objects.none()
            if data["plassert"] == "ingen":
                qs = qs.filter(pk__in=placed.filter(school__isnull=True).values("application_id"))
            else:
                qs = qs.filter(pk__in=placed.filter(school_id=int(data["plassert"])).values("application_id"))
        if data["tilstand"]:
            qs = qs.filter(state=data["tilstand"])
    prefetch = [Prefetch("wishes", queryset=Wish.objects.select_related("school").order_by("rank"))]
    if run is not None:
        prefetch.append(
            Prefetch(
                "placements",
                queryset=Placement.objects.filter(run=run).select_related("school"),
                to_attr="now",
            )
        )
    page = Paginator(qs.prefetch_related(*prefetch).order_by("pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "application": a,
            "masked": mask_national_id(a.national_id),
            "placement": (a.now[0] if getattr(a, "now", None) else None),
        }
        for a in page.object_list
    ]
    query = ""
    if form.is_bound and form.is_valid():
        query = urlencode({k: v for k, v in request.GET.items() if k in form.fields and v})
    return render(
        request,
        "choice/schools/office/application_list.html",
        {
            "round": round_,
            "form": form,
            "page": page,
            "rows": rows,
            "run": run,
            "count": page.paginator.count,
            "query": query,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def application_detail(request, round_pk, pk):
    round_ = _round(request, round_pk)
    application = _application(request, round_, pk)
    run = _current_run(round_)
    placements = list(
        Placement.objects.filter(application=application)
        .select_related("school", "run")
        .order_by("-run__created_at", "-run__pk")
    )
    current = next((p for p in placements if run and p.run_id == run.pk), None)
    explanation = explain.explain(application, run, placement=current) if current else []
    transport = explain.transport(current, round_) if current else None
    history = list(
        application.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
    )
    its_appeals = list(Appeal.objects.filter(application=application).order_by("-received_at"))
    return render(
        request,
        "choice/schools/office/application_detail.html",
        {
            "round": round_,
            "application": application,
            "masked": mask_national_id(application.national_id),
            "wishes": application.wishes.select_related("school").order_by("rank"),
            "run": run,
            "current": current,
            "explanation": explanation,
            "transport": transport,
            "placements": placements,
            "history": history,
            "appeals": its_appeals,
            "can_withdraw": SCHOOL_APPLICATION_WORKFLOW.allows(application.state, WITHDRAW),
            "can_change": application.state == SchoolApplicationState.SUBMITTED,
        },
    )


def _application_form(request, round_, application=None):
    schools = _schools(round_)
    initial = None
    if application is not None:
        wishes = list(application.wishes.order_by("rank"))
        initial = {
            "name": application.name,
            "address": application.address.address,
            "postcode": application.address.postcode,
            "contact_email": application.contact_email,
            "contact_phone": application.contact_phone,
            "special_needs_school": application.special_needs_school_id,
        }
        for i, wish in enumerate(wishes, start=1):
            initial[f"wish_{i}"] = wish.school_id
            initial[f"sibling_{i}"] = wish.sibling
    form = ApplicationForm(
        request.POST or None,
        initial=initial,
        round_=round_,
        schools=schools,
        editing=application is not None,
    )
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        if application is not None:
            arguments["child_national_id"] = application.national_id
        try:
            saved = applications.submit_application(
                round_, user=request.user, source=ApplicationSource.STAFF, **arguments
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for service, field in (("wishes", "wish_1"), ("siblings", None), ("round", None)):
                    if service in error.error_dict:
                        error.error_dict.setdefault(field or "__all__", []).extend(
                            error.error_dict.pop(service)
                        )
                if application is not None and "child_national_id" in error.error_dict:
                    error.error_dict.setdefault("__all__", []).extend(
                        error.error_dict.pop("child_national_id")
                    )
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The application is saved.") if application else _("The application is registered."),
            )
            return redirect("schools:application-detail", round_pk=round_.pk, pk=saved.pk)
    return render(
        request,
        "choice/schools/office/application_form.html",
        {"round": round_, "form": form, "application": application},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def application_create(request, round_pk):
    return _application_form(request, _round(request, round_pk))


@login_required
def application_edit(request, round_pk, pk):
    round_ = _round(request, round_pk)
    return _application_form(request, round_, _application(request, round_, pk))


@login_required
@require_POST
def application_withdraw(request, round_pk, pk):
    round_ = _round(request, round_pk)
    application = _application(request, round_, pk)
    try:
        applications.withdraw_application(application, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect("schools:application-detail", round_pk=round_.pk, pk=application.pk)


@login_required
def application_import(request, round_pk):
    round_ = _round(request, round_pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(application_imports.MAX_BYTES + 1)
        try:
            result = application_imports.import_applications(
                data, round_=round_, user=request.user, skip_bad_rows=form.cleaned_data["skip_bad_rows"]
            )
        except application_imports.ImportFailed as failed:
            report = {"created": 0, "updated": 0, "unchanged": 0, "errors": failed.errors, "written": False}
        else:
            report = {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "errors": result.errors,
                "written": True,
            }
    failed_all = bool(report and not report["written"])
    return render(
        request,
        "choice/schools/office/application_import.html",
        {
            "round": round_,
            "form": form,
            "report": report,
            "columns": application_imports.columns(round_),
            "yes": sorted(application_imports.YES - {"sann", "true", "y", "j"}),
        },
        status=400 if failed_all or (request.method == "POST" and not form.is_valid()) else 200,
    )


@login_required
def application_import_sample(request, round_pk):
    round_ = _round(request, round_pk)
    response = HttpResponse(application_imports.sample(round_), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="soknader-eksempel-{round_.pk}.csv"'
    return response


# --- Appeals --------------------------------------------------------------------------------------


def _appeals(user):
    """The appeals of the municipalities whose school office the user is in."""
    return filtered(
        Appeal.objects.select_related("application__round__municipality"),
        user,
        Perm.SCHOOL_ADMINISTER,
        municipality_field="application__round__municipality",
    )


@login_required
def appeal_list(request):
    allowed = municipality_ids(request.user, Perm.SCHOOL_ADMINISTER)
    if allowed is not None and not allowed:
        raise PermissionDenied
    form = AppealFilterForm(request.GET or None)
    qs = _appeals(request.user)
    if form.is_bound and form.is_valid() and form.cleaned_data["tilstand"]:
        qs = qs.filter(state=form.cleaned_data["tilstand"])
    qs = qs.annotate(
        waiting=Case(
            When(state=AppealState.RECEIVED, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("waiting", "received_at", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    appeals = list(page.object_list)
    runs = dict(
        AllocationRun.objects.filter(
            round_id__in={a.application.round_id for a in appeals}, current=True
        ).values_list("round_id", "pk")
    )
    seats = {
        (p.run_id, p.application_id): p
        for p in Placement.objects.filter(
            run_id__in=list(runs.values()), application_id__in=[a.application_id for a in appeals]
        ).select_related("school")
    }
    today = timezone.localdate()
    rows = []
    for appeal in appeals:
        end = timezone.localdate(appeal.answered_at) if appeal.answered_at else today
        rows.append(
            {
                "appeal": appeal,
                "days": (end - timezone.localdate(appeal.received_at)).days,
                "placement": seats.get((runs.get(appeal.application.round_id), appeal.application_id)),
            }
        )
    several = allowed is None or len(allowed) > 1
    return render(
        request,
        "choice/schools/office/appeal_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "several": several,
            "received": _appeals(request.user).filter(state=AppealState.RECEIVED).count(),
            "query": f"tilstand={form.cleaned_data['tilstand']}"
            if form.is_bound and form.is_valid() and form.cleaned_data["tilstand"]
            else "",
        },
    )


def _appeal(request, pk) -> Appeal:
    appeal = get_scoped_or_404(
        Appeal.objects.select_related(
            "application__round__municipality",
            "application__address",
            "application__catchment_school",
            "answered_by",
        ),
        request.user,
        Perm.SCHOOL_READ,
        field="application__round__municipality",
        pk=pk,
    )
    if not can(request.user, Perm.SCHOOL_ADMINISTER, appeal.application.round.municipality_id):
        raise PermissionDenied
    return appeal


def _appeal_page(request, appeal, form, status=200):
    application = appeal.application
    run = _current_run(application.round)
    current = (
        Placement.objects.filter(run=run, application=application).select_related("school").first()
        if run
        else None
    )
    received = timezone.localdate(appeal.received_at)
    end = timezone.localdate(appeal.answered_at) if appeal.answered_at else timezone.localdate()
    return render(
        request,
        "choice/schools/office/appeal_detail.html",
        {
            "appeal": appeal,
            "application": application,
            "round": application.round,
            "masked": mask_national_id(application.national_id),
            "wishes": application.wishes.select_related("school").order_by("rank"),
            "current": current,
            "explanation": explain.explain(application, run, placement=current) if current else [],
            "transport": explain.transport(current, application.round) if current else None,
            "days": (end - received).days,
            "form": form,
            "can_answer": APPEAL_WORKFLOW.allows(appeal.state, "uphold"),
            "others": Appeal.objects.filter(application=application)
            .exclude(pk=appeal.pk)
            .order_by("-received_at"),
        },
        status=status,
    )


@login_required
def appeal_detail(request, pk):
    appeal = _appeal(request, pk)
    return _appeal_page(request, appeal, AppealAnswerForm())


@login_required
@require_POST
def appeal_answer(request, pk):
    appeal = _appeal(request, pk)
    form = AppealAnswerForm(request.POST)
    if form.is_valid():
        try:
            appeals.answer_appeal(
                appeal,
                user=request.user,
                uphold=form.cleaned_data["decision"] == "uphold",
                answer=form.cleaned_data["answer"],
            )
        except TransitionRefused:
            messages.error(request, _("The appeal is answered or withdrawn already."))
            return redirect("schools:appeal-detail", pk=appeal.pk)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The answer is saved and sent to the family."))
            return redirect("schools:appeal-detail", pk=appeal.pk)
    return _appeal_page(request, appeal, form, status=400)
