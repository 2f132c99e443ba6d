"""The raw SQL of inquiries, and only here (docs/architecture.md, "Where raw SQL lives").

Each statement says beside it why it is SQL and not the ORM. All three serve the intake's hot path
or the dashboards' rollups, measured in benchmarks/inquiries_intake.py (docs/adr/0003):

- :func:`insert_inquiry`: on PostgreSQL, the inquiry, its history row, its rollup counts, its first
  message and (optionally) its Idempotency-Key claim in one statement of data-modifying CTEs;
- :func:`delta_statements` / :func:`run_upserts`: rollup counts as atomic ``INSERT ... ON CONFLICT
  DO UPDATE SET n = n + excluded.n`` upserts, striped per connection (:func:`stripe_sql`);
- :func:`client_and_account`: the API client, its service account, the account's memberships and
  the municipality's channel rules for an ``Api-Key``, in one prepared statement.

Every other module reaches the database through the ORM; ruff's banned-api rule (TID251) refuses
``django.db.connection`` outside ``*/sql.py``, selectors and ``core/db.py``.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from servicetorg.core import tenancy
from servicetorg.core.db import prepared_cursor
from servicetorg.core.models import Membership

from . import deadlines
from .models import (
    ApiChannel,
    ApiClient,
    ChannelRule,
    IdempotencyRecord,
    Inquiry,
    InquiryMessage,
    MessageKind,
)

if TYPE_CHECKING:
    from .services import IdempotencyClaim

# --- the intake in one statement ------------------------------------------------------------------

#: Columns of the history model that are not copies of the inquiry's columns.
_HISTORY_OWN = ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")


def insert_inquiry(
    inquiry: Inquiry, user, claim: IdempotencyClaim | None, counts: list[tuple[str, list]], cutoff
) -> bool:
    """INSERT the key claim (optional), the inquiry, its history row, its rollup counts and its first
    message (optional) with data-modifying CTEs, each reading the row of the one before, so that a
    taken key stops them all. The statement text is built once per process for each of its four
    shapes, and prepared once per connection.

    ``counts``: the rollup upserts, from ``rollups.new_inquiry_statements(inquiry, for_each_row_of="i")``;
    ``cutoff``: keys first used before it have expired (``services.idempotency_cutoff()``).
    The inquiry's values are prepared as Django's INSERT prepares them (field defaults, ``pre_save``
    such as ``auto_now``, ``get_db_prep_save``).
    """
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: each attribute of the proxy is a lookup
    sql = _statement(claim is not None, bool(inquiry.body), tuple(sql for sql, _values in counts))
    fields = _inquiry_fields()
    params = []
    if claim is not None:
        now = timezone.now()
        params += [claim.user_id, claim.client_scope, claim.key, claim.request_hash, claim.status_code]
        params += [json.dumps(claim.response, cls=DjangoJSONEncoder), now, cutoff]
    params += [f.get_db_prep_save(f.pre_save(inquiry, True), connection=db) for f in fields]
    params += [getattr(inquiry, "_history_date", timezone.now()), getattr(inquiry, "_change_reason", None)]
    params.append(inquiry.registered_by_id)  # the history's user: the registering user, if any
    for _sql, values in counts:
        params += values
    if inquiry.body:
        params += [MessageKind.CITIZEN, inquiry.body, timezone.now()]
    with prepared_cursor() as cursor:
        # Why SQL: five inserts in one round trip, planned once per connection (the intake's hot path).
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    inquiry.pk = row[0]
    inquiry._state.adding = False
    inquiry._state.db = db.alias
    return True


@cache
def _inquiry_fields() -> list:
    return [f for f in Inquiry._meta.local_concrete_fields if not f.primary_key and not f.generated]


@cache
def _statement(claimed: bool, with_message: bool, count_statements: tuple[str, ...]) -> str:
    q = connection.ops.quote_name
    meta = Inquiry._meta
    pk = q(meta.pk.column)
    columns = [q(f.column) for f in _inquiry_fields()]
    values = ["%s"] * len(columns)
    ctes = []
    if claimed:
        record = IdempotencyRecord._meta
        record_columns = ", ".join(q(record.get_field(name).column) for name in RECORD_FIELDS)
        # The inquiry's id is drawn first, so that the kept response can carry it.
        sequence = f"pg_get_serial_sequence('{q(meta.db_table)}', '{meta.pk.column}')"
        ctes.append(
            f"c AS (INSERT INTO {q(record.db_table)} ({record_columns}) "  # noqa: S608 (identifiers)
            f"SELECT %s, %s, %s, %s, %s, jsonb_set(%s::jsonb, '{{id}}', to_jsonb(n.id)), %s, n.id "
            f"FROM (SELECT nextval({sequence}) AS id) n {claim_conflict_sql()} "
            f"RETURNING {q(record.get_field('inquiry').column)} AS id)"
        )
        columns.insert(0, pk)
        values.insert(0, "c.id")
    history_model = _history_model()
    copied = ", ".join(
        q(f.column) for f in history_model._meta.concrete_fields if f.column not in _HISTORY_OWN
    )  # includes the id
    ctes.append(
        f"i AS (INSERT INTO {q(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 (identifiers)
        f"SELECT {', '.join(values)}{' FROM c' if claimed else ''} RETURNING {copied})"
    )
    ctes.append(
        f"h AS (INSERT INTO {q(history_model._meta.db_table)} ({copied}, {q('history_date')}, "  # noqa: S608
        f"{q('history_change_reason')}, {q('history_type')}, {q('history_user_id')}) "
        f"SELECT {copied}, %s, %s, '+', %s FROM i)"
    )
    ctes += [f"u{n} AS ({sql})" for n, sql in enumerate(count_statements)]
    if with_message:
        message = InquiryMessage._meta
        message_columns = ", ".join(
            q(message.get_field(name).column) for name in ("inquiry", "kind", "text", "created_at")
        )
        ctes.append(
            f"m AS (INSERT INTO {q(message.db_table)} ({message_columns}) "  # noqa: S608 (identifiers)
            f"SELECT {pk}, %s, %s, %s FROM i)"
        )
    return f"WITH {', '.join(ctes)} SELECT {pk} FROM i"  # noqa: S608 (identifiers only)


#: The idempotency record's columns as the claiming statements write them.
RECORD_FIELDS = (
    "user",
    "client_scope",
    "key",
    "request_hash",
    "status_code",
    "response",
    "created_at",
    "inquiry",
)


def claim_conflict_sql() -> str:
    """``ON CONFLICT`` of a key claim: a taken key stays taken (nothing returned), unless it has
    expired (first used before the cutoff, the statement's last parameter): then it is claimed anew."""
    q = connection.ops.quote_name
    record = IdempotencyRecord._meta
    table = q(record.db_table)
    columns = [q(record.get_field(name).column) for name in RECORD_FIELDS]
    unique = ", ".join(columns[:3])
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[3:])
    return f"ON CONFLICT ({unique}) DO UPDATE SET {updates} WHERE {table}.{q('created_at')} < %s"


