from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("oppbevaring/", views.retention_rules, name="retention"),
    path("innsyn-og-sletting/", views.personal_data_request, name="personal-data"),
    path("innsyn/post/<str:holding>/<int:pk>/", views.personal_data_record, name="personal-data-record"),
]
