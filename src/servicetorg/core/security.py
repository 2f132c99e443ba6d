"""Security controls shared by every module (OWASP ASVS level 2; see docs/security.md).

- :func:`client_ip`: the client's address, behind ``TRUSTED_PROXIES`` reverse proxies.
- Throttles: :class:`RateThrottle` (DRF's cache throttle, rates from ``settings.THROTTLE_RATES`` read
  at each request), the API's :class:`ApiAnonThrottle` and :class:`ApiUserThrottle`, and
  :func:`throttle_post` for citizen pages (a 429 page in Norwegian or English).
- :class:`BoundedJSONParser`: the API's JSON with a size, depth and character bound.
- Middleware: :class:`EdgeValidationMiddleware` (control characters in query strings and forms, body
  size), :class:`SessionTimeoutMiddleware` (idle and absolute time-outs), :class:`RequireMFAMiddleware`
  (django-otp for staff pages, the admin and session use of the API) and
  :class:`SecurityLogMiddleware` (refusals, reads of personal data, ``Cache-Control: no-store``).
- The ``servicetorg.security`` logger gets log-ins, failures, lock-outs, refusals and reads.
"""

import logging
import time
from functools import wraps

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions as drf_exceptions
from rest_framework.parsers import JSONParser
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils import json as drf_json

from . import formatting, uploads
from .validators import CONTROL_CHARACTERS_MESSAGE, check_json, has_forbidden_characters

log = logging.getLogger("servicetorg.security")


def client_ip(request) -> str:
    """REMOTE_ADDR, or with ``TRUSTED_PROXIES`` = n the n-th address from the right of X-Forwarded-For
    (the one the outermost trusted proxy saw). Used by throttles, django-axes and the security log."""
    meta = request.META
    proxies = settings.TRUSTED_PROXIES
    forwarded = meta.get("HTTP_X_FORWARDED_FOR") if proxies else None
    if forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return meta.get("REMOTE_ADDR", "")


def _who(request) -> str:
    user = getattr(request, "user", None)
    name = user.get_username() if user is not None and user.is_authenticated else "-"
    return f"user={name} ip={client_ip(request)} {request.method} {safe_path(request)}"


