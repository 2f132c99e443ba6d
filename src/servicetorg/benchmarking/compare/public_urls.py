"""Public comparison pages under /statistikk/ (namespace ``benchmarking_public``)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("", views.hub, name="hub"),
    path("indikatorer/", views.indicator_list, name="indicator-list"),
    path("indikatorer/<slug:code>/", views.indicator_detail, name="indicator"),
    path("kommuner/<str:code>/", views.profile, name="profile"),
    path("sammenlign/", views.compare, name="compare"),
    path("grupper/<str:token>/", views.peer_group, name="peer-group"),
]
