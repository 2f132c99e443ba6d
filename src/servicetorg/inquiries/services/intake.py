"""Intake: a new inquiry checked (:func:`prepare`), saved (:func:`insert`, with its idempotency claim)
and registered (:func:`register`); the place (:func:`clean_location`), receipts and the lost case link."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from servicetorg.catalogue.models import Service, ServiceState
from servicetorg.core import permissions as core_permissions
from servicetorg.core.choices import Channel
from servicetorg.core.db import is_postgresql
from servicetorg.core.models import Municipality, OutboxMessage, Unit
from servicetorg.core.permissions import CITIZEN, Perm, user_of

from .. import fast_path, notices, rollups, sql
from ..attachments import CheckedFile
from ..deadlines import channel_rules_of, reply_deadline
from ..models import (
    ADDRESS_MAX_LENGTH,
    IDEMPOTENCY_KEY_LIFETIME,
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    ApiClient,
    AttachmentSource,
    Handling,
    IdempotencyRecord,
    Inquiry,
    MessageKind,
    Open311Request,
    hash_token,
    new_token,
)
from .actions import resolve, route
from .base import _check_unit, _log, _require_system
from .files import add_attachments, add_media_link

logger = logging.getLogger(__name__)

#: The channels' values (``Channel.values`` builds its list on each use).
_CHANNELS = frozenset(Channel.values)

#: Inquiry relations that :func:`register` receives as instances (validated by whoever read them).
INTAKE_RELATIONS = ("municipality", "service", "contact_person", "registered_by")


@dataclass
class Registered:
    inquiry: Inquiry
    token: str


def _check_service(municipality: Municipality, service: Service | None) -> None:
    if service is None:
        return
    if service.municipality_id != municipality.pk:
        raise ValidationError({"service": _("The service belongs to another municipality.")})
    if service.state != ServiceState.PUBLISHED:
        raise ValidationError({"service": _("The service is not published.")})


_DEGREES = Decimal("0.000001")  # six decimals: about 0.1 m, the model's precision


def _degrees(value, field: str, example: str) -> Decimal | None:
    """A coordinate from a form, JSON or Open311 value: a number or its text (a decimal comma is
    taken too, as Norwegians write it); None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or len(str(value)) > 30:  # JSON true/false is no coordinate
        value = "?"
    try:
        number = Decimal(str(value).strip().replace(",", ".").replace("\u2212", "-"))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) > 1000:
        raise ValidationError(
            {field: _("Give a number in decimal degrees, e.g. %(example)s.") % {"example": example}}
        )
    return number.quantize(_DEGREES, rounding=ROUND_HALF_UP)


