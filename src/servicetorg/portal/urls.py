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
    # Open data: the registry's files (core.opendata), the DCAT-AP-NO catalogue and the glossary.
    path("apne-data/api/<slug:key>.json", views.open_data_api_description, name="open-data-api"),
    path("apne-data/vokabular/<str:filename>", views.open_data_vocabulary, name="open-data-vocabulary"),
    path("apne-data/<str:number>/", views.open_data, name="open-data"),
    path(
        "apne-data/<str:number>/tjenester.ttl",
        views.open_data_file,
        {"filename": "tjenester.ttl"},
        name="cpsv-turtle",
    ),
    path(
        "apne-data/<str:number>/tjenester.jsonld",
        views.open_data_file,
        {"filename": "tjenester.jsonld"},
        name="cpsv-jsonld",
    ),
    path("apne-data/<str:number>/<str:filename>", views.open_data_file, name="open-data-file"),
]
