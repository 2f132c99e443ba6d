"""Where it is: a place (latitude, longitude) and an address on inquiries of services that ask for a
location; checked by services.clean_location for the contact form, the API and Open311 alike."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from servicetorg.core import maps
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry
from tests.factories import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def road_service(municipality, unit):
    service = make_service(municipality, unit=unit, slug="feil-pa-vei", name="Feil på vei og gatelys")
    service.asks_location = True
    service.save()
    return service


# --- the rules ------------------------------------------------------------------------------------


def test_clean_location_takes_numbers_and_texts_with_a_decimal_comma():
    assert services.clean_location("59,9139", "10.7522", "  Storgata   1 ") == (
        Decimal("59.913900"),
        Decimal("10.752200"),
        "Storgata 1",
    )
    assert services.clean_location(69.6492123456, Decimal("18.9553"), "") == (
        Decimal("69.649212"),
        Decimal("18.955300"),
        "",
    )
    assert services.clean_location(None, "", "") == (None, None, "")


@pytest.mark.parametrize(
    ("latitude", "longitude", "field", "message"),
    [
        ("59.9", "", "longitude", "Give both latitude and longitude, or neither."),
        ("", "10.7", "latitude", "Give both latitude and longitude, or neither."),
        ("nord", "10.7", "latitude", "Give a number in decimal degrees, e.g. 59.9139."),
        ("59.9", "NaN", "longitude", "Give a number in decimal degrees, e.g. 10.7522."),
        ("59.9", "Infinity", "longitude", "Give a number in decimal degrees, e.g. 10.7522."),
        ("1" * 40, "10.7", "latitude", "Give a number in decimal degrees, e.g. 59.9139."),
        ("48.85", "10.7", "latitude", "The place must be in Norway: latitude between 57.5 and 81.0."),
        ("59.9", "2.35", "longitude", "The place must be in Norway: longitude between 4.0 and 35.0."),
        ("-59.9", "10.7", "latitude", "The place must be in Norway: latitude between 57.5 and 81.0."),
    ],
)
def test_clean_location_refuses_with_a_message_on_the_field(latitude, longitude, field, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.clean_location(latitude, longitude, "")
    assert refused.value.message_dict == {field: [message]}


def test_too_long_address_is_refused_with_its_length():
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.clean_location(None, None, "x" * 201)
    assert refused.value.message_dict == {
        "address": ["The address can have at most 200 characters (it has 201)."]
    }


def test_every_wrong_field_at_once():
    with pytest.raises(ValidationError) as refused:
        services.clean_location("sør", "200", "y" * 300)
    assert set(refused.value.message_dict) == {"latitude", "longitude", "address"}


def test_register_stores_the_place_and_its_history(municipality, road_service, desk_worker):
    inquiry = services.register(
        municipality=municipality,
        channel="phone",
        subject="Gatelyset er mørkt",
        service=road_service,
        latitude="59.05",
        longitude="10.03",
        address="Skolegata 3",
        user=desk_worker,
    ).inquiry
    inquiry.refresh_from_db()
    assert (inquiry.latitude, inquiry.longitude, inquiry.address) == (
        Decimal("59.050000"),
        Decimal("10.030000"),
        "Skolegata 3",
    )
    assert inquiry.history.get().address == "Skolegata 3"
    assert inquiry.map_link().startswith("https://norgeskart.no/#!?project=norgeskart")


def test_register_refuses_a_place_outside_norway_having_written_nothing(
    municipality, road_service, desk_worker
):
    with pytest.raises(ValidationError) as refused:
        services.register(
            municipality=municipality,
            channel="phone",
            subject="Hull",
            service=road_service,
            latitude="40.0",
            longitude="10.0",
            user=desk_worker,
        )
    assert set(refused.value.message_dict) == {"latitude"}
    assert Inquiry.objects.count() == 0


def test_database_keeps_both_coordinates_or_neither(municipality, road_service, desk_worker):
    from django.db import IntegrityError, transaction

    inquiry = services.register(
        municipality=municipality,
        channel="phone",
        subject="Hull",
        service=road_service,
        address="Skolegata 3",
        user=desk_worker,
    ).inquiry
    with pytest.raises(IntegrityError), transaction.atomic():
        Inquiry.objects.filter(pk=inquiry.pk).update(latitude=Decimal("59.1"))


# --- maps -----------------------------------------------------------------------------------------


def test_utm33_of_known_points():
    # The central meridian at 60°N: the meridian arc (GRS80) times the scale factor.
    east, north = maps.utm33(60.0, 15.0)
    assert east == pytest.approx(500000.0, abs=0.01) and north == pytest.approx(6651411.19, abs=0.05)
    east, north = maps.utm33(59.9139, 10.7522)  # Oslo
    assert east == pytest.approx(262560, abs=5) and north == pytest.approx(6649444, abs=5)


def test_tile_origin_is_what_the_content_security_policy_allows(settings):
    assert maps.tile_origin(maps.KARTVERKET_TILES) == "https://cache.kartverket.no"
    assert maps.tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert maps.tile_origin("/tiles/{z}/{x}/{y}.png") == ""
    assert "https://cache.kartverket.no" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]


def test_map_centre_setting_falls_back_on_nonsense(settings):
    settings.MAP_CENTER = "69.65,18.96"
    assert (maps.map_settings()["lat"], maps.map_settings()["long"]) == (69.65, 18.96)
    settings.MAP_CENTER = "nord"
    assert (maps.map_settings()["lat"], maps.map_settings()["long"]) == maps.NORWAY_CENTER


# --- the contact form -----------------------------------------------------------------------------


def test_contact_form_asks_where_only_for_services_that_ask(client, municipality, road_service, service):
    html = client.get(reverse("inquiries_public:contact-service", args=[road_service.slug])).content.decode()
    assert "Hvor er det?" in html and 'name="address"' in html and 'name="latitude"' in html
    assert 'data-location-map="pick"' in html and "vendor/leaflet/leaflet.js" in html
    assert (
        'data-tile-url="https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png"'
        in html
    )
    other = client.get(reverse("inquiries_public:contact-service", args=[service.slug])).content.decode()
    assert 'name="address"' not in other and "leaflet" not in other


def test_contact_form_registers_the_place(client, municipality, road_service):
    url = reverse("inquiries_public:contact-service", args=[road_service.slug])
    response = client.post(
        url,
        {
            "subject": "Gatelys virker ikke",
            "body": "Lyset ved bussholdeplassen er mørkt.",
            "address": "Bussholdeplassen ved skolen",
            "latitude": "59,0512",
            "longitude": "10,0301",
            "contact_name": "Ola",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    inquiry = Inquiry.objects.get()
    assert (inquiry.latitude, inquiry.longitude) == (Decimal("59.051200"), Decimal("10.030100"))
    assert inquiry.address == "Bussholdeplassen ved skolen"


def test_contact_form_typed_address_alone_is_enough(client, municipality, road_service):
    url = reverse("inquiries_public:contact-service", args=[road_service.slug])
    data = {"subject": "Ikke brøytet", "body": "Veien er ikke brøytet.", "contact_name": "Kari"}
    response = client.post(url, {**data, "address": "Fjellveien 12"})
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.address == "Fjellveien 12" and inquiry.latitude is None


@pytest.mark.parametrize(
    ("place", "field", "message"),
    [
        ({"latitude": "59.9"}, "longitude", "Oppgi både breddegrad og lengdegrad, eller ingen av dem."),
        (
            {"latitude": "abc", "longitude": "10.7"},
            "latitude",
            "Oppgi et tall i desimalgrader, f.eks. 59.9139.",
        ),
        (
            {"latitude": "55.6761", "longitude": "12.5683"},
            "latitude",
            "Stedet må være i Norge: breddegrad mellom 57.5 og 81.0.",
        ),
        ({"address": "z" * 250}, "address", "Adressen kan ha høyst 200 tegn (den har 250)."),
    ],
)
def test_contact_form_bad_place_is_a_field_error_and_nothing_typed_is_lost(
    client, municipality, road_service, place, field, message
):
    url = reverse("inquiries_public:contact-service", args=[road_service.slug])
    typed = {
        "subject": "Hull i veien",
        "body": "Et dypt hull ved postkassene.",
        "contact_name": "Kari",
        **place,
    }
    response = client.post(url, typed)
    html = response.content.decode()
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {field}
    assert message in html and f'id="id_{field}_error"' in html
    for value in typed.values():
        assert f'value="{value}"' in html or f">\n{value}</textarea>" in html
    assert Inquiry.objects.count() == 0


# --- staff and citizen pages ----------------------------------------------------------------------


def test_staff_detail_and_case_page_show_the_place(client, municipality, road_service, unit, make_staff):
    from servicetorg.core.choices import Role

    registered = services.register(
        municipality=municipality,
        channel="web_form",
        subject="Gatelys",
        service=road_service,
        latitude="59.05",
        longitude="10.03",
        address="Skolegata 3",
        user=CITIZEN,
        to_responsible_unit=True,
    )
    inquiry = registered.inquiry
    case = client.get(
        reverse("inquiries_public:case", args=[inquiry.reference, registered.token]), follow=True
    )
    html = case.content.decode()
    assert "Skolegata 3" in html and "59.050000, 10.030000" in html and "norgeskart.no" in html
    officer = make_staff(Role.CASE_OFFICER, municipality, unit, username="saksbehandler-kart")
    client.force_login(officer)
    html = client.get(reverse("inquiries:detail", args=[inquiry.pk])).content.decode()
    assert "Skolegata 3" in html and 'data-location-map="show"' in html
    assert 'data-place-lat="59.050000"' in html and "https://norgeskart.no/#!?" in html


# --- Open311 and the intake API -------------------------------------------------------------------

OPEN311 = "/api/open311/v2"


@pytest.fixture
def api_key(municipality, administration):
    _client, key = services.create_api_client(municipality=municipality, name="Fiks", user=administration)
    return key


def _post311(client, municipality, service, api_key, **fields):
    data = {
        "jurisdiction_id": municipality.number,
        "api_key": api_key,
        "service_code": service.slug,
        "description": "Gatelyset blinker",
        **fields,
    }
    return client.post(f"{OPEN311}/requests.json", data)


def test_open311_services_mark_the_services_that_ask_for_a_location(
    client, municipality, road_service, service
):
    listed = {s["service_code"]: s for s in client.get(f"{OPEN311}/services.json").json()}
    assert listed[road_service.slug]["keywords"] == "location"
    assert listed[service.slug]["keywords"] == ""
    xml = client.get(f"{OPEN311}/services.xml").content.decode()
    assert "<keywords>location</keywords>" in xml


def test_open311_post_and_read_back_the_place(client, municipality, road_service, api_key):
    posted = _post311(
        client,
        municipality,
        road_service,
        api_key,
        lat="59.0512",
        long="10.0301",
        address_string="Skolegata 3",
    )
    assert posted.status_code == 201, posted.content
    request_id = posted.json()[0]["service_request_id"]
    inquiry = Inquiry.objects.get(reference=request_id)
    assert (inquiry.latitude, inquiry.longitude, inquiry.address) == (
        Decimal("59.051200"),
        Decimal("10.030100"),
        "Skolegata 3",
    )
    assert inquiry.body == "Gatelyset blinker"  # the place is its own fields, not text in the body
    read = client.get(f"{OPEN311}/requests/{request_id}.json").json()[0]
    assert (read["lat"], read["long"], read["address"]) == (59.0512, 10.0301, "Skolegata 3")
    listed = client.get(f"{OPEN311}/requests.json").json()
    assert [(r["lat"], r["long"]) for r in listed] == [(59.0512, 10.0301)]
    xml = client.get(f"{OPEN311}/requests/{request_id}.xml").content.decode()
    assert "<lat>59.0512</lat>" in xml and "<address>Skolegata 3</address>" in xml


def test_open311_refuses_bad_places_in_its_error_format(client, municipality, road_service, api_key):
    outside = _post311(client, municipality, road_service, api_key, lat="52.37", long="4.89")
    assert outside.status_code == 400
    assert outside.json() == [
        {"code": 400, "description": "lat: Stedet må være i Norge: breddegrad mellom 57.5 og 81.0."}
    ]
    both = _post311(
        client, municipality, road_service, api_key, lat="nord", long="9999", address_string="x" * 201
    )
    assert both.status_code == 400
    described = [e["description"] for e in both.json()]
    assert [d.split(":")[0] for d in described] == ["lat", "long", "address_string"]
    half = _post311(client, municipality, road_service, api_key, lat="59.05")
    assert half.json() == [
        {"code": 400, "description": "long: Oppgi både breddegrad og lengdegrad, eller ingen av dem."}
    ]
    xml = client.post(
        f"{OPEN311}/requests.xml",
        {"jurisdiction_id": municipality.number, "api_key": api_key, "service_code": road_service.slug},
    )
    # The rule is the service layer's (services.prepare), named by GeoReport's parameter.
    assert xml.status_code == 400
    assert b"<error><code>400</code><description>address_string: Tjenesten trenger et sted" in xml.content
    assert Inquiry.objects.count() == 0


def test_open311_place_is_optional_where_the_service_does_not_ask(client, municipality, service, api_key):
    posted = _post311(client, municipality, service, api_key)
    assert posted.status_code == 201
    read = client.get(f"{OPEN311}/requests/{posted.json()[0]['service_request_id']}.json").json()[0]
    assert (read["lat"], read["long"], read["address"]) == (None, None, "")


def test_intake_api_takes_and_returns_the_place(municipality, road_service, desk_worker):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(desk_worker)
    url = "/api/inquiries/inquiries/"
    data = {
        "municipality": municipality.pk,
        "channel": "phone",
        "subject": "Hull",
        "service": road_service.pk,
        "latitude": 59.05,
        "longitude": "10.03",
        "address": "Skolegata 3",
    }
    created = api.post(url, data, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["latitude"], created.json()["longitude"], created.json()["address"]) == (
        "59.050000",
        "10.030000",
        "Skolegata 3",
    )
    refused = api.post(url, {**data, "latitude": 12}, format="json")
    assert refused.status_code == 400 and "latitude" in refused.json()
    assert Inquiry.objects.count() == 1


def test_desk_registers_the_address_and_refuses_a_too_long_one(
    client, municipality, road_service, desk_worker
):
    client.force_login(desk_worker)
    url = reverse("inquiries:register")
    typed = {
        "municipality": municipality.pk,
        "channel": "phone",
        "service": road_service.name,
        "subject": "Hull i veien",
        "outcome": "open",
    }
    refused = client.post(url, {**typed, "address": "v" * 230})
    assert refused.status_code == 200
    assert refused.context["form"].errors["address"] == ["Adressen kan ha høyst 200 tegn (den har 230)."]
    assert "v" * 230 in refused.content.decode() and Inquiry.objects.count() == 0
    assert client.post(url, {**typed, "address": "Fjellveien 12"}).status_code == 302
    assert Inquiry.objects.get().address == "Fjellveien 12"


def test_anonymising_an_inquiry_blanks_its_place(municipality, road_service, desk_worker):
    """A place can point to her home: retention and erasure blank it with the other personal fields."""
    from servicetorg.inquiries import personal_data

    inquiry = services.register(
        municipality=municipality,
        channel="phone",
        subject="Hull",
        service=road_service,
        latitude="59.05",
        longitude="10.03",
        address="Skolegata 3",
        user=desk_worker,
    ).inquiry
    assert personal_data.anonymise([inquiry.pk]) == 1
    inquiry.refresh_from_db()
    assert (inquiry.latitude, inquiry.longitude, inquiry.address) == (None, None, "")


def test_staff_setting_in_the_form_admin_and_api(municipality, road_service, make_staff):
    from django.contrib import admin
    from django.test import RequestFactory

    from servicetorg.catalogue.api import ServiceSerializer, ServiceWriteSerializer
    from servicetorg.catalogue.forms import ServiceForm
    from servicetorg.catalogue.models import Service
    from servicetorg.core.choices import Role

    assert "asks_location" in ServiceForm(municipality=municipality).fields
    request = RequestFactory().get("/admin/")
    request.user = make_staff(
        Role.ADMIN, municipality, username="admin-kart", is_superuser=True, is_staff=True
    )
    assert "asks_location" in admin.site._registry[Service].get_form(request)().fields
    assert ServiceSerializer(road_service).data["asks_location"] is True
    assert "asks_location" in ServiceWriteSerializer().fields


def test_a_place_bound_service_needs_a_place_on_every_channel(
    client, municipality, road_service, desk_worker, administration
):
    """Issue 19 §4: the rule was in the contact form and Open311, not in services.prepare, so the REST
    API registered a place-bound inquiry with no place. Now every channel refuses it the same way."""
    from rest_framework.test import APIClient

    from servicetorg.inquiries import services

    url = "/api/inquiries/inquiries/"
    data = {
        "municipality": municipality.pk,
        "channel": "phone",
        "subject": "Hull",
        "service": road_service.pk,
    }
    api = APIClient()
    api.force_authenticate(desk_worker)
    refused = api.post(url, data, format="json")
    assert refused.status_code == 400 and "address" in refused.json(), refused.content
    # A system with a REST key (the direct intake path) is refused as well.
    _client, key = services.create_api_client(
        municipality=municipality, name="Fiks", user=administration, service_account=desk_worker
    )
    refused = client.post(url, data, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert refused.status_code == 400 and "address" in refused.json(), refused.content
    # The contact form: a message on the address field.
    contact = client.post(
        reverse("inquiries_public:contact-service", args=[road_service.slug]),
        {"subject": "Hull", "body": "Stort hull", "contact_name": "Ola"},
    )
    assert contact.status_code == 200
    assert contact.context["form"].errors["address"] == [
        "Tjenesten trenger et sted: oppgi en adresse, eller breddegrad og lengdegrad."
    ]
    assert Inquiry.objects.count() == 0
    # An address or a point is enough.
    assert api.post(url, {**data, "address": "Skolegata 3"}, format="json").status_code == 201
    assert api.post(url, {**data, "latitude": 59.05, "longitude": 10.03}, format="json").status_code == 201
