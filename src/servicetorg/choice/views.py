"""Staff pages of user-choice schemes. Thin: forms validate, services.py changes, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.catalogue.models import Service
from servicetorg.core.forms import apply_validation_error
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404

from . import forms, selectors, services, workflow
from .models import PriceModel, Provider, Scheme


def _scheme(request, pk) -> Scheme:
    qs = Scheme.objects.select_related("municipality", "service", "replaces")
    return get_scoped_or_404(qs, request.user, Perm.CHOICE_READ, pk=pk)


def _require_administer(request, scheme: Scheme) -> None:
    """Refuse before reading the form: a reader learns nothing from validation messages."""
    if not services.can_administer(request.user, scheme.municipality_id):
        raise PermissionDenied


@login_required
def scheme_list(request):
    allowed = municipality_ids(request.user, Perm.CHOICE_READ)
    if allowed is not None and not allowed:
        raise PermissionDenied
    administered = municipality_ids(request.user, Perm.CHOICE_ADMINISTER)
    return render(
        request,
        "choice/scheme_list.html",
        {
            "schemes": selectors.schemes_for(request.user),
            "can_create": administered is None or bool(administered),
        },
    )


@login_required
def scheme_create(request):
    administered = municipality_ids(request.user, Perm.CHOICE_ADMINISTER)
    municipalities = (
        Municipality.objects.all()
        if administered is None
        else Municipality.objects.filter(pk__in=administered)
    )
    if not municipalities.exists():
        raise PermissionDenied
    form = forms.SchemeCreateForm(
        request.POST or None,
        municipalities=municipalities,
        services=Service.objects.filter(municipality__in=municipalities).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.create_scheme(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The scheme draft was created. Fill in the rest and the rates."))
            return redirect("choice:scheme-edit", pk=scheme.pk)
    return render(request, "choice/scheme_create.html", {"form": form})


@login_required
def scheme_detail(request, pk):
    scheme = _scheme(request, pk)
    administer = services.can_administer(request.user, scheme.municipality_id)
    actions = workflow.SCHEME_WORKFLOW.actions_from(scheme.state) if administer else []
    return render(
        request,
        "choice/scheme_detail.html",
        {
            "scheme": scheme,
            "rates": scheme.rates.all(),
            "versions": selectors.versions_of(scheme),
            "can_edit": administer and scheme.is_draft,
            "can_adopt": workflow.ADOPT in actions,
            "can_new_version": workflow.NEW_VERSION in actions and not hasattr(scheme, "replaced_by"),
        },
    )


def _rate_forms(scheme: Scheme, data=None):
    existing = {rate.band: rate for rate in scheme.rates.all()}
    hourly = scheme.price_model == PriceModel.HOURLY
    return [
        forms.RateForm(data, instance=existing.get(band), band=band, hourly=hourly, prefix=f"rate-{band}")
        for band in scheme.bands
    ]


@login_required
def scheme_edit(request, pk):
    scheme = _scheme(request, pk)
    _require_administer(request, scheme)
    if not scheme.is_draft:
        messages.error(
            request, _("An adopted scheme cannot be changed. Make a new version for the council instead.")
        )
        return redirect("choice:scheme-detail", pk=scheme.pk)
    data = request.POST or None
    form = forms.SchemeForm(
        data,
        instance=Scheme.objects.get(pk=scheme.pk),
        services=Service.objects.filter(municipality_id=scheme.municipality_id).order_by("name"),
        providers=Provider.objects.filter(municipality_id=scheme.municipality_id).order_by("name"),
    )
    rate_forms = _rate_forms(scheme, data)
    if request.method == "POST" and _save_draft(request, scheme, form, rate_forms):
        messages.success(request, _("The draft was saved."))
        return redirect("choice:scheme-detail", pk=scheme.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "choice/scheme_edit.html",
        {"scheme": scheme, "form": form, "rate_forms": rate_forms},
        status=status,
    )


def _save_draft(request, scheme, form, rate_forms) -> bool:
    valid = form.is_valid() & all([f.is_valid() for f in rate_forms])
    if not valid:
        return False
    price_model_changed = form.cleaned_data["price_model"] != scheme.price_model
    rates = {} if price_model_changed else {f.band: f.values() for f in rate_forms}
    if any(f.errors for f in rate_forms):
        return False
    try:
        with transaction.atomic():
            services.update_scheme(scheme, user=request.user, rates=rates, **form.cleaned_data)
    except ValidationError as error:
        rate_form = {f.prefix: f for f in rate_forms}
        by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
        for key, errors in by_field.items():
            prefix, _sep, name = (key or "").rpartition("-")
            target = rate_form.get(prefix)
            if target is not None:
                target.add_error(name if name in target.fields else None, errors)
            else:
                form.add_error(key if key in form.fields else None, errors)
        return False
    if price_model_changed:
        messages.info(request, _("The price model changed: fill in the rates of the new bands."))
    return True


@login_required
def scheme_adopt(request, pk):
    scheme = _scheme(request, pk)
    _require_administer(request, scheme)
    initial = {"decision_date": scheme.decision_date, "case_reference": scheme.case_reference}
    form = forms.AdoptForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.adopt(scheme, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The council's adoption was recorded."))
            return redirect("choice:scheme-detail", pk=scheme.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "choice/scheme_adopt.html", {"scheme": scheme, "form": form}, status=status)


@login_required
@require_POST
def scheme_new_version(request, pk):
    scheme = _scheme(request, pk)
    _require_administer(request, scheme)
    try:
        copy = services.new_version(scheme, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("choice:scheme-detail", pk=scheme.pk)
    messages.success(
        request,
        _(
            "A new version was made as a draft. The adopted version stays in force until the council "
            "adopts this one."
        ),
    )
    return redirect("choice:scheme-edit", pk=copy.pk)
