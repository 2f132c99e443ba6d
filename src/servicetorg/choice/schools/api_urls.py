"""The school-choice API (/api/skolevalg/): rounds (create, run, publish), explanations per
applicant, cutoffs."""

from rest_framework.routers import SimpleRouter

app_name = "schools_api"
router = SimpleRouter()
urlpatterns = router.urls

# Rounds: create, run, publish; explanations per applicant; the published cutoffs.
from .api_rounds import RoundViewSet  # noqa: E402

router.register("runder", RoundViewSet, basename="round")
urlpatterns = router.urls
