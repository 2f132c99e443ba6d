from django.urls import path

from . import views

app_name = "inquiries"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("ny/", views.register, name="register"),
    path("finn/", views.lookup, name="lookup"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/vedlegg/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
    path("frister/", views.channel_rules, name="rules"),
    path("kompensasjon/", views.compensations, name="compensations"),
    path("kompensasjon/<int:pk>/", views.settle, name="settle"),
    path("oversikt/", views.dashboard, name="dashboard"),
    path("oversikt/eksport.<str:fmt>", views.dashboard_export, name="dashboard-export"),
]
