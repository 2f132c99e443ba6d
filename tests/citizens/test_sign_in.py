"""Signing in with ID-porten (issue 20): the code flow with state, nonce and PKCE, and every check of
the answer. A refused answer gives a clear page and no citizen session."""

import base64
import hashlib
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from servicetorg.catalogue.models import Service
from servicetorg.citizens import assurance, sessions, views
from servicetorg.citizens.decorators import login_url
from servicetorg.citizens.demo import KARI, OLA
from servicetorg.citizens.models import Citizen, CitizenSession
from servicetorg.core.crypto import national_id_digest
from tests.factories import make_service

from .conftest import CLIENT_ID, CLIENT_SECRET, DROP, ISSUER

pytestmark = pytest.mark.django_db


def _every_table_as_text() -> str:
    from django.db import connection

    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            texts.extend(" ".join(str(v) for v in row) for row in cursor.fetchall())
    return "\n".join(texts)


def _session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def assert_refused(response, reason: str, status: int = 400):
    assert response.status_code == status, response
    assert [t.name for t in response.templates][0] == "citizens/refused.html"
    assert response.context["reason"] == reason
    body = response.content.decode()
    assert 'id="refused-reason"' in body and 'id="retry-login"' in body
    assert sessions.KEY not in response.wsgi_request.session
    assert not CitizenSession.objects.exists()


# --- The happy path ---------------------------------------------------------------------------------


def test_sign_in_at_substantial(client, idp):
    started = idp.start(client, next="/min-side/", level=assurance.SUBSTANTIAL)
    p = started.params
    assert p["response_type"] == "code" and p["client_id"] == CLIENT_ID
    assert p["redirect_uri"] == "http://testserver" + reverse("citizens:callback")
    assert p["acr_values"] == assurance.SUBSTANTIAL and p["ui_locales"] == "nb"
    assert p["code_challenge_method"] == "S256" and "openid" in p["scope"].split()
    assert len(p["state"]) >= 32 and len(p["nonce"]) >= 32
    before = _session_key(client)
    assert Session.objects.filter(session_key=before).exists()

    response = idp.finish(client, started, sid="sid-kari-1", sub="sub-kari-1")

    assert response.status_code == 302 and response["Location"] == "/min-side/"
    # PKCE: the token request carries the verifier of the challenge sent to the provider.
    (token_request,) = idp.token_requests
    verifier = token_request["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == p["code_challenge"]
    assert token_request["redirect_uri"] == p["redirect_uri"] and token_request["code"].startswith("code-")
    # No session fixation: the key before the sign-in is dead, the new one holds the citizen.
    after = _session_key(client)
    assert after != before and not Session.objects.filter(session_key=before).exists()
    thief = client.__class__()
    thief.cookies[settings.SESSION_COOKIE_NAME] = before
    assert thief.get(reverse("citizens:home")).status_code == 302
    # Stored: the digest, and the session row with ID-porten's sid and sub.
    citizen = Citizen.objects.get()
    assert citizen.national_id_digest == national_id_digest(KARI)
    row = CitizenSession.objects.get()
    assert (row.citizen, row.session_key, row.sid, row.subject, row.issuer, row.level) == (
        citizen,
        after,
        "sid-kari-1",
        "sub-kari-1",
        ISSUER,
        assurance.SUBSTANTIAL,
    )
    page = client.get(reverse("citizens:home"))
    assert page.status_code == 200 and page.templates[0].name == "citizens/home.html"
    assert 'id="signed-in-as"' in page.content.decode()
    # The number itself is nowhere in the database (session data included).
    assert KARI not in _every_table_as_text()


def test_a_second_sign_in_finds_the_same_citizen(client, idp):
    idp.sign_in(client)
    idp.sign_in(client.__class__())
    assert Citizen.objects.count() == 1


def test_next_must_be_on_this_site(client, idp):
    started = idp.start(client, next="https://evil.example/phish")
    assert idp.finish(client, started)["Location"] == reverse("citizens:home")


def test_off_without_an_issuer(client, settings, portal):
    settings.CITIZEN_OIDC_ISSUER = ""
    assert client.get(reverse("citizens:login")).status_code == 404
    assert client.get(reverse("citizens:callback"), {"state": "x", "code": "y"}).status_code == 404
    assert client.get(reverse("citizens:home")).status_code == 404  # not a redirect to a 404
    assert b'id="nav-log-in"' not in client.get("/").content  # and no «Logg inn» in the header


# --- Refused answers --------------------------------------------------------------------------------


def _bad_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"iss": "https://evil.test"}, id="another-issuer"),
        pytest.param({"aud": "another-client"}, id="another-audience"),
        pytest.param({"nonce": "not-the-nonce-of-this-sign-in"}, id="wrong-nonce"),
        pytest.param({"nonce": DROP}, id="no-nonce"),
        # Times relative to when the test runs (not when it was collected: a slow run takes minutes).
        pytest.param(
            {"exp": lambda: int(time.time()) - 120, "iat": lambda: int(time.time()) - 300}, id="expired"
        ),
        pytest.param({"iat": DROP}, id="no-iat"),
        pytest.param({"iat": lambda: int(time.time()) + 600}, id="iat-in-the-future"),
        pytest.param({"pid": _bad_check_digit(KARI)}, id="pid-check-digit"),
        pytest.param({"pid": DROP}, id="no-pid"),
        pytest.param({"acr": "idporten-loa-low"}, id="unknown-acr"),
        pytest.param({"acr": DROP}, id="no-acr"),
    ],
)
def test_refused_claims(client, idp, change):
    change = {k: v() if callable(v) else v for k, v in change.items()}
    started = idp.start(client)
    assert_refused(idp.finish(client, started, **change), "token")


