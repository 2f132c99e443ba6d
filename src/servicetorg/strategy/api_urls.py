from rest_framework.routers import SimpleRouter

from . import api

app_name = "strategy_api"
router = SimpleRouter()
router.register("strategies", api.StrategyViewSet, basename="strategy")
router.register("reports", api.ReportViewSet, basename="report")
urlpatterns = router.urls
