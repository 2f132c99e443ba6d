"""Benchmarking: the register of municipalities and official statistics for every region.

* :class:`Region` — one code of Statistics Norway's classification 131 (a municipality, valid over a
  period), or an aggregate the statistics name (the country ``EAK``, a county ``EKA39``, a KOSTRA
  group ``EKG13``). Codes are not tenants: a tenant (:class:`~servicetorg.core.models.Municipality`)
  links to the register by its number.
* :class:`CodeChange` — one line of the classification's change table (old code → new code on a
  date), with its kind: renumbering, merger or split. Series across reforms are read from these.
* :class:`OfficialValue` — one published figure of a national indicator for one region and year, as
  the source published it: the code that fed it, the value or SSB's symbol (``.``, ``..``, ``:``, …)
  in ``symbol`` (a symbol is never a number, never 0), whether it is preliminary, and the import run
  (table, the source's ``updated``, file) it came from. Public statistics: readable by all.
* :class:`OfficialValueHistory` — what a re-import replaced; :class:`OfficialValueDeletion` — the
  tombstones of the ``since=`` change feed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from servicetorg.indicators.models import ImportRun, Indicator


class RegionKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    COUNTY = "county", _("County")
    COUNTRY = "country", _("Country")
    GROUP = "group", _("Group of municipalities")


class Region(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=RegionKind.choices)
    county_code = models.CharField(_("county"), max_length=2, blank=True)
    county_name = models.CharField(_("county name"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The last day the code was in use; empty if current."),
    )
    fictional = models.BooleanField(
        _("fictional"), default=False, help_text=_("A code of the demo, not in Statistics Norway's register.")
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class CodeChange(models.Model):
    class Kind(models.TextChoices):
        RENUMBERING = "renumbering", _("New number")
        MERGER = "merger", _("Merger")
        SPLIT = "split", _("Split")
        NAME = "name", _("Same number")

    old_code = models.CharField(_("old code"), max_length=12)
    old_name = models.CharField(_("old name"), max_length=200)
    new_code = models.CharField(_("new code"), max_length=12)
    new_name = models.CharField(_("new name"), max_length=200)
    occurred = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)

    class Meta:
        verbose_name = _("code change")
        verbose_name_plural = _("code changes")
        ordering = ["occurred", "old_code", "new_code"]
        constraints = [
            models.UniqueConstraint(fields=["old_code", "new_code", "occurred"], name="code_change_unique"),
        ]
        indexes = [
            models.Index(fields=["new_code", "occurred"]),
            models.Index(fields=["old_code", "occurred"]),
        ]

    def __str__(self) -> str:
        return f"{self.old_code} {self.old_name} → {self.new_code} {self.new_name} ({self.occurred:%Y})"


class Symbol(models.TextChoices):
    """Statistics Norway's symbols, stored as a value's status. Any symbol but ``VALUE`` (and
    ``NIL``, an exact zero) means there is no number: it is shown as the symbol and left out of
    every statistic, never counted as 0."""

    VALUE = "", _("Value")
    NIL = "-", _("Nil (-)")
    NOT_APPLICABLE = ".", _("Cannot occur (.)")
    MISSING = "..", _("Not available (..)")
    NOT_REPORTED = "...", _("Not reported yet (...)")
    CONFIDENTIAL = ":", _("Confidential (:)")

    @classmethod
    def has_number(cls, symbol: str) -> bool:
        return symbol in (cls.VALUE, cls.NIL)


class OfficialValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="official_values")
    region_code = models.CharField(
        _("region"),
        max_length=12,
        help_text=_("The code as the source published it (the code that fed this point)."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"), null=True, blank=True)
    symbol = models.CharField(_("symbol"), max_length=3, blank=True, choices=Symbol.choices)
    preliminary = models.BooleanField(_("preliminary"), default=False)
    run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, null=True, blank=True, related_name="official_values"
    )
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("official value")
        verbose_name_plural = _("official values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region_code", "year"], name="official_value_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(symbol__in=["", "-"], value__isnull=False)
                | (~models.Q(symbol__in=["", "-"]) & models.Q(value__isnull=True)),
                name="official_value_number_or_symbol",
                violation_error_message=_("A value has a number, or a symbol, never both."),
            ),
        ]
        indexes = [
            models.Index(fields=["region_code", "indicator", "year"]),
            models.Index(fields=["indicator", "year"]),
            models.Index(fields=["changed_at", "id"]),
        ]

    def __str__(self) -> str:
        shown = self.symbol if self.value is None else self.value
        return f"{self.indicator_id} {self.region_code} {self.year}: {shown}"


class OfficialValueHistory(models.Model):
    """A value as it was before a re-import changed it."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    value = models.FloatField(null=True)
    symbol = models.CharField(max_length=3, blank=True)
    preliminary = models.BooleanField(default=False)
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, null=True, related_name="+")
    replaced_by = models.ForeignKey(ImportRun, on_delete=models.PROTECT, null=True, related_name="+")
    replaced_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["indicator", "region_code", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.region_code} {self.year} until {self.replaced_at:%Y-%m-%d}"


class OfficialValueDeletion(models.Model):
    """A tombstone: the value of (indicator, region, year) was deleted at ``deleted_at``."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    deleted_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["deleted_at", "id"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.region_code} {self.year} deleted"


# The parts' models (sub-packages, like choice/schools), so Django finds them in this app.
from .compare.models import *  # noqa: E402, F403
from .owndata.models import *  # noqa: E402, F403
from .ranking.models import *  # noqa: E402, F403
