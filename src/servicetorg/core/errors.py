"""Error pages in the portal's look and the user's language, each with a way on.

Django calls these for 400, 403, 404 and 500 (``handler400`` … in urls.py) and for a refused CSRF
check (``CSRF_FAILURE_VIEW``). Each falls back to a page without the database's help (the layout
reads the portal's municipality) when the full layout cannot be drawn.

When the database is unavailable (down, restarting, refusing connections), the 500 handler answers
``503 Service Unavailable`` with ``Retry-After`` instead: a JSON problem (RFC 9457,
``application/problem+json``) to the API, a Norwegian page to browsers. The API's own exception
handler (core.api) answers the same for errors DRF sees first.
"""

import json
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _
from django.views.debug import SafeExceptionReporterFilter
from django.views.decorators.csrf import requires_csrf_token

from .redaction import CASE_TOKEN, NATIONAL_ID, SENSITIVE_POST_PARAMETERS, redact

logger = logging.getLogger(__name__)


def _page(request, status: int, title: str, text: str, *, csrf: bool = False) -> HttpResponse:
    context = {"status": status, "title": title, "text": text, "csrf": csrf}
    try:
        body = loader.render_to_string("errors/page.html", context, request)
    except Exception:  # the layout needs the database; a 500 may be the database itself
        logger.exception("The error page could not be drawn with its layout")
        body = loader.render_to_string("errors/plain.html", context)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _page(
        request,
        400,
        _("The request could not be read"),
        _("Something in the address or the form was not as expected. Go back and try again."),
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    return _page(
        request,
        403,
        _("You do not have access to this page"),
        _(
            "If you work for the municipality, log in with a user that has access. "
            "Otherwise, start from the front page."
        ),
    )


@requires_csrf_token
def page_not_found(request, exception=None):
    return _page(
        request,
        404,
        _("We could not find the page"),
        _(
            "The address may be mistyped, or the page has been moved or removed. "
            "A case link must be copied in full."
        ),
    )


#: Errors that mean "the database cannot be reached now", not "this request is wrong".
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def is_database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, DATABASE_UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or ("json" in accept and "html" not in accept)


def problem_unavailable() -> HttpResponse:
    """RFC 9457 problem details for a 503, with Retry-After."""
    body = {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "Databasen er midlertidig utilgjengelig. Prøv igjen om litt. / "
        "The database is temporarily unavailable. Try again shortly.",
    }
    response = HttpResponse(json.dumps(body), status=503, content_type="application/problem+json")
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
    return response


def database_unavailable(request) -> HttpResponse:
    """503 for a database outage: problem JSON to the API, a page (drawn without the database) else."""
    if wants_json(request):
        return problem_unavailable()
    context = {
        "status": 503,
        "title": _("The service is temporarily unavailable"),
        "text": _(
            "We cannot reach our database just now. Nothing you sent has been lost if you saw a "
            "receipt. Try again in a minute."
        ),
    }
    response = HttpResponse(loader.render_to_string("errors/plain.html", context), status=503)
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
    return response


@requires_csrf_token
def server_error(request):
    if is_database_unavailable(sys.exc_info()[1]):
        try:
            return database_unavailable(request)
        except Exception:  # pragma: no cover - last resort
            logger.exception("The 503 page could not be drawn")
    try:
        return _page(
            request,
            500,
            _("Something went wrong on our side"),
            _("Nothing is wrong with what you did. Try again in a few minutes; if it still fails, call us."),
        )
    except Exception:  # pragma: no cover - last resort: never a second error while showing one
        logger.exception("The error page could not be drawn")
        return HttpResponseServerError("<h1>500</h1>", content_type="text/html")


def csrf_failure(request, reason=""):
    return _page(
        request,
        403,
        _("The form had expired"),
        _(
            "For your safety, a form can only be sent from this site and while the page is fresh. "
            "Go back, reload the page and send again; what you wrote may need to be pasted in again."
        ),
        csrf=True,
    )


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's safe filter, and: the sensitive POST parameters of every view are hidden, every
    fødselsnummer and case token in the request's path, query or a frame variable is redacted."""

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        if request is None or not any(name in params for name in SENSITIVE_POST_PARAMETERS):
            return params
        params = params.copy()
        for name in SENSITIVE_POST_PARAMETERS & set(params):
            params[name] = self.cleansed_substitute
        return params

    def get_traceback_frame_variables(self, request, tb_frame):
        cleansed = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if value is not self.cleansed_substitute:
                try:
                    shown = repr(value)
                except Exception:  # noqa: BLE001 (a broken __repr__: Django's report says so)
                    shown = ""
                if NATIONAL_ID.search(shown) or CASE_TOKEN.search(shown):
                    value = self.cleansed_substitute
            cleansed.append((name, value))
        return cleansed

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {k: redact(v) if isinstance(v, str) else v for k, v in meta.items()}
