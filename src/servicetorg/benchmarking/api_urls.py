"""API of benchmarking at /api/statistikk/."""

from django.urls import include, path

app_name = "benchmarking_api"
urlpatterns = [
    path("", include("servicetorg.benchmarking.registry_api_urls")),
    path("", include("servicetorg.benchmarking.compare.api_urls")),
    path("rangeringer/", include("servicetorg.benchmarking.ranking.api_urls")),
    path("", include("servicetorg.benchmarking.owndata.api_urls")),
]
