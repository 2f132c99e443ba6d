"""Staff pages of the ranking (/staff/statistikk/rangering/, namespace ``benchmarking``): methods
(create, edit the weights with their sums shown), runs (compute, see, publish, verify).

Everything needs ``Perm.BENCHMARK_EDIT``; another municipality's method or run answers 404. Thin:
the forms bound the input, services.py checks and changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.permissions import Perm
from servicetorg.core.tenancy import get_scoped_or_404

from .. import selectors as benchmarking_selectors
from . import selectors, services
from .forms import MethodForm, WeightsForm
from .models import RankingMethod, RankingRun, RankingRunState
from .workflow import PUBLISH, RUN_WORKFLOW


def _method(request, pk) -> RankingMethod:
    return get_scoped_or_404(
        RankingMethod.objects.select_related("municipality"), request.user, Perm.BENCHMARK_EDIT, pk=pk
    )


def _run(request, pk) -> RankingRun:
    return get_scoped_or_404(
        RankingRun.objects.select_related("municipality", "method"), request.user, Perm.BENCHMARK_EDIT, pk=pk
    )


@login_required
def method_list(request):
    municipalities = benchmarking_selectors.editable_municipalities(request.user)
    if not municipalities.exists():
        raise PermissionDenied
    form = MethodForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        municipality = fields.pop("municipality", None) or municipalities.get()  # asked when several
        try:
            method = services.create_method(municipality=municipality, user=request.user, **fields)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The method is created with every indicator and sector weighing 1."))
            return redirect("benchmarking:ranking-method", pk=method.pk)
    return render(
        request,
        "benchmarking/ranking/staff_methods.html",
        {
            "methods": selectors.methods_for(request.user),
            "runs": selectors.runs_for(request.user).order_by("-created_at", "-pk")[:20],
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def method_detail(request, pk):
    method = _method(request, pk)
    form = WeightsForm(request.POST or None, indicators=services.catalogue(), method=method)
    if request.method == "POST" and form.is_valid():
        indicator_weights, sector_weights = form.weights()
        try:
            services.update_method(
                method,
                user=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                year=form.cleaned_data["year"],
                indicator_weights=indicator_weights,
                sector_weights=sector_weights,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The weights are saved."))
            return redirect("benchmarking:ranking-method", pk=method.pk)
    sector_total = sum(float(w) for w in method.sector_weights.values())
    indicator_total = sum(float(w) for w in method.indicator_weights.values())
    return render(
        request,
        "benchmarking/ranking/staff_method.html",
        {
            "method": method,
            "form": form,
            "sector_total": sector_total,
            "indicator_total": indicator_total,
            "runs": method.runs.defer("inputs").order_by("-created_at", "-pk"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def method_run(request, pk):
    method = _method(request, pk)
    try:
        ranking = services.run(method, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("benchmarking:ranking-method", pk=method.pk)
    messages.success(request, _("The ranking is computed as a draft. Check it, then publish it."))
    return redirect("benchmarking:ranking-run", pk=ranking.pk)


@login_required
def run_detail(request, pk):
    ranking = _run(request, pk)
    county = (request.GET.get("fylke") or "").strip()[:2]
    names = selectors.indicator_names(ranking)
    rows = list(selectors.results(ranking, county))
    for row in rows:
        row.not_ranked = "" if row.ranked else selectors.not_ranked_text(row, names)
    return render(
        request,
        "benchmarking/ranking/staff_run.html",
        {
            "ranking": ranking,
            "results": rows,
            "counties": selectors.counties(ranking),
            "county": county,
            "names": selectors.indicator_names(ranking),
            "blocks": selectors.method_blocks(ranking),
            "can_publish": RUN_WORKFLOW.allows(ranking.state, PUBLISH),
            "published": ranking.state == RankingRunState.PUBLISHED,
        },
    )


@login_required
@require_POST
def run_publish(request, pk):
    ranking = _run(request, pk)
    try:
        services.publish(ranking, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The ranking is published."))
    return redirect("benchmarking:ranking-run", pk=ranking.pk)


@login_required
@require_POST
def run_verify(request, pk):
    ranking = _run(request, pk)
    check = services.verify(ranking, user=request.user)
    if check.identical:
        messages.success(
            request,
            _("Recomputed from the frozen inputs: the results are identical (SHA-256 %(hash)s).")
            % {"hash": check.recomputed_hash},
        )
    else:
        messages.error(
            request,
            _("Recomputed from the frozen inputs: the results differ (SHA-256 %(new)s, stored %(old)s).")
            % {"new": check.recomputed_hash, "old": check.stored_hash},
        )
    if check.data_unchanged is False:
        messages.info(request, _("Today's official figures differ from the run's frozen inputs."))
    return redirect("benchmarking:ranking-run", pk=ranking.pk)
