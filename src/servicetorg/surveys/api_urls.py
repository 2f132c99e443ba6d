from rest_framework.routers import DefaultRouter

from .api import SurveyViewSet

app_name = "surveys_api"
router = DefaultRouter()
router.register("surveys", SurveyViewSet, basename="survey")
urlpatterns = router.urls
