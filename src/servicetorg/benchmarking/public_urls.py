"""Public pages of benchmarking at /statistikk/ (official statistics are open to all)."""

from django.urls import include, path

app_name = "benchmarking_public"
urlpatterns = [
    path("statistikk/", include("servicetorg.benchmarking.registry_public_urls")),
    path("statistikk/", include("servicetorg.benchmarking.compare.public_urls")),
    path("statistikk/rangering/", include("servicetorg.benchmarking.ranking.public_urls")),
    path("statistikk/", include("servicetorg.benchmarking.owndata.public_urls")),
]
