"""A reviewer's attacks on the citizen sign-in and Min side (issue 20), beyond the other tests here:
redirects, CSRF, injected text, malformed answers, the API and admin with a citizen session, the
fødselsnummer in logs, and the export's level."""

import io
import logging
import zipfile
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from servicetorg.catalogue.models import Service
from servicetorg.citizens import assurance, demo, sessions
from servicetorg.citizens.models import CitizenSession, Relation
from servicetorg.core.choices import Channel
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services as inquiry_services
from servicetorg.privacy.models import PrivacyLog
from tests.factories import make_service

from .conftest import AUTHORIZE

pytestmark = pytest.mark.django_db

HOME = "/min-side/"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _register(service, subject, national_id=""):
    return inquiry_services.register(
        municipality=service.municipality,
        channel=Channel.WEB_FORM,
        service=service,
        subject=subject,
        body="Innhold som bare eieren skal lese.",
        contact_name="Navn",
        contact_phone="912 34 567",
        national_id=national_id,
        user=CITIZEN,
        to_responsible_unit=True,
    ).inquiry


@pytest.fixture
def sensitive(portal, unit):
    service = make_service(portal, unit=unit, slug="helse", name="Helsehjelp")
    Service.objects.filter(pk=service.pk).update(sensitive=True, requires_national_id=True)
    return Service.objects.get(pk=service.pk)


@pytest.fixture
def relations(portal):
    demo.load(portal, seed=1)  # Kari → Emma (valid), Kari → Jonas (ended), Ola → Ingrid (valid)
    return {r.subject_name.split()[0]: r for r in Relation.objects.all()}


# --- Open redirect through next ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example",
        "//evil.example/min-side/",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "https:evil.example",
        "https:/evil.example",
        "https://evil.example",
        "http://testserver@evil.example/",
        "/\t/evil.example",
        " //evil.example",
        "\x01//evil.example",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "%2F%2Fevil.example",
        "/%2F%2Fevil.example",
        "/min-side/\r\nSet-Cookie: x=y",
    ],
)
def test_next_never_leaves_the_site(client, idp, next_url):
    if client.get(reverse("citizens:login"), {"next": next_url}).status_code == 400:
        return  # control characters: refused at the edge (core.security.EdgeValidationMiddleware)
    started = idp.start(client, next=next_url)
    response = idp.finish(client, started)
    assert response.status_code == 302
    location = response["Location"]
    assert "\n" not in location and "\r" not in location
    # As a browser reads it: backslashes as slashes, tabs and newlines dropped, relative to the callback.
    as_browser = location.replace("\\", "/").replace("\t", "")
    resolved = urlsplit(urljoin("http://testserver" + reverse("citizens:callback"), as_browser))
    assert resolved.scheme == "http" and resolved.netloc == "testserver", location
    assert not response.cookies.get("x")


def test_next_to_log_out_or_the_api_does_nothing_there(client, idp):
    started = idp.start(client, next=reverse("citizens:logout"))
    assert idp.finish(client, started)["Location"] == HOME  # the sign-in's own pages are never next
    assert client.get(reverse("citizens:logout")).status_code == 405  # a GET: no log-out
    assert client.get(HOME).status_code == 200


# --- Malformed answers and parameters ---------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"state": "x" * 20000, "code": "c"},
        {"state": "", "code": "c"},
        {"code": "c"},
        {"state": "\u0130\u00e9\U0001f600", "code": "c"},
        {"state": "a", "code": "x" * 20000, "iss": "x" * 5000},
        {"state": "a", "error": "x" * 5000, "error_description": "<script>"},
    ],
)
def test_callback_with_malformed_parameters_is_refused_not_an_error(client, idp, query):
    idp.start(client)
    response = client.get(reverse("citizens:callback"), query)
    assert response.status_code in (400, 404), response.status_code
    assert "<script>" not in response.content.decode()
    assert sessions.KEY not in client.session


@pytest.mark.parametrize(
    "level",
    ["x" * 10000, "idporten-loa-high\r\nSet-Cookie: x=y", "Level4\n", "", "idporten-loa-low", "0"],
)
def test_a_malformed_level_asks_for_a_known_level(client, idp, level):
    response = client.get(reverse("citizens:login"), {"next": HOME, "level": level})
    assert response.status_code == 302 and response["Location"].startswith(AUTHORIZE + "?")
    assert "\n" not in response["Location"] and not response.cookies.get("x")
    started_level = response["Location"].split("acr_values=")[1].split("&")[0]
    assert started_level in (assurance.SUBSTANTIAL, assurance.HIGH)


