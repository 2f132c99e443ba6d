from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "servicetorg.catalogue"
    open_data = "servicetorg.catalogue.open_data"  # what the app publishes (core.opendata registry)
    verbose_name = _("Service catalogue")

    def ready(self):
        from . import signals  # noqa: F401
