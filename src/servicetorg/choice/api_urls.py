"""The user-choice API (/api/choice/): each part registers its viewsets here (providers, choices,
visits, settlements)."""

from rest_framework.routers import SimpleRouter

from .api_choices import ChoiceViewSet
from .api_providers import ProviderViewSet

app_name = "choice_api"
router = SimpleRouter()
router.register("choices", ChoiceViewSet, basename="choice")  # choose/switch on a user's behalf
router.register("providers", ProviderViewSet, basename="provider")
urlpatterns = router.urls
