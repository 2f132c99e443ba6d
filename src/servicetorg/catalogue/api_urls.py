from rest_framework.routers import DefaultRouter

from .api import ServiceAreaViewSet, ServiceViewSet

app_name = "catalogue_api"
router = DefaultRouter()
router.register("services", ServiceViewSet, basename="service")
router.register("areas", ServiceAreaViewSet, basename="area")
urlpatterns = router.urls