_history_models: dict = {}


def _history_model():
    if "inquiry" not in _history_models:
        _history_models["inquiry"] = Inquiry.history.model
    return _history_models["inquiry"]


# --- rollup upserts --------------------------------------------------------------------------------

#: Stripes per rollup key (models.CONCURRENT_INTAKE): more than the writers that run at once.
STRIPES = 16


def stripe_sql(vendor: str) -> str:
    """The SQL for the writing connection's stripe: one per PostgreSQL backend (a connection keeps
    its stripe, so its rows stay few); SQLite has one writer at a time."""
    return f"mod(pg_backend_pid(), {STRIPES})" if vendor == "postgresql" else "0"


def run_upserts(statements: list[tuple[str, list]]) -> None:
    """Run the rollup upserts of :func:`delta_statements`: all in one statement on PostgreSQL."""
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            # Data-modifying CTEs: the upserts of all tables in one round trip.
            *first, (last_sql, last_params) = statements
            ctes = ", ".join(f"u{i} AS ({sql})" for i, (sql, _p) in enumerate(first))
            # Why SQL: upserts that add to a count (ON CONFLICT DO UPDATE n = n + excluded.n), in one trip.
            cursor.execute(
                f"WITH {ctes} {last_sql}",  # noqa: S608 (identifiers and placeholders only)
                [value for _sql, p in first for value in p] + last_params,
            )
        else:
            for sql, params in statements:
                cursor.execute(sql, params)  # Why SQL: an upsert that adds to a count (no ORM equivalent)


def delta_statements(deltas, tables, *, for_each_row_of: str | None = None) -> list[tuple[str, list]]:
    """(sql, params) of one multi-row upsert per table with a non-zero delta (``tables``: rollups.TABLES)."""
    statements: list[tuple[str, list]] = []
    for table, rows in deltas.items():
        model, key_fields = tables[table]
        # Key order: every writer takes the row locks of a table in the same order (no deadlock).
        rows = {k: v for k, v in sorted(rows.items()) if any(v.values())}
        if not rows:
            continue
        # Every row of a table carries every count field of the table (0 where it does not change).
        count_fields = sorted({field for counts in rows.values() for field in counts})
        params = [tuple(key) + tuple(counts.get(f, 0) for f in count_fields) for key, counts in rows.items()]
        statements.append(_upsert_sql(model, key_fields, count_fields, params, for_each_row_of))
    return statements


def _column(model, field: str) -> str:
    return model._meta.get_field(field.removesuffix("_id") if field.endswith("_id") else field).column


def _upsert_sql(model, key_fields, count_fields, rows, for_each_row_of=None) -> tuple[str, list]:
    """``INSERT ... VALUES (...), (...) ON CONFLICT (key) DO UPDATE SET n = n + excluded.n``."""
    sql = _upsert_text(
        connection.vendor, model, tuple(key_fields), tuple(count_fields), len(rows), for_each_row_of
    )
    return sql, [value for params in rows for value in params]


