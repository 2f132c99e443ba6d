"""Models of benchmarking's ranking part (imported by benchmarking/models.py).

* :class:`RankingMethod` — a tenant's open method: a weight per catalogue indicator and per sector,
  a version raised on every change of the weights, and the data year (empty: the latest).
* :class:`RankingRun` — one computation with the method: a frozen copy of the weights and the
  method's version, the data year, the inputs themselves (regions × indicators, as read) with their
  SHA-256, the results' SHA-256, draft → published (``workflow.py``). A published run recomputes
  byte-identically from its frozen inputs (``services.verify``).
* :class:`RankingResult` — per region of a run: total and sector grades, place and its interval,
  coverage, what is missing, and the indicators lifting and lowering the total.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.core.models import Municipality

__all__ = ["RankingMethod", "RankingRun", "RankingRunState", "RankingResult"]


class RankingMethod(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="ranking_methods", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(_("method version"), default=1)
    year = models.PositiveSmallIntegerField(
        _("data year"), null=True, blank=True, help_text=_("Empty: the latest year with figures.")
    )
    indicator_weights = models.JSONField(
        _("indicator weights"), default=dict, blank=True, help_text=_("Weight per indicator code.")
    )
    sector_weights = models.JSONField(
        _("sector weights"), default=dict, blank=True, help_text=_("Weight per sector.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ranking method")
        verbose_name_plural = _("ranking methods")
        ordering = ["municipality", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class RankingRunState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RankingRun(models.Model):
    method = models.ForeignKey(RankingMethod, on_delete=models.PROTECT, related_name="runs")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="ranking_runs", verbose_name=_("municipality")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=RankingRunState.choices, default=RankingRunState.DRAFT
    )
    name = models.CharField(_("name"), max_length=200)
    method_version = models.PositiveIntegerField(_("method version"))
    year = models.PositiveSmallIntegerField(_("data year"))
    indicator_weights = models.JSONField(_("indicator weights"), default=dict)
    sector_weights = models.JSONField(_("sector weights"), default=dict)
    seed = models.BigIntegerField(_("seed of the weight draws"))
    draws = models.PositiveIntegerField(_("weight draws"))
    min_coverage = models.FloatField(_("least coverage to be ranked"))
    inputs = models.JSONField(_("frozen inputs"), default=dict)
    data_hash = models.CharField(_("SHA-256 of the inputs"), max_length=64)
    results_hash = models.CharField(_("SHA-256 of the results"), max_length=64)
    indicator_stats = models.JSONField(_("reference points per indicator"), default=dict)
    synthetic = models.BooleanField(_("synthetic demo figures"), default=False)
    regions = models.PositiveIntegerField(_("regions"), default=0)
    ranked = models.PositiveIntegerField(_("ranked"), default=0)
    milliseconds = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ranking run")
        verbose_name_plural = _("ranking runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "published_at"])]

    def __str__(self) -> str:
        return f"{self.name} {self.year} (v{self.method_version})"


class RankingResult(models.Model):
    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="results")
    region_code = models.CharField(_("municipality number"), max_length=12)
    name = models.CharField(_("name"), max_length=200)
    county_code = models.CharField(_("county"), max_length=2, blank=True)
    county_name = models.CharField(_("county name"), max_length=100, blank=True)
    total = models.FloatField(_("total grade"), null=True, blank=True)
    ranked = models.BooleanField(_("ranked"), default=False)
    rank = models.PositiveIntegerField(_("place"), null=True, blank=True)
    rank_low = models.PositiveIntegerField(_("place, best in the interval"), null=True, blank=True)
    rank_high = models.PositiveIntegerField(_("place, worst in the interval"), null=True, blank=True)
    coverage = models.FloatField(_("coverage"))
    missing = models.JSONField(_("missing indicators"), default=list)
    sector_grades = models.JSONField(_("sector grades"), default=dict)
    indicator_grades = models.JSONField(
        _("per indicator"), default=dict, help_text=_("code → [value, grade, contribution]")
    )
    lifting = models.JSONField(_("lifting the total"), default=list)
    lowering = models.JSONField(_("lowering the total"), default=list)

    class Meta:
        verbose_name = _("ranking result")
        verbose_name_plural = _("ranking results")
        ordering = ["run", "rank", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "region_code"], name="ranking_result_unique"),
        ]
        indexes = [models.Index(fields=["run", "county_code"])]

    def __str__(self) -> str:
        return f"{self.region_code} {self.rank or '-'}"
