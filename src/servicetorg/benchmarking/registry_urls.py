"""Staff pages of the official statistics at /staff/statistikk/."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("import/", views.import_page, name="official-import"),
]
