"""Staff pages of the ranking at /staff/statistikk/rangering/ (namespace ``benchmarking``)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("", views.method_list, name="ranking-methods"),
    path("metode/<int:pk>/", views.method_detail, name="ranking-method"),
    path("metode/<int:pk>/kjor/", views.method_run, name="ranking-method-run"),
    path("kjoring/<int:pk>/", views.run_detail, name="ranking-run"),
    path("kjoring/<int:pk>/publiser/", views.run_publish, name="ranking-run-publish"),
    path("kjoring/<int:pk>/kontroller/", views.run_verify, name="ranking-run-verify"),
]
