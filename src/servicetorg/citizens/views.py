"""Min side and ID-porten sign-in for citizens (issue 20).

- ``login`` → ID-porten (code flow with PKCE, ``state``, ``nonce``, ``acr_values``, ``ui_locales``);
  ``callback`` checks it all (citizens/oidc.py) and starts the citizen's session; a level below what
  was asked for is refused with a way to step up, never let through.
- ``logout`` ends the session here and at ID-porten (RP-initiated log-out); ``frontchannel_logout``
  is where ID-porten ends it when she logs out elsewhere.
- ``home`` is Min side: the panels the modules register (citizens/panels.py), whom she acts for, and
  her own data export (``export``).
"""

from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import urlencode, urlparse

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST
from mozilla_django_oidc.utils import add_state_and_verifier_and_nonce_to_session, generate_code_challenge

from servicetorg.core.permissions import CITIZEN
from servicetorg.core.security import throttle_post
from servicetorg.privacy import access
from servicetorg.privacy.views import export_response

from . import assurance, oidc, panels, services, sessions
from .decorators import citizen_required, login_url

log = logging.getLogger(__name__)

#: Sign-ins under way in this session: {state: {"next": url, "level": acr}} (the library keeps the
#: nonce and PKCE verifier under "oidc_states").
PENDING_KEY = "citizen_sign_ins"
#: A sign-in must come back from ID-porten within this many seconds.
SIGN_IN_MAX_AGE = 600


def _safe_next(request, value: str) -> str:
    """Back to where she was, on this site; never to the sign-in's own pages (the header's «Logg inn»
    on a refused sign-in names the used callback: going back there would refuse her again)."""
    own = (reverse("citizens:login"), reverse("citizens:callback"), reverse("citizens:logout"))
    if (
        value
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and not urlparse(value).path.startswith(own)
    ):
        return value
    return reverse("citizens:home")


def _refused(request, reason: str, *, status: int = 400, level: str = "", next_url: str = ""):
    """A clear page for a sign-in that did not go through (``reason`` picks the text)."""
    return render(
        request,
        "citizens/refused.html",
        {
            "reason": reason,
            "retry_url": login_url(next_url or reverse("citizens:home"), level or assurance.SUBSTANTIAL),
            "level_label": assurance.label(level),
        },
        status=status,
    )


@never_cache
def login(request):
    if not oidc.enabled():
        raise Http404
    next_url = _safe_next(request, request.GET.get("next", ""))
    level = assurance.normalise(request.GET.get("level")) or assurance.SUBSTANTIAL
    try:
        provider = oidc.provider()
    except (requests.RequestException, oidc.SignInRefused, KeyError, ValueError) as exc:
        log.warning("ID-porten unavailable: %s", type(exc).__name__)
        return _refused(request, "unavailable", status=503, level=level, next_url=next_url)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": request.build_absolute_uri(reverse("citizens:callback")),
        "scope": settings.CITIZEN_OIDC_SCOPES,
        "state": state,
        "nonce": secrets.token_urlsafe(32),
        "acr_values": level,
        "ui_locales": get_language() or "nb",
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, verifier)
    pending = dict(request.session.get(PENDING_KEY) or {})
    pending[state] = {"next": next_url, "level": level, "at": int(time.time())}
    request.session[PENDING_KEY] = dict(list(pending.items())[-5:])
    return redirect(f"{provider.authorization_endpoint}?{urlencode(params)}")


@never_cache
def callback(request):
    if not oidc.enabled():
        raise Http404
    state = request.GET.get("state", "")
    states = dict(request.session.get("oidc_states") or {})
    pending = dict(request.session.get(PENDING_KEY) or {})
    entry = states.pop(state, None) if state else None
    sign_in = pending.pop(state, None) if state else None
    request.session["oidc_states"] = states  # a state is good for one answer only
    request.session[PENDING_KEY] = pending
    if not entry or not sign_in:
        log.warning("citizen sign-in refused: unknown or used state")
        return _refused(request, "state")
    next_url, level = sign_in["next"], sign_in["level"]
    if time.time() - int(sign_in.get("at", 0)) > SIGN_IN_MAX_AGE:
        return _refused(request, "expired", level=level, next_url=next_url)
    if request.GET.get("error"):
        reason = "cancelled" if request.GET["error"] == "access_denied" else "provider"
        return _refused(
            request, reason, status=200 if reason == "cancelled" else 400, level=level, next_url=next_url
        )
    try:
        claims = oidc.sign_in_claims(
            code=request.GET.get("code", ""),
            redirect_uri=request.build_absolute_uri(reverse("citizens:callback")),
            code_verifier=entry.get("code_verifier", ""),
            nonce=entry.get("nonce", ""),
        )
    except oidc.SignInRefused as exc:
        log.warning("citizen sign-in refused: %s", exc.reason)
        return _refused(request, "token", level=level, next_url=next_url)
    got = assurance.normalise(claims.get("acr"))
    if not assurance.satisfies(got, level):
        log.info("citizen sign-in at %s refused: %s asked for", got, level)
        return _refused(request, "level", status=403, level=level, next_url=next_url)
    citizen = services.citizen_for(claims["pid"], user=CITIZEN)
    sessions.sign_in(
        request,
        citizen,
        level=got,
        issuer=str(claims["iss"]).rstrip("/"),
        sid=str(claims.get("sid") or "")[:200],
        subject=str(claims.get("sub") or "")[:200],
    )
    messages.success(request, _("You are logged in with ID-porten."))
    return redirect(next_url)


