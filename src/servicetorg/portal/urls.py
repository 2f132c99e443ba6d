from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tjenester/", views.service_list, name="service-list"),
    path("tjenester/<slug:slug>/", views.service_detail, name="service-detail"),
    path("kommune/", views.choose_municipality, name="choose-municipality"),
    path("personvern/", views.statement, {"kind": "privacy"}, name="privacy"),
    path("tilgjengelighet/", views.statement, {"kind": "accessibility"}, name="accessibility"),
    path("staff/portal/personvern/", views.statement_edit, {"kind": "privacy"}, name="privacy-edit"),
    path(
        "staff/portal/tilgjengelighet/",
        views.statement_edit,
        {"kind": "accessibility"},
        name="accessibility-edit",
    ),
    path("apne-data/<str:number>/", views.open_data, name="open-data"),
    path(
        "apne-data/<str:number>/tjenester.ttl", views.catalogue_export, {"fmt": "turtle"}, name="cpsv-turtle"
    ),
    path(
        "apne-data/<str:number>/tjenester.jsonld",
        views.catalogue_export,
        {"fmt": "json-ld"},
        name="cpsv-jsonld",
    ),
]
