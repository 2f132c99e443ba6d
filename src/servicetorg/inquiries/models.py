"""Inquiries (henvendelser) at the service desk, their deadlines, replies and dashboard rollups."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.catalogue.models import Service
from servicetorg.core.choices import Channel
from servicetorg.core.crypto import DigestField, EncryptedTextField
from servicetorg.core.maps import LATITUDE_RANGE, LONGITUDE_RANGE
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.validators import validate_national_id

# Where a place may lie (LATITUDE_RANGE, LONGITUDE_RANGE): Norway's bounding box, from core/maps.py.
ADDRESS_MAX_LENGTH = 200

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud on the phone


def new_reference() -> str:
    """Eight random letters of the 32-letter alphabet, from 40 random bits (one system call)."""
    bits = int.from_bytes(secrets.token_bytes(5))
    raw = "".join(REFERENCE_ALPHABET[(bits >> shift) & 31] for shift in range(0, 40, 5))
    return f"{raw[:4]}-{raw[4:]}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class State(models.TextChoices):
    NEW = "new", _("New")
    ROUTED = "routed", _("Routed to a unit")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the citizen")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")


OPEN_STATES = (State.NEW, State.ROUTED, State.IN_PROGRESS, State.WAITING)


class Handling(models.TextChoices):
    """How the service desk handled the inquiry (resolution degree)."""

    PENDING = "pending", _("Not yet handled")
    RESOLVED_AT_DESK = "resolved_at_desk", _("Resolved at the desk")
    PARTLY_HANDLED = "partly_handled", _("Partly handled, finished by the unit")
    FORWARDED = "forwarded", _("Forwarded unhandled")


class DeadlineSource(models.TextChoices):
    SERVICE = "service", _("Service declaration")
    CHANNEL_RULE = "channel_rule", _("Municipal rule for the channel")
    PRELIMINARY = "preliminary", _("Preliminary reply")


class Inquiry(models.Model):
    """A henvendelse: one contact from a citizen, through one channel, about one service (or unknown)."""

    # Foreign keys led by a composite index in Meta carry no index of their own (every index is
    # written on every intake).
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="inquiries", db_index=False
    )
    reference = models.CharField(_("reference"), max_length=12, default=new_reference)
    token_hash = models.CharField(max_length=64, editable=False, default="")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("service"),
        help_text=_("Leave empty when the service is unknown."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    contact_name = models.CharField(_("citizen's name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("citizen's e-mail"), blank=True)
    contact_phone = models.CharField(_("citizen's phone"), max_length=30, blank=True)
    # The language she wrote in (nb, nn, en): every e-mail to her is written in it (notices.py).
    language = models.CharField(_("language"), max_length=5, default="nb", choices=settings.LANGUAGES)
    # Encrypted at rest (core/crypto.py); found by its keyed hash (the digest, indexed where set).
    # Neither is copied into the history (excluded_fields below).
    national_id = EncryptedTextField(
        _("national identity number"), blank=True, validators=[validate_national_id]
    )
    national_id_digest = DigestField(source="national_id")
    # Where it is, for services that ask for a location (a place on a map and/or a typed address).
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LATITUDE_RANGE[0]), MaxValueValidator(LATITUDE_RANGE[1])],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LONGITUDE_RANGE[0]), MaxValueValidator(LONGITUDE_RANGE[1])],
    )
    address = models.CharField(_("address or place"), max_length=ADDRESS_MAX_LENGTH, blank=True)
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.NEW)
    handling = models.CharField(
        _("handling"), max_length=20, choices=Handling.choices, default=Handling.PENDING
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("unit"),
        db_index=False,
    )
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="owned_inquiries",
        verbose_name=_("contact person"),
        help_text=_("One case, one contact person: owns the inquiry until it is closed."),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="assigned_inquiries",
        verbose_name=_("case officer"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received"))
    first_deadline = models.DateField(_("first reply deadline"))
    reply_deadline = models.DateField(_("reply deadline"))
    deadline_source = models.CharField(_("deadline from"), max_length=16, choices=DeadlineSource.choices)
    preliminary_reply_at = models.DateTimeField(_("preliminary reply sent"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    warning_sent_for = models.DateField(null=True, blank=True, editable=False)
    breached = models.BooleanField(_("deadline broken"), default=False)
    #: A test inquiry of the kommunetest (servicetorg.servicetest), flagged when its round is
    #: published: the desk's figures (rollups, KPIs) leave it out. Written under a made-up name.
    is_test = models.BooleanField(_("test inquiry (kommunetest)"), default=False, editable=False)
    #: Set when the retention period ended or the citizen asked for erasure: the personal fields are
    #: blanked, the statistics columns stay (inquiries.personal_data).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # History rows are read per inquiry (its id) and by date; no other index on the history table.
    # No database constraint on the history's user: see CONCURRENT_INTAKE below.
    history = HistoricalRecords(
        user_db_constraint=False,
        excluded_fields=["token_hash", "updated_at", "national_id", "national_id_digest"],
        no_db_index=[
            "municipality", "reference", "service", "unit", "contact_person", "assigned_to",
            "registered_by",
        ],
    )  # fmt: skip

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at"]
        # A unique constraint rather than unique=True: no second (LIKE pattern) index on PostgreSQL.
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="inq_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="inq_lat_long_together",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["municipality", "state", "reply_deadline"], name="inq_tenant_state_deadline"
            ),
            models.Index(fields=["municipality", "-received_at"], name="inq_tenant_received"),
            models.Index(fields=["unit", "state", "reply_deadline"], name="inq_unit_state_deadline"),
            models.Index(fields=["contact_person", "state"], name="inq_owner_state"),
            models.Index(fields=["assigned_to", "state"], name="inq_assignee_state"),
            models.Index(fields=["state", "reply_deadline"], name="inq_state_deadline"),
            # The nightly purge: closed inquiries not yet anonymised, by closing time. Partial, so an
            # intake (state "new") writes nothing to it.
            models.Index(
                fields=["municipality", "closed_at"],
                name="inq_retention_due",
                condition=models.Q(state="closed", anonymised_at__isnull=True),
            ),
            # The desk's lookup (selectors.lookup): exact, per municipality, by lower-cased e-mail or
            # name, or phone as typed (the lookup tries its usual spellings); reference is unique.
            models.Index(F("municipality"), Lower("contact_email"), name="inq_lookup_email"),
            models.Index(F("municipality"), Lower("contact_name"), name="inq_lookup_name"),
            models.Index(fields=["municipality", "contact_phone"], name="inq_lookup_phone"),
            # Only rows with a number: an intake without one writes no entry in this index.
            models.Index(
                fields=["national_id_digest"],
                name="inq_national_id_digest",
                condition=~models.Q(national_id_digest=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def has_place(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def map_link(self) -> str:
        """The place on norgeskart.no, marked ("" without coordinates)."""
        from servicetorg.core.maps import norgeskart_url

        return norgeskart_url(self.latitude, self.longitude) if self.has_place else ""

    def masked_national_id(self) -> str:
        from servicetorg.core.validators import mask_national_id

        return mask_national_id(self.national_id) if self.national_id else ""

    def check_token(self, token: str) -> bool:
        """The secret of the case link: the token handed out at registration, or the link token
        derived from it (:meth:`link_token`) that later e-mails carry."""
        if not self.token_hash or not token:
            return False
        return secrets.compare_digest(self.token_hash, hash_token(token)) or secrets.compare_digest(
            self.link_token(), token
        )

    def link_token(self) -> str:
        """A token for the case link that can be written again later (only the hash of the first one is
        stored): an HMAC of that hash with the site's secret key. A new token (a lost link sent
        again) changes both."""
        return salted_hmac(
            "servicetorg.inquiries.case-link", self.token_hash, algorithm="sha256"
        ).hexdigest()[:32]


class CitizenCaseHow(models.TextChoices):
    SUBMITTED = "submitted", _("sent while logged in")
    OPENED = "opened", _("opened with the case link while logged in")


class CitizenCase(models.Model):
    """A case a citizen signed in with ID-porten sent or opened with its link: on her Min side
    (besides the cases that carry her number's digest). Goes with the case."""

    citizen = models.ForeignKey("citizens.Citizen", on_delete=models.CASCADE, related_name="+")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="citizen_links")
    how = models.CharField(max_length=10, choices=CitizenCaseHow.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["citizen", "inquiry"], name="citizen_case_once")]

    def __str__(self) -> str:
        return f"{self.citizen_id} – {self.inquiry_id}"


