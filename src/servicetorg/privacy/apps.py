from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from servicetorg.core.permissions import Perm


class PrivacyConfig(AppConfig):
    """Personal data as a whole: retention periods and the nightly purge (retention), the right of
    access and erasure for one person (access), and the privacy log. Each app says what it keeps
    about people in its own ``personal_data`` module; core's kinds are described here, in
    ``core_holdings``, because core imports no app above it."""

    name = "servicetorg.privacy"
    verbose_name = _("Privacy")
    personal_data = "servicetorg.privacy.core_holdings"  # what core keeps about people
    menu_position = 90  # core/menus.py
    staff_menu = [
        ("privacy:personal-data", _("Right of access and erasure"), Perm.PERSONAL_DATA_REQUEST),
        ("privacy:retention", _("Retention of personal data"), Perm.RETENTION),
    ]
