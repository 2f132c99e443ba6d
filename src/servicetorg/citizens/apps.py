from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _

from servicetorg.core.permissions import Perm


class CitizensConfig(AppConfig):
    """Citizens signed in with ID-porten, Min side and its panels, and whom a citizen may act for."""

    name = "servicetorg.citizens"
    verbose_name = _("Citizens and My page")
    personal_data = "servicetorg.citizens.personal_data"
    menu_position = 80  # core/menus.py
    staff_menu = [("citizens:relations", _("Guardians and representatives"), Perm.CITIZEN_RELATIONS)]

    def ready(self) -> None:
        from .sessions import drop_on_staff_login

        user_logged_in.connect(drop_on_staff_login, dispatch_uid="citizens.drop_on_staff_login")