class MessageKind(models.TextChoices):
    CITIZEN = "citizen", _("From the citizen")
    REPLY = "reply", _("Reply")
    PRELIMINARY = "preliminary", _("Preliminary reply")
    QUESTION = "question", _("Question to the citizen")
    NOTE = "note", _("Internal note")
    EVENT = "event", _("Event")


PUBLIC_MESSAGE_KINDS = (MessageKind.CITIZEN, MessageKind.REPLY, MessageKind.PRELIMINARY, MessageKind.QUESTION)


class InquiryMessage(models.Model):
    """The inquiry's message log: what the citizen wrote, replies, notes and status events."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=12, choices=MessageKind.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["inquiry", "created_at"], name="inq_msg_inquiry_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_public(self) -> bool:
        return self.kind in PUBLIC_MESSAGE_KINDS


class AttachmentSource(models.TextChoices):
    CITIZEN = "citizen", _("The citizen (web)")
    STAFF = "staff", _("Staff")
    OPEN311 = "open311", _("Open311 client")


def attachment_storage():
    """The private storage of attachments (settings.STORAGES["attachments"]): outside every web root."""
    return storages["attachments"]


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A random name under the municipality's folder: never the name the uploader gave."""
    return f"{instance.municipality_id}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file on an inquiry (a photo or a document), or an Open311 client's link to its media.

    The file lives in the private ``attachments`` storage and is served only by the views that check
    the case link or the staff member's right to read the inquiry. Deleting the row deletes the file
    (the ``post_delete`` receiver below, after the transaction commits), also when the inquiry's
    deletion cascades to it.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+", db_index=False)
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        InquiryMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    source = models.CharField(_("from"), max_length=10, choices=AttachmentSource.choices)
    file = models.FileField(storage=attachment_storage, upload_to=attachment_path, max_length=120, blank=True)
    media_url = models.URLField(
        _("media link"), max_length=500, blank=True, help_text=_("An Open311 client's link; never fetched.")
    )
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["municipality", "created_at"], name="inq_attachment_tenant_time")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_file(self) -> bool:
        return bool(self.file)


