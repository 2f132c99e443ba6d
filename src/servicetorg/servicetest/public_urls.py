"""The kommunetest's published results for everyone (namespace ``servicetest_public``)."""

from django.urls import path

from . import public_views

app_name = "servicetest_public"
urlpatterns = [
    path("kommunetest/", public_views.home, name="home"),
    path("kommunetest/<int:pk>/", public_views.round_detail, name="round"),
    path("kommunetest/<int:pk>/<str:code>/", public_views.region_detail, name="region"),
]
