from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tjenester/", views.service_list, name="service-list"),
    path("tjenester/<slug:slug>/", views.service_detail, name="service-detail"),
    path("kommune/", views.choose_municipality, name="choose-municipality"),
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
