"""Open311 as GeoReport v2 clients expect it (issue 18 §3.4, §2.5, §2.7): the discovery document,
XML as the spec writes it, errors and 404s in the requested format, ``description`` for the client
that filed it, 429 with Retry-After counted per API key, and nothing sensitive offered or published."""

from xml.etree import ElementTree as ET  # noqa: S405 -- parsing our own responses in tests

import pytest

from servicetorg.catalogue.models import Service
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry
from tests.factories import make_service
from tests.inquiries import open311_test_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(open311_test_urls.__name__)]
ROOT = "/api/open311/v2"


@pytest.fixture
def api_key(municipality, administration):
    _client, key = services.create_api_client(municipality=municipality, name="App", user=administration)
    return key


def _post(client, municipality, service, api_key, **fields):
    data = {
        "jurisdiction_id": municipality.number,
        "api_key": api_key,
        "service_code": service.slug,
        "description": "Hull i veien ved skolen",
        "address_string": "Storgata 1",
        "lat": "59.05",
        "long": "10.03",
        **{k: v for k, v in fields.items() if not k.isupper()},
    }
    return client.post(f"{ROOT}/requests.json", data, **{k: v for k, v in fields.items() if k.isupper()})


def _xml(response):
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    return ET.fromstring(response.content)  # noqa: S314 -- our own response


