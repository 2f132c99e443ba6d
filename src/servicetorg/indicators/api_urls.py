from rest_framework.routers import SimpleRouter

from . import api

app_name = "indicators_api"
router = SimpleRouter()
router.register("indicators", api.IndicatorViewSet, basename="indicator")
router.register("values", api.ValueViewSet, basename="value")
urlpatterns = router.urls
