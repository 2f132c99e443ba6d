from django.urls import path
from rest_framework.routers import DefaultRouter

from .api import DashboardView, InquiryViewSet

app_name = "inquiries_api"
router = DefaultRouter()
router.register("inquiries", InquiryViewSet, basename="inquiry")
urlpatterns = [path("dashboard/", DashboardView.as_view(), name="dashboard"), *router.urls]
