"""Staff pages of the service strategy. Thin: forms validate, services.py changes, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404

from . import forms, selectors, services, workflow
from .models import (
    ConsultationComment,
    FocusArea,
    FollowUpReport,
    Goal,
    GoalIndicator,
    Instrument,
    Measure,
    MeasureStatus,
    ModerationState,
    Strategy,
)
from .reports import adopted_body, render_report_pdf, report_context
from .status import RULE_TEXT


def _strategy(request, pk, *, tree=False) -> Strategy:
    qs = Strategy.objects.select_related("municipality", "period")
    if tree:
        qs = selectors.strategy_tree(qs)
    return get_scoped_or_404(qs, request.user, Perm.STRATEGY_READ, pk=pk)


def _require_editor(request, municipality_id: int) -> None:
    """Refuse before reading the form: a non-editor learns nothing from validation messages."""
    if not services.can_edit(request.user, municipality_id):
        raise PermissionDenied


def _run(request, form, operation, success: str) -> bool:
    """Run a service call for a valid form; errors go back onto the form. True when done."""
    if not form.is_valid():
        return False
    try:
        operation(form.cleaned_data)
    except ValidationError as error:
        apply_validation_error(form, error)
        return False
    messages.success(request, success)
    return True


@login_required
def strategy_list(request):
    allowed = municipality_ids(request.user, Perm.STRATEGY_READ)
    if allowed is not None and not allowed:
        raise PermissionDenied
    strategies = selectors.strategies_for(request.user)
    editable = municipality_ids(request.user, Perm.STRATEGY_EDIT)
    return render(
        request,
        "strategy/strategy_list.html",
        {"strategies": strategies, "can_create": editable is None or bool(editable)},
    )


@login_required
def strategy_create(request):
    editable = municipality_ids(request.user, Perm.STRATEGY_EDIT)
    municipalities = (
        Municipality.objects.all() if editable is None else Municipality.objects.filter(pk__in=editable)
    )
    if not municipalities.exists():
        raise PermissionDenied
    form = forms.StrategyCreateForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            strategy = services.create_strategy(user=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The strategy draft was created."))
            return redirect("strategy:strategy-detail", pk=strategy.pk)
    return render(request, "strategy/strategy_create.html", {"form": form})


def _detail_forms(strategy, data=None):
    return {
        "focus_area_form": forms.FocusAreaForm(data, prefix="fa"),
        "goal_form": forms.GoalForm(data, strategy=strategy, prefix="goal"),
        "instrument_form": forms.InstrumentForm(data, prefix="ins"),
        "measure_form": forms.MeasureForm(data, strategy=strategy, prefix="me"),
        "status_form": forms.StatusSectionForm(data, strategy=strategy, prefix="st"),
        "roll_form": forms.RollForm(data, prefix="roll"),
        "report_form": forms.ReportCreateForm(data, strategy=strategy, prefix="rep"),
    }


@login_required
def strategy_detail(request, pk):
    strategy = _strategy(request, pk, tree=True)
    return strategy_detail_with(request, strategy, _detail_forms(strategy))


def _current_year(strategy) -> int:
    year = timezone.localdate().year
    return min(max(year, strategy.period.start_year), strategy.period.end_year)


@login_required
def strategy_edit(request, pk):
    strategy = _strategy(request, pk)
    if not services.can_edit(request.user, strategy.municipality_id):
        raise PermissionDenied
    form = forms.StrategyForm(request.POST or None, instance=Strategy.objects.get(pk=strategy.pk))
    if request.method == "POST" and _run(
        request,
        form,
        lambda d: services.update_strategy(strategy, user=request.user, **d),
        _("The strategy was saved."),
    ):
        return redirect("strategy:strategy-detail", pk=strategy.pk)
    return render(request, "strategy/strategy_edit.html", {"strategy": strategy, "form": form})


def _add(request, pk, form_key, operation, success):
    """POST handler for the add-forms of the detail page: on error, show the page with the errors."""
    strategy = _strategy(request, pk, tree=True)
    if not services.can_edit(request.user, strategy.municipality_id):
        raise PermissionDenied
    if not strategy.is_editable:
        messages.error(
            request,
            _("This strategy has been adopted and cannot be changed. Make a new revision (roll) instead."),
        )
        return redirect("strategy:strategy-detail", pk=strategy.pk)
    bound = _detail_forms(strategy, request.POST)
    form = bound[form_key]
    if _run(request, form, lambda d: operation(strategy, d), success):
        return redirect("strategy:strategy-detail", pk=strategy.pk)
    blank = _detail_forms(strategy)
    blank[form_key] = form
    request.method = "GET"
    response = strategy_detail_with(request, strategy, blank)
    response.status_code = 400
    return response


def strategy_detail_with(request, strategy, form_overrides):
    context = {
        "strategy": strategy,
        "can_edit": services.can_edit(request.user, strategy.municipality_id),
        "actions": [
            (a, workflow.ACTION_LABELS[a]) for a in workflow.STRATEGY_WORKFLOW.actions_from(strategy.state)
        ],
        "revisions": selectors.revisions_of(strategy),
        "status_rows": selectors.status_rows(strategy),
        "reports": strategy.follow_up_reports.defer("adopted_body", "adopted_pdf"),
        "history": strategy.history.select_related("history_user").order_by("-history_date")[:15],
        "progress": selectors.build_followup(strategy, _current_year(strategy), with_charts=False),
        "rule_text": RULE_TEXT,
        "status_choices": MeasureStatus.choices,
        "pending_comments": strategy.comments.filter(moderation=ModerationState.PENDING).count(),
        **form_overrides,
    }
    return render(request, "strategy/strategy_detail.html", context)


@login_required
@require_POST
def focus_area_add(request, pk):
    return _add(
        request,
        pk,
        "focus_area_form",
        lambda s, d: services.add_focus_area(s, user=request.user, **d),
        _("The focus area was added."),
    )


@login_required
@require_POST
def goal_add(request, pk):
    def operation(strategy, data):
        data = dict(data)
        services.add_goal(data.pop("focus_area"), user=request.user, **data)

    return _add(request, pk, "goal_form", operation, _("The goal was added."))


@login_required
@require_POST
def instrument_add(request, pk):
    return _add(
        request,
        pk,
        "instrument_form",
        lambda s, d: services.add_instrument(s, user=request.user, **d),
        _("The instrument was added."),
    )


@login_required
@require_POST
def status_add(request, pk):
    def operation(strategy, data):
        data = dict(data)
        services.add_status_section(
            strategy,
            service_area=data.pop("service_area"),
            indicators=list(data.pop("indicators")),
            user=request.user,
            **data,
        )

    return _add(request, pk, "status_form", operation, _("The status section was added."))


@login_required
@require_POST
def measure_add(request, pk):
    def operation(strategy, data):
        data = dict(data)
        title, due = data.pop("milestone_title"), data.pop("milestone_due")
        milestones = [{"title": title, "due_date": due}] if title else []
        services.add_measure(data.pop("focus_area"), user=request.user, milestones=milestones, **data)

    return _add(request, pk, "measure_form", operation, _("The measure was added."))


ITEMS = {
    "innsatsomrade": (FocusArea, lambda strategy, **kw: forms.FocusAreaForm(**kw)),
    "mal": (Goal, lambda strategy, **kw: forms.GoalForm(strategy=strategy, **kw)),
    "tiltak": (Measure, lambda strategy, **kw: forms.MeasureForm(strategy=strategy, **kw)),
    "virkemiddel": (Instrument, lambda strategy, **kw: forms.InstrumentForm(**kw)),
}


@login_required
def item_edit(request, pk, kind, item_pk):
    """Change or delete a focus area, goal, measure or instrument while the strategy is a draft."""
    if kind not in ITEMS:
        raise Http404
    model, make_form = ITEMS[kind]
    strategy = _strategy(request, pk)
    if not services.can_edit(request.user, strategy.municipality_id):
        raise PermissionDenied
    strategy_field = "strategy" if model in (FocusArea, Instrument) else "focus_area__strategy"
    item = get_scoped_or_404(
        model.objects.all(),
        request.user,
        Perm.STRATEGY_READ,
        field=f"{strategy_field}__municipality",
        pk=item_pk,
        **{strategy_field: strategy},
    )
    if request.method == "POST" and "delete" in request.POST:
        try:
            services.delete_item(item, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Deleted."))
        return redirect("strategy:strategy-detail", pk=strategy.pk)
    form = make_form(strategy, data=request.POST or None, instance=item)
    if request.method == "POST" and _run(
        request,
        form,
        lambda d: services.update_item(
            item,
            user=request.user,
            **{k: v for k, v in d.items() if k in services.EDITABLE_ITEM_FIELDS[model]},
        ),
        _("The changes were saved."),
    ):
        return redirect("strategy:strategy-detail", pk=strategy.pk)
    history = (
        item.history.select_related("history_user").order_by("-history_date")[:20]
        if hasattr(item, "history")
        else []
    )
    return render(
        request,
        "strategy/item_form.html",
        {"strategy": strategy, "item": item, "form": form, "history": history},
        status=400 if form.errors else 200,
    )


@login_required
def goal_indicator_add(request, pk, goal_pk):
    strategy = _strategy(request, pk)
    if not services.can_edit(request.user, strategy.municipality_id):
        raise PermissionDenied
    goal = get_scoped_or_404(
        Goal.objects.all(),
        request.user,
        Perm.STRATEGY_READ,
        field="focus_area__strategy__municipality",
        pk=goal_pk,
        focus_area__strategy=strategy,
    )
    form = forms.GoalIndicatorForm(request.POST or None, strategy=strategy)
    if request.method == "POST" and _run(
        request,
        form,
        lambda d: services.add_goal_indicator(
            goal,
            indicator=d["indicator"],
            baseline_year=d["baseline_year"],
            baseline_value=d["baseline_value"],
            targets=form.targets(),
            user=request.user,
        ),
        _("The indicator and its targets were added to the goal."),
    ):
        return redirect("strategy:strategy-detail", pk=strategy.pk)
    return render(
        request, "strategy/goal_indicator_form.html", {"strategy": strategy, "goal": goal, "form": form}
    )


@login_required
def target_set(request, pk, link_pk):
    strategy = _strategy(request, pk)
    if not services.can_edit(request.user, strategy.municipality_id):
        raise PermissionDenied
    link = get_scoped_or_404(
        GoalIndicator.objects.select_related("indicator", "goal"),
        request.user,
        Perm.STRATEGY_READ,
        field="goal__focus_area__strategy__municipality",
        pk=link_pk,
        goal__focus_area__strategy=strategy,
    )
    form = forms.TargetForm(request.POST or None, strategy=strategy)
    if request.method == "POST" and _run(
        request,
        form,
        lambda d: services.set_target(link, user=request.user, **d),
        _("The target was saved."),
    ):
        return redirect("strategy:strategy-detail", pk=strategy.pk)
    return render(
        request,
        "strategy/target_form.html",
        {"strategy": strategy, "link": link, "targets": link.targets.all(), "form": form},
    )


@login_required
@require_POST
def measure_progress(request, pk, measure_pk):
    strategy = _strategy(request, pk)
    measure = get_scoped_or_404(
        Measure.objects.select_related("focus_area__strategy"),
        request.user,
        Perm.STRATEGY_READ,
        field="focus_area__strategy__municipality",
        pk=measure_pk,
        focus_area__strategy=strategy,
    )
    if not services.can_edit(request.user, strategy.municipality_id):
        raise PermissionDenied
    form = forms.ProgressForm(request.POST, prefix="pr")
    if form.is_valid():
        try:
            services.record_measure_progress(measure, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The progress of the measure was saved."))
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("strategy:strategy-detail", pk=strategy.pk)


def _run_transition(request, transition, target) -> bool:
    """Validate the transition form and run ``transition(target, action, ...)``; report to the user."""
    form = forms.TransitionForm(request.POST, prefix="tr")
    if not form.is_valid():
        details = " ".join(
            f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        messages.error(request, f"{_('The form was not valid.')} {details}".strip())
        return False
    data = form.cleaned_data
    try:
        transition(
            target,
            data["action"],
            user=request.user,
            adopted_on=data["adopted_on"],
            case_reference=data["case_reference"],
            **(
                {"consultation_deadline": data["consultation_deadline"]}
                if data.get("consultation_deadline")
                else {}
            ),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True


@login_required
@require_POST
def strategy_transition(request, pk):
    strategy = _strategy(request, pk)
    _require_editor(request, strategy.municipality_id)
    if _run_transition(request, services.transition, strategy):
        messages.success(request, _("The strategy is now: %(state)s.") % {"state": _state_label(strategy)})
    return redirect("strategy:strategy-detail", pk=strategy.pk)


def _state_label(strategy) -> str:
    strategy.refresh_from_db()
    return strategy.get_state_display()


@login_required
@require_POST
def strategy_roll(request, pk):
    strategy = _strategy(request, pk)
    form = forms.RollForm(request.POST, prefix="roll")
    form.is_valid()
    try:
        new = services.roll(
            strategy, user=request.user, revision_note=form.cleaned_data.get("revision_note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("strategy:strategy-detail", pk=strategy.pk)
    messages.success(request, _("Revision %(n)s was made as a draft.") % {"n": new.revision})
    return redirect("strategy:strategy-detail", pk=new.pk)


@login_required
def comment_list(request, pk):
    """The consultation's comments with the senders' names and e-mail addresses: editors only."""
    strategy = _strategy(request, pk)
    _require_editor(request, strategy.municipality_id)
    comments = strategy.comments.select_related("focus_area").order_by("moderation", "-created_at")
    rows = [(c, forms.ModerationForm(instance=c, prefix=f"c{c.pk}")) for c in comments]
    return render(
        request,
        "strategy/comment_list.html",
        {
            "strategy": strategy,
            "rows": rows,
            "can_edit": services.can_edit(request.user, strategy.municipality_id),
        },
    )


@login_required
@require_POST
def comment_moderate(request, pk, comment_pk):
    strategy = _strategy(request, pk)
    _require_editor(request, strategy.municipality_id)
    comment = get_scoped_or_404(
        ConsultationComment.objects.select_related("strategy"),
        request.user,
        Perm.STRATEGY_READ,
        field="strategy__municipality",
        pk=comment_pk,
        strategy=strategy,
    )
    form = forms.ModerationForm(request.POST, instance=ConsultationComment(), prefix=f"c{comment.pk}")
    if form.is_valid():
        answered = (
            bool(form.cleaned_data["answer"].strip())
            and form.cleaned_data["answer"].strip() != comment.answer
        )
        comment = services.moderate_comment(
            comment,
            decision=form.cleaned_data["moderation"],
            answer=form.cleaned_data["answer"],
            user=request.user,
        )
        if answered and comment.email:
            messages.success(
                request,
                _("The comment was moderated. The answer was e-mailed to %(email)s (in %(language)s).")
                % {"email": comment.email, "language": comment.get_language_display()},
            )
        elif answered:
            messages.success(
                request,
                _(
                    "The comment was moderated. The commenter gave no e-mail address; "
                    "the answer is only on the portal."
                ),
            )
        else:
            messages.success(request, _("The comment was moderated."))
    else:
        messages.error(request, _("Choose a valid decision."))
    return redirect("strategy:comment-list", pk=strategy.pk)


@login_required
@require_POST
def report_create(request, pk):
    strategy = _strategy(request, pk)
    _require_editor(request, strategy.municipality_id)
    form = forms.ReportCreateForm(request.POST, strategy=strategy, prefix="rep")
    if form.is_valid():
        try:
            report = services.create_report(
                strategy, as_of_year=form.cleaned_data["as_of_year"], user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("strategy:report-detail", pk=report.pk)
    else:
        messages.error(request, _("Choose a year of the period."))
    return redirect("strategy:strategy-detail", pk=strategy.pk)


def _report(request, pk) -> FollowUpReport:
    return get_scoped_or_404(
        FollowUpReport.objects.select_related("strategy__period", "strategy__municipality"),
        request.user,
        Perm.STRATEGY_READ,
        field="strategy__municipality",
        pk=pk,
    )


@login_required
def report_detail(request, pk):
    report = _report(request, pk)
    if report.adopted_body:  # as adopted by the council
        body, body_language = adopted_body(report, get_language())
        context = {
            "report": report,
            "strategy": report.strategy,
            "snapshot": mark_safe(body),  # noqa: S308
            "snapshot_language": body_language,
        }
        goals, notes = [], {}
    else:
        context = report_context(report)
        goals = [g.goal for area in context["figures"].areas for g in area.goals]
        notes = {g.goal.pk: g.note for area in context["figures"].areas for g in area.goals}
    form = forms.ReportForm(request.POST or None, instance=report, goals=goals, notes=notes)
    if request.method == "POST" and _run(
        request,
        form,
        lambda d: services.update_report(
            report,
            user=request.user,
            goal_notes=form.goal_notes(),
            **{k: d[k] for k in services.REPORT_FIELDS},
        ),
        _("The report was saved."),
    ):
        return redirect("strategy:report-detail", pk=report.pk)
    context.update(
        {
            "form": form,
            "can_edit": services.can_edit(request.user, report.strategy.municipality_id),
            "actions": [
                (a, workflow.ACTION_LABELS[a]) for a in workflow.REPORT_WORKFLOW.actions_from(report.state)
            ],
            "transition_form": forms.TransitionForm(prefix="tr"),
        }
    )
    return render(request, "strategy/report_detail.html", context)


@login_required
@require_POST
def report_transition(request, pk):
    report = _report(request, pk)
    _require_editor(request, report.strategy.municipality_id)
    if _run_transition(request, services.report_transition, report):
        messages.success(request, _("The report was updated."))
    return redirect("strategy:report-detail", pk=report.pk)


@login_required
def report_pdf(request, pk):
    report = _report(request, pk)
    return pdf_response(report)


def pdf_response(report) -> HttpResponse:
    """The adopted PDF when the council has adopted the report, else rendered from today's figures."""
    pdf = bytes(report.adopted_pdf) if report.adopted_pdf else render_report_pdf(report)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"oppfølging-{report.strategy.period}-{report.pk}.pdf"
    )
    return response
