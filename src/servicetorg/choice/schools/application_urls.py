"""Paths of application_urls (included by urls.py): the school office's applications of a round
(list, detail, register, change, withdraw, CSV import), the appeals, and the per-pupil budget
(elevsjekk)."""

from django.urls import path

from . import application_views as views
from . import budget_views

urlpatterns: list = [
    path("runder/<int:round_pk>/soknader/", views.application_list, name="application-list"),
    path("runder/<int:round_pk>/soknader/ny/", views.application_create, name="application-create"),
    path("runder/<int:round_pk>/soknader/import/", views.application_import, name="application-import"),
    path(
        "runder/<int:round_pk>/soknader/import/eksempel.csv",
        views.application_import_sample,
        name="application-import-sample",
    ),
    path("runder/<int:round_pk>/soknader/<int:pk>/", views.application_detail, name="application-detail"),
    path("runder/<int:round_pk>/soknader/<int:pk>/endre/", views.application_edit, name="application-edit"),
    path(
        "runder/<int:round_pk>/soknader/<int:pk>/trekk/",
        views.application_withdraw,
        name="application-withdraw",
    ),
    path("klager/", views.appeal_list, name="appeal-list"),
    path("klager/<int:pk>/", views.appeal_detail, name="appeal-detail"),
    path("klager/<int:pk>/svar/", views.appeal_answer, name="appeal-answer"),
    path("elevsjekk/", budget_views.budget_list, name="budget-list"),
    path("elevsjekk/<int:pk>/", budget_views.budget_detail, name="budget-detail"),
    path("elevsjekk/<int:pk>/endre/", budget_views.budget_edit, name="budget-edit"),
    path("elevsjekk/<int:pk>/elevsjekk.xlsx", budget_views.budget_xlsx, name="budget-xlsx"),
]
