from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "servicetorg.strategy"
    open_data = "servicetorg.strategy.open_data"  # what the app publishes (core.opendata registry)
    personal_data = "servicetorg.strategy.personal_data"  # what it keeps about people (privacy.retention)
    verbose_name = _("Service strategy")
    staff_menu = [("strategy:strategy-list", _("Strategy"))]
    public_menu = [("strategy_public:home", _("Strategy and results"))]
