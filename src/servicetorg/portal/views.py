"""The citizen-facing portal: published services, search and open data. No login."""

import hashlib
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.catalogue import selectors
from servicetorg.catalogue.models import Service
from servicetorg.core import permissions
from servicetorg.core.forms import apply_validation_error
from servicetorg.core.menus import menu
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm
from servicetorg.core.portal import choose, portal_municipality

from . import services
from .forms import StatementForm


def _municipality(request) -> Municipality:
    municipality = portal_municipality(request)
    if municipality is None:
        raise Http404("No municipality is set up yet.")
    return municipality


def home(request):
    municipality = portal_municipality(request)
    areas = selectors.areas_of(municipality) if municipality else []
    return render(
        request,
        "portal/home.html",
        {"areas": areas, "municipalities": Municipality.objects.order_by("name")},
    )


def service_list(request):
    municipality = _municipality(request)
    query = request.GET.get("q", "").strip()[:200]
    if query:
        results = list(selectors.search_published(municipality, query)[:100])
        groups = []
    else:
        results = None
        services = selectors.published_services(municipality).only(
            "slug", "name", "summary", "area__name", "area__slug", "area__position", "responsible_unit__name"
        )
        groups = [(area, list(items)) for area, items in groupby(services, key=lambda s: s.area)]
    return render(request, "portal/service_list.html", {"query": query, "results": results, "groups": groups})


def service_detail(request, slug):
    municipality = _municipality(request)
    try:
        service = selectors.published_service(municipality, slug)
    except Service.DoesNotExist as exc:
        raise Http404 from exc
    description = service.published_version
    return render(
        request,
        "portal/service_detail.html",
        {
            "service": service,
            "d": description,
            "promises": list(description.promises.all()),
            "service_actions": menu("service_actions", slug=service.slug),
        },
    )


@require_POST
def choose_municipality(request):
    municipality = get_object_or_404(Municipality, number=request.POST.get("number", ""))
    choose(request, municipality)
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


EDIT_URLS = {"privacy": "portal:privacy-edit", "accessibility": "portal:accessibility-edit"}


def statement(request, kind):
    """The municipality's privacy or accessibility statement (its own text, else the default)."""
    municipality = _municipality(request)
    return render(
        request,
        "portal/statement.html",
        {
            "statement": services.shown_statement(municipality, kind),
            "municipality": municipality,
            "edit_url": reverse(EDIT_URLS[kind])
            if request.user.is_authenticated
            and permissions.can(request.user, Perm.PUBLIC_STATEMENTS, municipality.pk)
            else None,
        },
    )


@login_required
def statement_edit(request, kind):
    """The administration edits the portal's statement (or resets it to the platform's default)."""
    municipality = _municipality(request)
    if not permissions.can(request.user, Perm.PUBLIC_STATEMENTS, municipality.pk):
        raise PermissionDenied
    shown = services.shown_statement(municipality, kind)
    if request.method == "POST" and "reset" in request.POST:
        services.reset_statement(municipality, kind, user=request.user)
        messages.success(request, _("The statement is back to the default text."))
        return redirect(EDIT_URLS[kind])
    initial = {
        "text": services.default_text(municipality, kind)
        if shown.is_default
        else _own_text(municipality, kind),
        "contact": shown.contact,
    }
    form = StatementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_statement(municipality, kind, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Saved. The portal shows the new text."))
            return redirect(EDIT_URLS[kind])
    return render(
        request,
        "portal/statement_edit.html",
        {"form": form, "statement": shown, "municipality": municipality},
        status=400 if form.errors else 200,
    )


def _own_text(municipality, kind) -> str:
    from .models import Statement

    return Statement.objects.get(municipality=municipality, kind=kind).text


def open_data(request, number):
    municipality = get_object_or_404(Municipality, number=number)
    return render(request, "portal/open_data.html", {"municipality": municipality})


CONTENT_TYPES = {"turtle": "text/turtle; charset=utf-8", "json-ld": "application/ld+json; charset=utf-8"}


def catalogue_export(request, number, fmt):
    """The published catalogue as CPSV-AP-NO, cached until the catalogue changes."""
    from servicetorg.catalogue.cpsv import serialize

    municipality = get_object_or_404(Municipality, number=number)
    base_url = request.build_absolute_uri("/").rstrip("/")
    stamp = Service.objects.filter(municipality=municipality).aggregate(
        changed=Max("updated_at"), n=Count("pk")
    )
    version = f"{fmt}|{base_url}|{stamp['n']}|{stamp['changed']}"
    key = f"cpsv:{municipality.pk}:{hashlib.sha256(version.encode()).hexdigest()}"
    body = cache.get(key)
    if body is None:
        body = serialize(municipality, fmt, base_url=base_url)
        cache.set(key, body, timeout=24 * 3600)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response
