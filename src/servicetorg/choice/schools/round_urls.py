"""Paths of round_urls (included by urls.py): the rounds, their steps and runs, the schools."""

from django.urls import path

from . import round_views as views

urlpatterns: list = [
    path("", views.round_list, name="round-list"),
    path("runder/ny/", views.round_create, name="round-create"),
    path("runder/<int:pk>/", views.round_detail, name="round-detail"),
    path("runder/<int:pk>/rediger/", views.round_edit, name="round-edit"),
    path("runder/<int:pk>/steg/<slug:action>/", views.round_action, name="round-action"),
    path("runder/<int:pk>/kjor/", views.round_run, name="round-run"),
    path("runder/<int:pk>/venteliste/", views.round_waiting_list, name="round-waiting-list"),
    path("runder/<int:pk>/kapasitet/", views.round_feasibility, name="round-feasibility"),
    path("runder/<int:pk>/hva-om/", views.what_if, name="what-if"),
    path("kjoring/<int:pk>/", views.run_detail, name="run-detail"),
    path("skoler/", views.school_list, name="school-list"),
    path("skoler/ny/", views.school_create, name="school-create"),
    path("skoler/<int:pk>/rediger/", views.school_edit, name="school-edit"),
    path("skoler/adresser/", views.address_register, name="address-register"),
]
