"""Domain operations on inquiries: used by staff views, the API, Open311, admin and commands alike.

Every operation is one transaction through :func:`_transition`: it checks the actor, locks the
inquiry, takes the rollup snapshot, moves the state by the table (transitions.py, core's workflow
helper), lets the operation change the inquiry, writes the message log, saves and updates the
dashboard rollups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from servicetorg.catalogue import selectors as catalogue_selectors
from servicetorg.catalogue.models import Service, ServiceState
from servicetorg.core import formatting, outbox
from servicetorg.core import permissions as core_permissions
from servicetorg.core.choices import Channel
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.db import is_postgresql
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.permissions import CITIZEN, Perm, user_of
from servicetorg.core.tenancy import has_role
from servicetorg.core.workdays import add_working_days

from . import case_extensions, fast_path, notices, permissions, rollups, sql
from .attachments import CheckedFile
from .deadlines import channel_rules_of, reply_deadline
from .models import (
    ADDRESS_MAX_LENGTH,
    IDEMPOTENCY_KEY_LIFETIME,
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    OPEN_STATES,
    ApiClient,
    Attachment,
    AttachmentSource,
    ChannelRule,
    Compensation,
    CompensationState,
    DeadlineSource,
    Handling,
    IdempotencyRecord,
    Inquiry,
    InquiryMessage,
    MessageKind,
    Open311Request,
    Open311Submission,
    hash_token,
    new_token,
)
from .transitions import WORKFLOW, Action

#: Roles that may register and work on inquiries (council members see only the dashboards). Which
#: inquiries each of them reads and works on: permissions.py; the roles matrix: core.permissions.
WORK_ROLES = core_permissions.roles_for(Perm.INQUIRY_WORK)
#: Roles that see the dashboards (aggregates only).
DASHBOARD_ROLES = core_permissions.roles_for(Perm.INQUIRY_DASHBOARD)
#: Roles that set the channel rules and settle compensations.
ADMINISTRATION_ROLES = core_permissions.roles_for(Perm.INQUIRY_ADMINISTER)


#: The channels' values (``Channel.values`` builds its list on each use).
_CHANNELS = frozenset(Channel.values)

#: Inquiry relations that :func:`register` receives as instances (validated by whoever read them).
INTAKE_RELATIONS = ("municipality", "service", "contact_person", "registered_by")


@dataclass
class Registered:
    inquiry: Inquiry
    token: str


def _require_work(user, inquiry: Inquiry) -> None:
    """The actor may work on this inquiry (reads it and holds a working role): permissions.py."""
    permissions.require_work(user, inquiry)


def _require_system(user) -> None:
    """Operations over every municipality at once (nightly tasks) are the platform's own."""
    core_permissions.check_actor(user)
    if not core_permissions.is_system(user):
        raise PermissionDenied


def _log(inquiry: Inquiry, kind: str, text: str, user) -> InquiryMessage:
    return InquiryMessage.objects.create(inquiry=inquiry, kind=kind, text=text, author=user_of(user))


def _locked(inquiry: Inquiry) -> Inquiry:
    locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    locked._loaded_relations = {f.attname: getattr(locked, f.attname) for f in _RELATIONS}  # type: ignore[attr-defined]
    return locked


#: The inquiry's foreign keys (all with database constraints, none with limit_choices_to).
_RELATIONS = [f for f in Inquiry._meta.concrete_fields if f.is_relation]


def _known_relations(inquiry: Inquiry) -> list[str]:
    """Foreign keys that full_clean() need not look up (one SELECT each): empty, unchanged since the
    row was read (the database's constraint keeps the target), or set to an object read from the
    database. A reference set to anything else is still checked."""
    loaded = getattr(inquiry, "_loaded_relations", {})
    known = []
    for field in _RELATIONS:
        value = getattr(inquiry, field.attname)
        cached = field.get_cached_value(inquiry, None) if field.is_cached(inquiry) else None
        if (
            value is None
            or (field.attname in loaded and loaded[field.attname] == value)
            or (cached is not None and not cached._state.adding and cached.pk == value)
        ):
            known.append(field.name)
    return known


