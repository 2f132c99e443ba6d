"""The citizen-facing portal: published services, search and open data. No login."""

import hashlib
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from servicetorg.catalogue import selectors
from servicetorg.catalogue.models import Service
from servicetorg.core import opendata, permissions
from servicetorg.core.forms import apply_validation_error
from servicetorg.core.menus import menu
from servicetorg.core.models import Municipality
from servicetorg.core.opendata import dcat, vocab
from servicetorg.core.permissions import Perm
from servicetorg.core.portal import choose, portal_municipality
from servicetorg.core.validators import is_digits

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
        results = selectors.search_published(municipality, query, limit=100)
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
    # One main action per service, from its own settings (issue 24 §6): a fault report (a service
    # that asks where) or a service without an application form is done by writing to us; otherwise
    # the application form is the way in and asking about it comes second.
    application_first = bool(description.application_url) and not service.asks_location
    return render(
        request,
        "portal/service_detail.html",
        {
            "service": service,
            "d": description,
            "promises": list(description.promises.all()),
            "service_actions": menu("service_actions", slug=service.slug),
            "application_variant": "primary" if application_first else "secondary",
            "actions_primary": not application_first,
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


FREQUENCY_LABELS = {
    "CONT": gettext_lazy("Updated as soon as something changes."),
    "DAILY": gettext_lazy("Updated daily."),
    "WEEKLY": gettext_lazy("Updated weekly."),
    "MONTHLY": gettext_lazy("Updated monthly."),
    "ANNUAL": gettext_lazy("Updated yearly."),
    "IRREG": gettext_lazy("Updated now and then."),
}


def _open_data_municipality(number: str) -> Municipality:
    if not (len(number) == 4 and is_digits(number)):
        raise Http404("Unknown municipality.")
    return get_object_or_404(Municipality, number=number)


def open_data(request, number):
    """Everything the municipality publishes as open data, with links a person can follow."""
    municipality = _open_data_municipality(number)
    registry = opendata.get_registry()
    base_url = request.build_absolute_uri("/").rstrip("/")
    datasets = []
    for dataset in registry.datasets:
        files, apis = [], []
        for item in dataset.distributions:
            entry = {
                "title": opendata.pick(item.title),
                "media_type": item.media_type,
                "format": item.file_type,
            }
            if item.is_file:
                entry["url"] = reverse("portal:open-data-file", args=[number, item.filename])
                files.append(entry)
            else:
                entry["url"] = dcat.access_path(item, municipality)
                apis.append(entry)
        datasets.append(
            {
                "key": dataset.key,
                "title": opendata.pick(dataset.title),
                "description": opendata.pick(dataset.description),
                "frequency_label": FREQUENCY_LABELS.get(dataset.frequency, ""),
                "files": files,
                "apis": apis,
                "concepts": [
                    {"key": key, "term_label": opendata.pick(registry.concept(key).term)}
                    for key in dataset.concepts
                ],
            }
        )
    services = [
        {
            "key": service.key,
            "title": opendata.pick(service.title),
            "description": opendata.pick(service.description),
            "endpoint": service.endpoint_path,
            "schema": service.description_path,
            "docs": service.landing_path,
        }
        for service in registry.data_services
    ]
    concepts = [
        {"key": c.key, "term": opendata.pick(c.term), "definition": opendata.pick(c.definition)}
        for c in registry.concepts
    ]
    return render(
        request,
        "portal/open_data.html",
        {
            "municipality": municipality,
            "datasets": datasets,
            "services": services,
            "concepts": concepts,
            "licence_page": vocab.LICENCE_PAGES.get(municipality.open_data_license, ""),
            "catalogue_iri": dcat.catalogue_iri(municipality, base_url),
        },
    )


CONTENT_TYPES = {
    "text/turtle": "text/turtle; charset=utf-8",
    "application/ld+json": "application/ld+json; charset=utf-8",
    "text/csv": "text/csv; charset=utf-8",
    "application/json": "application/json; charset=utf-8",
}
#: The catalogue and the glossary (built from the whole registry) are cached this long.
CATALOGUE_CACHE_SECONDS = 600
#: A dataset's file is cached until its data changes (its ``modified`` stamp), and at most this long.
FILE_CACHE_SECONDS = 3600


def _open_data_response(body: str | bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES.get(media_type, media_type))
    response["Access-Control-Allow-Origin"] = "*"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _cached(key_parts: list, timeout: int, build):
    key = "opendata:" + hashlib.sha256("|".join(map(str, key_parts)).encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, timeout=timeout)
    return body


CATALOGUE_FILES = {
    "katalog.ttl": ("catalogue", "turtle", "text/turtle"),
    "katalog.jsonld": ("catalogue", "json-ld", "application/ld+json"),
    "begreper.ttl": ("concepts", "turtle", "text/turtle"),
    "begreper.jsonld": ("concepts", "json-ld", "application/ld+json"),
}


def open_data_file(request, number, filename):
    """A file of the open-data registry (a dataset's distribution), or the catalogue or glossary."""
    municipality = _open_data_municipality(number)
    base_url = request.build_absolute_uri("/").rstrip("/")
    if filename in CATALOGUE_FILES:
        kind, fmt, media_type = CATALOGUE_FILES[filename]
        build = dcat.build_graph if kind == "catalogue" else dcat.build_concepts
        body = _cached(
            [filename, municipality.pk, municipality.open_data_license, municipality.name, base_url],
            CATALOGUE_CACHE_SECONDS,
            lambda: dcat.serialize_graph(build(municipality, base_url=base_url), fmt),
        )
        return _open_data_response(body, media_type, filename)
    found = opendata.get_registry().distribution(filename)
    if found is None:
        raise Http404("No such file.")
    dataset, item = found
    if dataset.modified is None:
        body = item.render(municipality, base_url)
    else:
        stamp = dataset.modified(municipality)
        body = _cached(
            [filename, municipality.pk, base_url, stamp],
            FILE_CACHE_SECONDS,
            lambda: item.render(municipality, base_url),
        )
    return _open_data_response(body, item.media_type, filename)


def open_data_api_description(request, key):
    """The OpenAPI document of a registered data service that has no address of its own (Open311)."""
    service = opendata.get_registry().data_service(key)
    if service is None:
        raise Http404("No such API.")
    response = JsonResponse(service.openapi(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def open_data_vocabulary(request, filename):
    vocabulary = opendata.get_registry().vocabulary(filename)
    if vocabulary is None:
        raise Http404("No such vocabulary.")
    return _open_data_response(vocabulary.path.read_bytes(), vocabulary.media_type, filename)
