"""Citizens who sign in with ID-porten, their sessions, and whom they may act for.

Nothing is stored that need not be (issue 20): a citizen is the keyed digest of her fødselsnummer
(``core/crypto.py``), never the number; a session row holds ID-porten's ``sub`` and ``sid`` so that a
log-out started elsewhere (front-channel) can end it; no token is kept after sign-in. A relation
("she acts for him") is what the municipality knows: registered by a case officer or imported, with
its period; its two numbers are kept encrypted (a case officer reads them) with their digests for
look-ups.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.core.crypto import DigestField, EncryptedTextField
from servicetorg.core.models import Municipality
from servicetorg.core.validators import validate_national_id

from .assurance import Level


class Citizen(models.Model):
    """A person who has signed in: the digest of her number and when she last did."""

    national_id_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("first signed in"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last signed in"), default=timezone.now)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        indexes = [models.Index(fields=["last_sign_in_at"], name="citizen_last_sign_in")]

    def __str__(self) -> str:
        return f"{_('citizen')} #{self.pk}"


class CitizenSession(models.Model):
    """One signed-in session: which Django session it is, and ID-porten's ``sid`` for it."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, db_index=True)
    issuer = models.CharField(max_length=200)
    sid = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=200, blank=True)  # ID-porten's pairwise ``sub``
    level = models.CharField(max_length=40, choices=Level.choices)
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["issuer", "sid"], name="citizen_session_sid")]

    def __str__(self) -> str:
        return f"{self.citizen_id} {self.started_at:%Y-%m-%d %H:%M}"


class RelationKind(models.TextChoices):
    GUARDIAN = "guardian", _("Parent or guardian")
    RELATIVE = "relative", _("Relative (care)")
    ATTORNEY = "attorney", _("Attorney (power of attorney)")


class RelationSource(models.TextChoices):
    REGISTERED = "registered", _("Registered by a case officer")
    IMPORTED = "imported", _("Imported")


class Relation(models.Model):
    """The representative may act for the subject in this municipality from ``valid_from`` until
    ``valid_until`` (inclusive; open when empty)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("relation"), max_length=12, choices=RelationKind.choices)
    representative_national_id = EncryptedTextField(
        _("national identity number of the representative"), validators=[validate_national_id]
    )
    representative_digest = DigestField(source="representative_national_id")
    subject_national_id = EncryptedTextField(
        _("national identity number of the person represented"), validators=[validate_national_id]
    )
    subject_digest = DigestField(source="subject_national_id")
    subject_name = models.CharField(_("name of the person represented"), max_length=200)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(
        max_length=12, choices=RelationSource.choices, default=RelationSource.REGISTERED
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(
        excluded_fields=[
            "representative_national_id",
            "subject_national_id",
            "representative_digest",
            "subject_digest",
        ]
    )

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["subject_name", "pk"]
        indexes = [
            models.Index(fields=["municipality", "representative_digest"], name="relation_representative"),
            models.Index(fields=["municipality", "subject_digest"], name="relation_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="relation_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_name}"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
