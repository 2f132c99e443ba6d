"""Address search (issue 24 §7): the application's real client (core/addresses.py) against a local
stand-in for Kartverket's register over HTTP (tests/geonorge.py): what it sends, what it makes of
the answers, the municipality filter, the cache, and every way the register can fail."""

import logging
import time

import pytest

from servicetorg.core import addresses
from servicetorg.core.addresses import Address, AddressSearchError

LARVIK = "3805"


def test_search_sends_the_register_its_parameters_and_reads_its_answer(geonorge):
    found = addresses.search("Storgata 1*", municipality_number=LARVIK, limit=5)
    assert found == [
        Address("Storgata 1", "3256", "Larvik", LARVIK, 59.053621, 10.029876),
        Address("Storgata 10", "3256", "Larvik", LARVIK, 59.054310, 10.031002),
        Address("Storgata 12B", "3256", "Larvik", LARVIK, 59.054512, 10.031344),
    ]
    assert found[0].label == "Storgata 1, 3256 Larvik"
    [asked] = geonorge.requests
    assert asked["path"] == "/adresser/v1/sok"
    assert asked["params"] == {
        "sok": "Storgata 1*",
        "kommunenummer": LARVIK,
        "treffPerSide": "5",
        "side": "0",
        "fuzzy": "false",
        "utkoordsys": "4258",
    }
    assert asked["headers"]["Accept"] == "application/json"


def test_results_are_limited_to_the_municipality(geonorge):
    # Sandefjord has a Storgata 1 too: the register's filter leaves it out…
    assert [a.place for a in addresses.search("Storgata 1", municipality_number=LARVIK)] == ["Larvik"]
    assert [a.place for a in addresses.search("Storgata 1", municipality_number="3804")] == ["Sandefjord"]
    # …and if the register ever answered with another municipality's, the client would.
    geonorge.mode = "ignore-municipality"
    assert [a.municipality_number for a in addresses.search("Storgata 1*", municipality_number="3804")] == [
        "3804"
    ]
    assert {r["params"]["kommunenummer"] for r in geonorge.requests} == {LARVIK, "3804"}


def test_suggestions_begin_with_what_she_typed_then_look_alike(geonorge):
    assert [a.text for a in addresses.suggest("storg", municipality_number=LARVIK)] == [
        "Storgata 1",
        "Storgata 10",
        "Storgata 12B",
    ]
    assert addresses.suggest("st", municipality_number=LARVIK) == []  # too short: not asked
    # Nothing begins with a misspelling: the register's fuzzy search finds what looks like it.
    assert [a.text for a in addresses.suggest("Kongegaten 4", municipality_number=LARVIK)] == ["Kongegata 4"]
    assert [r["params"]["fuzzy"] for r in geonorge.requests] == ["false", "false", "true"]
    assert [a.place for a in addresses.suggest("Bøkeskogen", municipality_number=LARVIK)] == ["Larvik"]


def test_postal_places_are_written_as_in_a_letter():
    assert addresses._place_name("BØ I TELEMARK") == "Bø i Telemark"
    assert addresses._place_name("MO I RANA") == "Mo i Rana"
    assert addresses._place_name("NES PÅ HEDMARKEN") == "Nes på Hedmarken"
    assert addresses._place_name("STORD-LEIRVIK") == "Stord-Leirvik"


def test_answers_are_cached_briefly(geonorge, settings):
    for _ in range(3):
        addresses.search("Kongegata 4", municipality_number=LARVIK)
    addresses.search("kongegata  4", municipality_number=LARVIK)  # the same query, typed differently
    assert len(geonorge.requests) == 1
    addresses.search("Kongegata 4", municipality_number="3804")  # another municipality: asked
    assert len(geonorge.requests) == 2
    settings.ADDRESS_SEARCH_CACHE_SECONDS = 0
    addresses.search("Torstrandgata", municipality_number=LARVIK)
    addresses.search("Torstrandgata", municipality_number=LARVIK)
    assert len(geonorge.requests) == 4


def test_a_register_that_does_not_answer_in_time(geonorge, settings, caplog):
    settings.ADDRESS_SEARCH_TIMEOUT = 0.5
    geonorge.mode, geonorge.delay = "slow", 3
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "servicetorg.core.addresses"), pytest.raises(AddressSearchError):
        addresses.search("Storgata", municipality_number=LARVIK)
    assert time.monotonic() - started < 2
    assert "ReadTimeout" in caplog.text
    # For the next half minute the register is left alone: no keystroke waits for it again.
    geonorge.mode = "ok"
    started = time.monotonic()
    with pytest.raises(AddressSearchError, match="failed a moment ago"):
        addresses.search("Kongegata", municipality_number=LARVIK)
    assert time.monotonic() - started < 0.2
    assert len(geonorge.requests) == 1


@pytest.mark.parametrize("mode", ["error", "not-json", "wrong-shape"])
def test_a_register_that_fails_or_answers_nonsense(geonorge, mode):
    geonorge.mode = mode
    with pytest.raises(AddressSearchError):
        addresses.search("Storgata", municipality_number=LARVIK)
    # locate() (the form's server-side geocoding) never raises: the form goes through without a place.
    assert addresses.locate("Storgata 1", municipality_number=LARVIK) is None


def test_a_register_that_is_not_there(settings):
    settings.ADDRESS_SEARCH_URL, settings.ADDRESS_SEARCH_TIMEOUT = "http://127.0.0.1:9/adresser/v1", 1
    with pytest.raises(AddressSearchError, match="ConnectionError"):
        addresses.search("Storgata", municipality_number=LARVIK)


def test_a_refused_query_is_no_hits_not_a_failure(geonorge):
    geonorge.mode = "refuse"
    assert addresses.search("%%%", municipality_number=LARVIK) == []
    geonorge.mode = "ok"
    assert addresses.search("Storgata 10", municipality_number=LARVIK)  # not paused


def test_entries_without_a_usable_point_are_left_out(geonorge):
    from tests.geonorge import address

    geonorge.addresses = [
        address("Storgata 1", "3256", "LARVIK", LARVIK, 59.05, 10.03),
        {**address("Storgata 2", "3256", "LARVIK", LARVIK, 0, 0), "representasjonspunkt": None},
        address("Storgata 3", "3256", "LARVIK", LARVIK, "nord", 10.03),
        address("Storgata 4", "3256", "LARVIK", LARVIK, 48.85, 2.35),  # not in Norway
    ]
    assert [a.text for a in addresses.search("Storgata*", municipality_number=LARVIK)] == ["Storgata 1"]


def test_turned_off_it_asks_no_one(settings):
    settings.ADDRESS_SEARCH_URL = ""
    assert not addresses.enabled()
    with pytest.raises(AddressSearchError, match="turned off"):
        addresses.search("Storgata", municipality_number=LARVIK)
    assert addresses.locate("Storgata 1", municipality_number=LARVIK) is None


def test_locate_takes_only_an_address_that_is_one(geonorge):
    assert addresses.locate("storgata 1", municipality_number=LARVIK).label == "Storgata 1, 3256 Larvik"
    assert addresses.locate("Storgata 12 B", municipality_number=LARVIK) is None  # "12 B" ≠ "12B"
    assert addresses.locate("Storgata 12b, 3256 Larvik", municipality_number=LARVIK).text == "Storgata 12B"
    assert addresses.locate("Storgata 1, 3210 Sandefjord", municipality_number=LARVIK) is None
    # A description stays words, even where the register has a street of that name.
    assert addresses.locate("Bussholdeplassen ved Storgata", municipality_number=LARVIK) is None
    assert addresses.locate("Storgata", municipality_number=LARVIK) is None