def _save(inquiry: Inquiry, before, user) -> Inquiry:
    inquiry._history_user = user_of(user)
    # Constraints are the database's (see prepare); the place only changes through clean_location.
    inquiry.full_clean(
        exclude=["reference", "token_hash", *_known_relations(inquiry)], validate_constraints=False
    )
    inquiry.save()
    rollups.apply_change(before, rollups.snapshot(inquiry))
    return inquiry


def _transition(
    inquiry: Inquiry,
    action: str,
    *,
    user,
    log: tuple[str, str],
    check: Callable[[], None] | None = None,
    change: Callable[[Inquiry], None] | None = None,
    require: bool = True,
) -> tuple[Inquiry, InquiryMessage]:
    """The steps every inquiry transition shares, in the caller's transaction; returns (inquiry, message).

    The actor's right to work on the inquiry (``require=False`` only where the caller has checked
    another right, e.g. the citizen's secret link), ``check`` of the input, the row lock, the rollup
    snapshot, the next state by the table (``TransitionRefused`` when the table has no such pair),
    ``change`` on the locked inquiry (it may raise ``ValidationError``), the message log entry
    ``log = (kind, text)``, then validation, save and the rollup update.
    """
    if require:
        _require_work(user, inquiry)
    if check is not None:
        check()
    inquiry = _locked(inquiry)
    before = rollups.snapshot(inquiry)
    WORKFLOW.apply(inquiry, action)
    if change is not None:
        change(inquiry)
    kind, text = log
    message = _log(inquiry, kind, text, user)
    return _save(inquiry, before, user), message


def _check_service(municipality: Municipality, service: Service | None) -> None:
    if service is None:
        return
    if service.municipality_id != municipality.pk:
        raise ValidationError({"service": _("The service belongs to another municipality.")})
    if service.state != ServiceState.PUBLISHED:
        raise ValidationError({"service": _("The service is not published.")})


def _check_unit(municipality_id: int, unit: Unit | None) -> None:
    if unit is not None and unit.municipality_id != municipality_id:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})


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
def register(*, savepoint: bool = True, **fields) -> Registered:
    """Register an inquiry in a transaction (see :func:`_register` for the fields).

    ``savepoint=False`` when the caller's own transaction covers it (the intake API): no savepoint
    round trips; an error then rolls back the caller's whole transaction.
    """
    with transaction.atomic(savepoint=savepoint):
        return _register(**fields)


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
    **fields,
) -> Registered:
    """Register an inquiry (see :func:`prepare` for the fields); optionally resolve it at the desk or
    route it at once. ``user`` is the staff member registering (becomes the contact person), or
    CITIZEN for a citizen's own intake on a public channel (contact form, Open311).

    ``to_responsible_unit``: an inquiry about a known service goes straight to the queue of the
    service's responsible unit (the platform routes it; the desk has nothing to add).
    ``receipt``: "email" or "sms" sends the citizen her receipt with the case link (through the
    outbox, in this transaction)."""
    registered = prepare(user=user, **fields)
    _check_unit(registered.inquiry.municipality_id, route_to)
    insert(registered.inquiry, user)
    inquiry = registered.inquiry
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


