import inspect
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from servicetorg.core.choices import Role

from .factories import MunicipalityFactory, UnitFactory
from .factories import make_staff as _make_staff

# Hypothesis on a shared two-core machine: its wall-clock limits (the 200 ms deadline per example, the
# too_slow health check on generating data) failed pure property tests at load 20 (test_workdays) and
# say nothing about the code. Every property is still checked; a test's own settings still apply.
settings.register_profile("servicetorg", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("servicetorg")

TESTS = Path(__file__).resolve().parent
# Markers that follow from where a test lives (pyproject.toml lists every marker).
MARKER_OF_FOLDER = {"browser": "browser", "faults": "faults"}
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup"}


def pytest_collection_modifyitems(config, items):
    """Mark what the fast loop and the second database pass leave out, so that no test can forget it
    (`make test-fast`, .ci/run): everything under tests/browser is ``browser``, under tests/faults
    ``faults``; a hypothesis test that reaches the database (generated input through a view, an API or
    an importer: tens of examples, each a transaction) is ``fuzz``, like schemathesis's tests, which
    say so themselves. Pure property tests (statistics, deadlines) stay unmarked: they take
    milliseconds."""
    for item in items:
        folder = Path(item.path).resolve().relative_to(TESTS).parts[0]
        if folder in MARKER_OF_FOLDER:
            item.add_marker(MARKER_OF_FOLDER[folder])
        reaches_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames)
        if reaches_database and _uses_hypothesis(getattr(item, "obj", None)):
            item.add_marker("fuzz")


def _uses_hypothesis(function) -> bool:
    """A hypothesis test, or one that builds its hypothesis test in its body (``@given`` on an inner
    function: schemathesis operations, a client logged in once)."""
    if function is None:
        return False
    if getattr(function, "is_hypothesis_test", False):
        return True
    try:
        return "@given(" in inspect.getsource(function)
    except (OSError, TypeError):
        return False


# Every table's ids start at this number in the test database, as they do in a municipality's database
# after a few years: an id written into a page without `|unlocalize` reads "100 023" (the thousands
# separator is on), which breaks a form's value, an element's id or a link built from it. Tests on
# ids 1, 2, 3 never saw that; CI's long-lived PostgreSQL did.
FIRST_ID = 100_000


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    with django_db_blocker.unblock():
        _start_ids_at(connection, FIRST_ID)


def _start_ids_at(connection, first: int) -> None:
    from django.apps import apps

    tables = [
        (model._meta.db_table, model._meta.pk.column)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"}
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table, column in tables:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                (sequence,) = cursor.fetchone()
                if sequence:
                    cursor.execute("SELECT setval(%s, %s, false)", [sequence, first])
        elif connection.vendor == "sqlite":
            for table, _column in tables:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, first - 1])


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: throttles count posts per address (every test client and
    live server is 127.0.0.1), and cached pages or reports must not carry over from another test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (bokmål): a request served in the test's thread
    leaves its language active (LocaleMiddleware does not switch back), so a test that reads a
    nynorsk page would otherwise give the next test's messages in nynorsk."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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
