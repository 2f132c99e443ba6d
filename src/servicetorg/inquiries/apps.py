from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    name = "servicetorg.inquiries"
    verbose_name = _("Inquiries")
    staff_menu = [
        ("inquiries:queue", _("Inquiries")),
        ("inquiries:dashboard", _("Inquiry dashboard")),
    ]
    public_menu = [("inquiries_public:contact", _("Contact us"))]
