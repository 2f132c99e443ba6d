"""What the portal says about itself: each municipality's privacy and accessibility statements."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicetorg.core.models import Municipality


class StatementKind(models.TextChoices):
    PRIVACY = "privacy", _("Privacy statement")
    ACCESSIBILITY = "accessibility", _("Accessibility statement")


class Statement(models.Model):
    """A municipality's own text of a statement; without one the portal shows the platform's default
    (what it stores, why and for how long; how it meets WCAG 2.1 AA)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="statements")
    kind = models.CharField(_("kind"), max_length=16, choices=StatementKind.choices)
    text = models.TextField(
        _("text"),
        help_text=_(
            "Plain text. An empty line starts a new paragraph; a line starting with “## ” is a heading."
        ),
    )
    contact = models.CharField(
        _("contact for questions"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the data protection officer's e-mail address."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind"], name="one_statement_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.municipality}"
