from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from servicetorg.core.permissions import Perm


class ChoiceConfig(AppConfig):
    """User choice (brukervalg). Schemes, rates and providers hold no personal data; care decisions,
    choices, waiting-list entries, visits, settlement lines and the reads of decisions do, and
    ``personal_data`` registers their retention, access export and erasure."""

    name = "servicetorg.choice"
    verbose_name = _("User choice")
    staff_menu = [
        ("choice:scheme-list", _("User choice"), Perm.CHOICE_READ),
        ("choice:decision-list", _("Care decisions"), Perm.CHOICE_ORDER),
        ("choice:provider-users", _("My users"), Perm.CHOICE_PROVIDE),
        ("choice:portal-home", _("My provider"), Perm.CHOICE_PROVIDE),
        ("choice:visit-list", _("Visits"), Perm.CHOICE_PROVIDE),
        ("choice:settlement-list", _("Settlement"), Perm.CHOICE_SETTLE),
        ("choice:deviation-list", _("Deviations from decisions"), Perm.CHOICE_ORDER),
        ("schools:round-list", _("School choice"), Perm.SCHOOL_READ),
    ]
    public_menu = [("choice_public:list", _("User choice")), ("schools_public:home", _("School choice"))]
    personal_data = "servicetorg.choice.personal_data"  # what it keeps about people (privacy.retention)
    open_data = "servicetorg.choice.open_data"  # approved providers per scheme (CSV, JSON)

    def ready(self):
        from servicetorg.citizens import panels

        from .min_side import PANEL
        from .schools.min_side import PANEL as SCHOOL_PANEL

        panels.register(PANEL)  # her decisions, provider, coming switch and waiting lists
        panels.register(SCHOOL_PANEL)  # her children's school applications and placements
