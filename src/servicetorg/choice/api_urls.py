"""The user-choice API (/api/choice/): each part registers its viewsets here (providers, choices,
visits, settlements)."""

from rest_framework.routers import SimpleRouter

app_name = "choice_api"
router = SimpleRouter()
urlpatterns = router.urls
