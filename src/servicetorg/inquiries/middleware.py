"""The intake API's common case answered before the rest of the request cycle."""

from django.core.exceptions import MiddlewareNotUsed
from django.urls import reverse

from . import api, fast_path


class DirectIntakeMiddleware:
    """POSTs to the intake API go to :func:`~servicetorg.inquiries.api.direct_intake` first.

    A system posting a new inquiry as JSON with its API key is the one request that arrives by the
    hundreds per second, and the rest of the middleware, the URL routing and DRF's request cycle
    would add about a fifth to its cost. The direct path needs none of them: it authenticates by the key (no
    session, no CSRF: it refuses requests with a session cookie), writes no text for a reader (no
    language), and names the history's user itself. Whatever it does not answer, having written
    nothing, goes on through the whole cycle to the viewset. Placed after SecurityMiddleware, whose
    redirects and headers apply to every answer. Without this middleware the viewset answers all;
    ``INQUIRIES_FAST_INTAKE = False`` takes it out. Its rules are checked in fast_path.py.
    """

    def __init__(self, get_response):
        if not fast_path.enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.path = None  # the URLconf is not loaded yet when middleware is built

    def __call__(self, request):
        if request.method == "POST":
            if self.path is None:
                self.path = reverse("inquiries_api:inquiry-list")
            if request.path == self.path and (response := api.direct_intake(request)) is not None:
                return response
        return self.get_response(request)