@transaction.atomic
def resend_case_link(*, reference: str, email: str, user=CITIZEN) -> None:
    """A lost link: when ``reference`` and ``email`` belong to one case, the case gets a new secret and
    its address a new link (links sent before stop opening the case). Says nothing either way, so a
    stranger learns nothing about which cases or addresses exist."""
    core_permissions.check_actor(user)
    reference = (reference or "").strip().upper()
    email = (email or "").strip()
    if not reference or not email:
        return
    inquiry = (
        Inquiry.objects.select_for_update()
        .select_related("municipality")
        .filter(reference=reference, contact_email__iexact=email)
        .first()
    )
    if inquiry is None:
        return
    token = new_token()
    inquiry.token_hash = hash_token(token)
    Inquiry.objects.filter(pk=inquiry.pk).update(token_hash=inquiry.token_hash)
    _log(inquiry, MessageKind.EVENT, _("A new case link was sent to the citizen's e-mail address."), user)
    notices.send_lost_link(inquiry, token, key=f"inquiries.lost-link:{inquiry.pk}:{inquiry.token_hash[:16]}")


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
) -> Registered:
    """A new inquiry, checked and with its deadline, reference and secret token; not saved yet
    (:func:`insert` saves it). Raises ValidationError or PermissionDenied, having written nothing.

    ``municipality`` and ``service`` are instances read by the caller (``deadlines`` reads them with
    their channel rules and reply promise in one query each). ``latitude``, ``longitude`` and
    ``address`` say where it is (:func:`clean_location`); the contact form asks for them where the
    service ``asks_location``, the API and Open311 take them for any service.
    """
    core_permissions.check_actor(user)
    if user is not CITIZEN:
        core_permissions.require(user, Perm.INQUIRY_REGISTER, municipality.pk, unit_bound=False)
    if channel not in _CHANNELS:
        raise ValidationError({"channel": _("Choose a valid channel.")})
    _check_service(municipality, service)
    latitude, longitude, address = clean_location(latitude, longitude, address)
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


def purge_idempotency_keys() -> int:
    """Delete expired Idempotency-Key records (hourly task). Records are inserted in id order, so the
    expired ones are those below the oldest live id: read and deleted along the primary key."""
    live = IdempotencyRecord.objects.filter(created_at__gte=idempotency_cutoff()).order_by("pk")
    first_live = live.values_list("pk", flat=True).first()
    expired = IdempotencyRecord.objects.all()
    if first_live is not None:
        expired = expired.filter(pk__lt=first_live)
    deleted, _by_model = expired.delete()
    old_posts, _by_model = Open311Submission.objects.filter(created_at__lt=idempotency_cutoff()).delete()
    return deleted + old_posts


def insert(inquiry: Inquiry, user, claim: IdempotencyClaim | None = None) -> bool:
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
def resolve(inquiry: Inquiry, *, user, note: str = "") -> Inquiry:
    """Ferdigbehandlet: the desk answered the citizen there and then."""

    def change(inquiry: Inquiry) -> None:
        now = timezone.now()
        inquiry.handling = Handling.RESOLVED_AT_DESK
        inquiry.replied_at = inquiry.closed_at = now
        inquiry.breached = timezone.localdate(now) > inquiry.reply_deadline

    log = (MessageKind.REPLY, note or _("Resolved at the service desk."))
    saved = _transition(inquiry, Action.RESOLVE_AT_DESK, user=user, log=log, change=change)[0]
    case_extensions.case_closed(saved)
    return saved


@transaction.atomic
def route(
    inquiry: Inquiry, *, unit: Unit, handling: str = Handling.FORWARDED, user, note: str = ""
) -> Inquiry:
    """Send the inquiry to a unit (partly handled or forwarded); the contact person stays."""

    def check() -> None:
        _check_unit(inquiry.municipality_id, unit)
        if handling not in (Handling.PARTLY_HANDLED, Handling.FORWARDED):
            raise ValidationError({"handling": _("Choose partly handled or forwarded.")})

    def change(inquiry: Inquiry) -> None:
        if inquiry.handling == Handling.PENDING or inquiry.unit_id is None:
            inquiry.handling = handling
        inquiry.unit = unit
        inquiry.assigned_to = None
        if inquiry.contact_person_id is None:
            inquiry.contact_person = user_of(user)

    text = _("Routed to %(unit)s.") % {"unit": unit.name}
    log = (MessageKind.EVENT, f"{text} {note}".strip())
    return _transition(inquiry, Action.ROUTE, user=user, log=log, check=check, change=change)[0]


