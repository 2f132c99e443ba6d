"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over services and inquiries.

Services map to published catalogue services (``service_code`` is the service's address name);
service requests map to the inquiries that came in through Open311 (``service_request_id`` is the
reference; the others, of the web form, phone or desk, are never listed nor found). ``jurisdiction_id`` is the
kommunenummer; without it the portal's default municipality answers. POST needs an ``api_key`` issued
per municipality (ApiClient). Personal data (names, contact details, the text) is never listed.
Where it is goes in and out by GeoReport's names: ``lat``, ``long`` (WGS 84 decimal degrees, inside
Norway) and ``address_string`` (read back as ``address``); a service that asks for a location
(``keywords`` "location" in services.json) needs lat/long or an address.

Media: a POST's ``media_url`` is kept as a link on the inquiry and never fetched (a server that
fetched addresses clients chose could be made to reach the municipality's internal network); a
multipart ``media`` file is checked like the web form's attachments and kept private. GET shows
``media_url`` only for links Open311 clients sent, never a file (those are the citizen's, for the
case's staff and her case link).

A POST is registered once: with an ``Idempotency-Key`` header, a repeat (same key, same content,
within 24 hours) gets the first answer again (``Idempotent-Replayed: true``) and the same key with
other content is refused (422); without a key, an identical post from the same client within
``OPEN311_DUPLICATE_WINDOW`` seconds (default 600) gets the first answer again too (GeoReport has no
409; a client resends when an answer is lost).

Sensitive services (health, child welfare, social services) are not offered: not listed, not
defined, a POST for one is "Unknown service_code" (404); a request filed before its service was
marked sensitive is left out of the public list, and found by its id shows only its status.
Throttles (``open311_post``, ``open311_get``) count per API key where a valid one is sent, else per
address; over the limit: 429 with ``Retry-After``. Errors, 404s and 405s come in the format the
path asks for; ``discovery.json``/``.xml`` describes the endpoint.
"""

import functools
import hashlib
import json
from datetime import datetime, time, timedelta
from xml.etree import ElementTree as ET  # noqa: S405 -- we only build XML, never parse it

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from servicetorg.catalogue.models import Service, ServiceState
from servicetorg.core.choices import Channel
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import CITIZEN
from servicetorg.core.security import RateThrottle, client_ip

from . import selectors, services
from .attachments import CheckedFile, check_upload
from .models import (
    IDEMPOTENCY_KEY_LIFETIME,
    OPEN_STATES,
    ApiChannel,
    ApiClient,
    Attachment,
    AttachmentSource,
    Inquiry,
)

MAX_REQUESTS = 1000


class Open311Error(Exception):
    def __init__(self, code: int, description: str, *more: str):
        self.code = code
        self.description = description
        self.descriptions = [description, *more]
        self.retry_after: int | None = None


def _xml_value(parent, key: str, value) -> None:
    """``value`` as GeoReport's XML writes it: booleans ``true``/``false``, nothing for None, a list as
    a container of singular elements (``attributes`` → ``attribute``), a dict as nested elements."""
    child = ET.SubElement(parent, key)
    if isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    elif isinstance(value, list):
        for v in value:
            _xml_value(child, key[:-1] if key.endswith("s") else key, v)
    elif value is not None:
        child.text = str(value)


def _render(data, fmt: str, root: str, item: str | None, status: int = 200):
    """A list (``item`` names each element) or, with ``item`` None, one document whose fields sit
    directly under ``root`` (the service definition, the discovery document)."""
    if fmt == "xml":
        element = ET.Element(root)
        entries = [data] if item is None else data if isinstance(data, list) else [data]
        for entry in entries:
            parent = element if item is None else ET.SubElement(element, item)
            for key, value in entry.items():
                _xml_value(parent, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _error(exc: Open311Error, fmt: str):
    errors = [{"code": exc.code, "description": text} for text in exc.descriptions]
    response = _render(errors, fmt, "errors", "error", exc.code)
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


#: The domain's names for where it is, and GeoReport's.
LOCATION_PARAMETERS = {"latitude": "lat", "longitude": "long", "address": "address_string"}


def _methods(*allowed: str):
    """Like ``require_http_methods``, with the 405 in the requested format."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, fmt="json", **kwargs):
            if request.method not in allowed:
                response = _error(Open311Error(405, f"Method {request.method[:10]} not allowed."), _fmt(fmt))
                response["Allow"] = ", ".join(allowed)
                return response
            return view(request, *args, fmt=fmt, **kwargs)

        return wrapped

    return decorate


def _municipality(request) -> Municipality:
    number = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if number:
        municipality = Municipality.objects.filter(number=number[:4]).first()
        if municipality is None or len(number) > 4:
            raise Open311Error(404, "Unknown jurisdiction_id / ukjent kommunenummer.")
        return municipality
    municipality = None
    if getattr(settings, "PORTAL_MUNICIPALITY", ""):
        municipality = Municipality.objects.filter(number=settings.PORTAL_MUNICIPALITY).first()
    municipality = municipality or Municipality.objects.order_by("number").first()
    if municipality is None:
        raise Open311Error(404, "No jurisdiction.")
    return municipality


def _fmt(fmt: str) -> str:
    return "xml" if fmt == "xml" else "json"


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _offered(municipality):
    """The services Open311 offers: published, and not sensitive (health, child welfare, social
    services: who contacts them, and where, is nobody's business; issue 18 §2.5)."""
    return Service.objects.filter(municipality=municipality, state=ServiceState.PUBLISHED, sensitive=False)


def _service_dict(service: Service) -> dict:
    return {
        "service_code": service.slug,
        "service_name": service.name,
        "description": service.summary,
        "metadata": False,
        "type": "realtime",
        # GeoReport has no flag of its own for this: the keyword says that a location is asked for.
        "keywords": "location" if service.asks_location else "",
        "group": service.area.name,
    }


@_methods("GET")
def service_list(request, fmt):
    fmt = _fmt(fmt)
    try:
        municipality = _municipality(request)
        _throttle(request, "open311_get", _client_of(request, municipality))
    except Open311Error as exc:
        return _error(exc, fmt)
    qs = _offered(municipality).select_related("area").order_by("name")
    return _render([_service_dict(s) for s in qs], fmt, "services", "service")


@_methods("GET")
def service_definition(request, code, fmt):
    fmt = _fmt(fmt)
    try:
        municipality = _municipality(request)
        _throttle(request, "open311_get", _client_of(request, municipality))
        if not _offered(municipality).filter(slug=code).exists():
            raise Open311Error(404, "Unknown service_code.")
    except Open311Error as exc:
        return _error(exc, fmt)
    # GeoReport's <service_definition> holds its fields itself (no <service> level between).
    return _render({"service_code": code, "attributes": []}, fmt, "service_definition", None)


def _request_dict(inquiry: Inquiry, client: ApiClient | None = None) -> dict:
    """One service request. ``description`` (the citizen's own text, which may name people or their
    health) goes only to the client that filed it, asking with its ``api_key``; others get null."""
    deadline = timezone.make_aware(datetime.combine(inquiry.reply_deadline, time(16, 0)))
    if inquiry.service is not None and inquiry.service.sensitive:
        # Filed before its service was marked sensitive: its client still learns the status, nobody
        # learns what it was about or where (§2.5).
        return {
            "service_request_id": inquiry.reference,
            "status": "open" if inquiry.state in OPEN_STATES else "closed",
            "status_notes": inquiry.get_state_display(),
            "service_name": "",
            "service_code": "",
            "description": "",
            "agency_responsible": inquiry.municipality.name,
            "service_notice": "",
            "requested_datetime": _iso(inquiry.received_at),
            "updated_datetime": _iso(inquiry.updated_at),
            "expected_datetime": _iso(deadline),
            "address": "",
            "address_id": None,
            "zipcode": None,
            "lat": None,
            "long": None,
            "media_url": None,
        }
    return {
        "service_request_id": inquiry.reference,
        "status": "open" if inquiry.state in OPEN_STATES else "closed",
        "status_notes": inquiry.get_state_display(),
        "service_name": inquiry.service.name if inquiry.service else "",
        "service_code": inquiry.service.slug if inquiry.service else "",
        "description": inquiry.body if _filed_by(inquiry, client) else None,
        "agency_responsible": inquiry.unit.name if inquiry.unit else inquiry.municipality.name,
        "service_notice": "",
        "requested_datetime": _iso(inquiry.received_at),
        "updated_datetime": _iso(inquiry.updated_at),
        "expected_datetime": _iso(deadline),
        "address": inquiry.address,
        "address_id": None,
        "zipcode": None,
        "lat": float(inquiry.latitude) if inquiry.latitude is not None else None,
        "long": float(inquiry.longitude) if inquiry.longitude is not None else None,
        # Only a link an Open311 client sent: files (the web form's, an Open311 upload) are private.
        "media_url": getattr(inquiry, "open311_media_url", None) or None,
    }


def _filed_by(inquiry: Inquiry, client: ApiClient | None) -> bool:
    return client is not None and inquiry.open311_request.client_id == client.pk


def _with_media_url(qs):
    """The first media link an Open311 client sent with each request, in the same query."""
    links = (
        Attachment.objects.filter(inquiry=OuterRef("pk"), source=AttachmentSource.OPEN311)
        .exclude(media_url="")
        .order_by("pk")
        .values("media_url")[:1]
    )
    return qs.annotate(open311_media_url=Subquery(links))


def _open311_inquiries():
    """Only what came in through Open311: an inquiry of another channel (web form, phone, desk) is
    neither listed nor found (it would tell who contacted which service, and when)."""
    return Inquiry.objects.filter(open311_request__isnull=False).select_related("open311_request")


def _parse_date(value: str):
    if not value:
        return None
    moment = parse_datetime(value.replace(" ", "+"))
    if moment is None:
        raise Open311Error(400, f"Invalid date: {value[:40]}")
    if not 1900 <= moment.year <= 2100:  # date arithmetic near year 1 or 9999 overflows
        raise Open311Error(400, "Dates must lie between 1900 and 2100 / datoer må ligge mellom 1900 og 2100.")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _requests(municipality, params) -> list[Inquiry]:
    qs = _with_media_url(
        _open311_inquiries()
        .filter(municipality=municipality)
        .select_related("service", "unit", "municipality")
    )
    ids = params.get("service_request_id")
    if ids:
        return list(qs.filter(reference__in=[i.strip().upper() for i in ids.split(",")[:100]]))
    # The public list: nothing of a sensitive service (filed before it was marked so), §2.5.
    qs = qs.exclude(service__sensitive=True)
    if params.get("service_code"):
        qs = qs.filter(service__slug__in=[c.strip() for c in params["service_code"].split(",")[:50]])
    try:
        start = _parse_date(params.get("start_date", ""))
        end = _parse_date(params.get("end_date", ""))
    except (ValueError, OverflowError) as exc:
        raise Open311Error(400, "Invalid date.") from exc
    end = end or timezone.now()
    start = start or end - timedelta(days=90)
    if end - start > timedelta(days=90):
        raise Open311Error(400, "The date range may not span more than 90 days.")
    qs = qs.filter(received_at__gte=start, received_at__lte=end)
    wanted = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if wanted == {"open"}:
        qs = qs.filter(state__in=OPEN_STATES)
    elif wanted == {"closed"}:
        qs = qs.exclude(state__in=OPEN_STATES)
    return list(qs.order_by("-received_at")[:MAX_REQUESTS])


def _client_of(request, municipality) -> ApiClient | None:
    """The Open311 client whose ``api_key`` the request carries, or None (no key, or not a valid
    Open311 key of this municipality)."""
    params = request.POST if request.method == "POST" else request.GET
    client = selectors.api_client_for_key(params.get("api_key", ""), channel=ApiChannel.OPEN311)
    return client if client is not None and client.municipality_id == municipality.pk else None


class _Throttle(RateThrottle):
    """Counted per API key where the request has a valid one (an app's users share it, whatever
    their addresses), else per address (§3.4)."""

    def __init__(self, scope: str, client: ApiClient | None):
        super().__init__(scope)
        self.client = client

    def get_cache_key(self, request, view):
        ident = f"key-{self.client.pk}" if self.client is not None else client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _throttle(request, scope: str, client: ApiClient | None) -> None:
    throttle = _Throttle(scope, client)
    if not throttle.allow_request(request, None):
        exc = Open311Error(429, "Too many requests / for mange forespørsler; try again later.")
        exc.retry_after = max(1, int(throttle.wait() or 1))
        raise exc


def _post(request, municipality, client: ApiClient):
    """Register a POST once (see the module's docstring): (response body, replayed)."""
    data = request.POST
    header = request.headers.get("Idempotency-Key")
    if header is not None and not (0 < len(header.strip()) <= 255):
        raise Open311Error(400, "Idempotency-Key must be 1 to 255 characters.")
    content = sorted((k, v) for k, values in data.lists() if k != "api_key" for v in values)
    media = request.FILES.getlist("media")
    if len(media) > 1:
        raise Open311Error(400, "Send at most one media file / send høyst én mediefil.")
    if media:  # a repeat is the same post only with the same file
        media[0].seek(0)
        content.append(("media", hashlib.sha256(media[0].read()).hexdigest()))
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()
    if header is not None:
        key, lifetime = f"key:{header.strip()}", IDEMPOTENCY_KEY_LIFETIME
    else:
        key, lifetime = f"body:{digest}", timedelta(seconds=settings.OPEN311_DUPLICATE_WINDOW)
    mine = {"user_id": None, "client_scope": client.pk, "key": key}  # an Open311 client: no user
    with transaction.atomic():
        # The intake's one idempotency mechanism (services.idempotency), as the REST API's.
        record_id = services.idempotency.claim(**mine, request_hash=digest, lifetime=lifetime)
        if record_id is None:
            first = services.idempotency.kept(**mine)
            # A keyless repeat (same content) gets the first answer, as a keyed one does: GeoReport
            # has no 409, and its clients resend when an answer is lost.
            if first.request_hash != digest:
                raise Open311Error(422, "This Idempotency-Key was used with a different request.")
            return first.response, True
        response, inquiry_id = _register(data, municipality, client, media[0] if media else None)
        services.idempotency.keep(record_id, status_code=201, response=response, inquiry_id=inquiry_id)
    return response, False


def _in_both_languages(error: ValidationError) -> str:
    """A validation message for a system: bokmål / English."""
    said = []
    for language in ("nb", "en"):
        with translation.override(language):
            said.append(" ".join(error.messages))
    return " / ".join(said)


def _media(upload) -> list[CheckedFile]:
    """The post's ``media`` file, checked like the web form's (a message in both languages)."""
    if upload is None:
        return []
    try:
        return [check_upload(upload)]
    except ValidationError as exc:
        raise Open311Error(400, f"media: {_in_both_languages(exc)}") from exc


def _register(data, municipality, client: ApiClient, upload=None) -> tuple[list[dict], int]:
    """Translate GeoReport's POST into the intake use case (``services.register``) and its answer
    back; the rules (a place for a place-bound service, the media link, ...) are the service's."""
    code = data.get("service_code", "")
    if not code:
        raise Open311Error(400, "service_code is required.")
    service = _offered(municipality).filter(slug=code[:100]).first()
    if service is None:  # unknown, unpublished or sensitive (not offered through Open311)
        raise Open311Error(404, "Unknown service_code.")
    files = _media(upload)
    description = data.get("description", "")[:4000]
    place = {field: data.get(parameter, "") for field, parameter in LOCATION_PARAMETERS.items()}
    name = " ".join(v for v in (data.get("first_name", "")[:100], data.get("last_name", "")[:100]) if v)
    subject = (description.splitlines()[0] if description.strip() else service.name)[:200] or service.name
    try:
        inquiry = services.register(
            municipality=municipality,
            channel=Channel.WEB_FORM,
            service=service,
            subject=subject,
            body=description,
            contact_name=name,
            contact_email=data.get("email", "")[:254],
            contact_phone=data.get("phone", "")[:30],
            **place,
            attachments=files,
            media_url=data.get("media_url", "").strip(),
            open311_client=client,
            user=CITIZEN,
        ).inquiry
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise Open311Error(400, "; ".join(exc.messages)) from exc
        # One error per parameter, named as the client sent it: "lat: The place must be in Norway ...".
        messages = [
            f"{LOCATION_PARAMETERS.get(field, field)}: {text}" if field != "__all__" else text
            for field, texts in exc.message_dict.items()
            for text in texts
        ]
        raise Open311Error(400, *messages) from exc
    answer = {
        "service_request_id": inquiry.reference,
        "service_notice": f"Svar innen {inquiry.reply_deadline:%d.%m.%Y}.",
        "account_id": None,
    }
    return [answer], inquiry.pk


@csrf_exempt
@_methods("GET", "POST")
def request_list(request, fmt):
    fmt = _fmt(fmt)
    try:
        municipality = _municipality(request)
        client = _client_of(request, municipality)
        if request.method == "POST":
            _throttle(request, "open311_post", client)
            if client is None:
                given = request.POST.get("api_key")
                raise Open311Error(403, "Invalid api_key." if given else "api_key is required.")
            body, replayed = _post(request, municipality, client)
            response = _render(body, fmt, "service_requests", "request", 201)
            if replayed:
                response["Idempotent-Replayed"] = "true"
            return response
        _throttle(request, "open311_get", client)
        inquiries = _requests(municipality, request.GET)
    except Open311Error as exc:
        return _error(exc, fmt)
    return _render([_request_dict(i, client) for i in inquiries], fmt, "service_requests", "request")


@_methods("GET")
def request_detail(request, request_id, fmt):
    fmt = _fmt(fmt)
    try:
        municipality = _municipality(request)
        client = _client_of(request, municipality)
        _throttle(request, "open311_get", client)
        inquiry = (
            _with_media_url(_open311_inquiries().select_related("service", "unit", "municipality"))
            .filter(municipality=municipality, reference=request_id.upper()[:12])
            .first()
        )
        if inquiry is None:
            raise Open311Error(404, "Unknown service_request_id.")
    except Open311Error as exc:
        return _error(exc, fmt)
    return _render([_request_dict(inquiry, client)], fmt, "service_requests", "request")


#: When the discovery document last changed (GeoReport's ``changeset``).
DISCOVERY_CHANGESET = "2026-12-05T00:00:00Z"


@_methods("GET")
def discovery(request, fmt):
    """GeoReport's discovery document: where the endpoint is and what it speaks."""
    fmt = _fmt(fmt)
    root = request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/")
    data = {
        "changeset": DISCOVERY_CHANGESET,
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": root,
                "changeset": DISCOVERY_CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _render(data, fmt, "discovery", None)


def not_found(request, fmt):
    """Any other address under the endpoint: GeoReport's 404, in the format the path asks for."""
    return _error(Open311Error(404, "Not found / finnes ikke."), _fmt(fmt))
