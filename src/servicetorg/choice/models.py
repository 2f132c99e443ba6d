"""User-choice schemes (brukervalgordninger) and their rates.

A :class:`Scheme` opens one catalogue service to the user's free choice of provider, by a council
decision. A political change is a new *version* (``replaces`` the adopted one, a draft copy until
the council adopts it); an adopted version is never edited. Adopting a version ends the one it
replaces the day before the new one is valid from. Each :class:`Rate` is what the municipality pays
a provider in one time band (hourly price model) or care level (daily price model), with the
cost-based calculation behind it, published on the scheme's page.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.catalogue.models import Service
from servicetorg.core.models import Municipality


class SchemeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted by the council")
    ENDED = "ended", _("Ended")


class Mode(models.TextChoices):
    APPROVAL = "approval", _("Approval (any provider that meets the requirements)")
    FRAMEWORK = "framework", _("Framework agreement (after a competition)")
    MUNICIPAL = "municipal", _("Municipal providers only")


class DefaultRule(models.TextChoices):
    MUNICIPAL = "municipal", _("The municipal provider")
    ROTATION = "rotation", _("A rotation list")
    NEAREST = "nearest", _("The nearest provider")


class PriceModel(models.TextChoices):
    HOURLY = "hourly", _("Per hour, by time band")
    DAILY = "daily", _("Per place per day, by care level")


class Band(models.TextChoices):
    DAY = "day", _("Daytime (weekdays 07–15)")
    EVENING = "evening", _("Evening (weekdays 15–23)")
    NIGHT = "night", _("Night (23–07)")
    WEEKEND = "weekend", _("Weekend and public holidays")
    LEVEL_1 = "level_1", _("Care level 1")
    LEVEL_2 = "level_2", _("Care level 2")
    LEVEL_3 = "level_3", _("Care level 3")
    LEVEL_4 = "level_4", _("Care level 4")


#: The bands a rate may have under each price model, in the order they are shown.
BANDS = {
    PriceModel.HOURLY: (Band.DAY, Band.EVENING, Band.NIGHT, Band.WEEKEND),
    PriceModel.DAILY: (Band.LEVEL_1, Band.LEVEL_2, Band.LEVEL_3, Band.LEVEL_4),
}


class Scheme(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="choice_schemes")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="choice_schemes", verbose_name=_("service")
    )
    name = models.CharField(_("name"), max_length=200)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.APPROVAL)
    state = models.CharField(
        _("state"), max_length=20, choices=SchemeState.choices, default=SchemeState.DRAFT
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    decision_date = models.DateField(_("date of the council's decision"), null=True, blank=True)
    case_reference = models.CharField(_("council case reference"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Leave empty for a scheme without an end date.")
    )
    requirements = models.TextField(
        _("requirements for providers"),
        blank=True,
        help_text=_("Competence, quality assurance, documentation."),
    )
    contract_terms = models.TextField(_("contract terms"), blank=True)
    default_rule = models.CharField(
        _("for those who do not choose"),
        max_length=20,
        choices=DefaultRule.choices,
        default=DefaultRule.MUNICIPAL,
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice for switching, in days"), default=0, validators=[MaxValueValidator(365)]
    )
    notice_months = models.PositiveSmallIntegerField(
        _("notice for switching, in months"), default=1, validators=[MaxValueValidator(12)]
    )
    supplementary_services = models.BooleanField(
        _("providers may sell supplementary services"),
        default=False,
        help_text=_("Bought and paid directly from the provider; never part of the municipality's service."),
    )
    price_model = models.CharField(
        _("price model"), max_length=20, choices=PriceModel.choices, default=PriceModel.HOURLY
    )
    agreement_ends_on = models.DateField(
        _("framework agreement ends on"), null=True, blank=True, help_text=_("Framework agreement only.")
    )
    provider_count = models.PositiveSmallIntegerField(
        _("number of providers in the framework agreement"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Framework agreement only."),
    )
    adopted_at = models.DateTimeField(_("adopted (recorded)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("user-choice scheme")
        verbose_name_plural = _("user-choice schemes")
        ordering = ["municipality", "name", "-version"]
        indexes = [models.Index(fields=["municipality", "state", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_draft(self) -> bool:
        return self.state == SchemeState.DRAFT

    @property
    def bands(self) -> tuple[str, ...]:
        return BANDS[PriceModel(self.price_model)]

    def in_force_on(self, day: date) -> bool:
        return (
            self.valid_from is not None
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )

    def clean(self):
        errors = {}
        if (self.notice_days > 0) == (self.notice_months > 0):
            errors["notice_days"] = _("Give the notice either in days or in months (the other 0).")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The scheme cannot end before it starts.")
        if self.mode != Mode.FRAMEWORK:
            if self.agreement_ends_on:
                errors["agreement_ends_on"] = _("Only a framework agreement has an end date of its own.")
            if self.provider_count:
                errors["provider_count"] = _("Only a framework agreement has a number of providers.")
        if self.service_id and self.municipality_id and self.service.municipality_id != self.municipality_id:
            errors["service"] = _("The service belongs to another municipality.")
        if errors:
            raise ValidationError(errors)


class Rate(models.Model):
    """What the municipality pays per hour (or per place per day) in one band, and why: the price
    is the sum of running costs, capital costs and a share of common costs."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rates")
    band = models.CharField(_("band"), max_length=20, choices=Band.choices)
    amount = models.DecimalField(
        _("price (NOK)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    minimum_minutes = models.PositiveSmallIntegerField(
        _("minimum visit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(480)],
        help_text=_("Per hour only: a shorter visit is paid as this long."),
    )
    running_costs = models.DecimalField(
        _("running costs (NOK)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    capital_costs = models.DecimalField(
        _("capital costs (NOK)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    common_costs = models.DecimalField(
        _("share of common costs (NOK)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        ordering = ["scheme", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "band"],
                name="choice_rate_band_unique",
                violation_error_message=_("The scheme already has a rate for this band."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_band_display()}: {self.amount}"

    def clean(self):
        errors = {}
        scheme = self.scheme
        if self.band not in scheme.bands:
            errors["band"] = _("This band does not belong to the scheme's price model (%(model)s).") % {
                "model": scheme.get_price_model_display()
            }
        if scheme.price_model == PriceModel.DAILY and self.minimum_minutes:
            errors["minimum_minutes"] = _("A price per place per day has no minimum visit.")
        parts = (self.running_costs, self.capital_costs, self.common_costs)
        if self.amount is not None and None not in parts and sum(parts) != self.amount:
            errors["amount"] = _(
                "The price must be the sum of running costs, capital costs and the share of common "
                "costs (%(sum)s)."
            ) % {"sum": sum(parts)}
        if errors:
            raise ValidationError(errors)
