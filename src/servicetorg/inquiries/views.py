"""Staff pages: desk registration, queues, the inquiry page with its actions, rules, compensations, dashboard.

Thin: forms validate, services.py changes, selectors.py reads, core.tenancy scopes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from servicetorg.core import formatting
from servicetorg.core.forms import apply_validation_error
from servicetorg.core.maps import map_settings
from servicetorg.core.models import Municipality
from servicetorg.core.once import submit_once
from servicetorg.core.permissions import Perm, holds_anywhere, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404, scope

from . import exports, permissions, selectors, services
from .deadlines import DEFAULT_CHANNEL_DAYS
from .downloads import attachment_response
from .forms import (
    ChannelRuleForm,
    CompensationForm,
    ContactPersonForm,
    DashboardForm,
    PreliminaryReplyForm,
    RegisterForm,
    ReplyForm,
    RouteForm,
    TextForm,
)
from .models import ChannelRule, Compensation, CompensationState, Handling
from .workflow import Action, allowed_actions


def _municipalities(user, perm: Perm):
    allowed = municipality_ids(user, perm)
    if allowed is not None and not allowed:
        raise PermissionDenied
    return scope(Municipality.objects.order_by("name"), user, perm, field="pk")


@login_required
def queue(request):
    _municipalities(request.user, Perm.INQUIRY_WORK)
    which = request.GET.get("frist", "all")
    whose = request.GET.get("hvem", "all")
    which = which if which in selectors.QUEUES else "all"
    whose = whose if whose in selectors.WHOSE else "all"
    q = request.GET.get("q", "")[:100]
    inquiries = selectors.queue(request.user, which=which, whose=whose, q=q)
    page = Paginator(inquiries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inquiries/queue.html",
        {
            "page": page,
            "which": which,
            "whose": whose,
            "q": q,
            "counts": selectors.queue_counts(request.user, whose=whose),
            "can_lookup": holds_anywhere(request.user, [Perm.INQUIRY_LOOKUP]),
            "queues": [
                ("all", _("All open")),
                ("overdue", _("Overdue")),
                ("today", _("Due today")),
                ("tomorrow", _("Due tomorrow")),
            ],
            "whose_choices": [("all", _("All")), ("mine", _("Mine")), ("unit", _("My unit"))],
        },
    )


@login_required
@never_cache
def lookup(request):
    """The desk's "one door in": find any inquiry of the municipality by reference, e-mail, phone or
    name, and read its status, next step and who has it (not its content)."""
    q = request.GET.get("q", "")[:200]
    hits = selectors.lookup(request.user, q)
    return render(request, "inquiries/lookup.html", {"q": q, "hits": hits, "searched": bool(q.strip())})


@sensitive_post_parameters("national_id", "contact_email", "contact_phone", "contact_name")
@sensitive_variables("data", "register_inquiry")
@login_required
def register(request):
    municipalities = list(_municipalities(request.user, Perm.INQUIRY_REGISTER))
    form = RegisterForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = data["outcome"]

        def register_inquiry() -> dict:
            registered = services.register(
                municipality=data["municipality"],
                channel=data["channel"],
                subject=data["subject"],
                body=data["body"],
                service=data["service_obj"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                national_id=data["national_id"],
                address=data["address"],
                user=request.user,
                resolve_at_desk=outcome == "resolve",
                resolution_note=data["note"],
                route_to=data["unit"] if outcome in (Handling.PARTLY_HANDLED, Handling.FORWARDED) else None,
                handling=outcome
                if outcome in (Handling.PARTLY_HANDLED, Handling.FORWARDED)
                else Handling.FORWARDED,
                receipt=data["receipt"],
            )
            inquiry = registered.inquiry
            return {
                "pk": inquiry.pk,
                "reference": inquiry.reference,
                "deadline": formatting.short_date(inquiry.reply_deadline),
            }

        try:
            # A double submit (same one-time token) registers once and shows the first result.
            done, _first = submit_once(request, "inquiries.desk-register", register_inquiry)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Inquiry %(ref)s registered. Reply deadline %(date)s.")
                % {"ref": done["reference"], "date": done["deadline"]},
            )
            if "another" in request.POST:
                return redirect("inquiries:register")
            return redirect("inquiries:detail", pk=done["pk"])
    services_list = selectors.published_services_for([m.pk for m in municipalities]).values_list(
        "name", flat=True
    )
    return render(request, "inquiries/register.html", {"form": form, "service_names": list(services_list)})


def _action_forms(inquiry, data=None, which=None, files=None):
    def bound(name):
        return data if which == name else None

    return {
        "route_form": RouteForm(bound("route"), municipality_id=inquiry.municipality_id, prefix="route"),
        "reply_form": ReplyForm(bound("reply"), files if which == "reply" else None, prefix="reply"),
        "ask_form": TextForm(bound("ask"), prefix="ask"),
        "preliminary_form": PreliminaryReplyForm(bound("preliminary"), prefix="preliminary"),
        "contact_form": ContactPersonForm(
            bound("contact"), municipality_id=inquiry.municipality_id, prefix="contact"
        ),
    }


def _render_detail(request, inquiry, forms, status=200):
    can_work = permissions.can_work(request.user, inquiry)
    return render(
        request,
        "inquiries/detail.html",
        {
            "inquiry": inquiry,
            "log": inquiry.messages.select_related("author"),
            "attachments": selectors.staff_attachments(inquiry),
            "actions": set(allowed_actions(inquiry.state)) if can_work else set(),
            "Action": Action,
            "can_work": can_work,
            "map": map_settings() if inquiry.has_place else None,  # shown at the place itself
            **forms,
        },
        status=status,
    )


@login_required
def detail(request, pk):
    inquiry = selectors.inquiry_for_staff(request.user, pk)
    return _render_detail(request, inquiry, _action_forms(inquiry))


@login_required
@never_cache
def attachment(request, pk, attachment_pk):
    """A file of an inquiry the user may read (404 otherwise, as for the inquiry itself)."""
    inquiry = selectors.inquiry_for_staff(request.user, pk)
    found = selectors.staff_attachments(inquiry).filter(pk=attachment_pk).first()
    if found is None:
        raise Http404
    return attachment_response(found)


@login_required
@require_POST
def act(request, pk, action):
    inquiry = selectors.inquiry_for_staff(request.user, pk)
    if not permissions.can_work(request.user, inquiry):
        raise PermissionDenied
    forms = _action_forms(inquiry, request.POST, action, request.FILES)
    user = request.user
    try:
        if action == "take":
            services.take(inquiry, user=user)
        elif action == "close":
            if request.POST.get("confirm") != "yes":
                # "Lukk" asks first (issue 24 §9): a page of its own, so it works without JavaScript.
                return render(request, "inquiries/confirm_close.html", {"inquiry": inquiry})
            services.close(inquiry, user=user)
        elif action == "reopen":
            services.reopen(inquiry, user=user)
        elif action == "resolve":
            services.resolve(inquiry, user=user, note=request.POST.get("note", "")[:2000])
        elif action in ("route", "reply", "ask", "preliminary", "contact"):
            form = forms[f"{action}_form"]
            if not form.is_valid():
                return _render_detail(request, inquiry, forms, status=400)
            data = form.cleaned_data
            try:
                if action == "route":
                    services.route(
                        inquiry, unit=data["unit"], handling=data["handling"], user=user, note=data["note"]
                    )
                elif action == "reply":
                    services.reply(inquiry, text=data["text"], user=user, attachments=data["attachments"])
                elif action == "ask":
                    services.ask_citizen(inquiry, text=data["text"], user=user)
                elif action == "preliminary":
                    services.preliminary_reply(
                        inquiry, reason=data["reason"], expected_date=data["expected_date"], user=user
                    )
                else:
                    services.change_contact_person(inquiry, contact_person=data["contact_person"], user=user)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    apply_validation_error(form, error)
                    return _render_detail(request, inquiry, forms, status=400)
                raise
        else:
            raise PermissionDenied
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("inquiries:detail", pk=inquiry.pk)
    if action in ("reply", "ask", "preliminary") and inquiry.contact_email:
        messages.success(
            request,
            _("Sent to %(email)s by e-mail, and on the case page.") % {"email": inquiry.contact_email},
        )
    elif action in ("reply", "ask", "preliminary"):
        messages.success(
            request, _("Saved on the case; the citizen left no e-mail address, so tell her another way.")
        )
    else:
        messages.success(request, _("Saved."))
    return redirect("inquiries:detail", pk=inquiry.pk)


@login_required
def channel_rules(request):
    municipalities = list(_municipalities(request.user, Perm.INQUIRY_ADMINISTER))
    chosen = _chosen(request, municipalities)
    current = {**DEFAULT_CHANNEL_DAYS}
    current.update(
        dict(ChannelRule.objects.filter(municipality=chosen).values_list("channel", "working_days"))
    )
    form = ChannelRuleForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        for channel, days in form.cleaned_data.items():
            services.set_channel_rule(
                municipality=chosen, channel=channel, working_days=days, user=request.user
            )
        messages.success(request, _("The reply rules are saved."))
        return redirect(f"{request.path}?kommune={chosen.pk}")
    return render(
        request,
        "inquiries/channel_rules.html",
        {"form": form, "municipality": chosen, "municipalities": municipalities},
    )


def _chosen(request, municipalities):
    wanted = request.GET.get("kommune") or request.POST.get("kommune")
    for municipality in municipalities:
        if str(municipality.pk) == wanted:
            return municipality
    if wanted:
        raise PermissionDenied
    return municipalities[0]


@login_required
def compensations(request):
    _municipalities(request.user, Perm.INQUIRY_ADMINISTER)
    state = request.GET.get("status", CompensationState.OPEN)
    qs = selectors.compensations(request.user)
    if state in CompensationState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inquiries/compensations.html",
        {"page": page, "state": state, "states": CompensationState.choices, "form": CompensationForm()},
    )


@login_required
@require_POST
def settle(request, pk):
    compensation = get_scoped_or_404(Compensation.objects.all(), request.user, Perm.INQUIRY_ADMINISTER, pk=pk)
    form = CompensationForm(request.POST)
    if form.is_valid():
        try:
            services.settle_compensation(
                compensation,
                state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
            messages.success(request, _("The compensation is settled."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    else:
        messages.error(request, _("Choose paid or rejected."))
    return redirect("inquiries:compensations")


def _dashboard_request(request):
    municipalities = list(_municipalities(request.user, Perm.INQUIRY_DASHBOARD))
    form = DashboardForm(
        request.GET or None, municipalities=Municipality.objects.filter(pk__in=[m.pk for m in municipalities])
    )
    start, end = selectors.default_period()
    municipality = municipalities[0]
    channel = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        municipality = data["municipality"] or municipality
        start = data["start"] or start
        end = data["end"] or end
        channel = data["channel"]
    board = selectors.dashboard(municipality.pk, start, end, channel=channel)
    return form, municipality, board


@login_required
def dashboard(request):
    form, municipality, board = _dashboard_request(request)
    weeks_max = max((n for _w, n in board.by_week), default=0) or 1
    channel_max = max(board.by_channel.values(), default=0) or 1
    return render(
        request,
        "inquiries/dashboard.html",
        {
            "form": form,
            "municipality": municipality,
            "board": board,
            "weeks": [(w, n, round(100 * n / weeks_max)) for w, n in board.by_week],
            "channels": [
                (label_channel(c), n, round(100 * n / channel_max)) for c, n in board.by_channel.items()
            ],
            "chart_svg": exports.weekly_chart_svg(board),
            "query": request.GET.urlencode(),
        },
    )


def label_channel(value: str) -> str:
    from servicetorg.core.choices import Channel

    return dict(Channel.choices).get(value, value)


@login_required
def dashboard_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _form, municipality, board = _dashboard_request(request)
    name = f"henvendelser-{municipality.number}-{board.start:%Y%m%d}-{board.end:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(exports.dashboard_csv(board), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(
        exports.dashboard_xlsx(board),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
