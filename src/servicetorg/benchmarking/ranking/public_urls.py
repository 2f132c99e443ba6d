"""Public pages of the ranking at /statistikk/rangering/ (namespace ``benchmarking_public``)."""

from django.urls import path

from . import public_views

urlpatterns: list = [
    path("", public_views.ranking_home, name="ranking"),
    path("<int:run>/", public_views.ranking_run, name="ranking-run"),
    path("<int:run>/<str:code>/", public_views.ranking_result, name="ranking-result"),
]
