"""Search finds what people type (issue 24 §3): real queries on the demo catalogue, and the service
each must put first, on the database the suite runs on (SQLite by default, PostgreSQL in CI's second
run). The test prints its table: ``pytest -s tests/catalogue/test_search_queries.py``."""

import pytest
from django.db import connection

from servicetorg.catalogue import demo, selectors, services
from servicetorg.core.permissions import SYSTEM

from ..factories import make_service

#: (what she types, the service that must come first)
QUERIES = [
    ("SFO", "sfo"),
    ("renovasjon", "renovasjon"),
    ("bhg", "barnehageplass"),
    ("søppel", "renovasjon"),
    ("byggesøknad", "byggesoknad"),
    ("parkering", "parkeringstillatelse-forflytningshemmede"),
    ("barnehageplass", "barnehageplass"),
    ("barnehagen", "barnehageplass"),  # definite form
    ("byggesøknader", "byggesoknad"),  # plural
    ("søke barnehage", "barnehageplass"),
    ("tømming av søppel", "renovasjon"),
    ("hjemmehjelp", "praktisk-bistand"),
    ("sykehjem", "sykehjemsplass"),
    ("skolebuss", "skoleskyss"),
    ("gatelys", "feil-pa-vei-og-gatelys"),
    ("bostøtte", "bostotte"),
    ("Startlån", "startlan"),
    ("BPA", "brukerstyrt-personlig-assistanse"),
    ("kindergarten", "barnehageplass"),  # English
    ("waste", "renovasjon"),  # English
    ("building permit", "byggesoknad"),  # English
]


@pytest.fixture
def demo_catalogue(municipality):
    demo.load(municipality, seed=1)
    return municipality


def test_each_query_puts_its_service_first(demo_catalogue):
    rows, wrong = [], []
    for query, expected in QUERIES:
        hits = [s.slug for s in selectors.search_published(demo_catalogue, query, limit=3)]
        first = hits[0] if hits else "(nothing)"
        rows.append((query, first, hits[1:]))
        if first != expected:
            wrong.append(f"{query!r}: {first} first, expected {expected} (then {hits[1:]})")
    width = max(len(q) for q, _ in QUERIES) + 2
    print(f"\nSearch on {connection.vendor} (demo catalogue): query → first service (then)")
    for query, first, rest in rows:
        print(f"  {query:<{width}} → {first}  ({', '.join(rest)})")
    assert not wrong, "\n".join(wrong)


def test_search_words_are_found_and_follow_edits(demo_catalogue):
    """A search word staff add is found at once, and one they remove is no longer (index in step)."""
    feiing = demo_catalogue.services.get(slug="feiing")
    assert selectors.search_published(demo_catalogue, "sotfjerning") == []
    services.update_service(feiing, search_words="sotfjerning, pipe", user=SYSTEM)
    assert [s.slug for s in selectors.search_published(demo_catalogue, "sotfjerning")] == ["feiing"]
    services.update_service(feiing, search_words="pipe", user=SYSTEM)
    assert selectors.search_published(demo_catalogue, "sotfjerning") == []


def test_withdrawn_service_leaves_the_results(demo_catalogue):
    renovasjon = demo_catalogue.services.get(slug="renovasjon")
    services.withdraw(renovasjon, user=SYSTEM)
    assert "renovasjon" not in [s.slug for s in selectors.search_published(demo_catalogue, "søppel")]


def test_no_service_has_every_word_then_any_word_does(demo_catalogue):
    hits = [s.slug for s in selectors.search_published(demo_catalogue, "søppeldunk xyzzyqq")]
    assert hits[:1] == ["renovasjon"]


def test_search_words_are_normalised_and_checked(municipality):
    from django.core.exceptions import ValidationError

    from servicetorg.catalogue.services import normalise_search_words

    assert normalise_search_words(" BHG,  Barnehage\nbhg; søke   barnehage,, ") == (
        "bhg, barnehage, søke barnehage"
    )
    assert normalise_search_words("hc-kort, 1. klasse") == "hc-kort, 1. klasse"
    for bad in ["<script>", "bhg*", "søppel & avfall", "x" * 61, ", ".join(f"ord{i}" for i in range(31))]:
        with pytest.raises(ValidationError) as error:
            normalise_search_words(bad, field="search_words_en")
        assert "search_words_en" in error.value.message_dict, bad


