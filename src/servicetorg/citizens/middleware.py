"""``request.citizen``: the signed-in citizen (citizens.sessions.SignedIn) or None.

After AuthenticationMiddleware. A request without a session cookie reads nothing (the session is
empty); one with a cookie reads the session it would read anyway for CSRF and messages.
"""

from . import sessions


class CitizenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.citizen = sessions.current(request)
        session = getattr(request, "session", None)
        before = session.session_key if session is not None else None
        response = self.get_response(request)
        sessions.follow_key(request, before)
        return response
