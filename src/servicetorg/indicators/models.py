"""Indicator store: indicators and their values per municipality, unit and year.

An :class:`Indicator` is either national (``municipality`` is null: e.g. the KOSTRA figures that
every municipality reports to Statistics Norway, defined once and shared) or the municipality's own
(own measurements, inquiry KPIs, survey results). Values always belong to one municipality (and
optionally one unit), so tenancy holds for values even when the definition is shared.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.core.models import Municipality, Unit

MIN_YEAR = 1990
MAX_YEAR = 2100


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Higher is better")
    LOWER_IS_BETTER = "lower", _("Lower is better")
    NEUTRAL = "neutral", _("Neither (context)")


class Sector(models.TextChoices):
    """KOSTRA's service areas: the sectors of the benchmark's ranking."""

    CONTEXT = "context", _("Population and context")
    KINDERGARTEN = "kindergarten", _("Kindergartens")
    SCHOOL = "school", _("Primary and lower secondary school")
    HEALTH = "health", _("Health services")
    ELDERLY_CARE = "elderly_care", _("Health and care services")
    SOCIAL = "social", _("Social services")
    CHILD_WELFARE = "child_welfare", _("Child welfare")
    CULTURE = "culture", _("Culture")
    WATER = "water", _("Water, wastewater and waste")
    PLANNING = "planning", _("Planning and building")
    ECONOMY = "economy", _("Economy")
    ADMINISTRATION = "administration", _("Administration")


class MergeRule(models.TextChoices):
    """How a figure of merged municipalities is put together for the years before the merger."""

    SUM = "sum", _("Additive: the predecessors' values are summed")
    RATIO = "ratio", _("Ratio: recomputed from the summed numerator and denominator")
    APART = "apart", _("Not additive: the predecessors are shown apart")


class Source(models.TextChoices):
    KOSTRA = "kostra", _("KOSTRA (Statistics Norway)")
    OWN = "own", _("Own measurement")
    INQUIRY_KPI = "inquiry_kpi", _("Inquiry KPI")
    SURVEY = "survey", _("Survey result")


class Aspect(models.TextChoices):
    """What an indicator says about a service area (the status section of a strategy)."""

    RESOURCES = "resources", _("Resources")
    VOLUME = "volume", _("Volume")
    QUALITY = "quality", _("Quality")


class Indicator(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("municipality"),
        help_text=_("Empty for a national indicator shared by all municipalities (e.g. KOSTRA)."),
    )
    code = models.SlugField(_("code"), max_length=80, help_text=_("Short name used in imports."))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40, help_text=_("e.g. %, NOK, days"))
    direction = models.CharField(
        _("better when"), max_length=10, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OWN)
    aspect = models.CharField(_("aspect"), max_length=20, choices=Aspect.choices, default=Aspect.QUALITY)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    merge_rule = models.CharField(
        _("across mergers"), max_length=8, choices=MergeRule.choices, default=MergeRule.APART
    )
    numerator = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("numerator"),
    )
    denominator = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("denominator"),
    )
    scale = models.FloatField(
        _("scale of the ratio"),
        default=1.0,
        help_text=_("numerator / denominator × scale (100 for a percentage)"),
    )
    kostra_table = models.CharField(
        _("Statistics Norway table"), max_length=20, blank=True, help_text=_("e.g. 12362")
    )
    kostra_code = models.CharField(
        _("Statistics Norway content code"),
        max_length=60,
        blank=True,
        help_text=_("ContentsCode in the table"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"],
                name="indicator_code_unique_local",
                condition=models.Q(municipality__isnull=False),
                violation_error_message=_("This municipality already has an indicator with this code."),
            ),
            models.UniqueConstraint(
                fields=["code"],
                name="indicator_code_unique_national",
                condition=models.Q(municipality__isnull=True),
                violation_error_message=_("A national indicator with this code already exists."),
            ),
        ]
        indexes = [models.Index(fields=["kostra_table", "kostra_code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit_of_measure})"

    @property
    def higher_is_better(self) -> bool:
        """Targets read "higher is better" unless the indicator says lower (a neutral one too)."""
        return self.direction != Direction.LOWER_IS_BETTER

    @property
    def is_national(self) -> bool:
        return self.municipality_id is None

    def applies_to(self, municipality_id: int) -> bool:
        return self.municipality_id is None or self.municipality_id == municipality_id


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="indicator_values")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="indicator_values"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "municipality", "unit", "year"],
                name="indicator_value_unique_unit",
                condition=models.Q(unit__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["indicator", "municipality", "year"],
                name="indicator_value_unique_municipality",
                condition=models.Q(unit__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "indicator", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"


class ImportRun(models.Model):
    """One import of a file (CSV or JSON-stat), kept for the record."""

    class Kind(models.TextChoices):
        CSV = "csv", _("CSV")
        JSONSTAT = "jsonstat", _("JSON-stat 2 (Statistics Norway)")
        SSB_CSV = "ssb_csv", _("CSV from Statistics Norway")
        FETCH = "fetch", _("Fetched from Statistics Norway (PxWebApi)")
        DEMO = "demo", _("Synthetic demo figures")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="indicator_imports"
    )
    table_id = models.CharField(_("table"), max_length=20, blank=True)
    source_updated = models.DateTimeField(_("updated at the source"), null=True, blank=True)
    created = models.PositiveIntegerField(_("values created"), default=0)
    updated = models.PositiveIntegerField(_("values updated"), default=0)
    skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.created_at:%Y-%m-%d})"
