"""The raw SQL of benchmarking, and only here (docs/architecture.md, "Where raw SQL lives").

**Why SQL.** An import of official statistics writes up to a million values (a KOSTRA table for
every region and ten years: ~800 000 cells) and must keep the history of what it replaced and count
created / updated / unchanged values. Through the ORM that is a read of every existing value into
Python and a row-by-row compare; here it is four statements over a temporary table
(benchmarks/benchmarking_import.py: 800 000 cells under 60 s and 1 GiB on PostgreSQL):

1. the incoming values go into a temporary table (``COPY … FROM STDIN`` on PostgreSQL,
   ``executemany`` on SQLite), streamed while the file is read, so the file's values are never all
   held in Python at once;
2. ``INSERT … SELECT`` keeps the old version of every value that will change
   (:class:`~servicetorg.benchmarking.models.OfficialValueHistory`);
3. ``UPDATE … FROM`` changes those values (and only those: an unchanged value keeps its run and
   ``changed_at``, so the ``since=`` feed does not report it);
4. ``INSERT … SELECT … WHERE NOT EXISTS`` adds the new ones.

The statements are the same on PostgreSQL and SQLite (≥ 3.39: ``UPDATE … FROM`` and
``IS DISTINCT FROM``); only the filling of the temporary table differs. Call inside a transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from servicetorg.core.db import is_postgresql

from .models import OfficialValue, OfficialValueDeletion, OfficialValueHistory

INCOMING = "benchmarking_incoming"
NULL = "\\N"  # COPY's text format
COLUMNS = ("indicator_id", "region_code", "year", "value", "symbol", "preliminary")


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class Incoming:
    """The temporary table of one import: :meth:`add` streams rows of
    (indicator id, region code, year, value or None, symbol, preliminary) into it, :meth:`merge`
    writes them into the official values. Use as a context manager (it drops the table)."""

    def __init__(self):
        self.count = 0
        self._pending: list[tuple] = []

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {INCOMING}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {INCOMING} (indicator_id integer NOT NULL, "
                "region_code varchar(12) NOT NULL, year smallint NOT NULL, value double precision NULL, "
                "symbol varchar(3) NOT NULL, preliminary boolean NOT NULL)"
            )
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {INCOMING}")
        return False

    def add(self, rows: Iterable[tuple]) -> None:
        """Write rows into the temporary table (PostgreSQL: one COPY per call, written as text in
        one buffer: every field is a number, a boolean, a validated code (``[A-Z0-9]``) or a
        symbol, so nothing needs escaping)."""
        names = ", ".join(COLUMNS)
        with connection.cursor() as cursor:
            if is_postgresql():
                lines = []
                for indicator_id, region, year, value, symbol, preliminary in rows:
                    shown = NULL if value is None else repr(value)
                    flag = "t" if preliminary else "f"
                    lines.append(f"{indicator_id}\t{region}\t{year}\t{shown}\t{symbol}\t{flag}\n")
                self.count += len(lines)
                with cursor.cursor.copy(f"COPY {INCOMING} ({names}) FROM STDIN") as copy:
                    copy.write("".join(lines).encode())
            else:
                counted = self._counting(rows)
                cursor.executemany(
                    f"INSERT INTO {INCOMING} ({names}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608
                    counted,
                )

    def _counting(self, rows):
        for row in rows:
            self.count += 1
            yield row

    def merge(self, *, run_id: int | None, now: dt.datetime) -> Counts:
        """History of the changed values, the changes, the new values; counts of each."""
        ov, hist = _t(OfficialValue), _t(OfficialValueHistory)
        now_db = connection.ops.adapt_datetimefield_value(now)
        key = "o.indicator_id = t.indicator_id AND o.region_code = t.region_code AND o.year = t.year"
        differs = (
            "(o.value IS DISTINCT FROM t.value OR o.symbol <> t.symbol OR o.preliminary <> t.preliminary)"
        )
        counts = Counts()
        with connection.cursor() as cursor:
            if is_postgresql():
                cursor.execute(f"ANALYZE {INCOMING}")  # hash joins: the planner needs its size
            else:
                cursor.execute(f"CREATE INDEX {INCOMING}_key ON {INCOMING} (indicator_id, region_code, year)")
            # Why: keep what a re-import replaces (OfficialValueHistory), in one statement.
            cursor.execute(
                f"INSERT INTO {hist} (indicator_id, region_code, year, value, symbol, preliminary, "  # noqa: S608
                "run_id, replaced_by_id, replaced_at) "
                "SELECT o.indicator_id, o.region_code, o.year, o.value, o.symbol, o.preliminary, o.run_id, "
                f"%s, %s FROM {ov} o JOIN {INCOMING} t ON {key} WHERE {differs}",
                [run_id, now_db],
            )
            # Why: change only the values that differ (an unchanged value keeps its run and time).
            cursor.execute(
                f"UPDATE {ov} AS o SET value = t.value, symbol = t.symbol, preliminary = t.preliminary, "  # noqa: S608
                f"run_id = %s, changed_at = %s FROM {INCOMING} t WHERE {key} AND {differs}",
                [run_id, now_db],
            )
            counts.updated = max(cursor.rowcount, 0)
            # Why: add the values not there yet, in one statement.
            cursor.execute(
                f"INSERT INTO {ov} (indicator_id, region_code, year, value, symbol, preliminary, run_id, "  # noqa: S608
                "changed_at) SELECT t.indicator_id, t.region_code, t.year, t.value, t.symbol, t.preliminary, "
                f"%s, %s FROM {INCOMING} t WHERE NOT EXISTS (SELECT 1 FROM {ov} o WHERE {key}) "
                "ORDER BY t.indicator_id, t.region_code, t.year",
                [run_id, now_db],
            )
            counts.created = max(cursor.rowcount, 0)
        counts.unchanged = self.count - counts.created - counts.updated
        return counts


def delete_run_values(run_id: int, now: dt.datetime) -> int:
    """Delete every value last written by one run, leaving a tombstone for each (the ``since=``
    feed reports deletions). Returns how many were deleted."""
    ov, tomb = _t(OfficialValue), _t(OfficialValueDeletion)
    now_db = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        # Why: one tombstone per deleted value, written in one statement.
        cursor.execute(
            f"INSERT INTO {tomb} (indicator_id, region_code, year, deleted_at) "  # noqa: S608
            f"SELECT indicator_id, region_code, year, %s FROM {ov} WHERE run_id = %s",
            [now_db, run_id],
        )
        cursor.execute(f"DELETE FROM {ov} WHERE run_id = %s", [run_id])  # noqa: S608
        return max(cursor.rowcount, 0)
