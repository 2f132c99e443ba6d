"""User-choice schemes (brukervalgordninger) and their rates.

A :class:`Scheme` opens one catalogue service to the user's free choice of provider, by a council
decision. A political change is a new *version* (``replaces`` the adopted one, a draft copy until
the council adopts it); an adopted version is never edited. Adopting a version ends the one it
replaces the day before the new one is valid from. Each :class:`Rate` is what the municipality pays
a provider in one time band (hourly price model) or care level (daily price model), with the
cost-based calculation behind it, published on the scheme's page.
"""

import secrets
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.catalogue.models import Service
from servicetorg.core.crypto import DigestField, EncryptedTextField
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.validators import validate_national_id, validate_organization_number
from servicetorg.inquiries.models import attachment_storage
from servicetorg.surveys.models import Survey


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


class SettleOn(models.TextChoices):
    ATTESTED = "attested", _("Attested hours (capped by the decision)")
    DECIDED = "decided", _("Decided hours")


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
    default_provider = models.ForeignKey(
        "Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default provider"),
        help_text=_("Serves those who do not choose (and those waiting for a full provider)."),
    )
    settle_on = models.CharField(
        _("paid for"), max_length=20, choices=SettleOn.choices, default=SettleOn.ATTESTED
    )
    provider_may_attest = models.BooleanField(
        _("the provider may attest with proof"),
        default=False,
        help_text=_("E.g. an electronic key log, when the user cannot attest herself."),
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


# --- Providers -------------------------------------------------------------------------------


class Provider(models.Model):
    """A provider (leverandør) in the municipality's registry: a private firm (by its organisation
    number) or one of the municipality's own units (``unit``). Approved per scheme by an
    :class:`Application`; its staff are users with a provider membership and a :class:`ProviderMember`."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="choice_providers")
    name = models.CharField(_("name"), max_length=200)
    organization_number = models.CharField(
        _("organisation number"), max_length=9, validators=[validate_organization_number]
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="choice_providers",
        verbose_name=_("municipal unit"),
        help_text=_("Only for the municipality's own provider."),
    )
    profile = models.TextField(_("profile"), blank=True, max_length=4000)
    languages = models.CharField(_("languages spoken"), max_length=200, blank=True)
    districts = models.CharField(
        _("districts served"), max_length=400, blank=True, help_text=_("Comma-separated; empty: all.")
    )
    fixed_helper = models.BooleanField(_("offers a fixed helper"), default=False)
    capacity_users = models.PositiveIntegerField(
        _("capacity (users)"), default=0, help_text=_("How many users the provider can serve at once.")
    )
    capacity_hours_per_month = models.PositiveIntegerField(_("capacity (hours per month)"), default=0)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    #: The user survey of this provider's users (surveys app): its overall figure, with n and the
    #: anonymity threshold, is shown on the public comparison of providers.
    survey = models.ForeignKey(
        Survey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user survey"),
        help_text=_("The survey of this provider's users, shown on the public comparison."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "organization_number"],
                condition=models.Q(unit__isnull=True),
                name="choice_provider_orgnr_unique",
                violation_error_message=_("A provider with this organisation number is already registered."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_municipal(self) -> bool:
        return self.unit_id is not None

    def clean(self):
        if self.unit_id and self.municipality_id and self.unit.municipality_id != self.municipality_id:
            raise ValidationError({"unit": _("The unit belongs to another municipality.")})


class ProviderMember(models.Model):
    """A staff user who works for a provider: what the *own provider* reach (core.permissions) means."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="choice_providers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider member")
        verbose_name_plural = _("provider members")
        constraints = [models.UniqueConstraint(fields=["provider", "user"], name="choice_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.provider}"


class SupplementaryService(models.Model):
    """A paid supplementary service (tilleggstjeneste) the user buys directly from the provider. Shown
    apart on the profile; never part of a decision, an order or a settlement (nothing refers to it)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="supplementary_services")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    price = models.CharField(_("price (as the provider states it)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("supplementary service")
        verbose_name_plural = _("supplementary services")
        ordering = ["provider", "name"]

    def __str__(self) -> str:
        return self.name


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    """A provider's application to be approved in one scheme, and the approval it leads to: the
    provider serves users of the scheme while the application is ``approved``."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="applications")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="applications")
    state = models.CharField(
        _("state"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    competence = models.TextField(_("competence"), blank=True, max_length=4000)
    quality_assurance = models.TextField(_("quality assurance"), blank=True, max_length=4000)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decide_by = models.DateField(_("to be decided by"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=4000)
    #: When a suspension or withdrawal takes effect (its users move on this day).
    effective_on = models.DateField(_("takes effect on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("provider application")
        verbose_name_plural = _("provider applications")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["scheme", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "provider"],
                condition=models.Q(state__in=["submitted", "approved", "suspended"]),
                name="choice_application_open_unique",
                violation_error_message=_("The provider already has an open application in this scheme."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} / {self.scheme}"


def document_path(instance: "ApplicationDocument", filename: str) -> str:
    """A random name in the private attachments storage: never the name the applicant gave."""
    return f"choice/{instance.application.scheme.municipality_id}/{secrets.token_hex(16)}"


class ApplicationDocument(models.Model):
    """A document attached to an application (checked as the inquiries' attachments are), kept in
    the private attachments storage and served only to the administration (as a download)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), storage=attachment_storage, upload_to=document_path, max_length=120)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return self.name


@receiver(post_delete, sender=ApplicationDocument)
def _delete_document_file(sender, instance: ApplicationDocument, **kwargs) -> None:
    """The file goes with its row, once the deletion is committed (a rolled-back one keeps it)."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))


# --- Decisions and choices ---------------------------------------------------------------------


class DecisionState(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    REPLACED = "replaced", _("Replaced by a new version")
    ENDED = "ended", _("Ended")


class Decision(models.Model):
    """A care decision (vedtak) by the ordering unit (bestiller): the service and how much of it —
    hours per week by band (:class:`DecisionHours`) or a care level — for a period. Health data
    (GDPR art. 9): read by the ordering unit, the chosen provider for its own users and the user
    herself, and every read is logged (:class:`DecisionRead`). A change is a new version that
    ``replaces`` the old one."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="choice_decisions")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="decisions")
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ordering unit"),
    )
    national_id = EncryptedTextField(_("national identity number"), validators=[validate_national_id])
    national_id_digest = DigestField(source="national_id")
    name = EncryptedTextField(_("name"), max_length=1000)  # the token of 200 characters
    district = models.CharField(_("district"), max_length=100, blank=True)
    #: Where letters about her provider go (a provider leaving the scheme); empty: a printed letter.
    contact_email = EncryptedTextField(_("e-mail for letters"), blank=True, max_length=600)
    contact_phone = EncryptedTextField(_("mobile for SMS"), blank=True, max_length=255)
    state = models.CharField(
        _("state"), max_length=20, choices=DecisionState.choices, default=DecisionState.IN_FORCE
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    case_reference = models.CharField(_("case reference"), max_length=60, blank=True)
    decided_on = models.DateField(_("decided on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    care_level = models.CharField(
        _("care level"),
        max_length=20,
        blank=True,
        choices=[(b.value, b.label) for b in BANDS[PriceModel.DAILY]],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(
        excluded_fields=["national_id", "national_id_digest", "name", "contact_email", "contact_phone"]
    )

    class Meta:
        verbose_name = _("care decision")
        verbose_name_plural = _("care decisions")
        ordering = ["-decided_on", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "state"]),
            models.Index(fields=["national_id_digest"], name="choice_decision_digest"),
            models.Index(fields=["scheme", "state", "valid_from"]),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} #{self.pk} v{self.version}"

    def clean(self):
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The decision cannot end before it starts.")})


class DecisionHours(models.Model):
    """Hours per week in one time band of an hourly decision."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="hours")
    band = models.CharField(
        _("band"), max_length=20, choices=[(b.value, b.label) for b in BANDS[PriceModel.HOURLY]]
    )
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("168"))],
    )

    class Meta:
        verbose_name = _("decided hours")
        verbose_name_plural = _("decided hours")
        constraints = [models.UniqueConstraint(fields=["decision", "band"], name="choice_hours_band_unique")]

    def __str__(self) -> str:
        return f"{self.get_band_display()}: {self.hours_per_week}"


class DecisionRead(models.Model):
    """Every read of a care decision: who (staff user, provider user or the citizen by digest), when,
    and where (page or API). Never what was read."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.CharField(_("by"), max_length=150)
    where = models.CharField(_("where"), max_length=100)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("read of a care decision")
        verbose_name_plural = _("reads of care decisions")
        ordering = ["-at"]
        indexes = [models.Index(fields=["decision", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.at:%Y-%m-%d %H:%M} ({self.where})"


class ChoiceHow(models.TextChoices):
    ACTIVE = "active", _("Chosen by the user")
    DEFAULT = "default", _("Default provider (no choice made)")
    WAITING = "waiting", _("Default provider while waiting for the chosen one")
    MOVED = "moved", _("Moved when the provider left the scheme")


class ChoiceState(models.TextChoices):
    CURRENT = "current", _("Current")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled before it took effect")


class SwitchReason(models.TextChoices):
    FIRST = "first", _("First choice")
    QUALITY = "quality", _("Not satisfied with the quality")
    CONTINUITY = "continuity", _("Too many different helpers")
    LANGUAGE = "language", _("Language or culture")
    MOVED = "moved_home", _("Moved to another district")
    PROVIDER_LEFT = "provider_left", _("The provider left the scheme")
    WAITING_OVER = "waiting_over", _("A place became free at the chosen provider")
    OTHER = "other", _("Other")


class Choice(models.Model):
    """Which provider serves a decision from when (``effective_from``, computed from the scheme's
    notice rule) until when. A switch ends the current choice the day before the new one starts."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="choices")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="choices")
    how = models.CharField(_("how"), max_length=20, choices=ChoiceHow.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=ChoiceState.choices, default=ChoiceState.CURRENT
    )
    reason = models.CharField(
        _("reason"), max_length=20, choices=SwitchReason.choices, default=SwitchReason.FIRST
    )
    reason_text = models.CharField(_("reason (own words)"), max_length=500, blank=True)
    #: Her next choice, should this provider leave the scheme (the contingency duty).
    next_provider = models.ForeignKey(
        Provider,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("next choice"),
    )
    chosen_at = models.DateTimeField(_("chosen"), auto_now_add=True)
    #: A staff user who registered it; empty when the citizen chose on Min side (``by_citizen``).
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_citizen = models.CharField(_("chosen by (digest)"), max_length=64, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("choice of provider")
        verbose_name_plural = _("choices of provider")
        ordering = ["decision", "effective_from", "pk"]
        indexes = [
            models.Index(fields=["provider", "state", "effective_from"]),
            models.Index(fields=["decision", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} → {self.provider} ({self.effective_from})"


class WaitingState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    PLACED = "placed", _("Placed")
    CANCELLED = "cancelled", _("Cancelled")


class WaitingEntry(models.Model):
    """A user on a full provider's waiting list. Position follows the published priority rule:
    the date of the wish (``wished_at``), earliest first; the default provider serves meanwhile."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="waiting")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="waiting")
    state = models.CharField(
        _("state"), max_length=20, choices=WaitingState.choices, default=WaitingState.WAITING
    )
    wished_at = models.DateTimeField(_("on the list since"), auto_now_add=True)
    ended_at = models.DateTimeField(_("left the list"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        ordering = ["provider", "wished_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "provider"],
                condition=models.Q(state="waiting"),
                name="choice_waiting_unique",
                violation_error_message=_("The user is already on this provider's waiting list."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} ← {self.decision_id} ({self.wished_at:%Y-%m-%d})"


# --- Visits and settlement ---------------------------------------------------------------------


class VisitSource(models.TextChoices):
    REGISTERED = "registered", _("Registered on the page")
    UPLOAD = "upload", _("Uploaded (CSV)")
    API = "api", _("API")


class VisitState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ATTESTED = "attested", _("Attested")
    DISPUTED = "disputed", _("Disputed by the user")
    CANCELLED = "cancelled", _("Cancelled")


class AttestedBy(models.TextChoices):
    USER = "user", _("The user")
    RELATIVE = "relative", _("A relative or representative")
    PROVIDER_PROOF = "provider_proof", _("The provider, with proof")


class Visit(models.Model):
    """A visit the provider performed for a decision: start, end, the helper's pseudonym. Its band
    (by the start, in Oslo time) and minutes are stored when it is registered, so that settlement
    is one SQL statement (choice/sql.py)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="visits")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="visits")
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    band = models.CharField(
        _("band"), max_length=20, choices=[(b.value, b.label) for b in BANDS[PriceModel.HOURLY]]
    )
    minutes = models.PositiveIntegerField(_("minutes"))
    staff_pseudonym = models.CharField(_("helper (pseudonym)"), max_length=40)
    source = models.CharField(
        _("source"), max_length=20, choices=VisitSource.choices, default=VisitSource.REGISTERED
    )
    #: The provider's own id of the visit (CSV/API): a repeated upload changes nothing.
    external_id = models.CharField(_("provider's visit id"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=VisitState.choices, default=VisitState.REGISTERED
    )
    attested_at = models.DateTimeField(_("attested"), null=True, blank=True)
    attested_by = models.CharField(_("attested by"), max_length=20, choices=AttestedBy.choices, blank=True)
    proof = models.CharField(_("proof"), max_length=200, blank=True)
    #: A deviation from the decision (outside its period, more hours than decided) the ordering unit approved.
    deviation_approved = models.BooleanField(_("deviation approved"), default=False)
    registered_at = models.DateTimeField(auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["decision", "starts_at"]
        indexes = [
            models.Index(fields=["provider", "starts_at"]),
            models.Index(fields=["decision", "starts_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"],
                condition=~models.Q(external_id=""),
                name="choice_visit_external_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="choice_visit_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} ({self.minutes} min)"


class SettlementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


class Settlement(models.Model):
    """What the municipality pays one provider for one month in one scheme: lines per user and band
    (:class:`SettlementLine`), computed in SQL (choice/sql.py)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="settlements")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="settlements")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    state = models.CharField(
        _("state"), max_length=20, choices=SettlementState.choices, default=SettlementState.DRAFT
    )
    total = models.DecimalField(_("total (NOK)"), max_digits=14, decimal_places=2, default=0)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-month", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "provider", "month"], name="choice_settlement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.month:%Y-%m}"


class SettlementLine(models.Model):
    """One user's (decision's) minutes and amount in one band of a settlement: decided, performed
    (attested), paid (capped by the decision unless a deviation is approved)."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    band = models.CharField(_("band"), max_length=20, choices=Band.choices)
    decided_minutes = models.PositiveIntegerField(_("decided (minutes)"), default=0)
    performed_minutes = models.PositiveIntegerField(_("performed (minutes)"), default=0)
    paid_minutes = models.PositiveIntegerField(_("paid (minutes)"), default=0)
    days = models.PositiveSmallIntegerField(_("days (per place per day)"), default=0)
    rate = models.DecimalField(_("rate (NOK)"), max_digits=9, decimal_places=2)
    amount = models.DecimalField(_("amount (NOK)"), max_digits=12, decimal_places=2)
    capped = models.BooleanField(_("capped by the decision"), default=False)

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["settlement", "decision", "band"]
        indexes = [models.Index(fields=["settlement", "decision"])]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.band}: {self.amount}"


# School choice lives in its own module of the app (servicetorg.choice.schools); its models are the
# app's models.
from .schools.models import (  # noqa: E402, F401
    AllocationRun,
    Appeal,
    BudgetModel,
    BudgetSchool,
    Cutoff,
    Placement,
    Round,
    RoundSchool,
    School,
    SchoolAddress,
    SchoolApplication,
    Wish,
)
