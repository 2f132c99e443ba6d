"""Staff pages of the compare part under /staff/statistikk/sammenligning/ (namespace ``benchmarking``)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("kostra-grupper/", views.kostra_groups, name="kostra-groups"),
    path("grupper/", views.peer_group_list, name="peer-group-list"),
    path("grupper/ny/", views.peer_group_create, name="peer-group-create"),
    path("grupper/<int:pk>/", views.peer_group_edit, name="peer-group-edit"),
    path("grupper/<int:pk>/slett/", views.peer_group_delete, name="peer-group-delete"),
]
