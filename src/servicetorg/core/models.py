from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import Role, UnitKind
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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


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
