from django.urls import path

from . import public_views

app_name = "choice_public"
urlpatterns = [
    path("brukervalg/", public_views.scheme_list, name="list"),
    path("brukervalg/<int:pk>/", public_views.scheme_detail, name="detail"),
]
