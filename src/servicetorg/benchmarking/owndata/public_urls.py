"""Public pages of the own figures at /statistikk/egne-tall/."""

from django.urls import path

from . import public_views

urlpatterns: list = [
    path("egne-tall/", public_views.figure_list, name="owndata-list"),
    path("egne-tall/<slug:code>/", public_views.figure_detail, name="owndata-figure"),
]
