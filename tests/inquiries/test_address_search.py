"""The contact form's address search (issue 24 §7): suggestions from Kartverket's register through this
site (JSON for location-map.js), the server's look-up of a typed address when no place is marked (the
path without JavaScript), and what happens when the register does not answer. The register is a local
stand-in over HTTP (tests/geonorge.py); the client is the application's own."""

from decimal import Decimal

import pytest
from django.urls import reverse

from servicetorg.inquiries.models import Inquiry
from tests.core.test_security import PRODUCTION_ENV, _run
from tests.factories import make_service
from tests.geonorge import address

pytestmark = pytest.mark.django_db

SEARCH = reverse("inquiries_public:address-search")


@pytest.fixture
def road_service(municipality, unit):
    service = make_service(municipality, unit=unit, slug="feil-pa-vei", name="Feil på vei og gatelys")
    service.asks_location = True
    service.save()
    return service


@pytest.fixture
def fjordvik_addresses(geonorge, municipality):
    """Addresses of the test's municipality (3999) in the stand-in register."""
    geonorge.addresses += [
        address("Fjellveien 12", "3999", "FJORDVIK", municipality.number, 59.061, 10.021),
        address("Fjellveien 14", "3999", "FJORDVIK", municipality.number, 59.062, 10.022),
        address("Strandgata 3", "3999", "FJORDVIK", municipality.number, 59.051, 10.041),
    ]
    return geonorge


def _post(client, service, **fields):
    data = {
        "subject": "Gatelyset er mørkt",
        "body": "Lyset har vært mørkt i en uke.",
        "contact_name": "Kari Nordmann",
        "address": "",
        "latitude": "",
        "longitude": "",
        **fields,
    }
    return client.post(reverse("inquiries_public:contact-service", args=[service.slug]), data)


# --- suggestions ----------------------------------------------------------------------------------


def test_suggestions_of_the_portals_municipality(client, fjordvik_addresses, municipality):
    response = client.get(SEARCH, {"q": "fjellv"})
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert [r["label"] for r in body["results"]] == [
        "Fjellveien 12, 3999 Fjordvik",
        "Fjellveien 14, 3999 Fjordvik",
    ]
    assert body["results"][0]["lat"] == 59.061 and body["results"][0]["long"] == 10.021
    assert body["message"] == "2 treff. Bruk pil ned for å velge."
    [asked] = fjordvik_addresses.requests
    assert asked["params"]["kommunenummer"] == "3999" and asked["params"]["sok"] == "fjellv*"
    # Larvik's Storgata is not Fjordvik's.
    body = client.get(SEARCH, {"q": "Storgata"}).json()
    assert body["results"] == []
    assert body["message"] == "Ingen adresser passer. Sjekk stavemåten, eller beskriv stedet med ord."


def test_a_setting_searches_another_municipality_for_a_made_up_one(client, geonorge, settings, municipality):
    settings.ADDRESS_SEARCH_MUNICIPALITY = "3805"  # `make run`: the demo's Fjordvik searches Larvik
    body = client.get(SEARCH, {"q": "Storgata 1"}).json()
    assert [r["label"] for r in body["results"]] == [
        "Storgata 1, 3256 Larvik",
        "Storgata 10, 3256 Larvik",
        "Storgata 12B, 3256 Larvik",
    ]
    assert {r["params"]["kommunenummer"] for r in geonorge.requests} == {"3805"}


def test_short_queries_ask_no_one(client, geonorge, municipality):
    assert client.get(SEARCH, {"q": " st "}).json() == {"results": [], "message": ""}
    assert geonorge.requests == []


def test_a_register_that_fails_gives_a_message_that_says_what_to_do(client, geonorge, municipality):
    geonorge.mode = "error"
    response = client.get(SEARCH, {"q": "Fjellveien"})
    assert response.status_code == 503
    assert response.json() == {
        "results": [],
        "message": "Adressesøket svarer ikke akkurat nå. "
        "Marker stedet på kartet, eller beskriv det med ord i feltet.",
    }