@lru_cache(maxsize=256)
def _upsert_text(vendor, model, key_fields, count_fields, row_count, for_each_row_of=None) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key_columns = [_column(model, f) for f in key_fields]
    count_columns = [_column(model, f) for f in count_fields]
    stripe = model._meta.get_field("stripe").column
    # Columns without a value in this statement still need their default (NOT NULL, no DB default).
    others = [
        f.column
        for f in model._meta.concrete_fields
        if f.column not in {*key_columns, *count_columns, stripe} and not f.primary_key
    ]
    columns = ", ".join(quote(c) for c in [*key_columns, stripe, *count_columns, *others])
    values = ", ".join(
        ["%s"] * len(key_columns) + [stripe_sql(vendor)] + ["%s"] * len(count_columns) + ["0"] * len(others)
    )
    if for_each_row_of is None:
        rows = "VALUES " + ", ".join([f"({values})"] * row_count)
    else:
        if row_count != 1:
            raise ValueError("for_each_row_of takes one row of counts")
        rows = f"SELECT {values} FROM {for_each_row_of}"  # noqa: S608 (a CTE's name)
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in count_columns)
    return (
        f"INSERT INTO {table} ({columns}) {rows} "  # noqa: S608 (identifiers and placeholders only)
        f"ON CONFLICT ({', '.join(quote(c) for c in [*key_columns, stripe])}) DO UPDATE SET {updates}"
    )


def in_caller_transaction() -> bool:
    return connection.in_atomic_block


def read_only_snapshot() -> None:
    """Make the transaction just begun read one snapshot, read only (PostgreSQL; SQLite has one)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Why SQL: Django sets no isolation level per transaction.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


# --- API-key authentication ------------------------------------------------------------------------


@cache
def _user_converters(vendor: str):
    """Per user column: the backend's and the field's converters (as the ORM applies them)."""
    out = []
    for field in get_user_model()._meta.concrete_fields:
        col = field.cached_col
        out.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


@cache
def _lookup_sql() -> tuple[str, list[str]]:
    """One statement: the client, its service account, the account's memberships and the channel
    rules of the client's municipality (LEFT JOINs: a row per membership and rule)."""
    q = connection.ops.quote_name
    user_model = get_user_model()
    user_fields = [f for f in user_model._meta.concrete_fields]
    columns = ", ".join(f"u.{q(f.column)}" for f in user_fields)
    sql = (
        f"SELECT c.{q('id')}, c.{q('municipality_id')}, c.{q('name')}, m.{q('municipality_id')}, "  # noqa: S608 (identifiers only)
        f"m.{q('unit_id')}, m.{q('role')}, r.{q('channel')}, r.{q('working_days')}, {columns} "
        f"FROM {q(ApiClient._meta.db_table)} c "
        f"JOIN {q(user_model._meta.db_table)} u ON u.{q(user_model._meta.pk.column)} = c.{q('user_id')} "
        f"LEFT JOIN {q(Membership._meta.db_table)} m ON m.{q('user_id')} = u.{q(user_model._meta.pk.column)} "
        f"LEFT JOIN {q(ChannelRule._meta.db_table)} r ON r.{q('municipality_id')} = c.{q('municipality_id')} "
        f"WHERE c.{q('key_hash')} = %s AND c.{q('channel')} = 'rest' "
        f"AND c.{q('active')} AND u.{q('is_active')}"
    )
    return sql, [f.attname for f in user_fields]


def client_and_account(key_hash: str):
    """(service account, client) for an active client with an active account, else None.

    The account comes with its memberships (the tenancy cache is filled), so the permission checks
    of the request need no further query; the client comes with its municipality and that
    municipality's channel rules (as ``deadlines.municipality_with_rules`` reads them), so intake
    needs none for its deadline.
    """
    sql, user_attnames = _lookup_sql()
    with prepared_cursor() as cursor:
        # Why SQL: client, account, memberships and channel rules in one prepared statement (every intake).
        cursor.execute(sql, [key_hash])
        rows = cursor.fetchall()
    if not rows:
        return None
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: each attribute of the proxy is a lookup
    first = rows[0]
    values = []
    for (col, converters), value in zip(_user_converters(db.vendor), first[8:], strict=True):
        for converter in converters:
            value = converter(value, col, db)
        values.append(value)
    user = get_user_model().from_db(db.alias, user_attnames, values)
    # (municipality_id, unit_id, role) triples, as core.tenancy.memberships() would read them.
    # dict.fromkeys: each membership once (the rules' join repeats them).
    tenancy.remember_memberships(user, dict.fromkeys((r[3], r[4], r[5]) for r in rows if r[3] is not None))
    client = ApiClient.from_db(
        db.alias,
        ["id", "municipality_id", "name", "user_id", "key_hash", "channel", "active"],
        [first[0], first[1], first[2], user.pk, key_hash, ApiChannel.REST, True],
    )
    client.user = user
    client.municipality = deadlines.municipality_of_rules(first[1], {(r[6], r[7]) for r in rows})
    return user, client
