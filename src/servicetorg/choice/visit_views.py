"""Pages of visits: the provider's (register, upload, attest with proof, correct, cancel; its own
statements) and the citizen's attestation on Min side. Thin: forms check types, visits.py decides.

A provider sees only its own visits and statements: anything else answers 404. A provider user who
works for several providers picks one (``?leverandor=``).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.citizens import assurance
from servicetorg.citizens.decorators import citizen_required
from servicetorg.core.forms import apply_validation_error
from servicetorg.core.permissions import CITIZEN

from . import access, visit_imports, visits, workflow
from .models import Choice, ChoiceState, Decision, Provider, Settlement, Visit, VisitState
from .visit_forms import CitizenVisitForm, CorrectForm, ProofForm, UploadForm, VisitForm, decision_label

#: How far back the pages look (the provider's list and the citizen's attestation page).
RECENT_DAYS = 62


def _providers(request) -> tuple[Provider, list[Provider]]:
    """The provider the page is for (one the user works for), and all of hers. 403 for anyone else."""
    mine = list(Provider.objects.filter(pk__in=access.all_provider_ids(request.user)).order_by("name"))
    if not mine:
        raise PermissionDenied
    wanted = request.GET.get("leverandor") or request.POST.get("leverandor")
    chosen = next((p for p in mine if str(p.pk) == wanted), mine[0])
    return chosen, mine


def _served_decisions(provider: Provider):
    """Decisions the provider serves now or served in the last two months."""
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    choices = (
        Choice.objects.filter(provider=provider)
        .exclude(state=ChoiceState.CANCELLED)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=since))
    )
    return Decision.objects.filter(pk__in=choices.values("decision_id")).order_by("pk")


def _own_visit(request, pk) -> Visit:
    visit = (
        Visit.objects.select_related("provider", "decision__scheme")
        .filter(pk=pk, provider_id__in=access.all_provider_ids(request.user))
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def _here(provider: Provider) -> str:
    return f"{reverse('choice:visit-list')}?leverandor={provider.pk}"


@login_required
def visit_list(request):
    provider, mine = _providers(request)
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    state = request.GET.get("tilstand", "")
    rows = Visit.objects.filter(provider=provider, starts_at__gte=since).select_related("decision__scheme")
    if state in VisitState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows.order_by("-starts_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "choice/visits/list.html",
        {
            "provider": provider,
            "providers": mine,
            "page": page,
            "rows": [{"visit": v, "decision": decision_label(v.decision)} for v in page.object_list],
            "states": VisitState.choices,
            "state": state,
            "query": f"leverandor={provider.pk}" + (f"&tilstand={state}" if state else ""),
            "proof_form": ProofForm(),
            "form": VisitForm(decisions=_served_decisions(provider)),
        },
    )


@login_required
def visit_create(request):
    provider, _mine = _providers(request)
    form = VisitForm(request.POST or None, decisions=_served_decisions(provider))
    if request.method == "POST" and form.is_valid():
        try:
            visits.register_visit(provider=provider, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The visit is registered."))
            return redirect(_here(provider))
    status = 400 if request.method == "POST" else 200
    return render(request, "choice/visits/form.html", {"provider": provider, "form": form}, status=status)


@login_required
def visit_upload(request):
    provider, _mine = _providers(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(visit_imports.MAX_BYTES + 1)
        try:
            result = visit_imports.import_visits(
                data, provider=provider, user=request.user, skip_bad_rows=form.cleaned_data["skip_bad_rows"]
            )
        except visit_imports.ImportFailed as failed:
            report = {"created": 0, "unchanged": 0, "errors": failed.errors}
        else:
            report = dataclass_dict(result)
    return render(
        request,
        "choice/visits/upload.html",
        {"provider": provider, "form": form, "report": report, "columns": visit_imports.COLUMNS},
        status=400 if report and report["errors"] and not report["created"] else 200,
    )


def dataclass_dict(result) -> dict:
    return {"created": result.created, "unchanged": result.unchanged, "errors": result.errors}


@login_required
@require_POST
def visit_attest(request, pk):
    visit = _own_visit(request, pk)
    form = ProofForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Describe the proof of the visit (e.g. the key log)."))
    else:
        try:
            visits.attest(visit, user=request.user, proof=form.cleaned_data["proof"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The visit is attested with your proof."))
    return redirect(_here(visit.provider))


@login_required
@require_POST
def visit_cancel(request, pk):
    visit = _own_visit(request, pk)
    try:
        visits.cancel(visit, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The visit is cancelled."))
    return redirect(_here(visit.provider))


@login_required
def visit_correct(request, pk):
    visit = _own_visit(request, pk)
    initial = {
        "starts_at": timezone.localtime(visit.starts_at),
        "ends_at": timezone.localtime(visit.ends_at),
        "staff_pseudonym": visit.staff_pseudonym,
    }
    form = CorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visits.correct(visit, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The visit is corrected and goes back to the user to attest."))
            return redirect(_here(visit.provider))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "choice/visits/correct.html",
        {
            "visit": visit,
            "decision": decision_label(visit.decision),
            "form": form,
            "can_correct": workflow.VISIT_WORKFLOW.allows(visit.state, workflow.CORRECT),
        },
        status=status,
    )


@login_required
def provider_statements(request):
    provider, mine = _providers(request)
    rows = (
        Settlement.objects.filter(provider=provider)
        .select_related("scheme")
        .order_by("-month", "scheme__name")
    )
    return render(
        request,
        "choice/visits/statements.html",
        {"provider": provider, "providers": mine, "settlements": rows},
    )


# --- Min side ---------------------------------------------------------------------------------------


@citizen_required(assurance.CARE)
def citizen_visits(request):
    """Her visits (or the represented person's) of the last two months: attest or dispute each."""
    viewer = request.viewer
    if request.method == "POST":
        form = CitizenVisitForm(request.POST)
        if form.is_valid():
            visit = _citizen_visit(viewer, form.cleaned_data["visit"])
            act = visits.attest if form.cleaned_data["action"] == "attest" else visits.dispute
            try:
                act(visit, user=CITIZEN, viewer=viewer)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("The visit is attested.")
                    if form.cleaned_data["action"] == "attest"
                    else _("The visit is marked as disputed. The provider will correct or cancel it."),
                )
        else:
            messages.error(request, _("Choose a visit and what to do."))
        return redirect("choice_public:visits")
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    rows = (
        Visit.objects.filter(
            decision__national_id_digest=viewer.subject_digest,
            decision__municipality=viewer.municipality,
            starts_at__gte=since,
        )
        .exclude(state=VisitState.CANCELLED)
        .select_related("provider")
        .order_by("-starts_at")[:200]
    )
    return render(
        request,
        "choice/visits/citizen.html",
        {"viewer": viewer, "visits": rows, "REGISTERED": VisitState.REGISTERED},
    )


def _citizen_visit(viewer, pk: int) -> Visit:
    visit = (
        Visit.objects.select_related("decision")
        .filter(
            pk=pk,
            decision__national_id_digest=viewer.subject_digest,
            decision__municipality=viewer.municipality,
        )
        .first()
    )
    if visit is None:
        raise Http404
    return visit