@receiver(post_delete, sender=Attachment)
def _delete_attachment_file(sender, instance: Attachment, **kwargs) -> None:
    """The file goes with its row, once the deletion is committed (a rolled-back one keeps it)."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))


class ChannelRule(models.Model):
    """The municipality's general reply rule per channel, used when a service declares no reply promise."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="channel_rules")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    working_days = models.PositiveSmallIntegerField(
        _("reply within (working days)"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reply rule per channel")
        verbose_name_plural = _("reply rules per channel")
        ordering = ["municipality", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "channel"],
                name="channel_rule_unique",
                violation_error_message=_("This municipality already has a rule for this channel."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.working_days}"


class CompensationState(models.TextChoices):
    OPEN = "open", _("To be settled")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class Compensation(models.Model):
    """A broken promise under a guarantee (brukergaranti): the administration settles it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="compensations")
    inquiry = models.OneToOneField(Inquiry, on_delete=models.PROTECT, related_name="compensation")
    amount = models.DecimalField(_("amount (NOK)"), max_digits=10, decimal_places=2)
    guarantee = models.TextField(_("guarantee"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CompensationState.choices, default=CompensationState.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["municipality", "state"], name="comp_tenant_state")]

    def __str__(self) -> str:
        return f"{self.inquiry.reference}: {self.amount}"


class ApiChannel(models.TextChoices):
    """The one channel an API key serves (a key embedded in a public Open311 app must not open the
    REST API, and a system's REST key is not handed to app makers)."""

    OPEN311 = "open311", _("Open311 (GeoReport v2)")
    REST = "rest", _("REST API")


class ApiClient(models.Model):
    """A system allowed to post inquiries for one municipality (the key is stored hashed, sha256).

    Each key serves one channel. Open311 clients send the key as ``api_key`` and act as no user. A
    REST client has a service account (``user``) and sends ``Authorization: Api-Key <key>``, acting as
    that account in its municipality. Staff passwords are never API credentials (no HTTP Basic).
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="api_clients")
    name = models.CharField(_("name"), max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_clients",
        verbose_name=_("service account"),
        help_text=_(
            "For the REST API (Authorization: Api-Key): the account the client acts as. Its roles in "
            "the municipality decide what the client may do."
        ),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    channel = models.CharField(
        _("channel"), max_length=10, choices=ApiChannel.choices, default=ApiChannel.OPEN311
    )
    active = models.BooleanField(_("active"), default=True)
    throttle_scope = "api_client"  # the API's per-user throttle counts a system apart (THROTTLE_RATES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API client (Open311)")
        verbose_name_plural = _("API clients (Open311)")
        ordering = ["municipality", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.channel == ApiChannel.REST and not self.user_id:
            raise ValidationError({"user": _("A REST API client needs a service account.")})
        if self.channel == ApiChannel.OPEN311 and self.user_id:
            raise ValidationError(
                {"user": _("An Open311 key is embedded in public apps: it acts as no staff account.")}
            )


class IdempotencyRecord(models.Model):
    """One Idempotency-Key per client: repeats get the first response, never a second inquiry. The
    one idempotency mechanism of intake (issue 19 §4): the REST API's and Open311's (claimed and
    replayed by ``services.idempotency``, or in the insert's own statement on the direct path).

    Scoped per API client (``client_scope`` is the ApiClient's id; 0 for a user's own session), so
    two systems that share a service account cannot collide. An Open311 client acts as no user
    (``user`` empty); its keys are ``key:<Idempotency-Key>``, or ``body:<sha256 of the post>`` for a
    post without one. A key expires :data:`IDEMPOTENCY_KEY_LIFETIME` after its first use (a keyless
    Open311 post: ``OPEN311_DUPLICATE_WINDOW``): it may then be used again (a new request), and the
    hourly ``inquiries.purge_idempotency_keys`` deletes the records.
    """

    user = models.ForeignKey(  # led by the unique (user, key) index; no database constraint (below)
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    client_scope = models.BigIntegerField(default=0)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_scope", "key"], name="idempotency_client_key_unique"
            ),
            # An Open311 client's keys (no user: NULLs are distinct in the index above).
            models.UniqueConstraint(
                fields=["client_scope", "key"],
                condition=models.Q(user__isnull=True),
                name="idempotency_open311_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.key


class CaseCodeChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class CaseCode(models.Model):
    """A one-time code that opens a sensitive service's case in one browser session (issue 24 §1).

    The case link alone opens no case of a sensitive service: the browser that follows it is sent a
    code by SMS or e-mail (the contact details on the case) and must give it back. The row holds
    neither the code nor the session: ``code_hash`` is an HMAC of the code (keyed by the site's
    secret and bound to this row and case), ``session_hash`` a SHA-256 of a random binding the
    session keeps. Only the newest code of a session counts; it expires, is used once, and dies
    after :data:`services.case_codes.MAX_ATTEMPTS` wrong tries. Deleted a day after it was made
    (retention kind ``inquiries.case_codes``).
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+", db_index=False)
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="case_codes", db_index=False)
    session_hash = models.CharField(max_length=64)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    channel = models.CharField(max_length=5, choices=CaseCodeChannel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code for a case")
        verbose_name_plural = _("one-time codes for cases")
        indexes = [
            models.Index(fields=["inquiry", "created_at"], name="inq_casecode_inquiry"),
            models.Index(fields=["created_at"], name="inq_casecode_created"),
        ]

    def __str__(self) -> str:
        return f"{self.inquiry_id}:{self.channel}:{self.created_at:%Y-%m-%d %H:%M}"


class Open311Request(models.Model):
    """An inquiry that came in through Open311 (a POST of an API client): Open311's GET lists these
    only, never the inquiries of other channels (issue 11: who contacted which service, when)."""

    inquiry = models.OneToOneField(
        Inquiry, on_delete=models.CASCADE, primary_key=True, related_name="open311_request"
    )
    client = models.ForeignKey(
        ApiClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return str(self.inquiry_id)


#: How long an Idempotency-Key is kept (as the IETF Idempotency-Key draft suggests: 24 hours).
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


# --- Rollups: kept current in the same transaction as every inquiry change (see rollups.py). ---------

#: CONCURRENT_INTAKE: many intakes at once for one municipality must not wait for each other.
#:
#: The rows an intake writes besides the inquiry (its history row, the rollup counts, the
#: idempotency record) are derived from the inquiry and written only with it, by this module's code.
#: They keep their relations in Django (deleting through the ORM still cascades) but have no
#: foreign-key constraint in the database: each constraint makes every insert lock the referenced
#: row (FOR KEY SHARE), and all intakes reference the same municipality and service account. The
#: inquiry itself keeps its constraints.
#:
#: Rollup counts are split in stripes: each database connection adds to its own row of a key
#: (``stripe``, see sql.stripe_sql), so concurrent intakes do not queue for one row lock;
#: readers sum the stripes. Hot-row waits and retries cost half of PostgreSQL's time per intake.


def rollup_municipality():
    """A rollup row's municipality: no constraint (CONCURRENT_INTAKE), and no index of its own (each
    rollup table's unique key starts with the municipality)."""
    return models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )


def rollup_stripe():
    """The writer's stripe of a rollup key (CONCURRENT_INTAKE); 0 for rebuilt and imported rows."""
    return models.SmallIntegerField(default=0, db_default=0)


class DailyStat(models.Model):
    """Inquiries received per day, channel and handling, with their reply outcome."""

    municipality = rollup_municipality()
    stripe = rollup_stripe()
    day = models.DateField()
    channel = models.CharField(max_length=20)
    handling = models.CharField(max_length=20)
    received = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    in_time = models.IntegerField(default=0)
    breached = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "day", "channel", "handling", "stripe"], name="daily_stat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.handling}: {self.received}"


class DailyServiceStat(models.Model):
    """Inquiries received per day and service (``service_key`` 0 is "unknown service")."""

    municipality = rollup_municipality()
    stripe = rollup_stripe()
    day = models.DateField()
    service_key = models.BigIntegerField()
    received = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    in_time = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "day", "service_key", "stripe"], name="daily_service_stat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_key}: {self.received}"


class ReplyTimeStat(models.Model):
    """Histogram of time to reply (by received day and channel) for median and 90th percentile."""

    municipality = rollup_municipality()
    stripe = rollup_stripe()
    day = models.DateField()
    channel = models.CharField(max_length=20)
    bucket = models.SmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "day", "channel", "bucket", "stripe"], name="reply_time_stat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} b{self.bucket}: {self.count}"


class BacklogStat(models.Model):
    """Open inquiries now, per unit (``unit_key`` 0 is the service desk, not routed)."""

    municipality = rollup_municipality()
    stripe = rollup_stripe()
    unit_key = models.BigIntegerField()
    open_count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "unit_key", "stripe"], name="backlog_stat_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_key}: {self.open_count}"
