"""The public providers API: who is listed (approved in a scheme in force, the default provider),
the filters by municipality, service and district, no supplementary services, bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicetorg.choice import providers
from servicetorg.choice.models import Scheme, SupplementaryService
from servicetorg.core.permissions import SYSTEM
from tests.factories import make_service

from .conftest import build_scheme
from .provider_helpers import ORGNRS, apply_public, approved_provider

pytestmark = pytest.mark.django_db
URL = "/api/choice/providers/"


@pytest.fixture
def scheme(municipality):
    return build_scheme(municipality, adopt=True, supplementary_services=True)


def _names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_anonymous_reads_the_approved_providers_only(client, scheme, unit):
    east = approved_provider(scheme, districts="Øst, Sentrum", languages="norsk, polsk")
    approved_provider(scheme, orgnr=ORGNRS[1], name="Alle AS")
    apply_public(scheme, orgnr=ORGNRS[2], name="Søker AS")  # submitted: not listed
    suspended = approved_provider(scheme, orgnr=ORGNRS[3], name="Stanset AS")
    providers.suspend(suspended.applications.get(), user=SYSTEM, reason="Tilsyn")
    own = providers.create_provider(municipality=scheme.municipality, user=SYSTEM, name="Kommunen", unit=unit)
    Scheme.objects.filter(pk=scheme.pk).update(default_provider=own)
    SupplementaryService.objects.create(provider=east, name="Vindusvask")
    response = client.get(URL)
    assert _names(response) == ["Alle AS", "Kommunen", "Omsorg AS"]
    row = next(r for r in response.json()["results"] if r["name"] == "Omsorg AS")
    assert row["languages"] == ["norsk", "polsk"] and row["districts"] == ["Øst", "Sentrum"]
    assert row["takes_new_users"] is True and row["schemes"][0]["id"] == scheme.pk
    assert "Vindusvask" not in response.content.decode()
    assert _names(client.get(URL, {"district": "øst"})) == ["Alle AS", "Kommunen", "Omsorg AS"]
    assert _names(client.get(URL, {"district": "Vest"})) == ["Alle AS", "Kommunen"]
    assert _names(client.get(URL, {"district": "Sent"})) == ["Alle AS", "Kommunen"]  # whole names only
    detail = client.get(f"{URL}{east.pk}/")
    assert detail.status_code == 200 and detail.json()["organization_number"] == ORGNRS[0]
    assert client.get(f"{URL}{suspended.pk}/").status_code == 404


def test_filters_by_service_and_municipality(client, scheme, municipality, other_municipality):
    approved_provider(scheme)
    other_service = build_scheme(municipality, service=make_service(municipality, slug="annen"), adopt=True)
    approved_provider(other_service, orgnr=ORGNRS[1], name="Annen AS")
    foreign = build_scheme(other_municipality, adopt=True)
    approved_provider(foreign, orgnr=ORGNRS[2], name="Nabo AS")
    assert _names(client.get(URL, {"service": "annen"})) == ["Annen AS"]
    assert _names(client.get(URL, {"municipality": other_municipality.number})) == ["Nabo AS"]
    assert _names(client.get(URL, {"municipality": municipality.number})) == ["Annen AS", "Omsorg AS"]
    assert _names(client.get(URL, {"service": "finnes-ikke"})) == []


def test_the_list_does_not_grow_queries_with_providers(client, scheme):
    approved_provider(scheme)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(1, 5):
        approved_provider(scheme, orgnr=ORGNRS[i], name=f"L{i}")
    with CaptureQueriesContext(connection) as many:
        assert len(_names(client.get(URL))) == 5
    assert len(many) == len(few)


def test_the_api_reads_only(client, scheme):
    assert client.post(URL, {}, content_type="application/json").status_code in (403, 405)


@pytest.mark.parametrize("value", ["(", "a\\b", "[x", "\x00", "%", ".*", "Ø st", "a" * 300])
def test_odd_districts_are_no_error(client, scheme, value, settings):
    settings.PORTAL_MUNICIPALITY = scheme.municipality.number
    approved_provider(scheme, districts="Øst")
    response = client.get(URL, {"district": value})
    assert response.status_code in (200, 400)  # the edge refuses a NUL with a message; never a 500
