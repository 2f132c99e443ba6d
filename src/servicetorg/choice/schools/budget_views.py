"""The school office's per-pupil budget pages (elevsjekk): the models per school year (create), a
model's table with the formula and its numbers, a what-if, the inputs, and the XLSX export.

Read: SCHOOL_READ (the council reads the budget); change: SCHOOL_ADMINISTER. A model of another
municipality answers 404. Thin: the forms bound the input, budget.py computes and changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, can, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404

from . import budget
from .budget_forms import BudgetModelForm, SchoolInputsForm, WhatIfForm
from .models import BudgetModel, BudgetSchool, School

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _model(request, pk) -> BudgetModel:
    qs = BudgetModel.objects.select_related("municipality")
    return get_scoped_or_404(qs, request.user, Perm.SCHOOL_READ, pk=pk)


def _administered(user):
    allowed = municipality_ids(user, Perm.SCHOOL_ADMINISTER)
    qs = Municipality.objects.order_by("name")
    return qs if allowed is None else qs.filter(pk__in=allowed)


@login_required
def budget_list(request):
    allowed = municipality_ids(request.user, Perm.SCHOOL_READ)
    if allowed is not None and not allowed:
        raise PermissionDenied
    municipalities = list(_administered(request.user))
    form = None
    if municipalities:
        form = BudgetModelForm(request.POST or None, municipalities=municipalities)
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        municipality = data.pop("municipality", None) or municipalities[0]
        try:
            model = budget.create_model(municipality=municipality, user=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The budget is created. Fill in each school's continuing pupils and allocations.")
            )
            return redirect("schools:budget-edit", pk=model.pk)
    return render(
        request,
        "choice/schools/office/budget_list.html",
        {"models": budget.models_for(request.user), "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _what_if(request, model):
    schools = School.objects.filter(municipality_id=model.municipality_id, active=True).order_by("name")
    form = WhatIfForm(
        request.GET if "hva-om" in request.GET else None,
        schools=schools,
        runs=list(budget.what_if_runs(model)),
    )
    if form.is_bound and form.is_valid():
        return form, form.extra_pupils(), form.run_object()
    return form, {}, None


@login_required
def budget_detail(request, pk):
    model = _model(request, pk)
    form, extra, run = _what_if(request, model)
    result = budget.compute(model, user=request.user, extra=extra, what_if_run=run)
    base = budget.compute(model, user=request.user) if result.is_what_if else None
    if base is not None:
        before = {s.school_id: s.total for s in base.schools}
        for line in result.schools:
            line.difference = line.total - before.get(line.school_id, 0)
        result.difference = result.total - base.total
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "choice/schools/office/budget_detail.html",
        {
            "model": model,
            "budget": result,
            "base": base,
            "form": form,
            "rounding": budget.rounding_note(result),
            "what_if": budget.what_if_note(result) if result.is_what_if else "",
            "query": query,
            "can_edit": can(request.user, Perm.SCHOOL_ADMINISTER, model.municipality_id),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def budget_xlsx(request, pk):
    model = _model(request, pk)
    form, extra, run = _what_if(request, model)
    result = budget.compute(model, user=request.user, extra=extra, what_if_run=run)
    response = HttpResponse(budget.as_xlsx(result), content_type=XLSX)
    suffix = "-hva-om" if result.is_what_if else ""
    response["Content-Disposition"] = f'attachment; filename="elevsjekk-{model.school_year}{suffix}.xlsx"'
    return response


@login_required
def budget_edit(request, pk):
    model = _model(request, pk)
    if not can(request.user, Perm.SCHOOL_ADMINISTER, model.municipality_id):
        raise PermissionDenied  # before reading the form: a reader learns nothing from its messages
    rows = {r.school_id: r for r in BudgetSchool.objects.filter(model=model)}
    schools = list(School.objects.filter(municipality_id=model.municipality_id).order_by("name"))
    schools = [s for s in schools if s.active or s.pk in rows]
    data = request.POST or None
    model_form = BudgetModelForm(data, instance=model, prefix="model")
    school_forms = [
        (
            school,
            SchoolInputsForm(
                data,
                instance=rows.get(school.pk) or BudgetSchool(model=model, school=school),
                prefix=f"school-{school.pk}",
            ),
        )
        for school in schools
    ]
    if request.method == "POST":
        valid = model_form.is_valid() & all([f.is_valid() for _s, f in school_forms])
        if valid:
            try:
                budget.update_model(model, user=request.user, **model_form.cleaned_data)
                budget.update_schools(
                    model, {s.pk: f.cleaned_data for s, f in school_forms}, user=request.user
                )
            except ValidationError as error:
                apply_validation_error(model_form, error)
            else:
                messages.success(request, _("The budget's inputs are saved."))
                return redirect("schools:budget-detail", pk=model.pk)
    errors = model_form.errors or any(f.errors for _s, f in school_forms)
    return render(
        request,
        "choice/schools/office/budget_edit.html",
        {"model": model, "form": model_form, "school_forms": school_forms, "has_errors": errors},
        status=400 if request.method == "POST" else 200,
    )
