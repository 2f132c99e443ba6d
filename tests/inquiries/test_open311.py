"""Open311 GeoReport v2: the `georeport` client against a live server, plus errors and tenancy."""

import pytest
import requests
from georeport import GeoReport

from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry

# The root URLconf mounts open311_urls at /api/open311/v2/; until then the tests mount it themselves.
from tests.inquiries import open311_test_urls

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(open311_test_urls.__name__)]
ROOT = "/api/open311/v2"


@pytest.fixture
def api_key(municipality, administration):
    _client, key = services.create_api_client(municipality=municipality, name="Fiks", user=administration)
    return key


def test_georeport_client_lists_posts_and_reads(live_server, municipality, service, api_key, case_officer):
    client = GeoReport(f"{live_server.url}{ROOT}", jurisdiction=municipality.number)
    listed = client.get_service_list()
    assert any(s["service_code"] == service.slug and s["service_name"] == service.name for s in listed)
    definition = client.get_service_definition(service.slug)
    assert definition["service_code"] == service.slug
    # The client has no POST method: post form-encoded as the spec says.
    posted = requests.post(
        f"{live_server.url}{ROOT}/requests.json",
        data={
            "jurisdiction_id": municipality.number,
            "api_key": api_key,
            "service_code": service.slug,
            "description": "Hull i veien ved skolen",
            "email": "ola@example.no",
            "lat": "59.05",
            "long": "10.03",
        },
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]
    status = client.get_service_request(request_id)
    assert status["status"] == "open" and status["service_code"] == service.slug
    inquiry = Inquiry.objects.get(reference=request_id)
    services.reply(inquiry, text="Fikset", user=case_officer)
    services.close(inquiry, user=case_officer)
    assert client.get_service_request(request_id)["status"] == "closed"
    assert [r["service_request_id"] for r in client.get_service_requests(status="closed")] == [request_id]
    xml_client = GeoReport(f"{live_server.url}{ROOT}", jurisdiction=municipality.number, output_format="xml")
    assert xml_client.get_service_request(request_id)["status"] == "closed"


def test_post_needs_valid_key_of_the_municipality(client, municipality, other_municipality, service, api_key):
    url = f"{ROOT}/requests.json"
    base = {"jurisdiction_id": municipality.number, "service_code": service.slug, "description": "x"}
    assert client.post(url, base).status_code == 403
    assert client.post(url, {**base, "api_key": "wrong"}).status_code == 403
    other = {**base, "jurisdiction_id": other_municipality.number, "api_key": api_key}
    assert client.post(url, other).status_code in (403, 404)
    assert client.post(url, {**base, "api_key": api_key, "service_code": "nope"}).status_code == 404
    assert client.post(url, {**base, "api_key": api_key, "service_code": ""}).status_code == 400
    assert Inquiry.objects.count() == 0


def _post(client, municipality, service, api_key, **fields):
    data = {"jurisdiction_id": municipality.number, "api_key": api_key, "service_code": service.slug}
    response = client.post(f"{ROOT}/requests.json", {**data, "description": "Hull i veien", **fields})
    assert response.status_code == 201, response.content
    return Inquiry.objects.get(reference=response.json()[0]["service_request_id"])


def test_lists_and_finds_only_what_open311_created(client, municipality, service, api_key, desk_worker):
    """Web form, phone and desk inquiries are not Open311's: it neither lists nor finds them (who
    contacted which service, and when, is not public)."""
    posted = _post(client, municipality, service, api_key)
    others = [
        services.register(
            municipality=municipality, channel=channel, subject="Privat", service=service, user=user
        ).inquiry
        for channel, user in (("phone", desk_worker), ("counter", desk_worker), ("web_form", CITIZEN))
    ]
    query = {"jurisdiction_id": municipality.number}
    listed = client.get(f"{ROOT}/requests.json", query).json()
    assert [r["service_request_id"] for r in listed] == [posted.reference]
    xml = client.get(f"{ROOT}/requests.xml", query).content.decode()
    assert posted.reference in xml and not any(o.reference in xml for o in others)
    ids = ",".join(i.reference for i in [posted, *others])
    by_id = client.get(f"{ROOT}/requests.json", {**query, "service_request_id": ids}).json()
    assert [r["service_request_id"] for r in by_id] == [posted.reference]
    for other in others:
        assert client.get(f"{ROOT}/requests/{other.reference}.json", query).status_code == 404
    assert client.get(f"{ROOT}/requests/{posted.reference}.json", query).status_code == 200
    assert posted.open311_request.client.name == "Fiks"


def test_tenancy_and_bad_input(client, municipality, other_municipality, service, api_key):
    inquiry = _post(client, municipality, service, api_key, first_name="Navn", last_name="Navnesen")
    other = client.get(
        f"{ROOT}/requests/{inquiry.reference}.json", {"jurisdiction_id": other_municipality.number}
    )
    assert other.status_code == 404
    own = client.get(
        f"{ROOT}/requests/{inquiry.reference}.json", {"jurisdiction_id": municipality.number}
    ).json()
    assert own[0]["description"] is None  # no personal data over the open API
    assert client.get(f"{ROOT}/services.json", {"jurisdiction_id": "0000"}).status_code == 404
    assert client.get(f"{ROOT}/requests.json", {"start_date": "garbage"}).status_code == 400
    too_long = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}
    assert client.get(f"{ROOT}/requests.json", too_long).status_code == 400
    assert (
        client.get(
            f"{ROOT}/services/{service.slug}.json", {"jurisdiction_id": other_municipality.number}
        ).status_code
        == 404
    )
