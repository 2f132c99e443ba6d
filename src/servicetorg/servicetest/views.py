"""The kommunetest's staff pages (/staff/kommunetest/, namespace ``servicetest``).

Thin: forms check the input, services.py decides, access.py scopes. The coordinator's pages need
``Perm.SERVICETEST_COORDINATE`` in the round's municipality (another municipality's round is 404);
a tester's pages show only the items access.tester_items gives her (404 otherwise); the results
pages show a tested tenant's staff their own region once the round is published (404 before:
blinding).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.forms import apply_validation_error, chosen_municipality, render_chooser
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, can, municipality_ids

from . import access, forms, services
from .models import Device, Item, ItemChannel, ItemState, Protocol, Question, RoundRegion, RoundState
from .workflow import CLOSE, ITEM_WORKFLOW, PUBLISH, REOPEN, ROUND_WORKFLOW, START

STEPS = {
    "start": (START, services.start_round),
    "lukk": (CLOSE, services.close_round),
    "gjenapne": (REOPEN, services.reopen_round),
    "publiser": (PUBLISH, services.publish_round),
}
SLUG_OF = {action: slug for slug, (action, _step) in STEPS.items()}


def _coordinated(request):
    allowed = municipality_ids(request.user, Perm.SERVICETEST_COORDINATE)
    if allowed is not None and not allowed:
        raise PermissionDenied
    return Municipality.objects.all() if allowed is None else Municipality.objects.filter(pk__in=allowed)


def _organiser(request):
    """The municipality the coordinator works in on this page: her only one, or the one she chose
    (``?municipality=``, carried on by the page's forms), with the chooser for when she has not."""
    return chosen_municipality(request, _coordinated(request).order_by("name"))


def _back(name: str, municipality: Municipality):
    """Redirect to the page ``name`` of the same municipality."""
    response = redirect(name)
    response["Location"] += f"?municipality={municipality.pk}"
    return response


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- The coordinator -----------------------------------------------------------------------------


@login_required
def round_list(request):
    _coordinated(request)
    rounds = access.coordinated_rounds(request.user).order_by("-created_at", "-pk")
    return render(request, "servicetest/staff/round_list.html", {"rounds": rounds})


@login_required
def round_create(request):
    municipality, chooser = _organiser(request)
    if municipality is None:
        return render_chooser(request, chooser, _("New test round"))
    form = forms.RoundForm(
        request.POST if request.method == "POST" else None,
        municipality=municipality,
        initial={"seed": 2026, "per_band": 2},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        questions = data.pop("questions")
        try:
            round_ = services.create_round(municipality, user=request.user, questions=questions, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The round was created as a draft."))
            return redirect("servicetest:round-detail", pk=round_.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "servicetest/staff/round_create.html",
        {
            "form": form,
            "municipality": municipality,
            "has_protocol": Protocol.objects.filter(municipality=municipality).exists(),
        },
        status=status,
    )


@login_required
def round_detail(request, pk):
    round_ = access.round_for_coordinator(request.user, pk)
    actions = ROUND_WORKFLOW.actions_from(round_.state)
    testers = (
        get_user_model()
        .objects.filter(
            memberships__municipality=round_.municipality,
            memberships__role__in=["tester", "test_coordinator"],
        )
        .distinct()
        .order_by("username")
    )
    items = round_.items.select_related("region", "tester").order_by("region__name", "channel", "pk")
    return render(
        request,
        "servicetest/staff/round_detail.html",
        {
            "round": round_,
            "draft": round_.state == RoundState.DRAFT,
            "steps": [{"slug": SLUG_OF[a], "label": ROUND_WORKFLOW.actions[a]} for a in actions],
            "regions": round_.regions.order_by("name"),
            "enrolments": round_.testers.select_related("user").order_by("user__username"),
            "questions": round_.questions.order_by("channel", "area", "pk"),
            "items": items,
            "recorded": items.filter(state=ItemState.RECORDED).count(),
            "region_form": forms.RegionForm(),
            "tester_form": forms.TesterForm(testers=testers),
            "published": round_.state == RoundState.PUBLISHED,
        },
    )


@login_required
@require_POST
def round_action(request, pk, action):
    round_ = access.round_for_coordinator(request.user, pk)
    if action not in STEPS:
        raise Http404
    _action, step = STEPS[action]
    try:
        step(round_, user=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Done."))
    return redirect("servicetest:round-detail", pk=round_.pk)


@login_required
@require_POST
def region_add(request, pk):
    round_ = access.round_for_coordinator(request.user, pk)
    form = forms.RegionForm(request.POST)
    if form.is_valid():
        try:
            services.add_region(
                round_, user=request.user, code=form.cleaned_data["code"], name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("Give the region's four-digit code."))
    return redirect("servicetest:round-detail", pk=round_.pk)


@login_required
@require_POST
def region_draw(request, pk):
    round_ = access.round_for_coordinator(request.user, pk)
    try:
        services.draw_regions(round_, user=request.user)
    except ValidationError as error:
        _errors(request, error)
    return redirect("servicetest:round-detail", pk=round_.pk)


@login_required
@require_POST
def region_remove(request, pk, region_pk):
    round_ = access.round_for_coordinator(request.user, pk)
    try:
        region = round_.regions.get(pk=region_pk)
    except RoundRegion.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.remove_region(region, user=request.user)
    except ValidationError as error:
        _errors(request, error)
    return redirect("servicetest:round-detail", pk=round_.pk)


@login_required
@require_POST
def tester_enrol(request, pk):
    round_ = access.round_for_coordinator(request.user, pk)
    testers = get_user_model().objects.filter(memberships__municipality=round_.municipality).distinct()
    form = forms.TesterForm(request.POST, testers=testers)
    if form.is_valid():
        try:
            services.enrol_tester(round_, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
    else:
        messages.error(request, _("Choose the tester and give the code of her own municipality."))
    return redirect("servicetest:round-detail", pk=round_.pk)


def _coordinator_item(request, pk) -> Item:
    """An item of a round the user coordinates (the same scope as the round's page: a self-test is
    hidden from the organiser's administration until published)."""
    qs = Item.objects.select_related("round", "region", "tester").filter(
        round__in=access.coordinated_rounds(request.user).values("pk")
    )
    try:
        return qs.get(pk=pk)
    except Item.DoesNotExist as exc:
        raise Http404 from exc


def _enrolled(item: Item):
    return get_user_model().objects.filter(pk__in=item.round.testers.values("user_id")).order_by("username")


@login_required
def item_detail(request, pk):
    item = _coordinator_item(request, pk)
    assignable = item.channel != ItemChannel.WEB and item.state == ItemState.OPEN
    return render(
        request,
        "servicetest/staff/item_detail.html",
        {
            "item": item,
            **_evidence(item),
            "actions": ITEM_WORKFLOW.actions_from(item.state),
            "assign_form": forms.AssignForm(testers=_enrolled(item), initial={"tester": item.tester_id})
            if assignable
            else None,
        },
    )


@login_required
@require_POST
def item_assign(request, pk):
    item = _coordinator_item(request, pk)
    form = forms.AssignForm(request.POST, testers=_enrolled(item))
    if form.is_valid():
        try:
            services.assign_item(item, user=request.user, tester=form.cleaned_data["tester"])
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("The item was given to another tester."))
    else:
        messages.error(request, _("Choose a tester enrolled in the round."))
    return redirect("servicetest:item-detail", pk=item.pk)


@login_required
@require_POST
def item_action(request, pk, action):
    item = _coordinator_item(request, pk)
    step = {"godkjenn": services.approve_item, "send-tilbake": services.send_back_item}.get(action)
    if step is None:
        raise Http404
    try:
        step(item, user=request.user)
    except ValidationError as error:
        _errors(request, error)
    return redirect("servicetest:item-detail", pk=item.pk)


@login_required
@require_POST
def approve_all(request, pk):
    round_ = access.round_for_coordinator(request.user, pk)
    try:
        count = services.approve_recorded(round_, user=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("%(n)s items approved.") % {"n": count})
    return redirect("servicetest:round-detail", pk=round_.pk)


@login_required
def question_list(request):
    municipality, chooser = _organiser(request)
    if municipality is None:
        return render_chooser(request, chooser, _("Kommunetest: question bank and protocols"))
    data = request.POST if request.method == "POST" else None
    form = forms.QuestionForm(data, municipality=municipality, prefix="q")
    protocol_form = forms.ProtocolForm(data if data and "p-version" in data else None, prefix="p")
    status = 200
    if request.method == "POST":
        try:
            if "p-version" in request.POST:
                if protocol_form.is_valid():
                    services.create_protocol(municipality, user=request.user, **protocol_form.values())
                    messages.success(request, _("The protocol was saved."))
                    return _back("servicetest:question-list", municipality)
            elif form.is_valid():
                services.create_question(municipality, user=request.user, **form.values())
                messages.success(request, _("The question was added to the bank."))
                return _back("servicetest:question-list", municipality)
        except ValidationError as error:
            apply_validation_error(protocol_form if "p-version" in request.POST else form, error)
        status = 400
    if "p-version" in (data or {}):
        form = forms.QuestionForm(None, municipality=municipality, prefix="q")
    return render(
        request,
        "servicetest/staff/question_list.html",
        {
            "questions": Question.objects.filter(municipality=municipality).select_related("service"),
            "protocols": Protocol.objects.filter(municipality=municipality),
            "form": form,
            "protocol_form": protocol_form,
            "municipality": municipality,
        },
        status=status,
    )


# --- The tester ----------------------------------------------------------------------------------


@login_required
def my_items(request):
    allowed = municipality_ids(request.user, Perm.SERVICETEST_TEST)
    if allowed is not None and not allowed:
        raise PermissionDenied
    items = (
        access.tester_items(request.user)
        .select_related("round", "region")
        .order_by("round__name", "region__name", "channel", "pk")
    )
    return render(request, "servicetest/staff/my_items.html", {"items": items})


def _evidence(item: Item, *, tester=None) -> dict:
    """What has been recorded on the item; for a ``tester``, only her own web checks (the second
    tester records without the first one's verdict, or the double check is not independent)."""
    checks = item.checks.select_related("tester")
    if tester is not None:
        checks = checks.filter(tester=tester)
    return {"replies": list(item.replies.all()), "calls": list(item.calls.all()), "checks": list(checks)}


def _form_for(item: Item, data=None):
    if item.channel == ItemChannel.WEB:
        return forms.WebCheckForm(data, initial={"device": Device.DESKTOP})
    form_class = forms.CHANNEL_FORMS[item.channel]
    return form_class(data, rubric=item.rubric, met=item.criteria_met)


@login_required
def item_record(request, pk):
    item = access.tester_item_or_404(request.user, pk)
    data = request.POST if request.method == "POST" else None
    form = _form_for(item, data)
    if request.method == "POST" and form.is_valid():
        try:
            if item.channel == ItemChannel.EMAIL:
                services.record_email(item, user=request.user, **form.values())
            elif item.channel == ItemChannel.PHONE:
                services.record_phone(item, user=request.user, **form.values())
            else:
                services.record_web_check(item, user=request.user, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Recorded."))
            return redirect("servicetest:my-items")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "servicetest/staff/item_record.html",
        {
            "item": item,
            "form": form,
            **_evidence(item, tester=request.user),
            # A web item's evidence gathers both testers' notes: not shown to the second one.
            "hide_item_evidence": item.channel == ItemChannel.WEB,
        },
        status=status,
    )


# --- The tested municipality, after publishing -----------------------------------------------------


@login_required
def results(request):
    allowed = municipality_ids(request.user, Perm.STAFF_PAGES)
    if allowed is not None and not allowed:
        raise PermissionDenied
    regions = access.results_for_staff(request.user).order_by("-round__published_at", "name")
    return render(request, "servicetest/staff/results.html", {"regions": regions})


def _result(request, pk) -> RoundRegion:
    try:
        return access.results_for_staff(request.user).select_related("round").get(pk=pk)
    except RoundRegion.DoesNotExist as exc:
        raise Http404 from exc


def _focus_areas(region: RoundRegion, user):
    from servicetorg.strategy.models import FocusArea

    tenant = services.tenant_of(region)
    if tenant is None or not can(user, Perm.STRATEGY_EDIT, tenant.pk):
        return None
    return (
        FocusArea.objects.filter(strategy__municipality=tenant)
        .select_related("strategy")
        .order_by("strategy__title", "position")
    )


@login_required
def result_detail(request, pk):
    region = _result(request, pk)
    tenant = services.tenant_of(region)
    focus_areas = _focus_areas(region, request.user)
    items = list(
        region.items.order_by("channel", "area", "pk").prefetch_related("replies", "calls", "checks")
    )
    services_by_slug = {}
    if tenant is not None:
        from servicetorg.catalogue.models import Service

        slugs = {i.service_slug for i in items if i.service_slug}
        services_by_slug = {s.slug: s for s in Service.objects.filter(municipality=tenant, slug__in=slugs)}
    rows = [
        {
            "item": item,
            "failed": item.channel == ItemChannel.WEB and (item.score or 0) < 100,
            "service": services_by_slug.get(item.service_slug),
        }
        for item in items
    ]
    return render(
        request,
        "servicetest/staff/result_detail.html",
        {
            "region": region,
            "round": region.round,
            "rows": rows,
            "measure_form": forms.MeasureForm(focus_areas=focus_areas) if focus_areas else None,
        },
    )


@login_required
@require_POST
def make_measure(request, pk):
    item = Item.objects.select_related("round", "region").filter(pk=pk).first()
    if item is None:
        raise Http404
    region = _result(request, item.region_id)
    focus_areas = _focus_areas(region, request.user)
    if focus_areas is None:
        raise PermissionDenied
    form = forms.MeasureForm(request.POST, focus_areas=focus_areas)
    if form.is_valid():
        try:
            services.make_measure(item, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("The measure was added to the strategy."))
    else:
        messages.error(request, _("Choose the focus area."))
    return redirect("servicetest:result-detail", pk=region.pk)
