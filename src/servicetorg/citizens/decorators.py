"""``citizen_required``: a page for signed-in citizens, at a level of assurance."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from servicetorg.core.portal import portal_municipality

from . import assurance, oidc, services


def login_url(next_url: str, level: str = assurance.SUBSTANTIAL) -> str:
    """Where "Log in" goes: ID-porten at ``level``, then back to ``next_url``."""
    return f"{reverse('citizens:login')}?{urlencode({'next': next_url, 'level': level})}"


def citizen_required(level: str = assurance.SUBSTANTIAL):
    """Only for a signed-in citizen at ``level`` or above: anyone else is sent to ID-porten (a citizen
    at a lower level to step up). Sets ``request.viewer`` (citizens.services.Viewer)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not oidc.enabled():  # no ID-porten client configured: Min side is off
                raise Http404
            signed_in = request.citizen
            if signed_in is None or not assurance.satisfies(signed_in.level, level):
                return redirect(login_url(request.get_full_path(), level))
            request.viewer = services.viewer(signed_in, portal_municipality(request))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
