"""Staff pages of benchmarking at /staff/statistikk/ (each part keeps its own url module)."""

from django.urls import include, path

app_name = "benchmarking"
urlpatterns = [
    path("", include("servicetorg.benchmarking.registry_urls")),
    path("sammenligning/", include("servicetorg.benchmarking.compare.urls")),
    path("rangering/", include("servicetorg.benchmarking.ranking.urls")),
    path("egne-tall/", include("servicetorg.benchmarking.owndata.urls")),
]
