from django.urls import path

from . import views

app_name = "choice"
urlpatterns = [
    path("", views.scheme_list, name="scheme-list"),
    path("ny/", views.scheme_create, name="scheme-create"),
    path("<int:pk>/", views.scheme_detail, name="scheme-detail"),
    path("<int:pk>/rediger/", views.scheme_edit, name="scheme-edit"),
    path("<int:pk>/vedta/", views.scheme_adopt, name="scheme-adopt"),
    path("<int:pk>/ny-versjon/", views.scheme_new_version, name="scheme-new-version"),
]
