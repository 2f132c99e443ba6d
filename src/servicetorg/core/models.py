from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import OpenDataLicense, Role, UnitKind
from .maps import LATITUDE_RANGE, LONGITUDE_RANGE
from .validators import validate_municipality_number, validate_organization_number


class Municipality(models.Model):
    """A kommune: the tenant that owns every domain record."""

    name = models.CharField(_("name"), max_length=120)
    number = models.CharField(
        _("municipality number"),
        max_length=4,
        unique=True,
        validators=[validate_municipality_number],
        help_text=_("Four digits, as given by Statistics Norway (e.g. 3805)."),
        error_messages={"unique": _("A municipality with this number already exists.")},
    )
    organization_number = models.CharField(
        _("organisation number"), max_length=9, unique=True, validators=[validate_organization_number]
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("visiting address"), max_length=200, blank=True)
    portal_host = models.CharField(
        _("portal host name"),
        max_length=200,
        blank=True,
        help_text=_("Host name of this municipality's public portal, e.g. tjenester.larvik.kommune.no."),
    )
    open_data_license = models.CharField(
        _("licence for open data"),
        max_length=12,
        choices=OpenDataLicense.choices,
        default=OpenDataLicense.NLOD,
        help_text=_("The licence of everything the platform publishes as open data for this municipality."),
    )
    # Where its maps start (the contact form's map): the town centre or the administrative centre.
    center_latitude = models.DecimalField(
        _("latitude of the map centre"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LATITUDE_RANGE[0]), MaxValueValidator(LATITUDE_RANGE[1])],
        help_text=_("Where maps of this municipality start, in decimal degrees, e.g. 59.053300."),
    )
    center_longitude = models.DecimalField(
        _("longitude of the map centre"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LONGITUDE_RANGE[0]), MaxValueValidator(LONGITUDE_RANGE[1])],
        help_text=_("In decimal degrees, e.g. 10.035200."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(center_latitude__isnull=True, center_longitude__isnull=True)
                | models.Q(center_latitude__isnull=False, center_longitude__isnull=False),
                name="municipality_center_together",
                violation_error_message=_("Give both latitude and longitude of the map centre, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    @property
    def center(self) -> tuple[float, float] | None:
        """(latitude, longitude) of its map centre, or None when it has none."""
        if self.center_latitude is None or self.center_longitude is None:
            return None
        return float(self.center_latitude), float(self.center_longitude)


class Unit(models.Model):
    """A municipal unit (enhet/etat), or a state agency taking part in a public service office."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("short name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.MUNICIPAL)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("visiting address"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"],
                name="unit_slug_unique_per_municipality",
                violation_error_message=_("This municipality already has a unit with this short name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in a municipality, optionally limited to one unit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality", "unit", "role"], name="membership_unique")
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        where = self.unit or self.municipality
        return f"{self.user} – {self.get_role_display()} – {where}"


class OutboxChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """An e-mail or SMS written in the transaction of the change that causes it (see core.outbox)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=OutboxChannel.choices)
    #: One key per effect (e.g. ``inquiries.deadline-warning:42:2026-03-04``): a re-run finds the row.
    key = models.CharField(_("key"), max_length=200, unique=True)
    recipients = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    body = models.TextField(_("text"))
    from_email = models.CharField(_("sender"), max_length=254, blank=True)
    state = models.CharField(
        _("status"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    provider_reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The sweep: pending messages whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_due",
                condition=models.Q(state="pending"),
            ),
            # The staff page: one municipality's messages of one status, newest first.
            models.Index(fields=["municipality", "state", "-created_at"], name="outbox_staff_list"),
        ]

    def __str__(self) -> str:
        return self.key


class FormSubmission(models.Model):
    """A form's one-time token, claimed in the transaction of what the form did (see core.once)."""

    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=80)
    #: The work's result, encrypted with the form's token (which only the submitter's page holds).
    sealed_result = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return self.scope
