"""Staff pages of care decisions and choices (the ordering unit), waiting lists, a provider's
withdrawal with its report, and a provider's own users. Thin: forms bound the input, decisions.py
and choices.py decide, decision_selectors.py reads (and logs every read of a decision)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.models import Unit
from servicetorg.core.permissions import Perm, can, filter_q, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404

from . import choices, decision_forms, decision_selectors, decisions, notice
from .access import all_provider_ids
from .models import (
    Application,
    ApplicationState,
    Choice,
    DecisionRead,
    DecisionState,
    Provider,
    Scheme,
    SchemeState,
    WaitingEntry,
    WaitingState,
)

PAGE_SIZE = 50


def _require_order_somewhere(user) -> None:
    allowed = municipality_ids(user, Perm.CHOICE_ORDER)
    if allowed is not None and not allowed:
        raise PermissionDenied


def _with_current(qs):
    today = timezone.localdate()
    return qs.prefetch_related(
        Prefetch(
            "choices",
            queryset=Choice.objects.filter(choices.in_effect_q(today)).select_related("provider"),
            to_attr="now",
        )
    )


@login_required
def decision_list(request):
    _require_order_somewhere(request.user)
    qs = _with_current(decision_selectors.decisions_for(request.user)).order_by("-decided_on", "-pk")
    state = request.GET.get("state", DecisionState.IN_FORCE)
    if state in DecisionState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    decision_selectors.log_reads(page.object_list, where="staff:decision-list", user=request.user)
    return render(
        request,
        "choice/decisions/list.html",
        {"page": page, "state": state, "states": DecisionState.choices},
    )


def _order_units(user):
    q = filter_q(user, Perm.CHOICE_ORDER, "municipality", "pk")
    units = Unit.objects.select_related("municipality").order_by("municipality__name", "name")
    return units if q is None else units.filter(q)


@login_required
def decision_create(request):
    _require_order_somewhere(request.user)
    allowed = municipality_ids(request.user, Perm.CHOICE_ORDER)
    schemes = Scheme.objects.filter(state=SchemeState.ADOPTED).select_related("municipality")
    if allowed is not None:
        schemes = schemes.filter(municipality_id__in=allowed)
    form = decision_forms.DecisionForm(
        request.POST or None, schemes=schemes, units=_order_units(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        hours = form.hours()
        for name in list(data):
            if name.startswith("hours_"):
                del data[name]
        try:
            decision = decisions.create_decision(user=request.user, hours=hours, **data)
        except PermissionDenied:
            form.add_error("unit", _("You may not make decisions for this unit."))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The decision was registered."))
            return redirect("choice:decision-detail", pk=decision.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "choice/decisions/form.html", {"form": form, "title": _("New decision")}, status=status
    )


def _read(request, pk, where):
    return decision_selectors.read_decision(pk, where=where, user=request.user)


@login_required
def decision_detail(request, pk):
    decision = _read(request, pk, "staff:decision-detail")
    versions = decisions.versions_of(decision)
    today = timezone.localdate()
    history = (
        Choice.objects.filter(decision__in=versions)
        .select_related("provider", "next_provider", "chosen_by", "decision")
        .order_by("effective_from", "pk")
    )
    waiting = list(
        WaitingEntry.objects.filter(decision__in=versions).select_related("provider").order_by("wished_at")
    )
    for entry in waiting:
        entry.position = choices.waiting_position(entry) if entry.state == WaitingState.WAITING else None
    in_force = decision.state == DecisionState.IN_FORCE
    current = choices.current_choice(decision, today)
    pending = list(choices.pending_choices(decision, today))
    return render(
        request,
        "choice/decisions/detail.html",
        {
            "decision": decision,
            "versions": versions,
            "history": history,
            "waiting": waiting,
            "current": current,
            "pending": pending,
            "in_force": in_force,
            "can_default": in_force and current is None and not pending,
            "reads": DecisionRead.objects.filter(decision__in=versions).select_related("user")[:50],
            "notice_text": notice.describe(decision.scheme),
            "today": today,
        },
    )


def _in_force_or_back(request, decision):
    if decision.state != DecisionState.IN_FORCE:
        messages.error(request, _("The decision is no longer in force."))
        return redirect("choice:decision-detail", pk=decision.pk)
    return None


@login_required
def decision_new_version(request, pk):
    decision = _read(request, pk, "staff:decision-new-version")
    decisions.require_order(request.user, decision)
    back = _in_force_or_back(request, decision)
    if back:
        return back
    initial = {
        "valid_until": decision.valid_until,
        "case_reference": decision.case_reference,
        "care_level": decision.care_level,
        **{f"hours_{h.band}": h.hours_per_week for h in decision.hours.all()},
    }
    form = decision_forms.NewVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("hours_")}
        try:
            new = decisions.new_version(decision, user=request.user, hours=form.hours(), **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The new version was registered; her choices carry over."))
            return redirect("choice:decision-detail", pk=new.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "choice/decisions/form.html",
        {"form": form, "decision": decision, "title": _("New version of the decision")},
        status=status,
    )


@login_required
def decision_end(request, pk):
    decision = _read(request, pk, "staff:decision-end")
    decisions.require_order(request.user, decision)
    back = _in_force_or_back(request, decision)
    if back:
        return back
    form = decision_forms.EndForm(request.POST or None, initial={"ends_on": decision.valid_until})
    if request.method == "POST" and form.is_valid():
        try:
            decisions.end_decision(decision, ends_on=form.cleaned_data["ends_on"], user=request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The decision was ended."))
            return redirect("choice:decision-detail", pk=decision.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "choice/decisions/form.html",
        {"form": form, "decision": decision, "title": _("End the decision")},
        status=status,
    )


def choose_page(request, decision, *, template, done, user, viewer=None, extra=None):
    """The choose/switch page of staff and Min side alike: pick, see the date, confirm."""
    providers = choices.approved_providers(decision.scheme)
    form = decision_forms.ChooseForm(request.POST or None, providers=providers)
    today = timezone.localdate()
    effective = choices.preview(decision, day=today)
    context = {
        "decision": decision,
        "form": form,
        "effective": effective,
        "current": choices.current_choice(decision, today),
        "pending": list(choices.pending_choices(decision, today)),
        "notice_text": notice.describe(decision.scheme),
        "first_text": notice.describe_first(),
        "providers": [(p, choices.is_full(p, effective, besides=decision)) for p in providers],
        "confirming": False,
        **(extra or {}),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data.get("confirm"):
            context.update(
                confirming=True,
                chosen=data["provider"],
                full=choices.is_full(data["provider"], effective, besides=decision),
            )
            return render(request, template, context)
        try:
            outcome = choices.choose(
                decision,
                data["provider"],
                user=user,
                viewer=viewer,
                reason=data.get("reason") or "",
                reason_text=data.get("reason_text") or "",
                next_provider=data.get("next_provider"),
                day=today,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return done(outcome)
    status = 400 if request.method == "POST" else 200
    return render(request, template, context, status=status)


@login_required
def decision_choose(request, pk):
    decision = _read(request, pk, "staff:decision-choose")
    decisions.require_order(request.user, decision)
    back = _in_force_or_back(request, decision)
    if back:
        return back

    def done(outcome):
        if outcome.waiting is not None:
            messages.info(
                request,
                _("The provider is full: she is number %(n)s on its waiting list.") % {"n": outcome.position},
            )
        else:
            messages.success(
                request,
                _("Registered. %(provider)s serves her from %(date)s.")
                % {
                    "provider": outcome.choice.provider.name,
                    "date": choices.date_text(outcome.effective_from),
                },
            )
        return redirect("choice:decision-detail", pk=decision.pk)

    return choose_page(
        request, decision, template="choice/decisions/choose.html", done=done, user=request.user
    )


@login_required
@require_POST
def decision_default(request, pk):
    decision = _read(request, pk, "staff:decision-default")
    decisions.require_order(request.user, decision)
    try:
        choice = choices.assign_default(decision, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The default provider, %(provider)s, was given.") % {"provider": choice.provider.name}
        )
    return redirect("choice:decision-detail", pk=decision.pk)


@login_required
@require_POST
def choice_cancel(request, pk, choice_pk):
    decision = _read(request, pk, "staff:choice-cancel")
    decisions.require_order(request.user, decision)
    choice = get_object_or_404(Choice, pk=choice_pk, decision__in=decisions.versions_of(decision))
    try:
        choices.cancel_switch(choice, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The switch was cancelled."))
    return redirect("choice:decision-detail", pk=decision.pk)


# --- Waiting lists -----------------------------------------------------------------------------


@login_required
def waiting_lists(request):
    _require_order_somewhere(request.user)
    allowed = municipality_ids(request.user, Perm.CHOICE_ORDER)
    providers = Provider.objects.select_related("municipality").order_by("municipality__name", "name")
    if allowed is not None:
        providers = providers.filter(municipality_id__in=allowed)
    reachable = set(decision_selectors.decisions_for(request.user).values_list("pk", flat=True))
    entries = (
        WaitingEntry.objects.filter(state=WaitingState.WAITING, provider__in=providers)
        .select_related("decision", "decision__scheme", "provider")
        .order_by("provider__name", "wished_at", "pk")
    )
    rows: dict[int, dict] = {}
    shown = []
    for entry in entries:
        row = rows.setdefault(entry.provider_id, {"provider": entry.provider, "entries": [], "hidden": 0})
        position = len(row["entries"]) + row["hidden"] + 1
        if entry.decision_id in reachable:
            entry.position = position
            row["entries"].append(entry)
            shown.append(entry.decision)
        else:
            row["hidden"] += 1
    decision_selectors.log_reads(shown, where="staff:waiting-lists", user=request.user)
    for row in rows.values():
        provider = row["provider"]
        row["taken"] = choices.taken(provider, timezone.localdate())
    return render(request, "choice/decisions/waiting.html", {"rows": list(rows.values())})


@login_required
@require_POST
def waiting_place(request, provider_pk):
    _require_order_somewhere(request.user)
    allowed = municipality_ids(request.user, Perm.CHOICE_ORDER)
    qs = Provider.objects.all() if allowed is None else Provider.objects.filter(municipality_id__in=allowed)
    provider = get_object_or_404(qs, pk=provider_pk)
    placed = choices.place_from_waiting_list(provider, user=request.user)
    messages.success(request, _("%(n)s placed from the waiting list.") % {"n": len(placed)})
    return redirect("choice:waiting-lists")


# --- A provider's withdrawal -------------------------------------------------------------------


def _application(request, pk) -> Application:
    qs = Application.objects.select_related("scheme", "provider", "scheme__municipality")
    application = get_scoped_or_404(qs, request.user, Perm.CHOICE_READ, field="scheme__municipality", pk=pk)
    if not can(request.user, Perm.CHOICE_ADMINISTER, application.scheme.municipality_id):
        raise PermissionDenied
    return application


@login_required
def application_withdraw(request, pk):
    application = _application(request, pk)
    if application.state == ApplicationState.WITHDRAWN:
        return redirect("choice:application-moves", pk=application.pk)
    today = timezone.localdate()
    users = (
        Choice.objects.filter(provider=application.provider, decision__scheme=application.scheme)
        .exclude(state__in=["cancelled"])
        .exclude(effective_until__lt=today)
        .values("decision")
        .distinct()
        .count()
    )
    form = decision_forms.WithdrawForm(request.POST or None, initial={"effective_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            moves = choices.withdraw(application, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The approval was withdrawn; %(n)s users move on %(date)s.")
                % {"n": len(moves), "date": choices.date_text(form.cleaned_data["effective_on"])},
            )
            return redirect("choice:application-moves", pk=application.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "choice/decisions/withdraw.html",
        {"application": application, "form": form, "users": users},
        status=status,
    )


@login_required
def application_moves(request, pk):
    application = _application(request, pk)
    if application.state != ApplicationState.WITHDRAWN:
        raise Http404
    rows = choices.withdrawal_report(application)
    decision_selectors.log_reads(
        [r["decision"] for r in rows], where="staff:withdrawal-report", user=request.user
    )
    return render(
        request,
        "choice/decisions/moves.html",
        {"application": application, "rows": rows, "printed": [r for r in rows if r["letter"] == "print"]},
    )


# --- A provider's own users --------------------------------------------------------------------


def _require_provider(request) -> set[int]:
    ids = all_provider_ids(request.user)
    if not ids:
        raise PermissionDenied
    return ids


@login_required
def provider_users(request):
    ids = _require_provider(request)
    today = timezone.localdate()
    qs = decision_selectors.provider_decisions(request.user, day=today).prefetch_related(
        Prefetch(
            "choices",
            queryset=decision_selectors.provider_choices_q(request.user, today).select_related("provider"),
            to_attr="ours",
        )
    )
    page = Paginator(qs.order_by("valid_from", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    decision_selectors.log_reads(page.object_list, where="provider:users", user=request.user)
    return render(
        request,
        "choice/decisions/provider_users.html",
        {"page": page, "providers": Provider.objects.filter(pk__in=ids).order_by("name"), "today": today},
    )


@login_required
def provider_user(request, pk):
    _require_provider(request)
    decision = decision_selectors.read_decision(
        pk, where="provider:order", as_=decision_selectors.PROVIDER, user=request.user
    )
    ours = (
        decision_selectors.provider_choices_q(request.user)
        .filter(decision=decision)
        .select_related("provider")
    )
    return render(request, "choice/decisions/provider_user.html", {"decision": decision, "ours": ours})
