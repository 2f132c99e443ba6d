"""Staff pages for personal data: retention periods with the purge report, and the right of access
and erasure for one person. Thin: the work is in privacy.retention and privacy.access."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from servicetorg.core import permissions
from servicetorg.core.forms import apply_validation_error
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm

from . import access, retention
from .models import PrivacyAction, PrivacyLog


def allowed_municipalities(user, perm: Perm) -> list[Municipality]:
    """The municipalities where ``user`` holds ``perm`` (the page's choice of municipality)."""
    return [m for m in Municipality.objects.order_by("name") if permissions.can(user, perm, m.pk)]


def chosen_municipality(request, perm: Perm) -> tuple[Municipality, list[Municipality]]:
    allowed = allowed_municipalities(request.user, perm)
    if not allowed:
        raise PermissionDenied
    posted = request.POST.get("municipality", "") if request.method == "POST" else ""
    if posted and not any(m.number == posted for m in allowed):
        # A post acts (saves periods, exports, erases) in the municipality it names or not at all,
        # never in a fallback: a stale or altered form would act in another municipality. (A post
        # naming none fails the form's required field: nothing is done.)
        raise PermissionDenied
    number = posted or request.GET.get("kommune") or ""
    chosen = next((m for m in allowed if m.number == number), allowed[0])
    return chosen, allowed


class RetentionForm(forms.Form):
    municipality = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, periods: list[retention.Period], **kwargs):
        super().__init__(*args, **kwargs)
        for period in periods:
            kind = period.kind
            if not kind.per_municipality:
                continue
            self.fields[kind.key] = forms.IntegerField(
                label=kind.label,
                min_value=kind.min_days,
                max_value=kind.max_days,
                initial=period.days,
                help_text=_("Days %(counted_from)s. Default %(default)d; from %(min)d to %(max)d.")
                % {
                    "counted_from": kind.counted_from,
                    "default": kind.default_days,
                    "min": kind.min_days,
                    "max": kind.max_days,
                },
                error_messages={
                    "required": _("Give the number of days."),
                    "invalid": _("Give a whole number of days."),
                    "min_value": _("At least %(limit_value)s days."),
                    "max_value": _("At most %(limit_value)s days."),
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )


@login_required
def retention_rules(request):
    """The municipality's retention periods (admin), with the dry-run report of the next purge."""
    municipality, allowed = chosen_municipality(request, Perm.RETENTION)
    periods = retention.periods(municipality)
    form = RetentionForm(request.POST or None, periods=periods, initial={"municipality": municipality.number})
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "municipality"}
        try:
            changed = retention.set_periods(municipality, data, user=request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if changed:
                messages.success(request, _("Saved. The nightly purge uses the new periods."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(f"{reverse('privacy:retention')}?kommune={municipality.number}")
    report = retention.purge(user=request.user, municipality=municipality, dry_run=True)
    return render(
        request,
        "privacy/retention.html",
        {
            "form": form,
            "municipality": municipality,
            "allowed": allowed,
            "report": report,
            "platform": [p for p in periods if not p.kind.per_municipality],
        },
        status=400 if form.errors else 200,
    )


class PersonForm(forms.Form):
    municipality = forms.CharField(widget=forms.HiddenInput)
    email = forms.CharField(
        label=gettext_lazy("E-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    national_id = forms.CharField(
        label=gettext_lazy("National identity number (fødselsnummer)"),
        required=False,
        max_length=14,
        help_text=gettext_lazy("Eleven digits."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean(self):
        data = super().clean() or {}
        try:
            data["person"] = access.person(
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                national_id=data.get("national_id", ""),
            )
        except ValidationError as error:
            apply_validation_error(self, error)
        return data


ACTIONS = ("search", "json", "html", "zip", "confirm", "erase")


@sensitive_post_parameters("email", "phone", "national_id")
@login_required
def personal_data_request(request):
    """Right of access and erasure: find one person's data in one municipality, export or erase it."""
    municipality, allowed = chosen_municipality(request, Perm.PERSONAL_DATA_REQUEST)
    action = request.POST.get("action", "search") if request.method == "POST" else ""
    form = PersonForm(request.POST or None, initial={"municipality": municipality.number})
    context: dict[str, Any] = {"form": form, "municipality": municipality, "allowed": allowed}
    if request.method == "POST" and action in ACTIONS and form.is_valid():
        who = form.cleaned_data["person"]
        user = request.user
        if action in access.FORMATS:
            found = access.export(municipality, who, user=user, fmt=action)
            return export_response(municipality, found, action)
        if action == "erase":
            if request.POST.get("confirmed") != "yes":
                context["found"] = access.search(municipality, who, user=user)
                context["confirm_error"] = _("Tick the box to confirm the erasure.")
                return render(request, "privacy/personal_data_confirm.html", context, status=400)
            counts = access.erase(municipality, who, user=user)
            messages.success(
                request,
                _("Erased: %(n)d records. The statistics are unchanged.") % {"n": sum(counts.values())},
            )
            return redirect(f"{reverse('privacy:personal-data')}?kommune={municipality.number}")
        context["found"] = access.search(municipality, who, user=user)
        context["total"] = sum(len(f.records) for f in context["found"])
        if action == "confirm":
            return render(request, "privacy/personal_data_confirm.html", context)
    # A request counts what it found (holdings); a purge or a change of periods, kinds of record.
    held = {h.key: str(h.label) for h in access.holdings()}
    kept = {k.key: str(k.label) for k in retention.kinds()}
    context["log"] = [
        (
            entry,
            [
                (
                    (kept if entry.action in (PrivacyAction.PURGE, PrivacyAction.RULES) else held).get(
                        key, key
                    ),
                    n,
                )
                for key, n in entry.counts.items()
            ],
        )
        for entry in PrivacyLog.objects.filter(municipality=municipality)[:20]
    ]
    return render(
        request, "privacy/personal_data.html", context, status=400 if form.is_bound and form.errors else 200
    )


@login_required
def personal_data_record(request, holding: str, pk: int):
    """One record exported in full by someone who may read it (the handling unit of an inquiry about
    a sensitive service), for the person's right of access: the administration's export withholds
    it and points here. Anyone else: 404."""
    from django.http import Http404

    fmt = request.POST.get("action", "") if request.method == "POST" else ""
    try:
        if fmt in access.FORMATS:
            municipality, found = access.export_one(holding, pk, user=request.user, fmt=fmt)
            return export_response(municipality, found, fmt)
        municipality, found = access.record_for(holding, pk, user=request.user)
    except PermissionDenied:
        raise Http404 from None
    return render(
        request, "privacy/personal_data_record.html", {"municipality": municipality, "found": found}
    )


def export_response(municipality: Municipality, found, fmt: str) -> HttpResponse:
    now = timezone.now()
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    html = ""
    if fmt in ("html", "zip"):
        html = render_to_string(
            "privacy/personal_data_export.html",
            {"municipality": municipality, "found": found, "generated_at": now},
        )
    if fmt == "json":
        body = json.dumps(access.as_json(municipality, found, now), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    elif fmt == "zip":
        response = HttpResponse(access.as_zip(municipality, found, now, html), content_type="application/zip")
    else:
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
    name = f"personopplysninger-{municipality.number}-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
