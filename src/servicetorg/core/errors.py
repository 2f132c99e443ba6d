"""Error pages in the portal's look and the user's language, each with a way on.

Django calls these for 400, 403, 404 and 500 (``handler400`` … in urls.py) and for a refused CSRF
check (``CSRF_FAILURE_VIEW``). Each falls back to a page without the database's help (the layout
reads the portal's municipality) when the full layout cannot be drawn.
"""

import logging

from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

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


@requires_csrf_token
def server_error(request):
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