@transaction.atomic
def take(inquiry: Inquiry, *, user) -> Inquiry:
    """A case officer takes the inquiry (becomes its handler; contact person if it has none)."""

    def change(inquiry: Inquiry) -> None:
        inquiry.assigned_to = user_of(user)
        if inquiry.contact_person_id is None:
            inquiry.contact_person = user_of(user)

    log = (MessageKind.EVENT, _("Taken by %(user)s.") % {"user": _name(user)})
    return _transition(inquiry, Action.TAKE, user=user, log=log, change=change)[0]


def _name(user) -> str:
    if user_of(user) is None:
        return "–"
    return user.get_full_name() or user.get_username()


@transaction.atomic
def preliminary_reply(inquiry: Inquiry, *, reason: str, expected_date: date, user) -> Inquiry:
    """Foreløpig svar: why it takes longer and when the citizen can expect the answer."""

    def check() -> None:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the reply takes longer.")})

    def change(inquiry: Inquiry) -> None:
        if expected_date <= inquiry.reply_deadline:
            raise ValidationError(
                {"expected_date": _("The expected date must be after the current deadline.")}
            )
        today = timezone.localdate()
        if today > inquiry.first_deadline and inquiry.preliminary_reply_at is None:
            inquiry.breached = True  # the preliminary reply itself came too late
        inquiry.preliminary_reply_at = timezone.now()
        inquiry.reply_deadline = expected_date
        inquiry.deadline_source = DeadlineSource.PRELIMINARY
        inquiry.warning_sent_for = None

    text = _("%(reason)s\n\nExpected reply by %(date)s.") % {
        "reason": reason.strip(),
        "date": formatting.date(expected_date),
    }
    log = (MessageKind.PRELIMINARY, text)
    saved, logged = _transition(
        inquiry, Action.PRELIMINARY_REPLY, user=user, log=log, check=check, change=change
    )
    if saved.breached:
        _compensate(saved)
    _notify_citizen(
        saved, logged, _("Preliminary reply to your inquiry %(ref)s") % {"ref": saved.reference}, reason
    )
    return saved


@transaction.atomic
def ask_citizen(inquiry: Inquiry, *, text: str, user) -> Inquiry:
    def check() -> None:
        if not text.strip():
            raise ValidationError({"text": _("Write the question.")})

    log = (MessageKind.QUESTION, text.strip())
    saved, logged = _transition(inquiry, Action.ASK_CITIZEN, user=user, log=log, check=check)
    _notify_citizen(saved, logged, _("Question about your inquiry %(ref)s") % {"ref": saved.reference}, text)
    return saved


@transaction.atomic
def reply(inquiry: Inquiry, *, text: str, user, attachments: Sequence[CheckedFile] = ()) -> Inquiry:
    """The answer to the citizen, with ``attachments`` (checked files) for her; late answers mark the
    deadline as broken."""

    def check() -> None:
        if not text.strip():
            raise ValidationError({"text": _("Write the reply.")})

    def change(inquiry: Inquiry) -> None:
        now = timezone.now()
        if inquiry.replied_at is None:
            inquiry.replied_at = now
            if timezone.localdate(now) > inquiry.reply_deadline:
                inquiry.breached = True
        if inquiry.assigned_to_id is None:
            inquiry.assigned_to = user_of(user)

    log = (MessageKind.REPLY, text.strip())
    saved, logged = _transition(inquiry, Action.REPLY, user=user, log=log, check=check, change=change)
    stored = _store_attachments(saved, attachments, user=user, source=AttachmentSource.STAFF, message=logged)
    if saved.breached:
        _compensate(saved)
    if stored:  # the files stay on the platform: the e-mail names them, the case link serves them
        names = ", ".join(a.name for a in stored)
        text = f"{text.strip()}\n\n" + _("Attached (download from your case page): %(names)s") % {
            "names": names
        }
    _notify_citizen(saved, logged, _("Reply to your inquiry %(ref)s") % {"ref": saved.reference}, text)
    return saved


