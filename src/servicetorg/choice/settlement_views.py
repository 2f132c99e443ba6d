"""Pages of the monthly settlement (compute, statements, approve, mark paid, downloads) and the
ordering unit's deviations. A statement is read by the settlement office of its municipality and by
the provider it is for; to anyone else it does not exist (404)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.permissions import Perm, filtered, municipality_ids

from . import settlement as settlements
from . import statements, visits, workflow
from .models import Band, Decision, DecisionHours, Scheme, SchemeState, Settlement, Visit, VisitState
from .visit_forms import ComputeForm, DeviationForm, decision_label


def _settle_scope(request) -> set[int] | None:
    allowed = municipality_ids(request.user, Perm.CHOICE_SETTLE)
    if allowed is not None and not allowed:
        raise PermissionDenied
    return allowed


def _schemes(allowed):
    qs = Scheme.objects.exclude(state=SchemeState.DRAFT).select_related("municipality")
    return qs if allowed is None else qs.filter(municipality_id__in=allowed)


@login_required
def settlement_list(request):
    allowed = _settle_scope(request)
    form = ComputeForm(schemes=_schemes(allowed), initial={"month": timezone.localdate().replace(day=1)})
    rows = (
        Settlement.objects.select_related("scheme", "provider")
        .annotate(decided=Sum("lines__decided_minutes"), performed=Sum("lines__performed_minutes"))
        .order_by("-month", "scheme__name", "provider__name")
    )
    if allowed is not None:
        rows = rows.filter(scheme__municipality_id__in=allowed)
    return render(request, "choice/settlement/list.html", {"form": form, "settlements": rows[:300]})


@login_required
@require_POST
def settlement_compute(request):
    allowed = _settle_scope(request)
    form = ComputeForm(request.POST, schemes=_schemes(allowed))
    if not form.is_valid():
        messages.error(request, _("Choose a scheme and a month."))
        return redirect("choice:settlement-list")
    try:
        done = settlements.compute(form.cleaned_data["scheme"], form.cleaned_data["month"], user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The month is computed: %(n)s statements (approved ones are left as they were).")
            % {"n": len(done)},
        )
    return redirect("choice:settlement-list")


def _settlement(request, pk) -> Settlement:
    found = (
        settlements.settlements_for(request.user).filter(pk=pk).select_related("scheme__municipality").first()
    )
    if found is None:
        raise Http404
    return found


@login_required
def settlement_detail(request, pk):
    statement = _settlement(request, pk)
    may_settle = settlements.may_settle(request.user, statement.scheme.municipality_id)
    actions = workflow.SETTLEMENT_WORKFLOW.actions_from(statement.state) if may_settle else []
    delivery = {d.key: d.rate for d in settlements.delivery_by_decision(statement)}
    lines = [
        {"line": line, "decision": decision_label(line.decision), "delivery": delivery.get(line.decision_id)}
        for line in statement.lines.select_related("decision").order_by("decision_id", "band")
    ]
    return render(
        request,
        "choice/settlement/detail.html",
        {
            "settlement": statement,
            "lines": lines,
            "may_settle": may_settle,
            "can_approve": workflow.APPROVE_SETTLEMENT in actions,
            "can_pay": workflow.PAY in actions,
            "back": reverse("choice:settlement-list")
            if may_settle
            else reverse("choice:provider-statements"),
        },
    )


@login_required
@require_POST
def settlement_approve(request, pk):
    return _act(request, pk, settlements.approve, _("The statement is approved."))


@login_required
@require_POST
def settlement_pay(request, pk):
    return _act(request, pk, settlements.pay, _("The statement is marked as paid."))


def _act(request, pk, action, done: str):
    statement = _settlement(request, pk)
    if not settlements.may_settle(request.user, statement.scheme.municipality_id):
        raise PermissionDenied
    try:
        action(statement, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("choice:settlement-detail", pk=statement.pk)


@login_required
def settlement_export(request, pk, fmt):
    statement = _settlement(request, pk)
    name = f"oppgjor-{slugify(statement.provider.name)}-{statement.month:%Y-%m}"
    if fmt == "csv":
        response = HttpResponse(statements.as_csv(statement), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            statements.as_xlsx(statement),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "pdf":
        response = HttpResponse(statements.as_pdf(statement), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- Deviations (the ordering unit) ----------------------------------------------------------------


def deviations_for(user, *, months: int = 3) -> list[dict]:
    """Per decision the user orders, band and month of the last ``months``: the visits (not
    cancelled) beyond the decided minutes of the month. Decided minutes are read as the settlement
    reads them (hours per week × days of the decision's period in the month ÷ 7 × 60)."""
    decisions = filtered(Decision.objects.all(), user, Perm.CHOICE_ORDER)
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    start, _end = visits.month_bounds(first)
    performed = (
        Visit.objects.filter(decision__in=decisions, starts_at__gte=start)
        .exclude(state=VisitState.CANCELLED)
        .annotate(month=TruncMonth("starts_at", tzinfo=visits.OSLO))
        .values("decision_id", "band", "month")
        .annotate(minutes=Sum("minutes"), approved=Count("pk", filter=Q(deviation_approved=True)))
    )
    rows = list(performed)
    hours = {
        (h.decision_id, h.band): h.hours_per_week
        for h in DecisionHours.objects.filter(decision_id__in={r["decision_id"] for r in rows})
    }
    periods = {
        d.pk: d
        for d in Decision.objects.filter(pk__in={r["decision_id"] for r in rows}).only(
            "pk", "case_reference", "valid_from", "valid_until"
        )
    }
    out = []
    for row in rows:
        decision = periods[row["decision_id"]]
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        last = settlements.last_of(month)
        begin = max(month, decision.valid_from)
        end = min(last, decision.valid_until or last)
        days = max(0, (end - begin).days + 1)
        per_week = hours.get((decision.pk, row["band"]), 0)
        decided = round(float(per_week) * 60 * days / 7)
        if row["minutes"] > decided:
            out.append(
                {
                    "decision": decision,
                    "label": decision_label(decision),
                    "month": month,
                    "band": row["band"],
                    "band_label": Band(row["band"]).label,
                    "decided": decided,
                    "performed": row["minutes"],
                    "approved": row["approved"] > 0,
                }
            )
    out.sort(key=lambda r: (r["month"], r["decision"].pk, r["band"]), reverse=True)
    return out


@login_required
def deviation_list(request):
    if municipality_ids(request.user, Perm.CHOICE_ORDER) == set():
        raise PermissionDenied
    if request.method == "POST":
        form = DeviationForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose the deviation to approve."))
            return redirect("choice:deviation-list")
        decision = (
            filtered(Decision.objects.all(), request.user, Perm.CHOICE_ORDER)
            .filter(pk=form.cleaned_data["decision"])
            .first()
        )
        if decision is None:
            raise Http404
        month: date = form.cleaned_data["month"]
        n = visits.approve_deviation(decision, month, form.cleaned_data["band"], user=request.user)
        messages.success(
            request, _("The deviation is approved (%(n)s visits); it is paid in full.") % {"n": n}
        )
        return redirect("choice:deviation-list")
    return render(request, "choice/settlement/deviations.html", {"rows": deviations_for(request.user)})