@require_POST
def logout(request):
    """End her session here, then at ID-porten (it comes back to :func:`logged_out`)."""
    signed_in = sessions.current(request)
    sessions.sign_out(request)
    if signed_in is not None and oidc.enabled():
        try:
            provider = oidc.provider()
        except (requests.RequestException, oidc.SignInRefused, KeyError, ValueError):
            provider = None
        if provider is not None and provider.end_session_endpoint:
            params = {
                "client_id": provider.client_id,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("citizens:logged-out")),
                "state": secrets.token_urlsafe(16),
                "ui_locales": get_language() or "nb",
            }
            return redirect(f"{provider.end_session_endpoint}?{urlencode(params)}")
    return redirect("citizens:logged-out")


@never_cache
def logged_out(request):
    return render(request, "citizens/logged_out.html")


@never_cache
@xframe_options_exempt
def frontchannel_logout(request):
    """ID-porten loads this in a hidden frame when her ID-porten session ends elsewhere: end every
    session of that ``sid`` here. Only ID-porten may frame it (CSP ``frame-ancestors``)."""
    issuer = settings.CITIZEN_OIDC_ISSUER.rstrip("/")
    iss = (request.GET.get("iss") or "").rstrip("/")
    ended = 0
    if oidc.enabled() and iss and iss == issuer:  # not a secret (compare_digest fails on non-ASCII)
        ended = sessions.end_by_sid(issuer, (request.GET.get("sid") or "")[:200])
    response = HttpResponse(status=200, content_type="text/plain; charset=utf-8")
    response.write("ok" if ended else "")
    if origin := _issuer_origin():
        response._csp_replace = {"frame-ancestors": [origin]}
    return response


def _issuer_origin() -> str:
    origin = urlparse(settings.CITIZEN_OIDC_ISSUER)
    return f"{origin.scheme}://{origin.netloc}" if origin.scheme and origin.netloc else ""


def _may_post_to_idporten(response):
    """The page's «Log out» form posts here and is redirected to ID-porten's end-session endpoint:
    CSP ``form-action`` must let that redirect through (Chromium applies it to redirects)."""
    try:
        origin = urlparse(oidc.provider().end_session_endpoint) if oidc.enabled() else None
    except (requests.RequestException, oidc.SignInRefused, KeyError, ValueError):
        origin = None  # log-out then ends the session here only (logout() falls back the same way)
    if origin and origin.scheme and origin.netloc:
        response._csp_update = {"form-action": [f"{origin.scheme}://{origin.netloc}"]}
    return response


@never_cache
@citizen_required()
def home(request):
    viewer = request.viewer
    shown = []
    for panel in panels.registered():
        html = panel.render(request, viewer)
        shown.append({"panel": panel, "html": html, "heading": panel.heading(viewer)})
    relations = list(services.valid_relations(request.citizen, viewer.municipality))
    return _may_post_to_idporten(
        render(
            request,
            "citizens/home.html",
            {
                "viewer": viewer,
                "municipality": viewer.municipality.name,
                "panels": shown,
                "relations": relations,
                "level_label": assurance.label(request.citizen.level),
                "export_formats": access.FORMATS,
            },
        )
    )


@require_POST
@citizen_required()
@throttle_post("citizen_act_for")
def act_for(request):
    """Act for a person a valid relation names, or for herself again ("self")."""
    chosen = request.POST.get("relation", "self")
    try:
        relation_id = None if chosen == "self" else int(chosen)
        relation = services.choose_relation(request.citizen, request.viewer.municipality, relation_id)
    except (ValueError, PermissionDenied):
        messages.error(request, _("You cannot act for this person."))
        return redirect("citizens:home")
    sessions.set_acting_for(request, relation.pk if relation else None)
    if relation is None:  # acting for someone, every page's banner says so
        messages.success(request, _("You now act for yourself."))
    return redirect("citizens:home")


@require_POST
@citizen_required()
@throttle_post("citizen_export")
def export(request):
    """Her own data, as the privacy staff would export it (logged, self-service). For herself only:
    acting for someone else, she asks the municipality. With a sensitive service's case in it, at
    the level that reads that case without the one-time code (step up first)."""
    viewer = request.viewer
    fmt = request.POST.get("format", "html")
    if not viewer.for_herself or fmt not in access.FORMATS:
        raise PermissionDenied
    try:
        found = access.export_own(
            viewer.municipality,
            request.citizen.digest,
            user=CITIZEN,
            fmt=fmt,
            may_read=lambda level: assurance.satisfies(request.citizen.level, level),
        )
    except access.StepUpNeeded as short:  # a case in it is read at a higher level (its case page's)
        return redirect(login_url(reverse("citizens:home"), assurance.highest(short.levels)))
    return export_response(viewer.municipality, found, fmt)
