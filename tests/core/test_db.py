"""core.db.prepared_cursor: Django's placeholders, statements counted, one reused cursor per connection."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from servicetorg.core.db import numbered, prepared_cursor
from servicetorg.core.models import Municipality

pytestmark = pytest.mark.django_db


def test_placeholders_are_numbered_and_percent_signs_kept():
    assert numbered("SELECT %s, %s WHERE a LIKE 'x%%'") == "SELECT $1, $2 WHERE a LIKE 'x%'"
    assert numbered("SELECT 1") == "SELECT 1"


def test_statements_run_with_parameters_and_are_logged():
    with CaptureQueriesContext(connection) as queries:
        for value in (1, 2, 3):
            with prepared_cursor() as cursor:
                cursor.execute("SELECT %s + 1", [value])
                assert cursor.fetchone()[0] == value + 1
    assert len(queries) == 3


def test_the_cursor_survives_an_error(municipality):
    table = Municipality._meta.db_table
    sql = f'INSERT INTO "{table}" (number, name, organization_number) VALUES (%s, %s, %s)'  # noqa: S608
    with pytest.raises(IntegrityError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute(sql, [municipality.number, "Kopi", municipality.organization_number])
    with prepared_cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}" WHERE number = %s', [municipality.number])  # noqa: S608
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_gets_a_new_cursor():
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s", ["før"])
        assert cursor.fetchone()[0] == "før"
    connection.close()
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s", ["etter"])
        assert cursor.fetchone()[0] == "etter"


#: The parts of Django's database wrapper that prepared_cursor() uses and Django does not document.
WRAPPER_PARTS = (
    "close_if_health_check_failed",
    "ensure_connection",
    "connection",
    "queries_logged",
    "make_debug_cursor",
    "make_cursor",
    "vendor",
    "alias",
)


def test_the_undocumented_parts_of_the_database_wrapper_are_still_there():
    """core/db.py names what it relies on; a Django upgrade that changes one fails here first."""
    import inspect

    from django.db import connections

    wrapper = connections["default"]
    for name in WRAPPER_PARTS:
        assert hasattr(wrapper, name), name
    assert list(inspect.signature(wrapper.make_cursor).parameters) == ["cursor"]
    assert list(inspect.signature(wrapper.make_debug_cursor).parameters) == ["cursor"]