def test_discovery_document_in_both_formats(client):
    data = client.get(f"{ROOT}/discovery.json").json()
    assert set(data) >= {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith(f"{ROOT}/") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = _xml(client.get(f"{ROOT}/discovery.xml"))
    assert root.tag == "discovery"
    formats = root.findall("endpoints/endpoint/formats/format")
    assert [f.text for f in formats] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/url").endswith(f"{ROOT}/")


def test_xml_booleans_and_service_definition_without_an_extra_level(client, municipality, service):
    services_xml = _xml(client.get(f"{ROOT}/services.xml", {"jurisdiction_id": municipality.number}))
    assert services_xml.tag == "services"
    assert services_xml.find("service/metadata").text == "false"  # not Python's "False"
    definition = _xml(
        client.get(f"{ROOT}/services/{service.slug}.xml", {"jurisdiction_id": municipality.number})
    )
    assert definition.tag == "service_definition"
    assert [child.tag for child in definition] == ["service_code", "attributes"]
    assert definition.findtext("service_code") == service.slug


def test_errors_and_404s_come_in_the_requested_format(client, municipality):
    unknown = client.get(f"{ROOT}/requests/NOPE-NOPE.xml", {"jurisdiction_id": municipality.number})
    assert unknown.status_code == 404
    assert _xml(unknown).findtext("error/code") == "404"
    for path in (f"{ROOT}/nothing-here.xml", f"{ROOT}/services/a/b.xml", f"{ROOT}/requests/%3C%3E.xml"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert _xml(response).tag == "errors", path
    as_json = client.get(f"{ROOT}/nothing-here.json")
    assert as_json.status_code == 404 and as_json.json()[0]["code"] == 404
    wrong_method = client.delete(f"{ROOT}/services.xml")
    assert wrong_method.status_code == 405 and _xml(wrong_method).findtext("error/code") == "405"


def test_description_is_returned_to_the_client_that_filed_it(client, municipality, service, api_key):
    posted = _post(client, municipality, service, api_key)
    assert posted.status_code == 201, posted.content
    request_id = posted.json()[0]["service_request_id"]
    url = f"{ROOT}/requests/{request_id}.json"
    mine = client.get(url, {"jurisdiction_id": municipality.number, "api_key": api_key}).json()
    assert mine[0]["description"] == "Hull i veien ved skolen"
    listed = client.get(f"{ROOT}/requests.xml", {"jurisdiction_id": municipality.number, "api_key": api_key})
    assert _xml(listed).findtext("request/description") == "Hull i veien ved skolen"
    # Anyone else (no key, or another app's key) does not read the citizen's text.
    assert client.get(url, {"jurisdiction_id": municipality.number}).json()[0]["description"] is None
    _other, other_key = services.create_api_client(
        municipality=municipality, name="Other app", user=client_admin(municipality)
    )
    other = client.get(url, {"jurisdiction_id": municipality.number, "api_key": other_key}).json()
    assert other[0]["description"] is None


def client_admin(municipality):
    from servicetorg.core.choices import Role
    from tests.factories import make_staff

    return make_staff(Role.ADMINISTRATION, municipality, username="it-other")


def test_get_is_throttled_per_api_key_with_retry_after(client, municipality, service, api_key, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "open311_get": "3/hour", "open311_post": "2/hour"}
    params = {"jurisdiction_id": municipality.number, "api_key": api_key}
    # One app, used from three addresses: one count (the key's).
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert client.get(f"{ROOT}/services.json", params, REMOTE_ADDR=address).status_code == 200
    refused = client.get(f"{ROOT}/requests.xml", params, REMOTE_ADDR="10.0.0.4")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert _xml(refused).findtext("error/code") == "429"
    # Without a key, per address: that address has its own count.
    assert client.get(f"{ROOT}/services.json", REMOTE_ADDR="10.0.0.1").status_code == 200
    # POST: per key too, whatever the address.
    for n, address in enumerate(("10.0.1.1", "10.0.1.2")):
        assert (
            _post(
                client, municipality, service, api_key, description=f"Hull {n}", REMOTE_ADDR=address
            ).status_code
            == 201
        )
    over = _post(client, municipality, service, api_key, description="Hull 3", REMOTE_ADDR="10.0.1.3")
    assert over.status_code == 429 and int(over["Retry-After"]) > 0
    assert Inquiry.objects.count() == 2


def test_sensitive_services_are_not_offered(client, municipality, unit, service, api_key):
    """Issue 18 §2.5: "Psykisk helse- og rustjenester" was listed, and a request shown at an address."""
    sensitive = make_service(
        municipality, unit=unit, slug="psykisk-helse", name="Psykisk helse- og rustjenester"
    )
    Service.objects.filter(pk=sensitive.pk).update(sensitive=True)
    params = {"jurisdiction_id": municipality.number}
    listed = client.get(f"{ROOT}/services.json", params).json()
    assert [s["service_code"] for s in listed] == [service.slug]
    assert client.get(f"{ROOT}/services/psykisk-helse.json", params).status_code == 404
    refused = _post(client, municipality, sensitive, api_key)
    assert refused.status_code == 404 and not Inquiry.objects.exists()


def test_the_public_list_carries_nothing_of_a_sensitive_service(client, municipality, unit, api_key):
    """A request filed before its service was marked sensitive: out of the public list; by its id
    only its status (no address, coordinates, service or text)."""
    later_sensitive = make_service(municipality, unit=unit, slug="rus", name="Psykisk helse- og rustjenester")
    posted = _post(client, municipality, later_sensitive, api_key)
    assert posted.status_code == 201
    request_id = posted.json()[0]["service_request_id"]
    Service.objects.filter(pk=later_sensitive.pk).update(sensitive=True)
    params = {"jurisdiction_id": municipality.number}
    for fmt in ("json", "xml"):
        body = client.get(f"{ROOT}/requests.{fmt}", params).content.decode()
        assert request_id not in body and "Storgata" not in body and "59.05" not in body
    found = client.get(f"{ROOT}/requests/{request_id}.json", {**params, "api_key": api_key}).json()[0]
    assert found["status"] == "open"
    assert found["address"] == "" and found["lat"] is None and found["long"] is None
    assert found["service_name"] == "" and not found["description"]
    by_id = client.get(f"{ROOT}/requests.json", {**params, "service_request_id": request_id}).content.decode()
    assert "Storgata" not in by_id and "59.05" not in by_id and "rus" not in by_id
