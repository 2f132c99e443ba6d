import pytest

from servicetorg.core.choices import Role

from .factories import MunicipalityFactory, UnitFactory
from .factories import make_staff as _make_staff


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: throttles count posts per address (every test client and
    live server is 127.0.0.1), and cached pages or reports must not carry over from another test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def production_hashers(settings):
    """Production's password hashers (Django's defaults: PBKDF2 first) in place of the test settings'
    MD5, for the tests of hashing itself: a password set or changed here is stored as production
    stores it, and checked by production's hasher."""
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(name="Fjordvik", number="3999", organization_number="940192226")


@pytest.fixture
def other_municipality(db):
    return MunicipalityFactory(name="Nabovik", number="3998", organization_number="964965226")


@pytest.fixture
def unit(municipality):
    return UnitFactory(municipality=municipality, name="Oppvekst", slug="oppvekst")


@pytest.fixture
def make_staff(db):
    return _make_staff


@pytest.fixture
def desk_worker(municipality):
    return _make_staff(Role.DESK_WORKER, municipality)


@pytest.fixture
def unit_leader(municipality, unit):
    return _make_staff(Role.UNIT_LEADER, municipality, unit)


@pytest.fixture
def administration(municipality):
    return _make_staff(Role.ADMINISTRATION, municipality)


@pytest.fixture
def other_staff(other_municipality):
    """Staff of another municipality: must never see ``municipality``'s data."""
    return _make_staff(Role.ADMINISTRATION, other_municipality)


@pytest.fixture
def geonorge(settings):
    """A local stand-in for Kartverket's address register (tests/geonorge.py), and the settings
    pointing the application's address search at it (the tests' settings turn the search off)."""
    from . import geonorge as stub

    register, server = stub.start()
    settings.ADDRESS_SEARCH_URL = register.url
    settings.ADDRESS_SEARCH_TIMEOUT = 2
    yield register
    server.shutdown()
    server.server_close()
