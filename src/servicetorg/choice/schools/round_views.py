"""The school office's pages (/staff/skolevalg/): intake rounds, their steps and runs (the
certificate, the cutoffs, the feasibility report, the council's what-ifs) and the school registry.

Thin: forms check the input, rounds.py / allocate.py decide, round_selectors.py read. Everyone with
``Perm.SCHOOL_READ`` (all staff, the council) reads; the steps need ``Perm.SCHOOL_ADMINISTER``
(refused with 403 before the form is read), except a what-if, which the council may run. Another
municipality's ids are 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404

from . import address_imports, allocate, round_forms, round_selectors, rounds
from .models import AllocationRun, Round, RoundState, RunKind, School
from .workflow import ALLOCATE, CLOSE, FINISH, OPEN, PUBLISH, ROUND_WORKFLOW

#: The steps of round-action, by their slug in the address.
STEPS = {
    "apne": (OPEN, rounds.open_round),
    "steng": (CLOSE, rounds.close_round),
    "publiser": (PUBLISH, rounds.publish),
    "avslutt": (FINISH, rounds.finish),
}
SLUG_OF = {action: slug for slug, (action, _step) in STEPS.items()}


def _round(request, pk) -> Round:
    return get_scoped_or_404(
        Round.objects.select_related("municipality"), request.user, Perm.SCHOOL_READ, pk=pk
    )


def _run(request, pk) -> AllocationRun:
    qs = AllocationRun.objects.select_related("round", "round__municipality", "created_by", "based_on")
    return get_scoped_or_404(qs, request.user, Perm.SCHOOL_READ, field="round__municipality", pk=pk)


def _school(request, pk) -> School:
    return get_scoped_or_404(
        School.objects.select_related("municipality"), request.user, Perm.SCHOOL_READ, pk=pk
    )


def _require_administer(request, municipality_id: int) -> None:
    """Refuse before reading the form: a reader learns nothing from validation messages."""
    if not rounds.can_administer(request.user, municipality_id):
        raise PermissionDenied


def _require_read(request) -> None:
    allowed = municipality_ids(request.user, Perm.SCHOOL_READ)
    if allowed is not None and not allowed:
        raise PermissionDenied


def _administered(request):
    allowed = municipality_ids(request.user, Perm.SCHOOL_ADMINISTER)
    return Municipality.objects.all() if allowed is None else Municipality.objects.filter(pk__in=allowed)


def _may_create(request) -> bool:
    allowed = municipality_ids(request.user, Perm.SCHOOL_ADMINISTER)
    return allowed is None or bool(allowed)


def _error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Rounds -------------------------------------------------------------------------------------


@login_required
def round_list(request):
    _require_read(request)
    return render(
        request,
        "choice/schools/staff/round_list.html",
        {"rounds": round_selectors.rounds_for(request.user), "can_create": _may_create(request)},
    )


@login_required
def round_create(request):
    municipalities = _administered(request)
    if not municipalities.exists():
        raise PermissionDenied
    form = round_forms.RoundCreateForm(
        request.POST if request.method == "POST" else None, municipalities=municipalities
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_ = rounds.create_round(
                municipality=form.cleaned_data["municipality"], user=request.user, **form.values()
            )
        except ValidationError as error:
            form.show_error(error)
        else:
            messages.success(request, _("The round was created as a draft. Give the schools their seats."))
            return redirect("schools:round-edit", pk=round_.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "choice/schools/staff/round_create.html", {"form": form}, status=status)


@login_required
def round_detail(request, pk):
    round_ = _round(request, pk)
    administer = rounds.can_administer(request.user, round_.municipality_id)
    actions = ROUND_WORKFLOW.actions_from(round_.state) if administer else []
    steps = [
        {"slug": SLUG_OF[action], "label": ROUND_WORKFLOW.actions[action], "action": action}
        for action in actions
        if action in SLUG_OF
    ]
    return render(
        request,
        "choice/schools/staff/round_detail.html",
        {
            "round": round_,
            "seats": round_.schools.select_related("school").order_by("school__name"),
            "total_seats": sum(row.seats for row in round_.schools.all()),
            "applications": round_selectors.submitted_count(round_),
            "runs": AllocationRun.objects.filter(round=round_).select_related("created_by").order_by("-pk"),
            "can_edit": administer and round_.state == RoundState.DRAFT,
            "steps": steps,
            "can_run": ALLOCATE in actions,
            "can_waiting_list": administer and round_.state == RoundState.PUBLISHED,
            "seed_public": rounds.seed_is_public(round_),
            "may_what_if": bool(round_.seed_hash),
        },
    )


def _seat_forms(round_: Round, data=None) -> list[round_forms.SeatForm]:
    rows = {row.school_id: row for row in round_.schools.all()}
    schools = School.objects.filter(municipality_id=round_.municipality_id).order_by("name")
    return [
        round_forms.SeatForm(data, school=school, row=rows.get(school.pk), prefix=f"school-{school.pk}")
        for school in schools
        if school.pk in rows or (school.active and school.teaches(round_.grade))
    ]


@login_required
def round_edit(request, pk):
    round_ = _round(request, pk)
    _require_administer(request, round_.municipality_id)
    if round_.state != RoundState.DRAFT:
        messages.error(
            request, _("The round's rules were published when it opened and cannot be changed any more.")
        )
        return redirect("schools:round-detail", pk=round_.pk)
    data = request.POST if request.method == "POST" else None
    form = round_forms.RoundForm(data, instance=Round.objects.get(pk=round_.pk))
    seat_forms = _seat_forms(round_, data)
    if request.method == "POST":
        valid = form.is_valid() & all([f.is_valid() for f in seat_forms])
        if valid:
            seats = {
                f.school: (f.cleaned_data["seats"] or 0, f.cleaned_data["class_size"]) for f in seat_forms
            }
            try:
                with transaction.atomic():
                    rounds.update_round(round_, user=request.user, seats=seats, **form.values())
            except ValidationError as error:
                form.show_error(error)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("schools:round-detail", pk=round_.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "choice/schools/staff/round_edit.html",
        {"round": round_, "form": form, "seat_forms": seat_forms},
        status=status,
    )


@login_required
@require_POST
def round_action(request, pk, action):
    round_ = _round(request, pk)
    if action not in STEPS:
        raise Http404
    _require_administer(request, round_.municipality_id)
    code, step = STEPS[action]
    try:
        result = step(round_, user=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        done = {
            OPEN: _("The round is open for applications; its rules are published."),
            CLOSE: _("The round is closed. The lottery seed is committed: its SHA-256 is shown below."),
            PUBLISH: _(
                "The placements are published and the lottery seed revealed. %(n)s families were told."
            )
            % {"n": result if isinstance(result, int) else 0},
            FINISH: _("The round is finished."),
        }
        messages.success(request, done[code])
    return redirect("schools:round-detail", pk=round_.pk)


@login_required
@require_POST
def round_run(request, pk):
    round_ = _round(request, pk)
    _require_administer(request, round_.municipality_id)
    try:
        run = allocate.run_main(round_, user=request.user)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("schools:round-detail", pk=round_.pk)
    messages.success(request, _("The allocation ran. Its certificate is below."))
    return redirect("schools:run-detail", pk=run.pk)


@login_required
@require_POST
def round_waiting_list(request, pk):
    round_ = _round(request, pk)
    _require_administer(request, round_.municipality_id)
    try:
        run = allocate.run_waiting_list(round_, user=request.user)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("schools:round-detail", pk=round_.pk)
    messages.success(request, _("The waiting lists ran: everyone kept her seat or moved up."))
    return redirect("schools:run-detail", pk=run.pk)


@login_required
def round_feasibility(request, pk):
    round_ = _round(request, pk)
    return render(
        request,
        "choice/schools/staff/round_feasibility.html",
        {"round": round_, "report": round_selectors.feasibility(round_)},
    )


@login_required
def what_if(request, pk):
    round_ = _round(request, pk)
    form = round_forms.WhatIfForm(request.POST if request.method == "POST" else None, round_=round_)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            allocate.run_what_if(round_, user=request.user, variant=data["variant"], label=data["label"])
        except ValidationError as error:
            apply_validation_error(form, error)  # e.g. no seed yet: the round is not closed
        else:
            messages.success(request, _("The what-if ran. It is compared with the main allocation below."))
            return redirect(reverse("schools:what-if", kwargs={"pk": round_.pk}) + "#comparison")
    main, columns = round_selectors.comparison(round_)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "choice/schools/staff/what_if.html",
        {
            "round": round_,
            "form": form,
            "main": main,
            "columns": columns,
            "ranks": range(1, round_.wishes + 1),
            "may_run": bool(round_.seed_hash),
        },
        status=status,
    )


# --- Runs ---------------------------------------------------------------------------------------


@login_required
def run_detail(request, pk):
    run = _run(request, pk)
    round_ = run.round
    certificate = run.certificate
    counts = round_selectors.by_wish(certificate, round_.wishes)
    return render(
        request,
        "choice/schools/staff/run_detail.html",
        {
            "run": run,
            "round": round_,
            "certificate": certificate,
            "by_wish": list(enumerate(counts, start=1)),
            "cutoffs": round_selectors.cutoffs(run),
            "seed_public": rounds.seed_is_public(round_),
            "changes": round_selectors.changes_of(run) if run.kind == RunKind.WHAT_IF else [],
        },
    )


# --- Schools ------------------------------------------------------------------------------------


@login_required
def school_list(request):
    _require_read(request)
    administered = municipality_ids(request.user, Perm.SCHOOL_ADMINISTER)
    schools = round_selectors.schools_for(request.user).order_by("municipality__name", "name")
    return render(
        request,
        "choice/schools/staff/school_list.html",
        {
            "schools": schools,
            "can_create": _may_create(request),
            "administered": administered,
        },
    )


@login_required
def school_create(request):
    municipalities = _administered(request)
    if not municipalities.exists():
        raise PermissionDenied
    form = round_forms.SchoolCreateForm(
        request.POST if request.method == "POST" else None, municipalities=municipalities
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in rounds.SCHOOL_FIELDS}
        try:
            rounds.create_school(municipality=form.cleaned_data["municipality"], user=request.user, **values)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The school was added."))
            return redirect("schools:school-list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "choice/schools/staff/school_form.html", {"form": form, "school": None}, status=status
    )


@login_required
def school_edit(request, pk):
    school = _school(request, pk)
    _require_administer(request, school.municipality_id)
    form = round_forms.SchoolForm(
        request.POST if request.method == "POST" else None, instance=School.objects.get(pk=school.pk)
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in rounds.SCHOOL_FIELDS}
        try:
            rounds.update_school(school, user=request.user, **values)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The school was saved."))
            return redirect("schools:school-list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "choice/schools/staff/school_form.html", {"form": form, "school": school}, status=status
    )


@login_required
def address_register(request):
    """The address register: how many addresses each school is the catchment school of, and (for the
    school office) the CSV import, every bad row reported."""
    _require_read(request)
    municipalities = _administered(request)
    may_import = municipalities.exists()
    form = None
    result = errors = None
    status = 200
    if may_import:
        post = request.method == "POST"
        form = round_forms.AddressImportForm(
            request.POST if post else None, request.FILES if post else None, municipalities=municipalities
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(address_imports.MAX_BYTES + 1)
            try:
                result = address_imports.import_addresses(
                    data,
                    municipality=form.cleaned_data["municipality"],
                    user=request.user,
                    skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                )
            except address_imports.ImportFailed as failed:
                errors = failed.errors
                status = 400
            else:
                errors = result.errors
                messages.success(
                    request,
                    _("Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
        else:
            status = 400
    return render(
        request,
        "choice/schools/staff/address_register.html",
        {
            "counts": round_selectors.catchment_counts(request.user),
            "form": form,
            "result": result,
            "errors": errors,
        },
        status=status,
    )
