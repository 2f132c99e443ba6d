"""Staff pages of the service catalogue. Thin: forms validate, services.py changes, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.forms import apply_validation_error, chosen_municipality, render_chooser
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404, scope

from . import services
from .forms import (
    DescriptionForm,
    ReviewForm,
    ServiceFilterForm,
    ServiceForm,
    promise_formset,
)
from .models import Service, ServiceDescription, VersionState
from .permissions import can_edit_service, editable_municipality_ids


def _service_for_staff(request, pk) -> Service:
    return get_scoped_or_404(
        Service.objects.select_related("area", "responsible_unit", "municipality", "published_version"),
        request.user,
        Perm.CATALOGUE_READ,
        pk=pk,
    )


def _editable_service(request, pk) -> Service:
    service = _service_for_staff(request, pk)
    if not can_edit_service(request.user, service):
        raise PermissionDenied
    return service


@login_required
def service_list(request):
    allowed = municipality_ids(request.user, Perm.CATALOGUE_READ)
    if allowed is not None and not allowed:
        raise PermissionDenied
    form = ServiceFilterForm(request.GET or None, municipality_ids=allowed)
    services_qs = scope(
        Service.objects.select_related("area", "responsible_unit", "municipality"),
        request.user,
        Perm.CATALOGUE_READ,
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            services_qs = services_qs.filter(Q(name__icontains=data["q"]) | Q(slug__icontains=data["q"]))
        if data["area"]:
            services_qs = services_qs.filter(area=data["area"])
        if data["unit"]:
            services_qs = services_qs.filter(responsible_unit=data["unit"])
        if data["state"]:
            services_qs = services_qs.filter(state=data["state"])
        if data["ladder_level"]:
            services_qs = services_qs.filter(ladder_level=data["ladder_level"])
        if data["review_overdue"]:
            services_qs = services_qs.filter(review_due__lt=timezone.localdate()).exclude(state="archived")
    services_qs = services_qs.order_by("area__position", "name", "slug")
    page = Paginator(services_qs, 50).get_page(request.GET.get("page"))
    editable = editable_municipality_ids(request.user)
    overdue = scope(
        Service.objects.filter(review_due__lt=timezone.localdate()), request.user, Perm.CATALOGUE_READ
    ).exclude(state="archived")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalogue/service_list.html",
        {
            "form": form,
            "page": page,
            "overdue_count": overdue.count(),
            "query": query.urlencode(),
            "can_create": editable is None or bool(editable),
        },
    )


@login_required
def service_create(request):
    editable = editable_municipality_ids(request.user)
    choices = Municipality.objects.all() if editable is None else Municipality.objects.filter(pk__in=editable)
    if not choices.exists():
        raise PermissionDenied
    municipality, chooser = chosen_municipality(request, choices.order_by("name"))
    if municipality is None:
        return render_chooser(request, chooser, _("New service"))
    service_form = ServiceForm(request.POST or None, municipality=municipality)
    description_form = DescriptionForm(request.POST or None)
    promises = promise_formset(request.POST or None)
    if request.method == "POST" and all(f.is_valid() for f in (service_form, description_form, promises)):
        fields = {k: service_form.cleaned_data[k] for k in service_form.Meta.fields}
        try:
            service = services.create_service(
                municipality=municipality,
                description=description_form.cleaned_data,
                promises=promises.promises(),
                user=request.user,
                **fields,
            )
        except ValidationError as error:
            apply_validation_error(service_form, error)
        else:
            messages.success(request, _("The service was created as a draft."))
            return redirect("catalogue:service-detail", pk=service.pk)
    return render(
        request,
        "catalogue/service_create.html",
        {
            "municipality": municipality,
            "service_form": service_form,
            "description_form": description_form,
            "promises": promises,
            "chooser": chooser if choices.count() > 1 else None,
        },
    )


@login_required
def service_detail(request, pk):
    service = _service_for_staff(request, pk)
    versions = service.versions.select_related("created_by", "published_by").order_by("-version")
    draft = next((v for v in versions if v.state == VersionState.DRAFT), None)
    history = service.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "catalogue/service_detail.html",
        {
            "service": service,
            "versions": versions,
            "draft": draft,
            "published": service.published_version,
            "promises": service.published_version.promises.all() if service.published_version else [],
            "history": history,
            "can_edit": can_edit_service(request.user, service),
            "review_form": ReviewForm(),
        },
    )


@login_required
def service_edit(request, pk):
    service = _editable_service(request, pk)
    form = ServiceForm(request.POST or None, instance=service, municipality=service.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_service(
                service, user=request.user, **{k: form.cleaned_data[k] for k in ServiceForm.Meta.fields}
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The service settings were saved."))
            return redirect("catalogue:service-detail", pk=service.pk)
    return render(request, "catalogue/service_edit.html", {"service": service, "form": form})


@login_required
@require_POST
def draft_start(request, pk):
    service = _editable_service(request, pk)
    services.ensure_draft(service, user=request.user)
    return redirect("catalogue:draft-edit", pk=service.pk)


@login_required
def draft_edit(request, pk):
    service = _editable_service(request, pk)
    draft = service.versions.filter(state=VersionState.DRAFT).first()
    if draft is None:
        messages.info(request, _("There is no draft. Start one from the published version."))
        return redirect("catalogue:service-detail", pk=service.pk)
    form = DescriptionForm(request.POST or None, instance=draft)
    promises = promise_formset(request.POST or None, promises=draft.promises.all())
    if request.method == "POST" and form.is_valid() and promises.is_valid():
        try:
            services.save_draft(
                draft, description=form.cleaned_data, promises=promises.promises(), user=request.user
            )
            if "publish" in request.POST:
                services.publish(draft, user=request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if "publish" in request.POST:
                messages.success(request, _("Published. The portal now shows this version."))
            else:
                messages.success(
                    request, _("The draft was saved. The portal still shows the published version.")
                )
            return redirect("catalogue:service-detail", pk=service.pk)
    return render(
        request,
        "catalogue/draft_form.html",
        {"service": service, "draft": draft, "form": form, "promises": promises},
    )


@login_required
@require_POST
def draft_publish(request, pk):
    service = _editable_service(request, pk)
    draft = service.versions.filter(state=VersionState.DRAFT).first()
    if draft is None:
        messages.error(request, _("There is no draft to publish."))
    else:
        try:
            services.publish(draft, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Published. The portal now shows this version."))
    return redirect("catalogue:service-detail", pk=service.pk)


@login_required
@require_POST
def service_withdraw(request, pk):
    service = _editable_service(request, pk)
    try:
        services.withdraw(service, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The service was withdrawn from the portal."))
    return redirect("catalogue:service-detail", pk=service.pk)


@login_required
@require_POST
def service_reviewed(request, pk):
    service = _editable_service(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.mark_reviewed(service, next_review=form.cleaned_data["next_review"], user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The review was recorded."))
    else:
        messages.error(request, _("Give a valid date for the next review."))
    return redirect("catalogue:service-detail", pk=service.pk)


@login_required
def version_detail(request, pk, version):
    service = _service_for_staff(request, pk)
    try:
        description = service.versions.prefetch_related("promises").get(version=version)
    except ServiceDescription.DoesNotExist as exc:
        from django.http import Http404

        raise Http404 from exc
    return render(request, "catalogue/version_detail.html", {"service": service, "description": description})
