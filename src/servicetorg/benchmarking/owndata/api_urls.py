"""API of the own figures at /api/statistikk/egne-tall/."""

from django.urls import path

from . import api

urlpatterns: list = [
    path("egne-tall/", api.OwnFigureList.as_view(), name="owndata-list"),
    path("egne-tall/<slug:code>/", api.OwnFigureDetail.as_view(), name="owndata-figure"),
]