@transaction.atomic
def citizen_message(
    inquiry: Inquiry, *, text: str, user=CITIZEN, attachments: Sequence[CheckedFile] = ()
) -> Inquiry:
    """The citizen writes (CITIZEN: through the secret link, which the caller has checked), or staff
    register what she sent another way; ``attachments`` (checked files) go with the message."""

    def check() -> None:
        if not text.strip():
            raise ValidationError({"text": _("Write a message.")})

    log = (MessageKind.CITIZEN, text.strip())
    # CITIZEN holds no working right: the secret link, checked by the caller, is hers.
    saved, logged = _transition(
        inquiry, Action.CITIZEN_MESSAGE, user=user, log=log, check=check, require=user is not CITIZEN
    )
    source = AttachmentSource.CITIZEN if user is CITIZEN else AttachmentSource.STAFF
    _store_attachments(saved, attachments, user=user, source=source, message=logged)
    return saved


# --- Attachments --------------------------------------------------------------------------------


@transaction.atomic
def add_attachments(
    inquiry: Inquiry,
    files: Sequence[CheckedFile],
    *,
    user,
    source: str,
    message: InquiryMessage | None = None,
) -> list[Attachment]:
    """Store checked files (attachments.check_upload) on ``inquiry``. Staff need the right to work on
    it; CITIZEN is the citizen on her own intake or case link, which the caller has checked. With
    ``message`` the files belong to that message (the citizen's text, a reply)."""
    core_permissions.check_actor(user)
    if user is not CITIZEN:
        _require_work(user, inquiry)
    return _store_attachments(inquiry, files, user=user, source=source, message=message)


def _store_attachments(
    inquiry: Inquiry, files: Sequence[CheckedFile], *, user, source: str, message: InquiryMessage | None
) -> list[Attachment]:
    """Write the files and their rows in the caller's transaction, and log them in the case's message
    log (an event, with who and when). Should anything here fail, the files written are deleted."""
    if not files:
        return []
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationError(
            {
                "attachments": _("Send at most %(max)s files at a time.")
                % {"max": settings.ATTACHMENT_MAX_FILES}
            }
        )
    written: list[str] = []
    saved: list[Attachment] = []
    try:
        with transaction.atomic():
            for checked in files:
                attachment = Attachment(
                    municipality_id=inquiry.municipality_id,
                    inquiry=inquiry,
                    message=message,
                    source=source,
                    name=checked.name,
                    content_type=checked.content_type,
                    size=checked.size,
                    author=user_of(user),
                )
                attachment.file.save("upload", ContentFile(checked.content), save=False)
                written.append(attachment.file.name)
                attachment.save()
                saved.append(attachment)
            names = ", ".join(f"{a.name} ({filesizeformat(a.size)})" for a in saved)
            _log(inquiry, MessageKind.EVENT, _("Attachments added: %(names)s") % {"names": names}, user)
    except BaseException:
        storage = Attachment._meta.get_field("file").storage  # type: ignore[union-attr]
        for name in written:
            storage.delete(name)
        raise
    return saved


