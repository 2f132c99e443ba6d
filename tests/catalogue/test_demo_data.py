"""The demo catalogue content (catalogue/demo_data.py) is complete and fits the models."""

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.validators import URLValidator, validate_slug

from servicetorg.catalogue import demo_data
from servicetorg.catalogue.models import LimitUnit, PromiseKind, ServiceDescription, ServiceLadder
from servicetorg.catalogue.services import DESCRIPTION_FIELDS, PROMISE_FIELDS
from servicetorg.core.choices import Channel, UnitKind

EXPECTED_AREAS = [
    "skole",
    "barnehage",
    "pleie-og-omsorg",
    "helse",
    "sosiale-tjenester",
    "tekniske-tjenester",
    "samferdsel",
    "naringsutvikling",
    "kultur-og-fritid",
    "sentraladministrasjon",
]
REQUIRED_SLUGS = {
    "barnehageplass",
    "byggesoknad",
    "sfo",
    "praktisk-bistand",
    "hjemmesykepleie",
    "renovasjon",
    "startlan",
    "kommunale-avgifter",
    "skoleskyss",
    "skolebytte",
    "skoleinnskriving",
    "sykehjemsplass",
    "trygghetsalarm",
    "tt-kort",
    "parkeringstillatelse-forflytningshemmede",
    "vann-og-avlop-tilknytning",
    "feiing",
    "gravetillatelse",
    "skjenkebevilling",
    "salgsbevilling",
    "serveringsbevilling",
    "kulturskole",
    "idrettsanlegg-booking",
    "bibliotek",
    "fritidskort",
    "bostotte",
    "okonomisk-sosialhjelp",
    "kommunal-bolig",
    "legevakt",
    "fastlege",
    "helsestasjon",
    "eiendomsskatt",
    "innsyn-postliste",
    "adressetildeling",
    "eiendomsinformasjon",
    "seksjonering",
    "oppmaling",
    "naringsfond",
    "etablererveiledning",
    "vigsel",
}
SERVICE_KEYS = {
    "slug",
    "area",
    "unit",
    "ladder_level",
    "channels",
    "requires_national_id",
    "asks_location",
    "promises",
    *DESCRIPTION_FIELDS,
}
UNIT_KEYS = {"slug", "name", "kind", "email", "phone", "address", "opening_hours"}
SERVICES = demo_data.SERVICES
by_slug = {s["slug"]: s for s in SERVICES}


def test_areas_are_the_ten_service_areas_in_order():
    assert [slug for slug, _, _ in demo_data.AREAS] == EXPECTED_AREAS
    assert all(name_nb and name_en for _, name_nb, name_en in demo_data.AREAS)
    assert dict((s, n) for s, n, _ in demo_data.AREAS)["helse"] == "Helsetjenester"


def test_units_are_complete_and_unique():
    slugs = [u["slug"] for u in demo_data.UNITS]
    assert len(slugs) == len(set(slugs)) >= 12
    for unit in demo_data.UNITS:
        assert set(unit) == UNIT_KEYS, unit["slug"]
        validate_slug(unit["slug"])
        assert unit["kind"] in UnitKind.values
        assert unit["name"] and unit["phone"] and unit["opening_hours"]
    kinds = {u["slug"]: u["kind"] for u in demo_data.UNITS}
    assert kinds["nav"] == kinds["skatteetaten"] == UnitKind.STATE_AGENCY
    assert kinds["servicetorget"] == UnitKind.MUNICIPAL


def test_enough_services_and_every_area_has_at_least_two():
    assert len(SERVICES) >= 45
    per_area = Counter(s["area"] for s in SERVICES)
    assert set(per_area) == set(EXPECTED_AREAS)
    assert min(per_area.values()) >= 2


def test_slugs_are_unique_valid_and_cover_the_required_services():
    slugs = [s["slug"] for s in SERVICES]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        validate_slug(slug)
        assert len(slug) <= 100
    assert set(slugs) >= REQUIRED_SLUGS, REQUIRED_SLUGS - set(slugs)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s["slug"])
