from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from servicetorg.core.permissions import Perm


class InquiriesConfig(AppConfig):
    name = "servicetorg.inquiries"
    open_data = "servicetorg.inquiries.open_data"  # what the app publishes (core.opendata registry)
    personal_data = "servicetorg.inquiries.personal_data"  # what it keeps about people (privacy.retention)
    verbose_name = _("Inquiries")
    menu_position = 10  # core/menus.py
    # Each entry names the permission its page checks: nobody is led to a 403 (issue 24 §9).
    staff_menu = [
        ("inquiries:queue", _("Inquiries"), Perm.INQUIRY_WORK),
        ("inquiries:lookup", _("Find an inquiry"), Perm.INQUIRY_LOOKUP),
        ("inquiries:dashboard", _("Inquiry dashboard"), Perm.INQUIRY_DASHBOARD),
    ]
    public_menu = [("inquiries_public:contact", _("Contact us"))]
    # On each service's portal page: the contact form with the service chosen.
    service_actions = [("inquiries_public:contact-service", _("Ask about this service"))]

    def ready(self):
        from servicetorg.citizens import panels

        from . import fast_path  # noqa: F401 (registers the fast path's system check)
        from .min_side import PANEL

        panels.register(PANEL)  # her cases on Min side
