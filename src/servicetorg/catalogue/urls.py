from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.service_list, name="service-list"),
    path("ny/", views.service_create, name="service-create"),
    path("<int:pk>/", views.service_detail, name="service-detail"),
    path("<int:pk>/innstillinger/", views.service_edit, name="service-edit"),
    path("<int:pk>/utkast/ny/", views.draft_start, name="draft-start"),
    path("<int:pk>/utkast/", views.draft_edit, name="draft-edit"),
    path("<int:pk>/utkast/publiser/", views.draft_publish, name="draft-publish"),
    path("<int:pk>/trekk-tilbake/", views.service_withdraw, name="service-withdraw"),
    path("<int:pk>/gjennomgatt/", views.service_reviewed, name="service-reviewed"),
    path("<int:pk>/versjon/<int:version>/", views.version_detail, name="version-detail"),
]
