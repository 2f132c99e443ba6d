"""The project's URLconf plus Open311 at /api/open311/v2/ (in case the root URLconf does not mount it yet)."""

from django.urls import include, path

from servicetorg.urls import urlpatterns as project_patterns

_mounted = any(getattr(p, "pattern", None) and str(p.pattern) == "api/open311/v2/" for p in project_patterns)
urlpatterns = list(project_patterns)
if not _mounted:
    urlpatterns.insert(0, path("api/open311/v2/", include("servicetorg.inquiries.open311_urls")))