def test_search_words_are_audited(municipality, administration):
    service = make_service(municipality, slug="renovasjon", name="Renovasjon", user=administration)
    services.update_service(service, search_words="søppel", user=administration)
    latest = service.history.order_by("-history_date").first()
    assert (latest.search_words, latest.history_user) == ("søppel", administration)


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_index_is_put_back_after_a_migration_rebuilds_the_table(demo_catalogue):
    """Django rebuilds a SQLite table to alter it, and the old table's triggers go with it: after
    migrate, ensure_fts puts them back and rebuilds the index from the rows."""
    from servicetorg.catalogue.sql import FTS_TRIGGERS, ensure_fts

    assert ensure_fts() is False  # all there
    with connection.cursor() as cursor:
        for trigger in FTS_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {trigger}")
    feiing = demo_catalogue.services.get(slug="feiing")
    feiing.search_words = "sotfjerning"
    feiing.save()  # not indexed: no trigger
    assert selectors.search_published(demo_catalogue, "sotfjerning") == []
    assert ensure_fts() is True
    assert [s.slug for s in selectors.search_published(demo_catalogue, "sotfjerning")] == ["feiing"]


def test_staff_edit_search_words_in_the_catalogue_editor(client, administration, municipality):
    from django.urls import reverse

    service = make_service(municipality, slug="renovasjon", name="Renovasjon", user=administration)
    client.force_login(administration)
    url = reverse("catalogue:service-edit", args=[service.pk])
    form = client.get(url)
    assert b'name="search_words"' in form.content and b'name="search_words_en"' in form.content
    settings = {
        "area": service.area_id,
        "slug": service.slug,
        "ladder_level": service.ladder_level,
        "review_due": "",
    }
    refused = client.post(url, {**settings, "search_words": "søppel <b>", "search_words_en": ""})
    assert refused.status_code == 200
    assert "bokstaver og tall" in refused.content.decode()
    saved = client.post(url, {**settings, "search_words": "Søppel,  avfall", "search_words_en": "Waste"})
    assert saved.status_code == 302
    service.refresh_from_db()
    assert (service.search_words, service.search_words_en) == ("søppel, avfall", "waste")
    assert service.history.filter(history_user=administration, search_words="søppel, avfall").exists()
    assert [s.slug for s in selectors.search_published(municipality, "søppel")] == ["renovasjon"]
    detail = client.get(reverse("catalogue:service-detail", args=[service.pk])).content.decode()
    assert "søppel, avfall" in detail


def test_search_words_are_exported_as_cpsv_keywords(municipality):
    from rdflib import Literal
    from rdflib.namespace import DCAT

    from servicetorg.catalogue import cpsv

    service = make_service(municipality, slug="renovasjon", name="Renovasjon")
    services.update_service(service, search_words="søppel, avfall", search_words_en="waste", user=SYSTEM)
    graph = cpsv.build_graph(municipality, base_url="https://fjordvik.kommune.no")
    subject = cpsv.service_iri(municipality, "renovasjon", "https://fjordvik.kommune.no")
    keywords = set(graph.objects(subject, DCAT.keyword))
    assert {
        Literal("søppel", lang="nb"),
        Literal("avfall", lang="nb"),
        Literal("waste", lang="en"),
    } <= keywords
    conforms, report = cpsv.validate(graph)
    assert conforms, report


def test_api_search_is_the_portals_search(client, administration, municipality, other_municipality):
    from rest_framework.test import APIClient

    make_service(municipality, slug="renovasjon", name="Renovasjon", summary="Tømming av avfall.")
    make_service(municipality, slug="sfo", name="Skolefritidsordning (SFO)", summary="Før og etter skoletid.")
    services.update_service(municipality.services.get(slug="renovasjon"), search_words="søppel", user=SYSTEM)
    api = APIClient()
    api.force_authenticate(administration)
    response = api.get(
        "/api/catalogue/services/search/", {"municipality": municipality.number, "q": "søppel"}
    )
    assert response.status_code == 200, response.content
    assert [r["slug"] for r in response.json()] == ["renovasjon"]
    assert response.json()[0]["search_words"] == "søppel"
    other = api.get("/api/catalogue/services/search/", {"municipality": other_municipality.number, "q": "x"})
    assert other.status_code == 403
    assert api.get("/api/catalogue/services/search/", {"q": "x"}).status_code == 400
