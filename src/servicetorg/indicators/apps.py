from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "servicetorg.indicators"
    open_data = "servicetorg.indicators.open_data"  # what the app publishes (core.opendata registry)
    verbose_name = _("Indicators")
    staff_menu = [("indicators:indicator-list", _("Indicators"))]

    def ready(self):
        from servicetorg.surveys import figure_targets

        from .survey_figures import SurveyIndicatorTarget

        figure_targets.register(SurveyIndicatorTarget())
