"""Models of benchmarking's compare part (imported by benchmarking/models.py).

* :class:`KostraGrouping` — one uploaded version of Statistics Norway's KOSTRA groups (classification
  112 in Klass), the statistics year it applies from; :class:`KostraGroup` — one group of it ("EKG13",
  its name); :class:`KostraGroupMember` — a municipality code in a group. National, no tenant: the
  grouping is the same for every municipality of the installation.
* :class:`SavedPeerGroup` — a named list of municipality codes a municipality's staff saved as a peer
  group, with a public share link (its ``token``). A tenant's row: staff pages show only their own.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.core.models import Municipality

__all__ = ["KostraGrouping", "KostraGroup", "KostraGroupMember", "SavedPeerGroup", "MAX_SAVED_CODES"]

#: Most codes a saved group may hold (every current municipality fits).
MAX_SAVED_CODES = 400


class KostraGrouping(models.Model):
    """One version of the KOSTRA groups, as uploaded from a Klass 112 file."""

    year = models.PositiveSmallIntegerField(
        _("statistics year"), help_text=_("The first statistics year this grouping applies to.")
    )
    version = models.CharField(_("version"), max_length=200, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("KOSTRA grouping")
        verbose_name_plural = _("KOSTRA groupings")
        ordering = ["-year", "-pk"]
        indexes = [models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.version or _('KOSTRA groups')} ({self.year})"


class KostraGroup(models.Model):
    grouping = models.ForeignKey(KostraGrouping, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("code"), max_length=12)
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        verbose_name = _("KOSTRA group")
        verbose_name_plural = _("KOSTRA groups")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["grouping", "code"], name="kostra_group_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class KostraGroupMember(models.Model):
    group = models.ForeignKey(KostraGroup, on_delete=models.CASCADE, related_name="members")
    region_code = models.CharField(_("municipality"), max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "region_code"], name="kostra_group_member_unique")
        ]
        indexes = [models.Index(fields=["region_code"])]

    def __str__(self) -> str:
        return f"{self.group_id} {self.region_code}"


def _token() -> str:
    return secrets.token_urlsafe(12)


class SavedPeerGroup(models.Model):
    """A municipality's own peer group: a name and the municipality codes in it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="peer_groups")
    name = models.CharField(_("name"), max_length=120)
    codes = models.JSONField(_("municipality numbers"), default=list)
    token = models.CharField(_("share link"), max_length=32, unique=True, default=_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("saved peer group")
        verbose_name_plural = _("saved peer groups")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="saved_peer_group_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
