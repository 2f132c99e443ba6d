"""Public pages of the register at /statistikk/."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("kommuner/", views.municipality_list, name="municipality-list"),
]
