"""The kommunetest's API (/api/kommunetest/, namespace ``servicetest_api``): published results."""

from rest_framework.routers import SimpleRouter

from .api import ResultViewSet

app_name = "servicetest_api"
router = SimpleRouter()
router.register("resultater", ResultViewSet, basename="result")
urlpatterns = router.urls
