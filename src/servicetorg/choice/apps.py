from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from servicetorg.core.permissions import Perm


class ChoiceConfig(AppConfig):
    """User choice (brukervalg). Schemes and their rates hold no personal data, so the app declares
    no ``personal_data`` module (privacy.retention and privacy.access find nothing to keep or export);
    decisions, choices and visits (the next steps of issue 21) will register theirs."""

    name = "servicetorg.choice"
    verbose_name = _("User choice")
    staff_menu = [
        ("choice:scheme-list", _("User choice"), Perm.CHOICE_READ),
        ("choice:decision-list", _("Care decisions"), Perm.CHOICE_ORDER),
        ("choice:provider-users", _("My users"), Perm.CHOICE_PROVIDE),
        ("choice:portal-home", _("My provider"), Perm.CHOICE_PROVIDE),
    ]
    public_menu = [("choice_public:list", _("User choice"))]
    open_data = "servicetorg.choice.open_data"  # approved providers per scheme (CSV, JSON)

    def ready(self):
        from servicetorg.citizens import panels

        from .min_side import PANEL

        panels.register(PANEL)  # her decisions, provider, coming switch and waiting lists
