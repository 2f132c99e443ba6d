"""Open311 GeoReport v2; mounted at /api/open311/v2/ by the root URLconf."""

from django.urls import re_path

from . import open311

app_name = "open311"
urlpatterns = [
    re_path(r"^discovery\.(?P<fmt>json|xml)$", open311.discovery, name="discovery"),
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.service_list, name="services"),
    re_path(r"^services/(?P<code>[-\w]+)\.(?P<fmt>json|xml)$", open311.service_definition, name="service"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.request_list, name="requests"),
    re_path(r"^requests/(?P<request_id>[-\w]+)\.(?P<fmt>json|xml)$", open311.request_detail, name="request"),
    # Anything else that asks for a format gets GeoReport's 404 in it (not the site's HTML page).
    re_path(r"^.*\.(?P<fmt>json|xml)$", open311.not_found),
]
