"""The school-choice API (/api/skolevalg/): rounds (create, run, publish), explanations per
applicant, cutoffs."""

from rest_framework.routers import SimpleRouter

app_name = "schools_api"
router = SimpleRouter()
urlpatterns = router.urls