def test_service_structure(service):
    assert set(service) == SERVICE_KEYS
    assert service["area"] in EXPECTED_AREAS
    assert service["unit"] in {u["slug"] for u in demo_data.UNITS}
    assert service["ladder_level"] in ServiceLadder.values
    assert service["channels"] and set(service["channels"]) <= set(Channel.values)
    assert len(service["channels"]) == len(set(service["channels"]))
    assert isinstance(service["requires_national_id"], bool)
    assert isinstance(service["asks_location"], bool)
    assert service["name"] and len(service["name"]) <= 200
    assert service["summary"] and len(service["summary"]) <= 600
    for field in ("content", "target_group", "expectations", "user_actions", "price", "legal_basis"):
        assert service[field].strip(), f"{service['slug']}: {field} is empty"
    url = URLValidator(schemes=["https"])
    for field in ("application_url", "legal_basis_url"):
        if service[field]:
            url(service[field])
    if service["price_amount"] is not None:
        assert Decimal(service["price_amount"]) >= 0
    assert len(service["case_officer_role"]) <= 160
    assert len(service["opening_hours"]) <= 200


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s["slug"])
def test_promises_structure(service):
    kinds = [p["kind"] for p in service["promises"]]
    assert len(kinds) == len(set(kinds)), "one promise per kind"
    for promise in service["promises"]:
        assert set(promise) == set(PROMISE_FIELDS)
        assert promise["kind"] in PromiseKind.values
        assert promise["limit_unit"] in LimitUnit.values
        assert 1 <= promise["limit_value"] <= 520
        assert len(promise["text"]) <= 300
        if promise["compensation_amount"] is not None:
            assert Decimal(promise["compensation_amount"]) > 0
            assert promise["guarantee"], "a compensation needs a guarantee text"


def test_realistic_mix_of_ladder_levels_guarantees_and_state_agencies():
    levels = Counter(s["ladder_level"] for s in SERVICES)
    assert set(levels) == {1, 2, 3, 4, 5, 6}
    assert by_slug["renovasjon"]["ladder_level"] == 2
    assert by_slug["barnehageplass"]["ladder_level"] == 4
    assert by_slug["byggesoknad"]["ladder_level"] in (5, 6)
    assert by_slug["okonomisk-sosialhjelp"]["ladder_level"] == 6
    assert by_slug["okonomisk-sosialhjelp"]["unit"] == "nav"
    assert by_slug["tt-kort"]["ladder_level"] == 5
    with_compensation = [s for s in SERVICES if any(p["compensation_amount"] for p in s["promises"])]
    assert 0.4 <= len(with_compensation) / len(SERVICES) <= 0.6
    assert any(s["requires_national_id"] for s in SERVICES)
    assert not all(s["requires_national_id"] for s in SERVICES)


def test_barnehage_price_follows_the_national_maximum():
    service = by_slug["barnehageplass"]
    assert Decimal(service["price_amount"]) == Decimal("1200.00")
    assert "1 200" in service["price"]
    assert "Barnehageloven" in service["legal_basis"]
    assert service["legal_basis_url"].startswith("https://lovdata.no/")


def test_descriptions_fit_the_model_fields():
    """Each text fits its ServiceDescription column (max lengths, URLs, decimals)."""
    for service in SERVICES:
        description = ServiceDescription(
            version=1, **{f: service[f] for f in DESCRIPTION_FIELDS if service[f] is not None}
        )
        description.full_clean(exclude=["service"])  # raises ValidationError on a text that does not fit
    assert len(SERVICES) >= 45


def test_demo_data_has_no_django_imports():
    source = Path(demo_data.__file__).read_text(encoding="utf-8")
    assert "import django" not in source and "from django" not in source


def test_place_bound_services_ask_for_a_location():
    """Roads, street lights and snow, water and sewage, waste, chimneys, digging: where it is matters."""
    asking = {s["slug"] for s in SERVICES if s["asks_location"]}
    assert asking == {
        "feil-pa-vei-og-gatelys",
        "gravetillatelse",
        "vann-og-avlop-tilknytning",
        "renovasjon",
        "feiing",
    }


def test_every_demo_service_has_valid_search_words():
    from servicetorg.catalogue.services import normalise_search_words

    assert set(demo_data.SEARCH_WORDS) == {s["slug"] for s in demo_data.SERVICES}
    for slug, (words, words_en) in demo_data.SEARCH_WORDS.items():
        assert words and words_en, slug
        assert normalise_search_words(words) == words, slug
        assert normalise_search_words(words_en) == words_en, slug