def clean_location(
    latitude=None, longitude=None, address: str = ""
) -> tuple[Decimal | None, Decimal | None, str]:
    """Where it is, checked: (latitude, longitude, address). Both coordinates or neither, each a
    number of decimal degrees inside Norway's bounding box (models.LATITUDE_RANGE and
    LONGITUDE_RANGE), the address at most ADDRESS_MAX_LENGTH characters. Every problem is a
    message on its field (``latitude``, ``longitude``, ``address``), all of them at once."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Decimal | None] = {}
    for field, value, example in (("latitude", latitude, "59.9139"), ("longitude", longitude, "10.7522")):
        try:
            values[field] = _degrees(value, field, example)
        except ValidationError as error:
            errors.update(error.message_dict)
            values[field] = None
    lat, long = values["latitude"], values["longitude"]
    low, high = LATITUDE_RANGE
    if lat is not None and not low <= lat <= high:
        errors["latitude"] = [
            _("The place must be in Norway: latitude between %(low)s and %(high)s.")
            % {"low": low, "high": high}
        ]
    low, high = LONGITUDE_RANGE
    if long is not None and not low <= long <= high:
        errors["longitude"] = [
            _("The place must be in Norway: longitude between %(low)s and %(high)s.")
            % {"low": low, "high": high}
        ]
    if not errors and (lat is None) != (long is None):
        missing = "longitude" if long is None else "latitude"
        errors[missing] = [_("Give both latitude and longitude, or neither.")]
    address = " ".join(str(address or "").split())
    if len(address) > ADDRESS_MAX_LENGTH:
        errors["address"] = [
            _("The address can have at most %(max)d characters (it has %(count)d).")
            % {"max": ADDRESS_MAX_LENGTH, "count": len(address)}
        ]
    if errors:
        raise ValidationError(errors)
    return lat, long, address


@sensitive_variables("fields")
def register(*, user, savepoint: bool = True, **fields) -> Registered:
    """Register an inquiry in a transaction (see :func:`_register` for the fields).

    ``savepoint=False`` when the caller's own transaction covers it (the intake API): no savepoint
    round trips; an error then rolls back the caller's whole transaction.
    """
    with transaction.atomic(savepoint=savepoint):
        return _register(user=user, **fields)


@sensitive_variables("fields", "national_id")
def _register(
    *,
    user,
    resolve_at_desk: bool = False,
    resolution_note: str = "",
    route_to: Unit | None = None,
    handling: str = Handling.FORWARDED,
    to_responsible_unit: bool = False,
    receipt: str = "",
    attachments: Sequence[CheckedFile] = (),
    media_url: str = "",
    open311_client: ApiClient | None = None,
    **fields,
) -> Registered:
    """Register an inquiry (see :func:`prepare` for the fields): the one use case of every channel
    (the contact form, Open311, the REST API and the desk translate their input and call it).
    Optionally resolve it at the desk or route it at once. ``user`` is the staff member registering
    (becomes the contact person), or CITIZEN for a citizen's own intake on a public channel (contact
    form, Open311).

    ``attachments``: checked files (attachments.check_upload), kept with the citizen's text.
    ``media_url``: an Open311 client's link, kept and never fetched. ``open311_client``: the API
    client whose Open311 POST this is (Open311's GET then lists it, and the client reads its text).
    ``to_responsible_unit``: an inquiry about a known service goes straight to the queue of the
    service's responsible unit (the platform routes it; the desk has nothing to add).
    ``receipt``: "email" or "sms" sends the citizen her receipt with the case link (through the
    outbox, in this transaction)."""
    registered = prepare(user=user, **fields)
    _check_unit(registered.inquiry.municipality_id, route_to)
    insert(registered.inquiry, user=user)
    inquiry = registered.inquiry
    if open311_client is not None:
        record_open311_request(inquiry, open311_client, user=user)
    if attachments:
        source = (
            AttachmentSource.OPEN311
            if open311_client is not None
            else AttachmentSource.CITIZEN
            if user is CITIZEN
            else AttachmentSource.STAFF
        )
        first = inquiry.messages.filter(kind=MessageKind.CITIZEN).first()
        add_attachments(inquiry, attachments, user=user, source=source, message=first)
    if media_url:
        add_media_link(inquiry, media_url, user=user)
    municipality = inquiry.municipality
    service = inquiry.service
    if resolve_at_desk:
        resolve(inquiry, user=user, note=resolution_note)
        inquiry.refresh_from_db()
    elif route_to is not None:
        route(inquiry, unit=route_to, handling=handling, user=user, note=resolution_note)
        inquiry.refresh_from_db()
    elif to_responsible_unit and service is not None and service.responsible_unit_id is not None:
        route(
            inquiry,
            unit=service.responsible_unit,
            handling=Handling.FORWARDED,
            user=core_permissions.SYSTEM,
            note=_("Sent straight to the service's responsible unit."),
        )
        inquiry.refresh_from_db()
    if municipality.pk == inquiry.municipality_id:
        inquiry.municipality = municipality  # the receipt reads it: no second query after refresh_from_db
    if receipt:
        if receipt not in RECEIPT_CHANNELS:
            raise ValidationError({"receipt": _("Choose e-mail or SMS for the receipt.")})
        notices.send_receipt(inquiry, by=receipt)
    return registered


#: How a receipt can be sent.
RECEIPT_CHANNELS = ("email", "sms")


#: A lost link is e-mailed at most once per case in this period (repeats find the same outbox row).
LOST_LINK_PERIOD = 24 * 3600


def request_case_link(*, reference: str, email: str, user) -> None:
    """ "Lost the link" as the public page asks it: the same work whether or not ``reference`` and
    ``email`` belong to a case (review 2 §2.7: a timing difference confirmed a pair). Counts the
    request per reference and per address (both, always; the page counts per client address), then
    hands the look-up to a background task after the transaction, so the request does no query that
    depends on the pair. Over a limit the request is dropped silently: the page answers the same."""
    from servicetorg.core.security import KeyedThrottle

    core_permissions.check_actor(user)
    reference = (reference or "").strip().upper()
    email = (email or "").strip().lower()
    if not reference or not email:
        return
    allowed = [
        KeyedThrottle("lost_link_reference", reference).allow_request(None, None),
        KeyedThrottle("lost_link_email", email).allow_request(None, None),
    ]
    if all(allowed):
        transaction.on_commit(lambda: _queue_case_link(reference, email))


def _queue_case_link(reference: str, email: str) -> None:
    from servicetorg.inquiries import tasks

    try:
        tasks.resend_case_link.delay(reference, email)
    except Exception:  # noqa: BLE001 (the broker is down: the citizen asks again later)
        logger.warning("lost-link request dropped: the broker does not answer", exc_info=True)


@transaction.atomic
def resend_case_link(*, reference: str, email: str, user) -> None:
    """A lost link: when ``reference`` and ``email`` belong to one case, its address gets the case
    link again (the current one: earlier links keep working, so a stranger who asks cannot cut the
    citizen off her case), at most once per :data:`LOST_LINK_PERIOD`. Says nothing either way."""
    core_permissions.check_actor(user)
    reference = (reference or "").strip().upper()
    email = (email or "").strip()
    if not reference or not email:
        return
    inquiry = (
        Inquiry.objects.select_related("municipality")
        .filter(reference=reference, contact_email__iexact=email, anonymised_at__isnull=True)
        .first()
    )
    if inquiry is None or not inquiry.token_hash:
        return
    key = f"inquiries.lost-link:{inquiry.pk}:{int(time.time()) // LOST_LINK_PERIOD}"
    if OutboxMessage.objects.filter(key=key).exists():
        return
    _log(inquiry, MessageKind.EVENT, _("The case link was sent again to the citizen's e-mail address."), user)
    notices.send_lost_link(inquiry, inquiry.link_token(), key=key)


@sensitive_variables("national_id")
def prepare(
    *,
    municipality: Municipality,
    channel: str,
    subject: str,
    body: str = "",
    service: Service | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    national_id: str = "",
    latitude=None,
    longitude=None,
    address: str = "",
    user,
    received_at: datetime | None = None,
    language: str = "",
) -> Registered:
    """A new inquiry, checked and with its deadline, reference and secret token; not saved yet
    (:func:`insert` saves it). Raises ValidationError or PermissionDenied, having written nothing.

    ``municipality`` and ``service`` are instances read by the caller (``deadlines`` reads them with
    their channel rules and reply promise in one query each). ``latitude``, ``longitude`` and
    ``address`` say where it is (:func:`clean_location`); the contact form asks for them where the
    service ``asks_location``, the API and Open311 take them for any service. ``language`` is the
    one she writes in (nb, nn, en; every e-mail to her uses it): by default the page's language for
    her own intake, bokmål for staff.
    """
    core_permissions.check_actor(user)
    if user is not CITIZEN:
        core_permissions.require(user, Perm.INQUIRY_REGISTER, municipality.pk, unit_bound=False)
    if channel not in _CHANNELS:
        raise ValidationError({"channel": _("Choose a valid channel.")})
    _check_service(municipality, service)
    latitude, longitude, address = clean_location(latitude, longitude, address)
    if service is not None and service.asks_location and latitude is None and not address:
        # A place-bound service (roads, street lights, water) needs a place, on every channel.
        raise ValidationError(
            {"address": _("This service needs a place: give an address, or latitude and longitude.")}
        )
    national_id = (national_id or "").replace(" ", "")
    if national_id and not (service is not None and service.requires_national_id):
        raise ValidationError(
            {"national_id": _("Only register the national identity number for services that need it.")}
        )
    received_at = received_at or timezone.now()
    deadline, source = reply_deadline(
        municipality.pk, service, channel, received_at, rules=channel_rules_of(municipality)
    )
    token = new_token()
    inquiry = Inquiry(
        municipality=municipality,
        channel=channel,
        service=service,
        subject=subject.strip(),
        body=body,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        national_id=national_id,
        latitude=latitude,
        longitude=longitude,
        address=address,
        language=notices.language_code(language or (translation.get_language() if user is CITIZEN else "")),
        registered_by=user_of(user),
        contact_person=user_of(user),
        received_at=received_at,
        first_deadline=deadline,
        reply_deadline=deadline,
        deadline_source=source,
        token_hash=hash_token(token),
    )
    inquiry._history_user = user_of(user)
    # The related objects are instances read by the caller: no existence queries for them. The
    # reference is random (the unique index catches the rare collision), the token hash is ours.
    # The place was checked by clean_location. No constraint is validated in Python: the reference's
    # uniqueness and "both coordinates or neither" are the database's (Django builds a query of every
    # field to check a CheckConstraint: about a third of the intake's CPU, for nothing).
    inquiry.full_clean(
        exclude=["reference", "token_hash", *INTAKE_RELATIONS],
        validate_unique=False,
        validate_constraints=False,
    )
    return Registered(inquiry=inquiry, token=token)


@dataclass(frozen=True)
class IdempotencyClaim:
    """An Idempotency-Key to claim in the statement that inserts the inquiry, with the response to
    keep for repeats (the inquiry's id is filled in by the insert)."""

    user_id: int
    key: str
    request_hash: str
    response: dict
    status_code: int = 201
    client_scope: int = 0  # the ApiClient's id; 0 for a user's own session or basic authentication


def idempotency_cutoff():
    """Keys first used before this moment have expired (and may be claimed again)."""
    return timezone.now() - IDEMPOTENCY_KEY_LIFETIME


def purge_idempotency_keys(*, user) -> int:
    """Delete expired Idempotency-Key records (hourly task, as SYSTEM: they span every municipality).
    Records are inserted in id order, so the expired ones are those below the oldest live id: read and
    deleted along the primary key."""
    _require_system(user)
    live = IdempotencyRecord.objects.filter(created_at__gte=idempotency_cutoff()).order_by("pk")
    first_live = live.values_list("pk", flat=True).first()
    expired = IdempotencyRecord.objects.all()
    if first_live is not None:
        expired = expired.filter(pk__lt=first_live)
    deleted, _by_model = expired.delete()
    return deleted


def insert(inquiry: Inquiry, *, user, claim: IdempotencyClaim | None = None) -> bool:
    """Save a :func:`prepare`d inquiry with its history row ("+"), its rollup counts and the citizen's
    text as its first message; with ``claim``, also the idempotency record. All or nothing.

    False, having written nothing, when the claim's key is taken (by a committed request, or by one
    in flight: the insert waits for it to end). On PostgreSQL it is one statement, planned once per
    connection; model save signals are not sent on that path (the history row is the only receiver).
    """
    if is_postgresql() and fast_path.enabled():
        counts = rollups.new_inquiry_statements(inquiry, for_each_row_of="i")
        return sql.insert_inquiry(inquiry, user, claim, counts, idempotency_cutoff())
    with transaction.atomic():
        record = None
        if claim is not None:
            mine = {"user_id": claim.user_id, "client_scope": claim.client_scope, "key": claim.key}
            # An expired key may be used again: its old record gives way.
            IdempotencyRecord.objects.filter(**mine, created_at__lt=idempotency_cutoff()).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(**mine, request_hash=claim.request_hash)
            except IntegrityError:
                return False
        inquiry.save()
        rollups.apply_change(None, rollups.snapshot(inquiry))
        if inquiry.body:
            _log(inquiry, MessageKind.CITIZEN, inquiry.body, CITIZEN)
        if record is not None:
            record.status_code = claim.status_code
            record.response = {**claim.response, "id": inquiry.pk}
            record.inquiry = inquiry
            record.save(update_fields=["status_code", "response", "inquiry"])
    return True


@transaction.atomic
def record_open311_request(inquiry: Inquiry, client: ApiClient, *, user) -> Open311Request:
    """The inquiry came in through Open311 (``client``'s POST): Open311's GET lists it.

    ``user`` is who registered it: CITIZEN (Open311 clients act as no user) or staff who may register
    inquiries in the municipality. The client must be the inquiry's municipality's."""
    core_permissions.check_actor(user)
    if user is not CITIZEN:
        core_permissions.require(user, Perm.INQUIRY_REGISTER, inquiry.municipality_id, unit_bound=False)
    if client.municipality_id != inquiry.municipality_id:
        raise ValidationError(_("The API client belongs to another municipality."))
    return Open311Request.objects.create(inquiry=inquiry, client=client)
