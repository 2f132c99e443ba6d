from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from servicetorg.citizens.assurance import Level
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.validators import validate_link


class ServiceArea(models.Model):
    """A tjenesteområde: skole, barnehage, pleie og omsorg, ..."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="service_areas")
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    slug = models.SlugField(_("short name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"],
                name="service_area_slug_unique",
                violation_error_message=_(
                    "This municipality already has a service area with this short name."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServiceLadder(models.IntegerChoices):
    """Tjenestetrappa: how far the service desk can take a case."""

    RECEPTION = 1, _("1 – Reception")
    GENERAL_INFORMATION = 2, _("2 – General information")
    INDIVIDUAL_INFORMATION = 3, _("3 – Individual information")
    PREPARATORY = 4, _("4 – Preparatory case handling")
    RULE_BASED = 5, _("5 – Rule-based case handling")
    DISCRETIONARY = 6, _("6 – Discretionary case handling")


class ServiceState(models.TextChoices):
    DRAFT = "draft", _("Draft (never published)")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Withdrawn")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Service(models.Model):
    """A service's lasting identity; what is said about it lives in versioned descriptions."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="services")
    area = models.ForeignKey(
        ServiceArea, on_delete=models.PROTECT, related_name="services", verbose_name=_("service area")
    )
    slug = models.SlugField(
        _("address name"),
        max_length=100,
        help_text=_("Used in the web address, e.g. barnehageplass."),
    )
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("responsible unit"),
    )
    ladder_level = models.PositiveSmallIntegerField(
        _("service ladder level"),
        choices=ServiceLadder.choices,
        default=ServiceLadder.GENERAL_INFORMATION,
        help_text=_("How far the service desk can handle this service (tjenestetrappa, 1–6)."),
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)
    requires_national_id = models.BooleanField(
        _("requires national identity number"),
        default=False,
        help_text=_("Only where the law requires the fødselsnummer to handle the case."),
    )
    asks_location = models.BooleanField(
        _("asks for a location"),
        default=False,
        help_text=_(
            "The contact form asks where it is (a place on a map or an address): roads, street lights, "
            "water and sewage, snow clearing and the like."
        ),
    )
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_(
            "Health, child welfare, social services and the like: inquiries about the service are seen "
            "only by the unit that handles them (and whoever registered or owns them)."
        ),
    )
    assurance_level = models.CharField(
        _("log-in for the contact form"),
        max_length=40,
        blank=True,
        default="",
        choices=Level.choices,
        help_text=_(
            "Whether citizens must log in with ID-porten to write about this service, and at which "
            "level. A log-in at a lower level is sent back to ID-porten to step up. Health and care "
            "services: high."
        ),
    )
    search_words = models.TextField(
        _("search words"),
        blank=True,
        default="",
        help_text=_(
            "Words people type that are not in the text: abbreviations and everyday words, separated "
            "by commas (e.g. bhg, søppel). They weigh as much as the name in search and are published "
            "as keywords in the open data."
        ),
    )
    search_words_en = models.TextField(
        _("search words in English"),
        blank=True,
        default="",
        help_text=_("The same in English, separated by commas (e.g. kindergarten, waste)."),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ServiceState.choices, default=ServiceState.DRAFT
    )
    published_version = models.OneToOneField(
        "ServiceDescription",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    review_due = models.DateField(_("next review"), null=True, blank=True)
    # Denormalised from the published version so the portal lists and searches with one query.
    name = models.CharField(_("name"), max_length=200, editable=False, default="")
    summary = models.TextField(_("summary"), editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_vector", "search_text"])

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"],
                name="service_slug_unique",
                violation_error_message=_("This municipality already has a service with this address name."),
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "state", "area"], name="service_tenant_state_area"),
            models.Index(fields=["municipality", "review_due"], name="service_tenant_review"),
            models.Index(fields=["municipality", "ladder_level"], name="service_tenant_ladder"),
            models.Index(fields=["responsible_unit"], name="service_unit"),
        ]

    def __str__(self) -> str:
        return self.name or self.slug

    @property
    def is_review_overdue(self) -> bool:
        return bool(self.review_due and self.review_due < timezone.localdate())

    def get_channels_display(self) -> list[str]:
        from servicetorg.core.choices import Channel

        labels = dict(Channel.choices)
        return [labels.get(c, c) for c in self.channels]


class ServiceDescription(models.Model):
    """One version of a tjenestebeskrivelse (national template) with its serviceerklæring."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=12, choices=VersionState.choices, default=VersionState.DRAFT
    )
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("short summary"), max_length=600)
    content = models.TextField(_("what the service contains"), blank=True)
    target_group = models.TextField(_("who it is for"), blank=True)
    expectations = models.TextField(_("what you can expect"), blank=True)
    user_actions = models.TextField(_("what you must do"), blank=True)
    required_documents = models.TextField(_("documents to enclose"), blank=True)
    application_url = models.URLField(_("application form"), blank=True, validators=[validate_link])
    price = models.TextField(_("price and fees"), blank=True)
    price_amount = models.DecimalField(
        _("price (NOK)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A single amount, when the service has one; explain it in “price and fees”."),
    )
    case_flow = models.TextField(_("case flow"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    legal_basis_url = models.URLField(_("link to the law"), blank=True, validators=[validate_link])
    contact = models.TextField(_("contact"), blank=True)
    case_officer_role = models.CharField(_("responsible case officer (role)"), max_length=160, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    appeal = models.TextField(_("how to complain"), blank=True)
    declaration = models.TextField(
        _("service declaration"),
        blank=True,
        help_text=_("The municipality's promise to users, in plain words."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service description")
        verbose_name_plural = _("service descriptions")
        ordering = ["service", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="description_version_unique"),
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(state="draft"),
                name="one_draft_per_service",
                violation_error_message=_("This service already has a draft."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class PromiseKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    DECISION = "decision", _("Decision")
    DELIVERY = "delivery", _("Delivery")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    WEEKS = "weeks", _("weeks")


def limit_text(value: int, unit: str) -> str:
    """A deadline in words with the right number (ngettext): every place that phrases a promise's
    limit uses this, so no page says "innen 1 virkedager"."""
    if unit == LimitUnit.WEEKS:
        return ngettext("within %(n)d week", "within %(n)d weeks", value) % {"n": value}
    return ngettext("within %(n)d working day", "within %(n)d working days", value) % {"n": value}


class Promise(models.Model):
    """A promise of a service declaration, with its guarantee (brukergaranti) if it is broken."""

    description = models.ForeignKey(ServiceDescription, on_delete=models.CASCADE, related_name="promises")
    kind = models.CharField(_("kind"), max_length=12, choices=PromiseKind.choices)
    limit_value = models.PositiveSmallIntegerField(
        _("limit"), validators=[MinValueValidator(1), MaxValueValidator(520)]
    )
    limit_unit = models.CharField(
        _("unit"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    text = models.CharField(_("promise in plain words"), max_length=300, blank=True)
    guarantee = models.TextField(_("guarantee if the promise is broken"), blank=True)
    compensation_amount = models.DecimalField(
        _("compensation (NOK)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        ordering = ["description", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["description", "kind"],
                name="one_promise_per_kind",
                violation_error_message=_("A description has at most one promise of each kind."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.limit_text()}"

    def limit_text(self) -> str:
        """The limit in words, singular or plural by its number: "innen 1 virkedag", "innen 3 uker"."""
        return limit_text(self.limit_value, self.limit_unit)

    @property
    def working_days(self) -> int:
        """The limit expressed in working days (a week is five)."""
        return self.limit_value * 5 if self.limit_unit == LimitUnit.WEEKS else self.limit_value
