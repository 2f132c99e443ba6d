from django.urls import path

from . import api

urlpatterns: list = [
    path("sammenlign/", api.CompareView.as_view(), name="compare"),
    path("kommuner/<str:code>/lignende/", api.SimilarView.as_view(), name="similar"),
]
