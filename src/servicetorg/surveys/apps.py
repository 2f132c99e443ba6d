from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "servicetorg.surveys"
    personal_data = "servicetorg.surveys.personal_data"  # what it keeps about people (privacy.retention)
    verbose_name = _("Surveys")
    staff_menu = [("surveys:survey-list", _("Surveys"))]
    public_menu = [("surveys_public:list", _("Surveys"))]

    def ready(self):
        # The satisfaction question after a closed case (inquiries comes first and imports no survey).
        from servicetorg.inquiries import case_extensions

        from .case_extension import SatisfactionExtension

        case_extensions.register(SatisfactionExtension())
        # Questions waiting for her and open surveys on Min side (citizens comes first).
        from servicetorg.citizens import panels

        from .min_side import PANEL

        panels.register(PANEL)
