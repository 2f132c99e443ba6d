"""API of the ranking at /api/statistikk/rangeringer/ (namespace ``benchmarking_api``)."""

from rest_framework.routers import SimpleRouter

from .api import RankingViewSet

router = SimpleRouter()
router.register("", RankingViewSet, basename="ranking")
urlpatterns = router.urls
