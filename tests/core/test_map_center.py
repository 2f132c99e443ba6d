"""Where a map starts (issue 24 §7): at the municipality's own centre, else at MAP_CENTER, else over the
whole of Norway; never on another municipality's town (the contact form used to open on central Oslo
wherever she lived)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from servicetorg.core import demo, maps
from servicetorg.core.models import Municipality
from tests.factories import make_service

pytestmark = pytest.mark.django_db

LARVIK = ["--number", "3805", "--name", "Larvik", "--organization-number", "921000006"]


def test_a_map_starts_at_the_municipality_then_the_setting_then_norway(settings, municipality):
    settings.MAP_CENTER, settings.MAP_ZOOM = "", 13
    assert (maps.map_settings(municipality)["lat"], maps.map_settings(municipality)["zoom"]) == (
        maps.NORWAY_CENTER[0],
        maps.NORWAY_ZOOM,
    )
    settings.MAP_CENTER = "69.6496,18.9560"
    assert [maps.map_settings(municipality)[k] for k in ("lat", "long", "zoom")] == [69.6496, 18.956, 13]
    municipality.center_latitude, municipality.center_longitude = Decimal("59.0533"), Decimal("10.0352")
    assert [maps.map_settings(municipality)[k] for k in ("lat", "long", "zoom")] == [59.0533, 10.0352, 13]
    # Nonsense in the setting, or a place outside Norway: all of Norway, not somewhere made up.
    for nonsense in ("nord", "59.9", "48.8566,2.3522"):
        settings.MAP_CENTER = nonsense
        assert (maps.map_settings()["lat"], maps.map_settings()["long"]) == maps.NORWAY_CENTER


def test_the_contact_form_map_opens_on_the_municipality(client, settings, municipality, unit):
    settings.MAP_CENTER = ""
    service = make_service(municipality, unit=unit, slug="feil-pa-vei", name="Feil på vei")
    service.asks_location = True
    service.save()
    municipality.center_latitude, municipality.center_longitude = Decimal("62.4722"), Decimal("6.1495")
    municipality.save()
    html = client.get(reverse("inquiries_public:contact-service", args=[service.slug])).content.decode()
    assert 'data-lat="62.4722" data-long="6.1495" data-zoom="13"' in html
    assert 'data-lat="59.9139"' not in html  # not Oslo


def test_centre_is_both_coordinates_in_norway_or_none(municipality):
    municipality.center_latitude = Decimal("59.05")
    with pytest.raises(ValidationError) as refused:
        municipality.full_clean()
    assert "Oppgi både breddegrad og lengdegrad for kartets midtpunkt" in str(refused.value)
    municipality.center_latitude, municipality.center_longitude = Decimal("48.8566"), Decimal("2.3522")
    with pytest.raises(ValidationError) as refused:
        municipality.full_clean()
    assert set(refused.value.message_dict) == {"center_latitude", "center_longitude"}


def test_create_municipality_sets_the_centre_and_keeps_it_when_not_given():
    call_command("create_municipality", *LARVIK, "--center", "59.0533, 10.0352")
    call_command("create_municipality", *LARVIK, "--email", "postmottak@larvik.kommune.no")
    larvik = Municipality.objects.get(number="3805")
    assert (larvik.center_latitude, larvik.center_longitude) == (Decimal("59.053300"), Decimal("10.035200"))
    assert larvik.email == "postmottak@larvik.kommune.no"
    with pytest.raises(CommandError, match="latitude,longitude in decimal degrees"):
        call_command("create_municipality", *LARVIK, "--center", "Larvik sentrum")
    with pytest.raises(CommandError, match="center_latitude"):
        call_command("create_municipality", *LARVIK, "--center", "10.0352,59.0533")  # swapped: not in Norway
    larvik.refresh_from_db()
    assert larvik.center == (59.0533, 10.0352)


def test_the_demo_municipality_has_a_centre():
    fjordvik = demo.load_municipality()
    assert fjordvik.center is not None and maps.in_norway(*fjordvik.center)
