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

# Visits and settlements (issue 21, step 3).
from .api_visits import SettlementViewSet, VisitViewSet  # noqa: E402

router.register("besok", VisitViewSet, basename="visit")
router.register("oppgjor", SettlementViewSet, basename="settlement")
urlpatterns = router.urls