def safe_path(request) -> str:
    """The request's path without a secret in it (the case link's token)."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is None:  # refused before URL resolution
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    token = match.kwargs.get("token") if match else None
    if token:
        path = path.replace(token, "…")
    return path


# --- Throttles --------------------------------------------------------------------------------------


class RateThrottle(SimpleRateThrottle):
    """DRF's cache throttle keyed by scope and client address; the rate is read from
    ``settings.THROTTLE_RATES[scope]`` when the throttle is made (None: no limit)."""

    def __init__(self, scope: str | None = None):
        if scope is not None:
            self.scope = scope
        super().__init__()

    def get_rate(self):
        return settings.THROTTLE_RATES.get(self.scope or "")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}

    def allow_request(self, request, view):
        """Fails open: with the cache down or frozen (its socket time-out is short) the request goes
        through with a log line, so that a Redis outage never refuses a citizen (issue 18 §3.2)."""
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 (redis-py's errors, or any other cache backend's)
            log.warning("throttle %s not counted: the cache does not answer", self.scope, exc_info=True)
            return True


class KeyedThrottle(RateThrottle):
    """A throttle counted per something other than the address (a case reference, an e-mail
    address): ``ident`` is hashed with the site's key, so the cache holds no personal data."""

    def __init__(self, scope: str, ident: str):
        from django.utils.crypto import salted_hmac

        self.ident = salted_hmac("servicetorg.throttle", f"{scope}:{ident}", algorithm="sha256").hexdigest()
        super().__init__(scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


class ApiAnonThrottle(RateThrottle):
    """Anonymous API requests (Open311 lists, the schema) per client address."""

    scope = "api_anon"

    def allow_request(self, request, view):
        if request.user and request.user.is_authenticated:
            return True
        return super().allow_request(request, view)


class ApiUserThrottle(RateThrottle):
    """Authenticated API requests per user. A system with an API key has its own scope
    (``api_client``, unlimited unless set), so intake is not throttled as a person would be."""

    scope = "api_user"

    def allow_request(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return True
        self.scope = getattr(request.auth, "throttle_scope", "api_user")
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def throttled_message(wait: float | None) -> str:
    minutes = max(1, round((wait or 60) / 60))
    return _("Too many attempts from your address in a short time. Try again in %(minutes)s minutes.") % {
        "minutes": minutes
    }


def throttle_post(scope):
    """Decorate a page view: its POSTs count against ``scope`` (a name in THROTTLE_RATES, or a
    function of the request giving one, or None for a POST that is not counted). Over the limit the
    client gets a 429 page that says when to try again, and the refusal is logged."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                name = scope(request) if callable(scope) else scope
                throttle = RateThrottle(name) if name else None
                if throttle is not None and not throttle.allow_request(request, None):
                    wait = throttle.wait()
                    log.warning("throttled scope=%s %s", name, _who(request))
                    response = render(
                        request, "throttled.html", {"message": throttled_message(wait)}, status=429
                    )
                    response["Retry-After"] = str(int(wait or 60))
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- The API's JSON ---------------------------------------------------------------------------------


class BoundedJSONParser(JSONParser):
    """JSON of at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, nested at most ``JSON_MAX_DEPTH`` deep,
    without control characters; anything else is a 400 (413 for size) with a clear message, never a
    RecursionError. DRF reads the stream itself, so Django's own body limit does not apply here."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1 if limit is not None else -1)
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge()
        try:
            data = drf_json.loads(
                raw.decode(encoding), parse_constant=drf_json.strict_constant if self.strict else None
            )
        except RecursionError as exc:
            raise drf_exceptions.ParseError(
                _("The JSON is nested deeper than %(depth)s levels.") % {"depth": settings.JSON_MAX_DEPTH}
            ) from exc
        except ValueError as exc:  # not UTF-8, not JSON
            raise drf_exceptions.ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from exc
        try:
            check_json(data)
        except ValidationError as exc:
            raise drf_exceptions.ParseError(exc.messages[0]) from exc
        return data


class PayloadTooLarge(drf_exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"

    def __init__(self):
        super().__init__(
            _("The request body is too large (limit %(limit)s bytes).")
            % {"limit": formatting.number(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
        )


# --- Middleware -------------------------------------------------------------------------------------

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse(request, message, status: int):
    """A refusal before the language is chosen: the API says it in Norwegian and English, a page in
    the language the visitor chose (cookie), bokmål otherwise."""
    with translation.override("en"):
        english = str(message)
        log.warning("refused status=%s reason=%r %s", status, english, _who(request))
    if request.path.startswith("/api/"):
        with translation.override("nb"):
            norwegian = str(message)
        return JsonResponse({"detail": f"{norwegian} / {english}"}, status=status)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    with translation.override(chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE):
        return render(request, "bad_request.html", {"message": str(message)}, status=status)


class EdgeValidationMiddleware:
    """Bounds every request before a view sees it: no control characters in the path, the query string
    or form fields (names and values; uploaded files are the views' to check), and no body larger than
    ``FILE_UPLOAD_MAX_SIZE`` by its Content-Length (``UPLOAD_REQUEST_MAX_SIZE`` for multipart bodies,
    which may carry several attachments: a file over its own limit is counted, not kept, see
    core/uploads.py). A multipart body is parsed so that a file name sent with a path is marked.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.content_type == "multipart/form-data"
        if multipart and length > settings.UPLOAD_REQUEST_MAX_SIZE:
            return _refuse(request, _too_large_uploads(), 413)
        if not multipart and length > settings.FILE_UPLOAD_MAX_SIZE + 65536:
            return _refuse(request, gettext_lazy("The request is too large."), 413)
        if multipart:
            uploads.install_name_check(request)
        # A path segment is looked up by views (a case reference, a survey's id): PostgreSQL refuses
        # NUL in text, which was a 500.
        if has_forbidden_characters(request.path):
            return _refuse(request, CONTROL_CHARACTERS_MESSAGE, 400)
        if request.META.get("QUERY_STRING") and _bad(request.GET):
            return _refuse(request, CONTROL_CHARACTERS_MESSAGE, 400)
        if request.method == "POST" and request.content_type in FORM_TYPES and _bad(request.POST):
            return _refuse(request, CONTROL_CHARACTERS_MESSAGE, 400)
        return self.get_response(request)


def _too_large_uploads_text() -> str:
    return _(
        "The files you sent are too large together (more than %(limit)s MB). Go back, choose fewer "
        "or smaller files and send again."
    ) % {"limit": settings.UPLOAD_REQUEST_MAX_SIZE // 1_048_576}


#: Said in the language :func:`_refuse` chooses.
_too_large_uploads = lazy(_too_large_uploads_text, str)


def _bad(query) -> bool:
    for key, values in query.lists():
        if has_forbidden_characters(key) or any(has_forbidden_characters(v) for v in values):
            return True
    return False


SESSION_AUTH_AT = "_auth_at"
SESSION_SEEN_AT = "_seen_at"


class SessionTimeoutMiddleware:
    """Log a user out after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and in any case
    ``SESSION_ABSOLUTE_TIMEOUT`` seconds after logging in. The last-seen time is written at most once
    a minute (not a session write per request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated and BACKEND_SESSION_KEY in session:
            now = int(time.time())
            auth_at = session.get(SESSION_AUTH_AT, now)
            seen_at = session.get(SESSION_SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_TIMEOUT
            if idle or now - auth_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                log.info("session expired reason=%s %s", "idle" if idle else "absolute", _who(request))
                logout(request)
                if not request.path.startswith("/api/"):
                    from django.contrib import messages

                    messages.info(request, _("You were logged out after a time without activity."))
                    return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            else:
                session.setdefault(SESSION_AUTH_AT, now)
                if now - seen_at >= 60 or SESSION_SEEN_AT not in session:
                    session[SESSION_SEEN_AT] = now
        return self.get_response(request)


# Paths where a logged-in user must have passed the second factor; the MFA pages themselves and
# log-out are outside them.
MFA_PATHS = ("/staff/", "/admin/", "/api/")
MFA_EXEMPT_NAMES = {"core:mfa", "core:mfa-enrol", "core:logout", "core:login"}
OIDC_BACKEND = "servicetorg.core.oidc.MunicipalOIDCBackend"


def mfa_satisfied(request) -> bool:
    user = request.user
    if not settings.MFA_REQUIRED or not user.is_authenticated:
        return True
    if request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND and request.session.get("oidc_idp_mfa"):
        return True  # the IdP asserted a second factor (acr/amr, core/oidc.py); else TOTP as below
    return bool(getattr(user, "is_verified", lambda: False)())


class RequireMFAMiddleware:
    """With ``MFA_REQUIRED``, a user logged in by password reaches staff pages, the admin and the API
    (by session) only after a one-time code from an enrolled TOTP device (django-otp)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = None

    def __call__(self, request):
        if settings.MFA_REQUIRED and request.path.startswith(MFA_PATHS) and not mfa_satisfied(request):
            if self.exempt is None:
                self.exempt = {reverse(name) for name in MFA_EXEMPT_NAMES}
            if request.path not in self.exempt:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Confirm your log-in with a one-time code first.")}, status=403
                    )
                return redirect(f"{reverse('core:mfa')}?next={request.get_full_path()}")
        return self.get_response(request)


# Pages and API answers that show a person's data: reading them is logged, and none is stored by a
# browser or proxy (Cache-Control: no-store, also for every page of a logged-in user).
PERSONAL_DATA_VIEWS = {
    "inquiries:detail",
    "inquiries_api:inquiry-detail",
    "inquiries_public:case",
    "inquiries_public:case-query",
    "inquiries_public:receipt",
}
NO_STORE_PATHS = ("/staff/", "/admin/", "/api/", "/sak/", "/kontakt/kvittering/")


class SecurityLogMiddleware:
    """Logs refusals (401, 403, 429) and reads of personal data, and marks private answers no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status in (401, 403, 429):
            log.warning("refused status=%s %s", status, _who(request))
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else ""
        if status == 200 and view in PERSONAL_DATA_VIEWS:
            log.info("personal data read view=%s kwargs=%s %s", view, _safe_kwargs(match), _who(request))
        if request.path.startswith(NO_STORE_PATHS) or (
            getattr(request, "user", None) is not None and request.user.is_authenticated
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _safe_kwargs(match) -> dict:
    return {k: v for k, v in match.kwargs.items() if k != "token"}  # the case link's secret stays out


# --- Authentication events --------------------------------------------------------------------------


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_AUTH_AT] = request.session[SESSION_SEEN_AT] = int(time.time())
    log.info("log-in user=%s ip=%s", user.get_username(), client_ip(request) if request else "-")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    log.info("log-out user=%s", user.get_username() if user else "-")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    ip = client_ip(request) if request is not None and hasattr(request, "META") else "-"
    username = str(credentials.get("username", "-"))
    log.warning("log-in failed user=%s ip=%s", username, ip)
    for scope, ident in _spray_keys(ip, username):
        _count_failure(scope, ident)


# --- Permissions-Policy ---------------------------------------------------------------------------

#: Browser features no page of ours uses: denied to the page and to anything it embeds.
PERMISSIONS_POLICY_DENIED = (
    "accelerometer", "ambient-light-sensor", "autoplay", "battery", "bluetooth", "camera",
    "display-capture", "document-domain", "encrypted-media", "fullscreen", "gamepad", "gyroscope",
    "hid", "idle-detection", "interest-cohort", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
    "xr-spatial-tracking", "browsing-topics",
)  # fmt: skip


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every answer (review 2 §2.9): every powerful feature denied, and
    geolocation too except for this site itself on the pages whose map offers "Use my position"
    (``PERMISSIONS_POLICY_GEOLOCATION_VIEWS``, URL names)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Permissions-Policy" not in response:
            match = getattr(request, "resolver_match", None)
            here = match.view_name if match is not None else ""
            geo = "(self)" if here in settings.PERMISSIONS_POLICY_GEOLOCATION_VIEWS else "()"
            response["Permissions-Policy"] = ", ".join(
                [f"geolocation={geo}", *(f"{name}=()" for name in PERMISSIONS_POLICY_DENIED)]
            )
        return response


# --- Password spraying: failures per address and per user name --------------------------------------
# django-axes locks a user name + address pair (AXES_FAILURE_LIMIT). Spraying one password over many
# user names from one address, or one user name from many addresses, never trips that pair: these two
# counters do (review 2 §2.7). axes counts one parameter set against one limit; these need their own
# limits (an office behind one address has many users), so they are counted here, in the cache.


def _spray_keys(ip: str, username: str) -> list[tuple[str, str]]:
    return [("login_address", ip), ("login_username", username.strip().lower())]


def _spray_key(scope: str, ident: str) -> str:
    from django.utils.crypto import salted_hmac

    return "spray:" + salted_hmac("servicetorg.spray", f"{scope}:{ident}", algorithm="sha256").hexdigest()


def _count_failure(scope: str, ident: str) -> None:
    from django.core.cache import cache

    limit, window = settings.LOGIN_FAILURE_LIMITS[scope]
    key = _spray_key(scope, ident)
    try:
        if not cache.add(key, 1, timeout=window):
            cache.incr(key)
    except Exception:  # noqa: BLE001 (the cache is down: fail open, as the throttles do)
        log.warning("log-in failure not counted: the cache does not answer", exc_info=True)


def _sprayed(ip: str, username: str) -> str:
    """The scope whose limit this log-in has reached ("" if none)."""
    from django.core.cache import cache

    for scope, ident in _spray_keys(ip, username):
        limit, _window = settings.LOGIN_FAILURE_LIMITS[scope]
        try:
            if (cache.get(_spray_key(scope, ident)) or 0) >= limit:
                return scope
        except Exception:  # noqa: BLE001
            return ""
    return ""


def guard_login(view):
    """A log-in view (the staff log-in, the admin's) that refuses, with the lock-out page, a POST
    from an address with too many failures across user names, or for a user name with too many
    failures across addresses."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            ip, username = client_ip(request), str(request.POST.get("username", ""))
            scope = _sprayed(ip, username)
            if scope:
                log.warning("log-in locked scope=%s user=%s ip=%s", scope, username[:150], ip)
                return render(
                    request,
                    "core/locked_out.html",
                    {"failure_limit": settings.LOGIN_FAILURE_LIMITS[scope][0], "spray": scope},
                    status=429,
                )
        return view(request, *args, **kwargs)

    return wrapped


# --- Second factor: enrolment ------------------------------------------------------------------------


def enrol_totp_device(user, key: str, *, name: str, ip: str = ""):
    """Write the user's confirmed TOTP device (the secret her enrolment attempt drew and she confirmed
    with a code), drop any unconfirmed leftovers, and tell her by e-mail through the outbox, so that
    a second factor enrolled by someone else who knew her password does not go unnoticed."""
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from . import outbox

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, key=key, name=name, confirmed=True)
        membership = user.memberships.order_by("pk").first() if hasattr(user, "memberships") else None
        notified = bool(user.email and membership is not None)
        if user.email and membership is not None:
            body = _(
                "Hello,\n\nA second factor (an authenticator app) was set up for your staff log-in "
                "to Servicetorg (user name %(username)s) on %(when)s from the address %(ip)s.\n\n"
                "If this was not you, tell your administrator at once: someone knows your password. "
                "The administrator removes the device and you change your password."
            ) % {
                "username": user.get_username(),
                "when": formatting.short_datetime(timezone.now()),
                "ip": ip or "?",
            }
            outbox.enqueue_email(
                municipality=membership.municipality_id,
                to=user.email,
                subject=_("Two-step log-in was set up for your user"),
                body=body,
                key=f"mfa-enrolled:{device.pk}",
            )
    log.info("mfa enrolled user=%s ip=%s notified=%s", user.get_username(), ip, notified)
    return device
