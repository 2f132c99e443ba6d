"""What the privacy app keeps: each municipality's retention periods and the privacy log. (The
tables were created by core before the app existed and keep their names.)"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.core.models import Municipality


class RetentionRule(models.Model):
    """A municipality's own retention period for one kind of record (privacy.retention); without one the
    kind's default applies."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="retention_rules", verbose_name=_("municipality")
    )
    kind = models.CharField(_("kind of record"), max_length=60)
    days = models.PositiveIntegerField(_("kept for (days)"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(table_name="core_historicalretentionrule")

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["municipality", "kind"]
        db_table = "core_retentionrule"  # created by core before the privacy app existed
        constraints = [models.UniqueConstraint(fields=["municipality", "kind"], name="retention_rule_unique")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.days}"


class PrivacyAction(models.TextChoices):
    SEARCH = "search", _("Search for a person")
    EXPORT = "export", _("Export of a person's data")
    ERASE = "erase", _("Erasure of a person's data")
    PURGE = "purge", _("Purge after the retention period")
    RULES = "rules", _("Retention periods changed")


class PrivacyLog(models.Model):
    """Who handled personal data as a whole, when, and how many records: never the data itself (no
    name, address or number of the person asked about)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=10, choices=PrivacyAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The user name at the time (kept if the account is deleted); "system" for the nightly purge.
    actor = models.CharField(_("by"), max_length=150)
    #: What was searched by ("email", "phone", "national_id"), the format of an export, dry run or not.
    detail = models.JSONField(_("detail"), default=dict)
    #: Records per kind (``{"inquiries.inquiry": 2, ...}``).
    counts = models.JSONField(_("counts"), default=dict)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("privacy log entry")
        verbose_name_plural = _("privacy log")
        ordering = ["-created_at", "-pk"]
        db_table = "core_privacylog"  # created by core before the privacy app existed
        indexes = [models.Index(fields=["municipality", "-created_at"], name="privacy_log_tenant_time")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"