def test_suggestions_are_throttled_per_address(client, geonorge, settings, municipality):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "address_search": "3/minute"}
    for n in range(3):
        assert client.get(SEARCH, {"q": f"Storgata {n}"}).status_code == 200
    refused = client.get(SEARCH, {"q": "Storgata 9"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "For mange forsøk" in refused.json()["message"]
    assert len(geonorge.requests) <= 6  # the fourth never reached the register


def test_the_contact_form_offers_the_search_only_when_it_is_on(client, settings, road_service):
    url = reverse("inquiries_public:contact-service", args=[road_service.slug])
    assert "data-address-search" not in client.get(url).content.decode()  # the tests' settings: off
    settings.ADDRESS_SEARCH_URL = "https://ws.geonorge.no/adresser/v1"
    html = client.get(url).content.decode()
    assert f'data-address-search="{SEARCH}"' in html and 'role="listbox"' in html
    assert 'role="status" id="address-search-status"' in html


# --- without JavaScript: the server looks the typed address up ------------------------------------


def test_a_typed_address_gets_its_place_when_none_is_marked(client, fjordvik_addresses, road_service):
    response = _post(client, road_service, address="fjellveien 12")
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.address == "Fjellveien 12, 3999 Fjordvik"
    assert (inquiry.latitude, inquiry.longitude) == (Decimal("59.061000"), Decimal("10.021000"))
    receipt = client.get(reverse("inquiries_public:receipt")).content.decode()
    assert "Fjellveien 12, 3999 Fjordvik" in receipt and "59.061000, 10.021000" in receipt


def test_a_description_stays_words_and_a_marked_place_is_kept(client, fjordvik_addresses, road_service):
    _post(client, road_service, address="Bussholdeplassen ved Fjellveien")
    _post(client, road_service, address="Fjellveien 14", latitude="59.07", longitude="10.03")
    described, marked = Inquiry.objects.order_by("pk")
    assert described.address == "Bussholdeplassen ved Fjellveien" and described.latitude is None
    # She marked the place herself: the map's point stands, the register is not asked.
    assert (marked.address, marked.latitude) == ("Fjellveien 14", Decimal("59.070000"))
    assert [r["params"]["sok"] for r in fjordvik_addresses.requests] == ["Bussholdeplassen ved Fjellveien"]


def test_the_form_goes_through_when_the_register_does_not_answer(client, geonorge, settings, road_service):
    settings.ADDRESS_SEARCH_TIMEOUT = 0.3
    geonorge.mode, geonorge.delay = "slow", 2
    assert _post(client, road_service, address="Fjellveien 12").status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.address == "Fjellveien 12" and inquiry.latitude is None


# --- her language -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "matches", "chosen"),
    [
        ("nn", "2 treff. Bruk pil ned for å velje.", "Valt: {address}. Staden er merkt av på kartet."),
        (
            "en",
            "2 matches. Use the down arrow to choose.",
            "Chosen: {address}. The place is marked on the map.",
        ),
    ],
)
def test_the_search_speaks_her_language(client, fjordvik_addresses, road_service, language, matches, chosen):
    import re

    from tests.portal.test_no_bokmal_left import bokmal_only, leftovers

    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    strings = bokmal_only(language)
    html = client.get(reverse("inquiries_public:contact-service", args=[road_service.slug])).content.decode()
    assert f'data-text-chosen="{chosen}"' in html
    # What the script says comes from data attributes: checked as text of the page too.
    said = "".join(f"<p>{t}</p>" for t in re.findall(r'data-text-[a-z-]+="([^"]*)"', html))
    assert not leftovers(html.replace("</body>", said + "</body>"), language, strings)
    assert client.get(SEARCH, {"q": "fjellv"}).json()["message"] == matches
    _post(client, road_service, address="fjellveien 12")
    receipt = client.get(reverse("inquiries_public:receipt")).content.decode()
    assert "Fjellveien 12, 3999 Fjordvik" in receipt
    assert not leftovers(receipt, language, strings)


# --- the Content-Security-Policy ------------------------------------------------------------------


def test_production_lets_the_browser_connect_to_this_site_only():
    """The register is asked by the server: the browser's connect-src stays 'self' in production."""
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'servicetorg.settings');"
        "from django.conf import settings as s; d = s.CONTENT_SECURITY_POLICY['DIRECTIVES'];"
        "print(d['connect-src'], d['default-src'], s.ADDRESS_SEARCH_URL)"
    )
    result = _run(code, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[\"'self'\"]", "[\"'self'\"]", "https://ws.geonorge.no/adresser/v1"]