def sweep_orphan_files(*, user, older_than: timedelta = timedelta(hours=24)) -> int:
    """Delete attachment files that no row names, older than ``older_than`` (younger ones may belong to
    a transaction still running). Such a file is left only when a transaction that wrote it rolled
    back after :func:`_store_attachments` returned; it is never served, and this removes it.
    Returns the number of files deleted. The platform's own (``SYSTEM``) operation."""
    _require_system(user)
    storage = Attachment._meta.get_field("file").storage  # type: ignore[union-attr]
    cutoff = timezone.now() - older_than
    deleted = 0
    try:
        folders, _files = storage.listdir("")
    except FileNotFoundError:
        return 0
    for folder in folders:
        names = [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
        known = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
        for name in names:
            if name not in known and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                deleted += 1
    return deleted


@transaction.atomic
def record_open311_request(inquiry: Inquiry, client: ApiClient, *, user=CITIZEN) -> Open311Request:
    """The inquiry came in through Open311 (``client``'s POST): Open311's GET lists it."""
    core_permissions.check_actor(user)
    return Open311Request.objects.create(inquiry=inquiry, client=client)


def add_media_link(inquiry: Inquiry, url: str, *, user=CITIZEN) -> Attachment:
    """An Open311 client's ``media_url``: kept as a link, never fetched (no request to an address a
    client chose leaves the server)."""
    core_permissions.check_actor(user)
    if user is not CITIZEN:
        _require_work(user, inquiry)
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ValidationError({"media_url": _("The media_url must be an http or https address.")}) from error
    if len(url) > 500:
        raise ValidationError({"media_url": _("The media_url may be at most 500 characters.")})
    name = (url.rsplit("/", 1)[-1].split("?", 1)[0] or url)[:120]
    attachment = Attachment.objects.create(
        municipality_id=inquiry.municipality_id,
        inquiry=inquiry,
        source=AttachmentSource.OPEN311,
        media_url=url,
        name=name,
        author=user_of(user),
    )
    _log(inquiry, MessageKind.EVENT, _("Media link added: %(url)s") % {"url": url}, user)
    return attachment


@transaction.atomic
def close(inquiry: Inquiry, *, user) -> Inquiry:
    def change(inquiry: Inquiry) -> None:
        inquiry.closed_at = timezone.now()

    log = (MessageKind.EVENT, _("Closed."))
    saved, logged = _transition(inquiry, Action.CLOSE, user=user, log=log, change=change)
    case_extensions.case_closed(saved)  # e.g. the satisfaction question (surveys), same transaction
    text = _(
        "Your inquiry is closed. You can still read it with the link below; "
        "write a new inquiry if you need more help."
    )
    if saved.contact_email:
        notes = case_extensions.closing_notes(saved, notices.case_url(saved))
        text = "\n\n".join([text, *notes])
    _notify_citizen(saved, logged, _("Your inquiry %(ref)s is closed") % {"ref": saved.reference}, text)
    return saved


@transaction.atomic
def reopen(inquiry: Inquiry, *, user, note: str = "") -> Inquiry:
    def change(inquiry: Inquiry) -> None:
        inquiry.closed_at = None

    log = (MessageKind.EVENT, f"{_('Reopened.')} {note}".strip())
    return _transition(inquiry, Action.REOPEN, user=user, log=log, change=change)[0]


@transaction.atomic
def change_contact_person(inquiry: Inquiry, *, contact_person, user) -> Inquiry:
    """Hand the case over to another contact person (still one at a time), while the case is open."""

    def check() -> None:
        if not core_permissions.can(
            contact_person, Perm.INQUIRY_WORK, inquiry.municipality_id, unit_bound=False
        ):
            raise ValidationError({"contact_person": _("The contact person must work in this municipality.")})

    def change(inquiry: Inquiry) -> None:
        inquiry.contact_person = contact_person

    log = (MessageKind.EVENT, _("Contact person: %(user)s.") % {"user": _name(contact_person)})
    return _transition(inquiry, Action.CHANGE_CONTACT_PERSON, user=user, log=log, check=check, change=change)[
        0
    ]


def _compensate(inquiry: Inquiry) -> Compensation | None:
    """A compensation record when the broken promise is under a guarantee with an amount."""
    if inquiry.service is None or hasattr(inquiry, "compensation"):
        return None
    promise = catalogue_selectors.promise_for(inquiry.service, "reply")
    if promise is None or not promise.compensation_amount:
        return None
    compensation, _created = Compensation.objects.get_or_create(
        inquiry=inquiry,
        defaults={
            "municipality_id": inquiry.municipality_id,
            "amount": promise.compensation_amount,
            "guarantee": promise.guarantee,
        },
    )
    return compensation


@transaction.atomic
def mark_breaches(today: date | None = None, *, user) -> int:
    """Open inquiries past their deadline: mark broken, create compensations. Returns how many.
    A nightly task over every municipality: ``user`` is SYSTEM."""
    _require_system(user)
    today = today or timezone.localdate()
    overdue = (
        Inquiry.objects.select_for_update(of=("self",))
        .select_related("service")
        .filter(state__in=OPEN_STATES, breached=False, reply_deadline__lt=today)
    )
    count = 0
    for inquiry in overdue:
        before = rollups.snapshot(inquiry)
        inquiry.breached = True
        inquiry.save(update_fields=["breached", "updated_at"])
        rollups.apply_change(before, rollups.snapshot(inquiry))
        _compensate(inquiry)
        count += 1
    return count


@transaction.atomic
def settle_compensation(compensation: Compensation, *, state: str, note: str = "", user) -> Compensation:
    core_permissions.require(user, Perm.INQUIRY_ADMINISTER, compensation.municipality_id)
    if state not in (CompensationState.PAID, CompensationState.REJECTED):
        raise ValidationError({"state": _("Choose paid or rejected.")})
    compensation = Compensation.objects.select_for_update().get(pk=compensation.pk)
    if compensation.state != CompensationState.OPEN:
        raise ValidationError(_("This compensation is already settled."))
    if state == CompensationState.REJECTED and not note.strip():
        raise ValidationError({"note": _("Give the reason for rejecting.")})
    compensation.state = state
    compensation.note = note
    compensation.settled_at = timezone.now()
    compensation.settled_by = user_of(user)
    compensation._history_user = user_of(user)
    compensation.save()
    return compensation


@transaction.atomic
def set_channel_rule(*, municipality: Municipality, channel: str, working_days: int, user) -> ChannelRule:
    core_permissions.require(user, Perm.INQUIRY_ADMINISTER, municipality.pk)
    rule = ChannelRule.objects.filter(municipality=municipality, channel=channel).first() or ChannelRule(
        municipality=municipality, channel=channel
    )
    rule.working_days = working_days
    rule._history_user = user_of(user)
    rule.full_clean()
    rule.save()
    return rule


def due_for_warning(today: date | None = None):
    """Open inquiries due by the next working day whose current deadline has not been warned about.

    Deadlines of today are included: their warning was due on an earlier run that did not happen
    (the worker was down), and is sent now, marked late.
    """
    today = today or timezone.localdate()
    tomorrow = add_working_days(today, 1)
    return (
        Inquiry.objects.filter(state__in=OPEN_STATES, reply_deadline__gte=today, reply_deadline__lte=tomorrow)
        .exclude(warning_sent_for=F("reply_deadline"))
        .select_related("contact_person", "assigned_to", "unit")
        .order_by("reply_deadline", "pk")
    )


def send_warnings(today: date | None = None, *, user) -> int:
    """Warn about deadlines of the next working day (see :func:`warn_due`); returns how many."""
    return warn_due(today, user=user)["warned"]


def warn_due(today: date | None = None, *, user) -> dict:
    """E-mail the contact person and case officer (or the unit) one working day before the deadline.

    Each warning is written to the outbox in the transaction that records it as sent
    (``warning_sent_for``), keyed by inquiry and deadline: a re-run, or a task run twice after a
    worker died, never warns twice about one deadline. A warning that should have gone out on an
    earlier day is sent now and says it is late. Returns {"warned": n, "late": m}. A task over
    every municipality: ``user`` is SYSTEM.
    """
    _require_system(user)
    today = today or timezone.localdate()
    tomorrow = add_working_days(today, 1)
    warned = late_count = 0
    for inquiry in due_for_warning(today):
        with transaction.atomic():
            locked = Inquiry.objects.select_for_update().filter(pk=inquiry.pk, state__in=OPEN_STATES).first()
            if locked is None or locked.warning_sent_for == locked.reply_deadline:
                continue  # closed meanwhile, or warned by a concurrent run
            if locked.reply_deadline != inquiry.reply_deadline:
                continue  # the deadline moved meanwhile: the next run looks at it again
            late = inquiry.reply_deadline < tomorrow
            recipients = [
                getattr(inquiry.contact_person, "email", ""),
                getattr(inquiry.assigned_to, "email", ""),
                getattr(inquiry.unit, "email", "") if inquiry.assigned_to_id is None else "",
            ]
            values = {"subject": inquiry.subject, "ref": inquiry.reference, "date": inquiry.reply_deadline}
            subject = _("Inquiry %(ref)s is due %(date)s") % values
            body = _("The inquiry “%(subject)s” (%(ref)s) must be answered by %(date)s.") % values
            if late:
                subject = _("Late warning: %(subject)s") % {"subject": subject}
                body += "\n\n" + _(
                    "This warning was due on an earlier working day but could not be sent then."
                )
            outbox.enqueue_email(
                municipality=inquiry.municipality_id,
                to=recipients,
                subject=subject,
                body=body,
                key=f"inquiries.deadline-warning:{inquiry.pk}:{inquiry.reply_deadline.isoformat()}",
            )
            Inquiry.objects.filter(pk=inquiry.pk).update(warning_sent_for=inquiry.reply_deadline)
            warned += 1
            late_count += late
    return {"warned": warned, "late": late_count}


def _notify_citizen(inquiry: Inquiry, logged: InquiryMessage, subject: str, text: str) -> None:
    """E-mail the citizen (when she left an address) through the outbox, in the caller's transaction."""
    if not inquiry.contact_email:
        return
    body = notices.change_text(inquiry, text)
    outbox.enqueue_email(
        municipality=inquiry.municipality_id,
        to=inquiry.contact_email,
        subject=subject,
        body=body,
        key=f"inquiries.citizen-notice:{inquiry.pk}:{logged.pk}",
    )


def compensation_total(compensations) -> Decimal:
    return sum((c.amount for c in compensations), Decimal("0"))


def create_api_client(*, municipality: Municipality, name: str, user, service_account=None) -> tuple:
    """A new API client for the municipality; returns (client, key). The key is shown only once.

    Without a ``service_account`` the key serves Open311 only; with one (a user with a working role in
    the municipality) it serves the REST API only (``Authorization: Api-Key <key>``): one key, one
    channel.
    """
    import secrets

    from .models import ApiChannel, ApiClient

    core_permissions.require(user, Perm.INQUIRY_ADMINISTER, municipality.pk)
    if service_account is not None and not has_role(service_account, municipality.pk, WORK_ROLES):
        raise ValidationError({"user": _("The service account must work in this municipality.")})
    key = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        municipality=municipality,
        name=name,
        key_hash=hash_token(key),
        user=service_account,
        channel=ApiChannel.REST if service_account is not None else ApiChannel.OPEN311,
    )
    return client, key


def reencrypt_national_ids(*, user, batch: int = 500) -> int:
    """Encrypt every stored fødselsnummer again with the first of ``FIELD_ENCRYPTION_KEYS`` and
    recompute its digest with ``NATIONAL_ID_HASH_KEY`` (key rotation, docs/operations.md). Each
    batch in its own transaction; safe to run again. No history rows (the number is not in them)."""
    _require_system(user)
    done = 0
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                Inquiry.objects.select_for_update()
                .filter(pk__gt=last)
                .exclude(national_id="")
                .order_by("pk")
                .values_list("pk", "national_id")[:batch]
            )
            for pk, value in rows:
                Inquiry.objects.filter(pk=pk).update(
                    national_id=value, national_id_digest=national_id_digest(value)
                )
        if not rows:
            return done
        done += len(rows)
        last = rows[-1][0]
