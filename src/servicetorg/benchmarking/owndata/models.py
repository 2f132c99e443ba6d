"""Models of benchmarking's owndata part (imported by benchmarking/models.py).

* :class:`Publication` — a municipality's choice to publish (or not) its own value of a shared figure
  (a national indicator of source "inquiry_kpi" or "survey"), with who chose and when. No row means
  not published. An unpublished value is used only inside peer statistics that rest on at least
  three unpublished values (see :mod:`servicetorg.benchmarking.owndata.selectors`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.core.models import Municipality
from servicetorg.indicators.models import Indicator

__all__ = ["Publication"]


class Publication(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="own_figure_publications"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="publications")
    published = models.BooleanField(_("published"), default=False)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(_("chosen"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("publication of an own figure")
        verbose_name_plural = _("publications of own figures")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "indicator"], name="own_figure_publication_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.indicator_id}: {self.published}"
