"""Paths of application_urls (included by urls.py): the school office's applications of a round
(list, detail, register, withdraw, CSV import), the appeals, and the per-pupil budget (elevsjekk)."""

from django.urls import path

from . import budget_views

urlpatterns: list = [
    path("elevsjekk/", budget_views.budget_list, name="budget-list"),
    path("elevsjekk/<int:pk>/", budget_views.budget_detail, name="budget-detail"),
    path("elevsjekk/<int:pk>/endre/", budget_views.budget_edit, name="budget-edit"),
    path("elevsjekk/<int:pk>/elevsjekk.xlsx", budget_views.budget_xlsx, name="budget-xlsx"),
]
