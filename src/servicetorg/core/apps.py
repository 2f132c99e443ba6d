from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "servicetorg.core"
    open_data = "servicetorg.core.opendata.rest_api"  # what the app publishes (core.opendata registry)
    verbose_name = _("Core")

    def ready(self):
        from . import crypto, redaction, security  # noqa: F401 (security connects signal receivers)

        crypto.check_keys()  # the field keys are read and checked once, at start-up
        redaction.install()  # no case token or fødselsnummer in the request loggers' records