def test_ui_locales_is_one_of_the_sites_languages(client, idp):
    response = client.get(
        reverse("citizens:login"), {"next": HOME}, headers={"accept-language": "x\r\nSet-Cookie: a=b"}
    )
    location = response["Location"]
    assert "ui_locales=" in location
    assert location.split("ui_locales=")[1].split("&")[0] in ("nb", "nn", "en")


def test_a_state_of_another_session_cannot_sign_the_victim_in(client, idp):
    """Login CSRF: the attacker starts a sign-in in his browser and sends the victim the callback
    address with his code and state: the victim's browser does not hold that state."""
    attacker = Client()
    started = idp.start(attacker)
    idp.start(client)  # the victim even has a sign-in of her own under way
    response = idp.finish(client, started, pid=demo.OLA)
    assert response.status_code == 400 and response.context["reason"] == "state"
    assert sessions.KEY not in client.session and not CitizenSession.objects.exists()


# --- CSRF on the state-changing posts ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data",
    [
        ("citizens:logout", {}),
        ("citizens:act-for", {"relation": "self"}),
        ("citizens:export", {"format": "json"}),
    ],
)
def test_posts_need_the_csrf_token(idp, name, data, relations):
    browser = Client(enforce_csrf_checks=True)
    idp.sign_in(browser, pid=demo.KARI)
    response = browser.post(reverse(name), data)
    assert response.status_code == 403
    assert browser.get(HOME).status_code == 200  # still signed in
    assert not PrivacyLog.objects.exists()


# --- Injected text (staff input) --------------------------------------------------------------------


def test_a_relations_name_is_escaped_everywhere(client, idp, relations, municipality, unit):
    Relation.objects.filter(pk=relations["Emma"].pk).update(subject_name=XSS, note=XSS)
    idp.sign_in(client, pid=demo.KARI)
    assert XSS not in client.get(HOME).content.decode()
    client.post(reverse("citizens:act-for"), {"relation": relations["Emma"].pk})
    for url in (HOME, "/"):
        page = client.get(url).content.decode()
        assert 'id="acting-for"' in page
        assert "<script>alert" not in page and "<img src=x" not in page
    client.post(reverse("citizens:act-for"), {"relation": "self"})
    text = client.post(reverse("citizens:export"), {"format": "html"}).content.decode()
    assert "<script>alert" not in text and "<img src=x" not in text


def test_the_staff_list_escapes_a_relations_name(client, relations, municipality, unit):
    from servicetorg.core.choices import Role
    from tests.factories import make_staff

    Relation.objects.filter(pk=relations["Emma"].pk).update(subject_name=XSS, note=XSS)
    client.force_login(make_staff(Role.CASE_OFFICER, municipality, unit))
    page = client.get(reverse("citizens:relations")).content.decode()
    assert "Nordmann" in page or "&lt;script&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page


# --- A citizen session is no staff session ----------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/inquiries/inquiries/", "/api/catalogue/", "/api/schema/", "/admin/", "/admin/citizens/"]
)
def test_a_citizen_session_opens_no_api_or_admin(client, idp, url):
    idp.sign_in(client, pid=demo.KARI)
    response = client.get(url)
    assert isinstance(response.wsgi_request.user, AnonymousUser)
    if url.startswith("/admin/"):
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif url != "/api/schema/" and url != "/api/catalogue/":
        assert response.status_code in (401, 403), (url, response.status_code)
    assert b"national_id" not in response.content or url == "/api/schema/"


