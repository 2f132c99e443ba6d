"""The evaluation dashboard of a user-choice scheme (aggregates only, no personal data) and the
button that records its figures as indicator values. Thin: evaluation.py computes."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.permissions import Perm, can, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404

from . import evaluation, selectors
from .models import Scheme, SchemeState


def _date(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


def _period(request) -> tuple[date, date]:
    start, end = evaluation.default_period()
    start = _date(request.GET.get("fra") or request.POST.get("fra"), start)
    end = _date(request.GET.get("til") or request.POST.get("til"), end)
    if end < start:
        start, end = end, start
    if (end - start).days > 3660:  # ten years at most
        start = end.replace(year=end.year - 10)
    return start, end


def _schemes(user):
    """The schemes the user reads, newest version of each (the evaluation covers every version)."""
    return [
        s
        for s in selectors.schemes_for(user).exclude(state=SchemeState.DRAFT)
        if not Scheme.objects.filter(replaces=s, state=SchemeState.ADOPTED).exists()
    ]


@login_required
def dashboard(request):
    allowed = municipality_ids(request.user, Perm.CHOICE_READ)
    if allowed is not None and not allowed:
        raise PermissionDenied
    schemes = _schemes(request.user)
    scheme = None
    if request.GET.get("ordning"):
        try:
            pk = int(request.GET["ordning"])
        except ValueError as exc:
            raise Http404 from exc
        scheme = next((s for s in schemes if s.pk == pk), None)
        if scheme is None:
            raise Http404
    elif schemes:
        scheme = schemes[0]
    start, end = _period(request)
    context = {"schemes": schemes, "scheme": scheme, "start": start, "end": end}
    if scheme is not None:
        result = evaluation.evaluate(scheme, start, end)
        context.update(
            result=result,
            provider_chart=evaluation.provider_chart(result),
            delivery_chart=evaluation.delivery_chart(result),
            can_record=can(request.user, Perm.INDICATOR_EDIT, scheme.municipality_id),
        )
    return render(request, "choice/evaluation.html", context)


@login_required
@require_POST
def record(request, pk):
    scheme = get_scoped_or_404(
        Scheme.objects.select_related("municipality", "service"), request.user, Perm.CHOICE_READ, pk=pk
    )
    if not can(request.user, Perm.INDICATOR_EDIT, scheme.municipality_id):
        raise PermissionDenied
    start, end = _period(request)
    try:
        written = evaluation.record_indicators(scheme, (start, end), user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(n)s figures recorded as indicator values for %(year)s.")
            % {"n": len(written), "year": end.year},
        )
    query = urlencode({"ordning": scheme.pk, "fra": start.isoformat(), "til": end.isoformat()})
    return redirect(f"{reverse('choice:evaluation')}?{query}")
