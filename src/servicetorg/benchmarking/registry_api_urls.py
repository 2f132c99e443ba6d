"""API of the register and the official statistics (see api.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("regioner/", api.RegionList.as_view(), name="region-list"),
    path("regioner/<str:code>/", api.RegionDetail.as_view(), name="region-detail"),
    path("indikatorer/", api.IndicatorList.as_view(), name="indicator-list"),
    path("verdier/", api.ValueList.as_view(), name="value-list"),
    path("serier/<str:code>/", api.SeriesView.as_view(), name="series"),
]