def test_a_citizen_session_cannot_post_to_the_api(client, idp):
    idp.sign_in(client, pid=demo.KARI)
    response = client.post(
        "/api/inquiries/inquiries/", {"subject": "x", "body": "y"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)


# --- The fødselsnummer in logs ----------------------------------------------------------------------


def test_no_log_line_names_her_number(client, idp, caplog, sensitive):
    caplog.set_level(logging.DEBUG)
    _register(sensitive, "Om helsa mi", national_id=demo.KARI)
    idp.sign_in(client, pid=demo.KARI)
    started = idp.start(client, level=assurance.HIGH)
    idp.finish(client, started, pid=demo.KARI, acr=assurance.SUBSTANTIAL)  # refused: level
    idp.finish(client, idp.start(client), pid=demo.KARI, aud="another-client")  # refused: token
    client.get(HOME)
    client.post(reverse("citizens:export"), {"format": "json"})
    client.post(reverse("citizens:logout"))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert demo.KARI not in text and demo.KARI[:6] + " " + demo.KARI[6:] not in text


# --- Her own data export and the level --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "json", "zip"])
def test_the_export_at_substantial_does_not_hand_out_a_sensitive_case(client, idp, sensitive, fmt):
    """A sensitive case's content needs the high level (or the one-time code) on the case page; the
    export must not hand it out to a session at substantial."""
    _register(sensitive, "Om helsa mi", national_id=demo.KARI)
    idp.sign_in(client, pid=demo.KARI, level=assurance.SUBSTANTIAL)
    response = client.post(reverse("citizens:export"), {"format": fmt})
    if fmt == "zip" and response.status_code == 200:
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            text = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    else:
        text = response.content.decode("utf-8", "replace")
    assert "Innhold som bare eieren skal lese" not in text and "Om helsa mi" not in text
    assert response.status_code == 302  # step up first
    assert response["Location"].startswith(reverse("citizens:login"))
    assert assurance.HIGH in response["Location"]
    assert not PrivacyLog.objects.exists()
    # At high she gets it all.
    idp.sign_in(client, pid=demo.KARI, level=assurance.HIGH)
    response = client.post(reverse("citizens:export"), {"format": "json"})
    assert response.status_code == 200 and "Innhold som bare eieren skal lese" in response.content.decode()


def test_the_export_at_substantial_without_a_sensitive_case(client, idp, portal, unit):
    service = make_service(portal, unit=unit, slug="skyss", name="Skyss")
    Service.objects.filter(pk=service.pk).update(requires_national_id=True)
    _register(Service.objects.get(pk=service.pk), "Om skyss", national_id=demo.KARI)
    idp.sign_in(client, pid=demo.KARI, level=assurance.SUBSTANTIAL)
    response = client.post(reverse("citizens:export"), {"format": "json"})
    assert response.status_code == 200 and "Om skyss" in response.content.decode()


# --- Another municipality's case and relations -------------------------------------------------------


def test_a_relation_here_does_not_open_the_subjects_case_elsewhere(
    client, idp, relations, other_municipality
):
    elsewhere = make_service(other_municipality, slug="skyss-nabovik", name="Skyss i Nabovik")
    Service.objects.filter(pk=elsewhere.pk).update(requires_national_id=True)
    emmas = _register(Service.objects.get(pk=elsewhere.pk), "Emma i Nabovik", national_id=demo.EMMA)
    idp.sign_in(client, pid=demo.KARI)
    client.post(reverse("citizens:act-for"), {"relation": relations["Emma"].pk})
    assert client.get(reverse("inquiries_public:case-query", args=[emmas.reference])).status_code == 404


def test_relation_ids_tell_nothing(client, idp, relations):
    """Another's relation, an ended one and one that does not exist answer alike."""
    idp.sign_in(client, pid=demo.KARI)
    client.get(HOME)  # the sign-in's message shown
    answers = set()
    for value in (relations["Ingrid"].pk, relations["Jonas"].pk, 10**9, -1, "9" * 5000):
        response = client.post(reverse("citizens:act-for"), {"relation": value}, follow=True)
        messages = [str(m) for m in response.context["messages"]]
        answers.add((response.status_code, tuple(messages)))
    assert len(answers) == 1, answers


# --- A service's level on the case page -------------------------------------------------------------


@pytest.fixture
def high(portal, unit):
    service = make_service(portal, unit=unit, slug="hoy", name="Tjeneste på høyt nivå")
    Service.objects.filter(pk=service.pk).update(requires_national_id=True, assurance_level=assurance.HIGH)
    return Service.objects.get(pk=service.pk)


def test_a_case_of_a_service_at_high_is_not_read_at_substantial_without_its_link(client, idp, high):
    """Without the link her log-in stands in for it only at the level the service asks for
    (inquiries/min_side.py); below it she is sent to step up, and Min side names the service only."""
    hers = _register(high, "Om noe på høyt nivå", national_id=demo.KARI)
    url = reverse("inquiries_public:case-query", args=[hers.reference])
    idp.sign_in(client, pid=demo.KARI, level=assurance.SUBSTANTIAL)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("citizens:login"))
    assert assurance.HIGH in response["Location"]
    page = client.get(HOME).content.decode()
    assert hers.reference in page and "Om noe på høyt nivå" not in page
    idp.sign_in(client, pid=demo.KARI, level=assurance.HIGH)
    response = client.get(url)
    assert response.status_code == 200 and "Innhold som bare eieren skal lese" in response.content.decode()
    assert "Om noe på høyt nivå" in client.get(HOME).content.decode()


def test_not_hers_is_still_a_404(client, idp, high):
    his = _register(high, "Olas sak", national_id=demo.OLA)
    idp.sign_in(client, pid=demo.KARI, level=assurance.SUBSTANTIAL)
    assert client.get(reverse("inquiries_public:case-query", args=[his.reference])).status_code == 404
