"""Which municipality's public portal a request is looking at.

One installation serves several municipalities. The portal picks, in order: the municipality chosen
in this session (``/kommune/<nummer>/``), the one whose ``portal_host`` matches the request's host,
the one named by the ``PORTAL_MUNICIPALITY`` setting (a kommunenummer), else the first by number.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost

from .models import Municipality

SESSION_KEY = "portal_municipality"


def portal_municipality(request) -> Municipality | None:
    if hasattr(request, "_portal_municipality"):
        return request._portal_municipality
    chosen = None
    number = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if number:
        chosen = Municipality.objects.filter(number=number).first()
    if chosen is None:
        try:
            host = request.get_host().split(":")[0]
        except DisallowedHost:  # the 400 page for a bad Host header still has a portal
            host = ""
        chosen = (
            Municipality.objects.filter(portal_host=host).exclude(portal_host="").first() if host else None
        )
    if chosen is None and getattr(settings, "PORTAL_MUNICIPALITY", ""):
        chosen = Municipality.objects.filter(number=settings.PORTAL_MUNICIPALITY).first()
    if chosen is None:
        chosen = Municipality.objects.order_by("number").first()
    request._portal_municipality = chosen
    return chosen


def choose(request, municipality: Municipality) -> None:
    request.session[SESSION_KEY] = municipality.number
    request._portal_municipality = municipality
