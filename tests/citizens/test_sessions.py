"""The citizen's session: apart from staff log-in, timed out, ended by "Log out" here and at
ID-porten, and by ID-porten's front-channel log-out."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from servicetorg.catalogue.models import Service
from servicetorg.citizens import assurance, sessions
from servicetorg.citizens.models import CitizenSession
from servicetorg.core.choices import Channel, Role
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services as inquiry_services
from servicetorg.inquiries.models import CaseCode
from tests.factories import make_service, make_staff

from .conftest import CLIENT_ID, END_SESSION, ISSUER

pytestmark = pytest.mark.django_db

HOME = "/min-side/"
PASSWORD = "pass-for-tests-1"


def _signed_out(client) -> bool:
    """Her next request to Min side is sent to log in."""
    response = client.get(reverse("citizens:home"))
    return response.status_code == 302 and response["Location"].startswith(reverse("citizens:login"))


def _edit_citizen_session(client, **changes):
    session = client.session
    session[sessions.KEY] = {**session[sessions.KEY], **changes}
    session.save()


@pytest.fixture
def officer(portal, unit):
    return make_staff(Role.CASE_OFFICER, portal, unit, username="saksbehandler")


def _staff_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("core:login"))


# --- Apart from staff -------------------------------------------------------------------------------


def test_a_citizen_signing_in_logs_the_staff_user_out(client, idp, officer):
    assert (
        client.post(reverse("core:login"), {"username": officer.username, "password": PASSWORD}).status_code
        == 302
    )
    assert client.get(reverse("core:staff-home")).status_code == 200
    idp.sign_in(client)
    page = client.get(reverse("citizens:home"))
    assert page.status_code == 200 and not page.wsgi_request.user.is_authenticated
    assert "_auth_user_id" not in client.session
    assert _staff_login_redirect(client.get(reverse("core:staff-home")))
    # Her session row names the session she has now.
    assert CitizenSession.objects.get().session_key == client.session.session_key


def test_a_staff_log_in_drops_the_citizen(client, idp, officer):
    idp.sign_in(client)
    assert (
        client.post(reverse("core:login"), {"username": officer.username, "password": PASSWORD}).status_code
        == 302
    )
    assert sessions.KEY not in client.session
    assert not CitizenSession.objects.exists()
    assert _signed_out(client)
    assert client.get(reverse("core:staff-home")).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/staff/",
        "/staff/min-side/relasjoner/",
        "/staff/henvendelser/",
        "/staff/personvern/innsyn-og-sletting/",
    ],
)
def test_a_citizen_guessing_staff_urls_gets_the_staff_log_in(client, idp, url):
    idp.sign_in(client)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("core:login")), url


# --- Time-outs --------------------------------------------------------------------------------------


def test_idle_timeout_ends_the_session(client, idp, settings):
    idp.sign_in(client)
    stamp = client.session[sessions.KEY]["seen"]
    _edit_citizen_session(client, seen=stamp - settings.CITIZEN_SESSION_IDLE_TIMEOUT + 30)
    assert client.get(HOME).status_code == 200  # not yet
    assert client.session[sessions.KEY]["seen"] >= stamp  # the request kept it alive
    _edit_citizen_session(client, seen=stamp - settings.CITIZEN_SESSION_IDLE_TIMEOUT - 1)
    assert _signed_out(client)
    assert sessions.KEY not in client.session and not CitizenSession.objects.exists()


def test_absolute_timeout_ends_a_busy_session(client, idp, settings):
    idp.sign_in(client)
    started = client.session[sessions.KEY]["started"]
    _edit_citizen_session(client, started=started - settings.CITIZEN_SESSION_ABSOLUTE_TIMEOUT - 1)
    assert _signed_out(client)
    assert not CitizenSession.objects.exists()


# --- Log out ----------------------------------------------------------------------------------------


def test_log_out_here_and_at_id_porten(client, idp):
    idp.sign_in(client)
    response = client.post(reverse("citizens:logout"))
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == END_SESSION
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["client_id"] == CLIENT_ID
    assert query["post_logout_redirect_uri"] == "http://testserver" + reverse("citizens:logged-out")
    assert len(query["state"]) >= 16
    assert sessions.KEY not in client.session and not CitizenSession.objects.exists()
    assert _signed_out(client)
    assert client.get(reverse("citizens:logged-out")).status_code == 200


def test_log_out_is_a_post(client, idp):
    idp.sign_in(client)
    assert client.get(reverse("citizens:logout")).status_code == 405
    assert client.get(HOME).status_code == 200


def test_log_out_without_a_session_goes_nowhere_else(client, idp):
    response = client.post(reverse("citizens:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("citizens:logged-out")


# --- Front-channel log-out --------------------------------------------------------------------------


def _frontchannel(iss=ISSUER, sid="sid-kari"):
    from django.test import Client

    return Client().get(reverse("citizens:frontchannel-logout"), {"iss": iss, "sid": sid})


def test_frontchannel_logout_ends_that_session(client, idp):
    idp.sign_in(client, sid="sid-kari")
    other = client.__class__()
    idp.sign_in(other, sid="sid-ola")
    response = _frontchannel(sid="sid-kari")
    assert response.status_code == 200 and response.content == b"ok"
    assert _signed_out(client)
    assert other.get(HOME).status_code == 200
    assert list(CitizenSession.objects.values_list("sid", flat=True)) == ["sid-ola"]


@pytest.mark.parametrize(
    "iss, sid",
    [("https://evil.test", "sid-kari"), (ISSUER, "another-sid"), (ISSUER, ""), ("", "sid-kari")],
)
def test_frontchannel_logout_with_another_issuer_or_sid_ends_nothing(client, idp, iss, sid):
    idp.sign_in(client, sid="sid-kari")
    response = _frontchannel(iss=iss, sid=sid)
    assert response.status_code == 200 and response.content == b""
    assert client.get(HOME).status_code == 200


def test_frontchannel_logout_may_be_framed_by_id_porten_only(client, idp):
    response = _frontchannel()
    assert "frame-ancestors https://idporten.test" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in response["Content-Security-Policy"]
    assert response.get("X-Frame-Options", "") != "DENY"
    # Other pages still refuse to be framed.
    page = client.get(reverse("citizens:logged-out"))
    assert page["X-Frame-Options"] == "DENY" or "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_frontchannel_logout_takes_any_input_without_an_error(client, idp):
    idp.sign_in(client, sid="sid-kari")
    for iss in ("https://idporten.tést", "\u0000", "x" * 5000):
        assert _frontchannel(iss=iss, sid="sid-kari").status_code in (200, 400)  # 400: the edge's NUL check
    assert client.get(HOME).status_code == 200


def test_frontchannel_logout_still_finds_the_session_after_its_key_changed(client, idp, portal, unit):
    """Giving a sensitive case's one-time code gives the session a new key: ID-porten's log-out
    must still end her session."""
    service = make_service(portal, unit=unit, slug="helse", name="Helsehjelp")
    Service.objects.filter(pk=service.pk).update(sensitive=True)
    registered = inquiry_services.register(
        municipality=portal,
        channel=Channel.WEB_FORM,
        service=Service.objects.get(pk=service.pk),
        subject="Hjelp",
        body="Noe sensitivt.",
        contact_name="Kari",
        contact_phone="912 34 567",
        user=CITIZEN,
        to_responsible_unit=True,
    )
    reference = registered.inquiry.reference
    idp.sign_in(client, sid="sid-kari", level=assurance.SUBSTANTIAL)
    before = client.session.session_key
    opened = client.get(f"/sak/{reference}/{registered.token}/", follow=True)
    code_page = reverse("inquiries_public:case-code", args=[reference])
    assert opened.redirect_chain[-1][0] == code_page
    assert client.post(code_page, {"action": "send", "send-channel": "sms"}).status_code == 302
    row = CaseCode.objects.get(inquiry=registered.inquiry)
    code = re.search(
        r"\b(\d{6})\b", OutboxMessage.objects.get(key=f"inquiries.case-code:{row.pk}").body
    ).group(1)
    assert client.post(code_page, {"action": "verify", "code": code}).status_code == 302
    assert client.session.session_key != before
    assert client.get(HOME).status_code == 200
    assert _frontchannel(sid="sid-kari").content == b"ok"
    assert _signed_out(client)
    assert not CitizenSession.objects.exists()
