"""Staff of another municipality must never see or change this municipality's catalogue."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicetorg.catalogue import services
from servicetorg.catalogue.models import Service
from servicetorg.core.permissions import SYSTEM

from ..factories import make_service


@pytest.fixture
def service(municipality):
    svc = make_service(municipality, slug="barnehageplass", name="Hemmelig barnehageplass")
    services.ensure_draft(svc, user=SYSTEM)
    return svc


STAFF_PAGES = [
    ("get", "catalogue:service-detail"),
    ("get", "catalogue:service-edit"),
    ("post", "catalogue:service-edit"),
    ("post", "catalogue:draft-start"),
    ("get", "catalogue:draft-edit"),
    ("post", "catalogue:draft-edit"),
    ("post", "catalogue:draft-publish"),
    ("post", "catalogue:service-withdraw"),
    ("post", "catalogue:service-reviewed"),
]


@pytest.mark.parametrize(("method", "name"), STAFF_PAGES)
def test_other_municipality_gets_404_on_every_staff_page(client, other_staff, service, method, name):
    client.force_login(other_staff)
    response = getattr(client, method)(reverse(name, args=[service.pk]))
    assert response.status_code in (403, 404)
    service.refresh_from_db()
    assert service.state == "published"


def test_other_municipality_cannot_see_versions(client, other_staff, service):
    client.force_login(other_staff)
    assert client.get(reverse("catalogue:version-detail", args=[service.pk, 1])).status_code == 404


def test_other_municipality_list_is_empty(client, other_staff, service):
    client.force_login(other_staff)
    response = client.get(reverse("catalogue:service-list"))
    assert response.status_code == 200
    assert "Hemmelig" not in response.content.decode()
    assert list(response.context["page"]) == []


def test_other_municipality_cannot_create_in_this_municipality(client, other_staff, service, municipality):
    client.force_login(other_staff)
    response = client.post(
        reverse("catalogue:service-create"), {"municipality": municipality.pk, "slug": "inntrenger"}
    )
    # refused with the chooser's error (it used to re-show the form for her own municipality)
    assert response.status_code == 400 and response.context["chooser"].errors
    assert not Service.objects.filter(slug="inntrenger").exists()


API_CALLS = [
    ("get", "/api/catalogue/services/{pk}/", None),
    ("put", "/api/catalogue/services/{pk}/draft/", {"name": "x", "summary": "y"}),
    ("post", "/api/catalogue/services/{pk}/publish/", None),
    ("post", "/api/catalogue/services/{pk}/withdraw/", None),
    ("get", "/api/catalogue/areas/{area}/", None),
]


@pytest.mark.parametrize(("method", "url", "payload"), API_CALLS)
def test_other_municipality_gets_404_from_the_api(other_staff, service, method, url, payload):
    api = APIClient()
    api.force_authenticate(other_staff)
    response = getattr(api, method)(url.format(pk=service.pk, area=service.area_id), payload, format="json")
    assert response.status_code == 404
    service.refresh_from_db()
    assert service.state == "published"
    assert service.versions.get(state="draft").name == "Hemmelig barnehageplass"  # the draft is untouched


def test_api_lists_are_scoped(other_staff, service):
    api = APIClient()
    api.force_authenticate(other_staff)
    assert api.get("/api/catalogue/services/").json()["results"] == []
    areas = api.get("/api/catalogue/areas/", {"limit": 100}).json()["results"]
    assert areas and {a["municipality"] for a in areas} == {other_staff.memberships.get().municipality.number}


def test_api_create_in_other_municipality_is_refused(other_staff, service, municipality):
    api = APIClient()
    api.force_authenticate(other_staff)
    response = api.post(
        "/api/catalogue/services/",
        {
            "municipality": municipality.number,
            "area": service.area.slug,
            "slug": "inntrenger",
            "description": {"name": "x", "summary": "y"},
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Service.objects.filter(slug="inntrenger").exists()
