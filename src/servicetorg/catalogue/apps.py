from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "servicetorg.catalogue"
    open_data = "servicetorg.catalogue.open_data"  # what the app publishes (core.opendata registry)
    verbose_name = _("Service catalogue")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals

        post_migrate.connect(signals.ensure_search_index, sender=self, dispatch_uid="catalogue_search_index")
