"""Database access for hot paths that the ORM's defaults make slower than they need to be.

One of the modules where ``django.db.connection`` may be used (docs/architecture.md, "Where raw SQL
lives"); ruff's TID251 refuses it elsewhere. :func:`prepared_cursor` relies on these parts of
Django's database wrapper, which are not documented API: ``close_if_health_check_failed``,
``ensure_connection``, ``connection`` (the psycopg connection), ``queries_logged``,
``make_debug_cursor`` and ``make_cursor``. tests/core/test_db.py fails if a Django upgrade
changes them; the lock file pins the version.
"""

import itertools
import re
from contextlib import contextmanager
from functools import lru_cache
from weakref import WeakKeyDictionary

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections


def is_postgresql() -> bool:
    """Whether the default database is PostgreSQL (else the embedded default, SQLite)."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


@contextmanager
def prepared_cursor():
    """A cursor whose statements PostgreSQL plans once per connection, not on every execution.

    Django binds parameters on the client (the statement reaches PostgreSQL with its values inlined,
    so it is parsed and planned each time). This cursor binds them on the server, and psycopg
    prepares a statement after ``prepare_threshold`` executions (settings: ``DB_PREPARE_THRESHOLD``).
    Use it for statements whose text does not change between calls (the values are parameters,
    written ``%s`` as everywhere in Django). It shares the connection and its transaction, and goes
    through Django's cursor wrapper, so its statements are logged and counted like any other. On
    other databases: ``connection.cursor()``.
    """
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: each attribute of the proxy is a lookup
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            yield cursor
        return
    db.close_if_health_check_failed()
    db.ensure_connection()
    # One such cursor per connection, kept open and reused: fetch a statement's rows before the next.
    raw = _cursors.get(db.connection)
    if raw is None or raw.closed:
        raw = _cursors[db.connection] = _PreparedCursor(db.connection)
    yield db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


#: The prepared cursor of each open psycopg connection (gone with its connection).
_cursors: WeakKeyDictionary = WeakKeyDictionary()


class _PreparedCursor(psycopg.RawCursor):
    """Server-side binding with PostgreSQL's own ``$n`` placeholders: psycopg sends the statement as
    it is (it would otherwise parse every statement longer than 4 kB or with more than 50
    parameters for placeholders on each execution). Django's ``%s`` are numbered once per text."""

    def execute(self, query, params=None, **kwargs):
        return super().execute(numbered(query), params, **kwargs)


@lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """``%s`` placeholders as ``$1``, ``$2``, ... (and ``%%`` as ``%``)."""
    counter = itertools.count(1)
    return "%".join(re.sub("%s", lambda _match: f"${next(counter)}", part) for part in sql.split("%%"))
