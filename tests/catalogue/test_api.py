import pytest
from rest_framework.test import APIClient

from servicetorg.catalogue.models import Service

from ..factories import ServiceAreaFactory, make_service


@pytest.fixture
def api():
    return APIClient()


def test_create_publish_and_read_service(api, administration, municipality):
    ServiceAreaFactory(municipality=municipality, slug="skole")
    api.force_authenticate(administration)
    payload = {
        "municipality": municipality.number,
        "area": "skole",
        "slug": "skoleskyss",
        "ladder_level": 5,
        "channels": ["web_form"],
        "description": {
            "name": "Skoleskyss",
            "summary": "Gratis skoleskyss for elever med lang skolevei.",
            "promises": [{"kind": "decision", "limit_value": 3, "limit_unit": "weeks"}],
        },
    }
    response = api.post("/api/catalogue/services/", payload, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api.post(f"/api/catalogue/services/{pk}/publish/").status_code == 200
    data = api.get(f"/api/catalogue/services/{pk}/").json()
    assert data["state"] == "published"
    assert data["published"]["promises"][0]["limit_value"] == 3


def test_api_errors_are_field_level_and_in_norwegian(api, administration, municipality):
    api.force_authenticate(administration)
    response = api.post(
        "/api/catalogue/services/",
        {
            "municipality": municipality.number,
            "area": "finnes-ikke",
            "slug": "ugyldig slug!",
            "channels": ["fax"],
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 400
    body = response.json()
    assert {"slug", "channels"} <= set(body)


def test_slug_clash_via_api_is_400(api, administration, municipality):
    make_service(municipality, slug="sfo")
    ServiceAreaFactory(municipality=municipality, slug="skole")
    api.force_authenticate(administration)
    response = api.post(
        "/api/catalogue/services/",
        {
            "municipality": municipality.number,
            "area": "skole",
            "slug": "sfo",
            "description": {"name": "SFO", "summary": "x"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert Service.objects.count() == 1


def test_draft_put_creates_new_version(api, administration, municipality):
    service = make_service(municipality, slug="sfo")
    api.force_authenticate(administration)
    response = api.put(
        f"/api/catalogue/services/{service.pk}/draft/", {"name": "SFO ny", "summary": "Ny"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    assert api.get(f"/api/catalogue/services/{service.pk}/").json()["name"] == service.name


def test_anonymous_api_is_refused(api, municipality):
    make_service(municipality, slug="sfo")
    assert api.get("/api/catalogue/services/").status_code in (401, 403)
