"""The citizen's signed-in session: separate from staff log-in, timed out, ended from ID-porten too.

A citizen is never a Django user: her session holds :data:`KEY` (which citizen, at which level, since
when, whom she acts for) and nothing of the staff side. Signing in logs any staff user out and gives
the session a new key (no session fixation); a staff log-in drops the citizen's part
(:func:`drop_on_staff_login`). The session ends after ``CITIZEN_SESSION_IDLE_TIMEOUT`` seconds without
a request and ``CITIZEN_SESSION_ABSOLUTE_TIMEOUT`` after signing in, on "Log out", and when ID-porten
says the ID-porten session ended (front-channel log-out, :func:`end_by_sid`).
"""

from __future__ import annotations

import dataclasses
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import logout as staff_logout

from .models import Citizen, CitizenSession

KEY = "citizen"


@dataclasses.dataclass(frozen=True)
class SignedIn:
    """Who is signed in, for views: the citizen, her digest, the level, and whom she acts for."""

    citizen_id: int
    digest: str
    level: str
    issuer: str
    sid: str
    started: int
    acting_for: int | None  # a Relation's pk, or None: for herself


def sign_in(request, citizen: Citizen, *, level: str, issuer: str, sid: str, subject: str) -> SignedIn:
    """Start the citizen's session (a new session key; a staff user in this browser is logged out)."""
    if request.session.session_key:  # a sign-in replaces one before it (stepping up, another person)
        CitizenSession.objects.filter(session_key=request.session.session_key).delete()
    before = request.session.get(KEY)
    same_person = isinstance(before, dict) and before.get("digest") == citizen.national_id_digest
    if request.user.is_authenticated:
        staff_logout(request)  # flushes the session: no staff role survives into a citizen session
    elif isinstance(before, dict) and not same_person:
        request.session.flush()  # another person at the same browser: nothing of the first goes on
    else:
        request.session.cycle_key()
    now = int(time.time())
    request.session[KEY] = {
        "id": citizen.pk,
        "digest": citizen.national_id_digest,
        "level": level,
        "iss": issuer,
        "sid": sid,
        "started": now,
        "seen": now,
        # Stepping up (the same person again) keeps whom she acts for; anyone else starts as herself.
        "acting_for": before.get("acting_for") if same_person else None,
    }
    request.session.save()  # the key the front-channel log-out finds
    CitizenSession.objects.create(
        citizen=citizen,
        session_key=request.session.session_key,
        issuer=issuer,
        sid=sid,
        subject=subject,
        level=level,
    )
    return current(request)


def current(request) -> SignedIn | None:
    """The signed-in citizen of this request, or None (also when the session timed out: then it
    is ended here)."""
    session = getattr(request, "session", None)
    data = session.get(KEY) if session is not None else None
    if not isinstance(data, dict):
        return None
    now = int(time.time())
    if (
        now - int(data.get("seen", 0)) > settings.CITIZEN_SESSION_IDLE_TIMEOUT
        or now - int(data.get("started", 0)) > settings.CITIZEN_SESSION_ABSOLUTE_TIMEOUT
    ):
        sign_out(request)
        request.citizen_timed_out = True
        return None
    if now - int(data.get("seen", 0)) >= 60:  # one session write a minute, not one a request
        session[KEY] = {**data, "seen": now}
    return SignedIn(
        citizen_id=int(data["id"]),
        digest=str(data["digest"]),
        level=str(data["level"]),
        issuer=str(data.get("iss", "")),
        sid=str(data.get("sid", "")),
        started=int(data["started"]),
        acting_for=data.get("acting_for"),
    )


def set_acting_for(request, relation_id: int | None) -> None:
    data = request.session.get(KEY)
    if isinstance(data, dict):
        request.session[KEY] = {**data, "acting_for": relation_id}


def sign_out(request) -> None:
    """End this browser's citizen session (and the whole Django session with it)."""
    key = request.session.session_key
    if key:
        CitizenSession.objects.filter(session_key=key).delete()
    request.session.flush()


def end_by_sid(issuer: str, sid: str) -> int:
    """Front-channel log-out: end every session ID-porten's ``sid`` names. How many ended."""
    if not sid:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = list(CitizenSession.objects.filter(issuer=issuer, sid=sid))
    for row in rows:
        store(session_key=row.session_key).delete()
    CitizenSession.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)


def follow_key(request, before: str | None) -> None:
    """After a request whose session got a new key (a staff log-in, a sensitive case's one-time code):
    her session row follows the key, so that log-out and front-channel log-out still find it; with
    the citizen gone from the session, the row goes."""
    session = getattr(request, "session", None)
    after = session.session_key if session is not None else None
    if not before or after == before:
        return
    rows = CitizenSession.objects.filter(session_key=before)
    if after and isinstance(session.get(KEY), dict):
        rows.update(session_key=after)
    else:
        rows.delete()


def drop_on_staff_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: a staff log-in in a browser where a citizen was signed in ends her part."""
    if request is not None and hasattr(request, "session") and KEY in request.session:
        CitizenSession.objects.filter(session_key=request.session.session_key).delete()
        del request.session[KEY]
