import pytest
from django.urls import reverse

from servicetorg.catalogue import services
from servicetorg.core.permissions import SYSTEM

from ..factories import ServiceAreaFactory, make_service


@pytest.fixture
def catalogue(municipality):
    kindergarten = ServiceAreaFactory(
        municipality=municipality, name="Barnehage", slug="barnehage", position=1
    )
    technical = ServiceAreaFactory(
        municipality=municipality, name="Tekniske tjenester", slug="teknisk", position=2
    )
    make_service(
        municipality,
        area=kindergarten,
        slug="barnehageplass",
        name="Barnehageplass",
        summary="Søk om plass i barnehage.",
        price="Maks 1 200 kroner i måneden.",
        user_actions="Søk elektronisk innen 1. mars.",
        declaration="Vi behandler søknaden raskt.",
    )
    make_service(
        municipality, area=technical, slug="renovasjon", name="Renovasjon", summary="Tømming av avfall."
    )
    make_service(municipality, area=technical, slug="utkast", name="Hemmelig utkast", publish=False)
    return municipality


def test_list_groups_published_services_by_area(client, catalogue):
    response = client.get(reverse("portal:service-list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert [area.slug for area, _ in response.context["groups"]] == ["barnehage", "teknisk"]
    assert "Barnehageplass" in body and "Renovasjon" in body
    assert "Hemmelig utkast" not in body


def test_search_finds_barnehageplass_from_barnehage(client, catalogue):
    response = client.get(reverse("portal:service-list"), {"q": "barnehage"})
    assert [s.slug for s in response.context["results"]] == ["barnehageplass"]
    assert "1 treff" in response.content.decode()


def test_search_without_hits_says_so(client, catalogue):
    response = client.get(reverse("portal:service-list"), {"q": "xyzzy"})
    assert response.context["results"] == []
    assert "Ingen tjenester" in response.content.decode()


def test_service_page_shows_what_is_promised_in_plain_words(client, catalogue):
    body = client.get(reverse("portal:service-detail", args=["barnehageplass"])).content.decode()
    for text in [
        "Søk om plass i barnehage.",
        "Maks 1 200 kroner",
        "Søk elektronisk innen 1. mars.",
        "Vi behandler søknaden raskt.",
        "innen 2 virkedager",
        "Du får 500 kroner om vi ikke svarer i tide.",
    ]:
        assert text in body, text


def test_drafts_and_withdrawn_services_are_404(client, catalogue, municipality):
    assert client.get(reverse("portal:service-detail", args=["utkast"])).status_code == 404
    services.withdraw(municipality.services.get(slug="renovasjon"), user=SYSTEM)
    assert client.get(reverse("portal:service-detail", args=["renovasjon"])).status_code == 404
    assert client.get(reverse("portal:service-detail", args=["finnes-ikke"])).status_code == 404


def test_list_page_query_count_is_constant(client, municipality, django_assert_max_num_queries):
    area = ServiceAreaFactory(municipality=municipality)
    for i in range(3):
        make_service(municipality, area=area, slug=f"a{i}")
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("portal:service-list"))
    other = ServiceAreaFactory(municipality=municipality)
    for i in range(40):
        make_service(municipality, area=other if i % 2 else area, slug=f"b{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("portal:service-list"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("portal:service-list"), {"q": "tjeneste"})


def test_portal_is_in_english_on_request(client, catalogue):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("portal:service-detail", args=["barnehageplass"])).content.decode()
    assert "What we promise" in body
    assert 'lang="en"' in body


def test_portal_defaults_to_norwegian(client, catalogue):
    body = client.get(reverse("portal:service-detail", args=["barnehageplass"])).content.decode()
    assert 'lang="nb"' in body
    assert "Dette lover vi" in body


def test_choosing_another_municipality(client, catalogue, other_municipality, settings):
    settings.PORTAL_MUNICIPALITY = catalogue.number
    make_service(other_municipality, slug="nabo-tjeneste", name="Nabotjeneste")
    assert client.get(reverse("portal:service-detail", args=["nabo-tjeneste"])).status_code == 404
    client.post(
        reverse("portal:choose-municipality"), {"number": other_municipality.number, "next": "/tjenester/"}
    )
    assert client.get(reverse("portal:service-detail", args=["nabo-tjeneste"])).status_code == 200
    assert client.get(reverse("portal:service-detail", args=["barnehageplass"])).status_code == 404


def test_choose_municipality_refuses_foreign_redirects(client, catalogue):
    response = client.post(
        reverse("portal:choose-municipality"), {"number": catalogue.number, "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_open_data_exports_follow_publishing(client, catalogue, municipality):
    turtle = client.get(reverse("portal:cpsv-turtle", args=[municipality.number]))
    assert turtle["Content-Type"].startswith("text/turtle")
    assert "Barnehageplass" in turtle.content.decode()
    assert "Hemmelig utkast" not in turtle.content.decode()
    services.withdraw(municipality.services.get(slug="barnehageplass"), user=SYSTEM)
    turtle = client.get(reverse("portal:cpsv-turtle", args=[municipality.number]))
    assert "Barnehageplass" not in turtle.content.decode()
    jsonld = client.get(reverse("portal:cpsv-jsonld", args=[municipality.number]))
    assert jsonld["Content-Type"].startswith("application/ld+json")
    assert "Renovasjon" in jsonld.content.decode()
    assert client.get(reverse("portal:cpsv-turtle", args=["0000"])).status_code == 404
