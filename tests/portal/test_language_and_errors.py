"""Bokmål by default whatever the browser prefers; nynorsk and English by choice; error pages in the
portal's look and the user's language, each with a way on."""

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from servicetorg.core.errors import server_error

pytestmark = pytest.mark.django_db


def choose(client, language: str, next_url: str = "/") -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url


def test_bokmal_by_default_even_when_the_browser_prefers_english(client, municipality):
    response = client.get("/tjenester/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nb"' in html and "Søk etter en tjeneste" in html
    assert response["Content-Language"] == "nb"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nn", "Søk etter ei teneste"), ("en", "Search for a service"), ("nb", "Søk etter en tjeneste")],
)
def test_the_users_choice_holds(client, municipality, language, expected):
    choose(client, language, "/tjenester/")
    html = client.get("/tjenester/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<html lang="{language}"' in html and expected in html


def test_language_buttons_name_each_language_in_itself(client, municipality):
    html = client.get("/").content.decode()
    assert 'lang="nn">Nynorsk</button>' in html and 'lang="en">English</button>' in html
    assert 'lang="nb">Bokmål</button>' not in html  # the current language has no button
    choose(client, "nn")
    html = client.get("/").content.decode()
    assert 'lang="nb">Bokmål</button>' in html and 'lang="nn">Nynorsk</button>' not in html


def test_norwegian_content_is_marked_when_the_interface_is_english(client, municipality):
    from tests.factories import make_service

    make_service(municipality, slug="barnehageplass", name="Barnehageplass")
    choose(client, "en")
    html = client.get("/tjenester/barnehageplass/").content.decode()
    assert '<h1 class="ds-heading" data-size="xl" lang="nb">Barnehageplass</h1>' in html


def test_404_in_the_portals_look_and_language(client, municipality):
    response = client.get("/finnes-ikke/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Vi fant ikke siden" in html and 'class="site-header"' in html
    assert 'href="/tjenester/"' in html and 'href="/kontakt/"' in html  # ways on
    choose(client, "en")
    assert "We could not find the page" in client.get("/finnes-ikke/").content.decode()
    choose(client, "nn")
    assert "Vi fann ikkje sida" in client.get("/finnes-ikke/").content.decode()


def test_a_wrong_case_link_is_a_404_with_a_way_on(client, municipality):
    response = client.get("/sak/ABCD-EFGH/feil-kode/")
    assert response.status_code == 404
    assert "Følg en henvendelse du har sendt" in response.content.decode()


def test_403_for_a_citizen_on_a_staff_page(client, municipality):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("innbygger", password="x-pass-123456")
    client.force_login(user)
    response = client.get("/staff/henvendelser/kompensasjon/")
    assert response.status_code == 403
    assert "Du har ikke tilgang til denne siden" in response.content.decode()


def test_400_for_a_bad_host(client, municipality):
    response = client.get("/", HTTP_HOST="ikke.tillatt.example")
    assert response.status_code == 400
    assert "Forespørselen kunne ikke leses" in response.content.decode()


def test_csrf_failure_is_explained_in_norwegian(municipality):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/kontakt/", {"subject": "Hei"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Skjemaet var utløpt" in html and 'class="site-header"' in html
    assert 'href="/kontakt/"' in html  # open the form again


def _boom(request):
    raise RuntimeError("broken")


urlpatterns = [path("boom/", _boom), path("", include("servicetorg.urls"))]
handler500 = server_error


@override_settings(ROOT_URLCONF=__name__)
def test_500_in_the_portals_look(municipality):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Noe gikk galt hos oss" in html and 'class="site-header"' in html


def test_the_api_follows_accept_language(client, municipality, desk_worker):
    client.force_login(desk_worker)
    english = client.post(
        "/api/inquiries/inquiries/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    norwegian = client.post("/api/inquiries/inquiries/", {}, content_type="application/json")
    assert english.status_code == norwegian.status_code == 400
    assert "This field is required." in english.content.decode()
    assert "This field is required." not in norwegian.content.decode()