def test_an_expired_token_within_the_leeway_passes(client, idp):
    started = idp.start(client)
    now = int(time.time())
    assert idp.finish(client, started, exp=now - 30, iat=now - 90).status_code == 302


def test_unsigned_token_refused(client, idp):
    started = idp.start(client)
    assert_refused(idp.finish(client, started, alg="none"), "token")


def test_hs256_with_the_client_secret_refused(client, idp):
    started = idp.start(client)
    assert_refused(idp.finish(client, started, alg="HS256", key=CLIENT_SECRET), "token")


def test_signed_by_another_key_refused(client, idp, other_key):
    started = idp.start(client)
    assert_refused(idp.finish(client, started, key=other_key), "token")


def test_not_a_jwt_refused(client, idp):
    started = idp.start(client)
    assert_refused(idp.finish(client, started, token="not.a.jwt"), "token")


def test_synthetic_number_refused_where_production_refuses_them(client, idp, settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = False
    started = idp.start(client)
    assert_refused(idp.finish(client, started, pid=KARI), "token")


def test_a_real_shaped_number_passes_with_synthetic_ones_off(client, idp, settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = False
    started = idp.start(client)
    assert idp.finish(client, started, pid="15076500565").status_code == 302


def test_unknown_state_refused(client, idp):
    started = idp.start(client)
    assert_refused(idp.finish(client, started.state + "x"), "state")
    assert_refused(idp.finish(client, ""), "state")


def test_state_from_another_browser_refused(client, idp):
    started = idp.start(client)
    other = client.__class__()
    idp.start(other)  # she has a sign-in of her own under way
    assert_refused(idp.finish(other, started), "state")


def test_a_state_is_good_for_one_answer_even_a_refused_one(client, idp):
    started = idp.start(client)
    assert_refused(idp.finish(client, started, nonce="wrong"), "token")
    assert_refused(idp.finish(client, started), "state")


def test_replayed_callback_refused(client, idp):
    started = idp.start(client)
    assert idp.finish(client, started).status_code == 302
    assert CitizenSession.objects.count() == 1
    again = idp.finish(client, started)
    assert again.status_code == 400 and again.context["reason"] == "state"
    assert CitizenSession.objects.count() == 1


def test_cancelled_at_id_porten(client, idp):
    started = idp.start(client)
    response = idp.finish(client, started, query={"error": "access_denied", "state": started.state})
    assert_refused(response, "cancelled", status=200)
    assert not idp.token_requests


def test_provider_error(client, idp):
    started = idp.start(client)
    response = idp.finish(client, started, query={"error": "server_error", "state": started.state})
    assert_refused(response, "provider")


def test_a_sign_in_older_than_ten_minutes_refused(client, idp):
    started = idp.start(client)
    session = client.session
    pending = session[views.PENDING_KEY]
    pending[started.state]["at"] -= views.SIGN_IN_MAX_AGE + 1
    session[views.PENDING_KEY] = pending
    session.save()
    assert_refused(idp.finish(client, started), "expired")
    assert not idp.token_requests


def test_no_id_token_in_the_token_response(client, idp):
    started = idp.start(client)
    assert_refused(idp.finish(client, started, token=""), "token")


# --- Levels -----------------------------------------------------------------------------------------


def test_asking_for_high_and_getting_substantial_is_refused_with_a_way_up(client, idp):
    started = idp.start(client, next="/min-side/", level=assurance.HIGH)
    assert started.params["acr_values"] == assurance.HIGH
    response = idp.finish(client, started, acr=assurance.SUBSTANTIAL)
    assert_refused(response, "level", status=403)
    assert f"level={assurance.HIGH}" in response.context["retry_url"]
    assert response.context["retry_url"] in response.content.decode().replace("&amp;", "&")


def test_old_level_names_are_read(client, idp):
    started = idp.start(client, level=assurance.HIGH)
    assert idp.finish(client, started, acr="Level4").status_code == 302
    assert client.session[sessions.KEY]["level"] == assurance.HIGH


@pytest.fixture
def high_service(portal, unit):
    service = make_service(portal, unit=unit, slug="helsetjeneste", name="Helsetjeneste")
    Service.objects.filter(pk=service.pk).update(assurance_level=assurance.HIGH)
    return service


def test_a_service_at_high_sends_a_substantial_session_to_step_up(client, idp, high_service):
    url = reverse("inquiries_public:contact-service", args=[high_service.slug])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("citizens:login"))
    idp.sign_in(client, level=assurance.SUBSTANTIAL)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == login_url(url, assurance.HIGH)
    # Following it: ID-porten at high, then back to the form.
    step_up = client.get(response["Location"])
    assert f"acr_values={assurance.HIGH}" in step_up["Location"]
    idp.sign_in(client, level=assurance.HIGH, next=url)
    assert client.get(url).status_code == 200


def test_a_service_at_substantial_opens_at_high(client, idp, high_service):
    Service.objects.filter(pk=high_service.pk).update(assurance_level=assurance.SUBSTANTIAL)
    url = reverse("inquiries_public:contact-service", args=[high_service.slug])
    idp.sign_in(client, level=assurance.HIGH)
    assert client.get(url).status_code == 200


def test_another_person_signs_in_in_the_same_browser(client, idp):
    idp.sign_in(client, pid=KARI)
    session = client.session
    session["inquiries_cases"] = {"ABC123": "a mark of a case Kari opened with its link"}
    session.save()
    idp.sign_in(client, pid=OLA)
    assert client.session[sessions.KEY]["digest"] == national_id_digest(OLA)
    assert CitizenSession.objects.count() == 1  # Kari's row went with her session
    assert "inquiries_cases" not in client.session  # nothing of Kari's session goes on to Ola


def test_the_same_person_signing_in_again_keeps_her_session(client, idp):
    idp.sign_in(client, pid=KARI)
    session = client.session
    session["inquiries_cases"] = {"ABC123": "mark"}
    session.save()
    idp.sign_in(client, pid=KARI)  # stepping up
    assert client.session["inquiries_cases"] == {"ABC123": "mark"}
