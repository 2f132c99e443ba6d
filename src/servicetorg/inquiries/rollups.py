"""Rollup tables behind the dashboards, kept current in the same transaction as inquiry changes.

Each inquiry contributes counts to a few small tables (see :func:`contributions`). A change applies
the difference between the inquiry's contribution before and after it, as atomic upserts
(``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``, on PostgreSQL and SQLite alike), so
concurrent changes never lose a count. Each database connection adds to its own stripe of a key
(``sql.stripe_sql``), so concurrent changes do not wait for one row either; readers sum the stripes
(a stripe alone may even be negative: an inquiry counted open in one and closed in another).
:func:`rebuild` repairs a municipality's rollups from the inquiries in SQL (demo loading, repairs)
while intake goes on: it adds the difference, it does not delete and rewrite.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import sql
from .models import OPEN_STATES, BacklogStat, DailyServiceStat, DailyStat, Inquiry, ReplyTimeStat

#: Upper bounds (hours) of the reply-time histogram buckets; the last bucket is open-ended.
BUCKET_HOURS: tuple[float, ...] = (
    0.25, 0.5, 1, 2, 4, 8, 16, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720, 1440,
)  # fmt: skip
OVERFLOW_BUCKET = len(BUCKET_HOURS)


def bucket_for(hours: float) -> int:
    for index, bound in enumerate(BUCKET_HOURS):
        if hours <= bound:
            return index
    return OVERFLOW_BUCKET


def bucket_bounds(bucket: int) -> tuple[float, float]:
    low = 0.0 if bucket == 0 else BUCKET_HOURS[bucket - 1]
    high = BUCKET_HOURS[bucket] if bucket < OVERFLOW_BUCKET else BUCKET_HOURS[-1] * 2
    return low, high


@dataclass(frozen=True)
class Snapshot:
    municipality_id: int
    day: date
    channel: str
    handling: str
    service_key: int
    unit_key: int
    is_open: bool
    replied: bool
    in_time: bool
    breached: bool
    bucket: int | None


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def snapshot(inquiry: Inquiry) -> Snapshot | None:
    """What the inquiry adds to the rollups; None for a test inquiry of the kommunetest (the desk's
    figures leave those out)."""
    if inquiry.is_test:
        return None
    replied = inquiry.replied_at is not None
    bucket = None
    if replied:
        hours = max((inquiry.replied_at - inquiry.received_at).total_seconds(), 0) / 3600
        bucket = bucket_for(hours)
    return Snapshot(
        municipality_id=inquiry.municipality_id,
        day=_local_day(inquiry.received_at),
        channel=inquiry.channel,
        handling=inquiry.handling,
        service_key=inquiry.service_id or 0,
        unit_key=inquiry.unit_id or 0,
        is_open=inquiry.state in OPEN_STATES,
        replied=replied,
        in_time=replied and not inquiry.breached,
        breached=inquiry.breached,
        bucket=bucket,
    )


TABLES = {
    "daily": (DailyStat, ("municipality_id", "day", "channel", "handling")),
    "service": (DailyServiceStat, ("municipality_id", "day", "service_key")),
    "reply_time": (ReplyTimeStat, ("municipality_id", "day", "channel", "bucket")),
    "backlog": (BacklogStat, ("municipality_id", "unit_key")),
}


def contributions(s: Snapshot) -> dict[str, dict[tuple, dict[str, int]]]:
    out: dict[str, dict[tuple, dict[str, int]]] = {
        "daily": {
            (s.municipality_id, s.day, s.channel, s.handling): {
                "received": 1,
                "replied": int(s.replied),
                "in_time": int(s.in_time),
                "breached": int(s.breached),
            }
        },
        "service": {
            (s.municipality_id, s.day, s.service_key): {
                "received": 1,
                "replied": int(s.replied),
                "in_time": int(s.in_time),
            }
        },
        "reply_time": {},
        "backlog": {},
    }
    if s.bucket is not None:
        out["reply_time"][(s.municipality_id, s.day, s.channel, s.bucket)] = {"count": 1}
    if s.is_open:
        out["backlog"][(s.municipality_id, s.unit_key)] = {"open_count": 1}
    return out


def _accumulate(target, snap: Snapshot | None, sign: int) -> None:
    if snap is None:
        return
    for table, rows in contributions(snap).items():
        for key, counts in rows.items():
            slot = target[table][key]
            for field, value in counts.items():
                slot[field] = slot.get(field, 0) + sign * value


def apply_change(before: Snapshot | None, after: Snapshot | None) -> None:
    """Add ``after``'s contribution and remove ``before``'s (either may be None)."""
    if before == after:
        return
    deltas: dict[str, dict[tuple, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    _accumulate(deltas, before, -1)
    _accumulate(deltas, after, +1)
    apply_deltas(deltas)


def apply_deltas(deltas) -> None:
    """Apply per-table deltas: one multi-row upsert per table (sql.py), all in one statement on PostgreSQL."""
    statements = sql.delta_statements(deltas, TABLES)
    if statements:
        sql.run_upserts(statements)


def new_inquiry_statements(inquiry: Inquiry, *, for_each_row_of: str | None = None) -> list[tuple[str, list]]:
    """The upserts that count a new inquiry (to run as CTEs of the statement that inserts it).

    ``for_each_row_of``: the name of a CTE; the counts are then added once per row it returns (none
    when the insert it names did not happen), instead of unconditionally.
    """
    deltas: dict[str, dict[tuple, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    _accumulate(deltas, snapshot(inquiry), +1)
    return sql.delta_statements(deltas, TABLES, for_each_row_of=for_each_row_of)


def rebuild(municipality_id: int) -> dict[str, int]:
    """Bring every rollup of one municipality in line with its inquiries, while intake goes on.

    The rollups are not deleted and rewritten (that deadlocked with live intake, and counted an
    inquiry twice when its transaction committed between the delete and the re-count). Instead:

    1. In one snapshot (REPEATABLE READ on PostgreSQL, read only), count the inquiries as the
       rollups should (:func:`expected`) and sum the rollups as they are (:func:`current`). An
       intake writes its inquiry and its counts in one transaction, so the snapshot holds both or
       neither: the difference is exactly the drift to repair.
    2. Add the difference as increments, like any change does. Increments commute with the
       increments of inquiries changed after the snapshot, so nothing is lost or counted twice. The
       rows are written table by table in key order, in short transactions, the order in which
       intake takes its row locks: no deadlock, and intake never waits for more than one short
       statement.

    Returns how many rollup rows were corrected.
    """
    outer = sql.in_caller_transaction()  # inside a caller's transaction: read at its isolation
    with transaction.atomic():
        if not outer:
            sql.read_only_snapshot()
        want = expected(municipality_id)
        have = current(municipality_id)
    corrected = 0
    for table in TABLES:
        fields = _count_fields(table)
        rows = {}
        for key in sorted(set(want[table]) | set(have[table])):
            target, now = want[table].get(key, {}), have[table].get(key, {})
            delta = {f: target.get(f, 0) - now.get(f, 0) for f in fields}
            if any(delta.values()):
                rows[key] = delta
        keys = list(rows)
        for start in range(0, len(keys), REBUILD_CHUNK):
            chunk = {key: rows[key] for key in keys[start : start + REBUILD_CHUNK]}
            with transaction.atomic():
                apply_deltas({table: chunk})
        corrected += len(rows)
    return corrected


#: Rows per correcting statement (and transaction) of :func:`rebuild`.
REBUILD_CHUNK = 500


def _count_fields(table: str) -> tuple[str, ...]:
    model, key_fields = TABLES[table]
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in key_fields and f.name not in ("stripe", "municipality")
    )


def current(municipality_id: int) -> dict[str, dict[tuple, dict[str, int]]]:
    """The rollups as stored: the stripes of each key summed."""
    out: dict[str, dict[tuple, dict[str, int]]] = {}
    for table, (model, key_fields) in TABLES.items():
        fields = _count_fields(table)
        rows = (
            model.objects.filter(municipality_id=municipality_id)
            .values(*key_fields)
            .annotate(**{f"sum_{f}": Sum(f) for f in fields})
        )
        out[table] = {
            tuple(row[k] for k in key_fields): {f: row[f"sum_{f}"] or 0 for f in fields} for row in rows
        }
    return out


def expected(municipality_id: int) -> dict[str, dict[tuple, dict[str, int]]]:
    """The rollups as the inquiries say they should be (aggregated in SQL)."""
    m = municipality_id
    out: dict[str, dict[tuple, dict[str, int]]] = {table: {} for table in TABLES}
    inquiries = Inquiry.objects.filter(municipality_id=municipality_id, is_test=False)
    day = TruncDate("received_at", tzinfo=timezone.get_current_timezone())
    replied = Q(replied_at__isnull=False)
    in_time = replied & Q(breached=False)
    daily = (
        inquiries.annotate(d=day)
        .values("d", "channel", "handling")
        .annotate(
            received=Count("pk"),
            replied_n=Count("pk", filter=replied),
            in_time_n=Count("pk", filter=in_time),
            breached_n=Count("pk", filter=Q(breached=True)),
        )
    )
    for row in daily:
        out["daily"][(m, row["d"], row["channel"], row["handling"])] = {
            "received": row["received"],
            "replied": row["replied_n"],
            "in_time": row["in_time_n"],
            "breached": row["breached_n"],
        }
    per_service = (
        inquiries.annotate(d=day)
        .values("d", "service_id")
        .annotate(
            received=Count("pk"), replied_n=Count("pk", filter=replied), in_time_n=Count("pk", filter=in_time)
        )
    )
    for row in per_service:
        key = (m, row["d"], row["service_id"] or 0)
        out["service"][key] = {
            "received": row["received"],
            "replied": row["replied_n"],
            "in_time": row["in_time_n"],
        }
    # Reply-time buckets: computed in Python from two columns (one pass, no per-row queries).
    histogram: dict[tuple, int] = defaultdict(int)
    for received_at, replied_at, channel in (
        inquiries.filter(replied)
        .values_list("received_at", "replied_at", "channel")
        .iterator(chunk_size=5000)
    ):
        hours = max((replied_at - received_at).total_seconds(), 0) / 3600
        histogram[(m, _local_day(received_at), channel, bucket_for(hours))] += 1
    out["reply_time"] = {key: {"count": n} for key, n in histogram.items()}
    backlog = inquiries.filter(state__in=OPEN_STATES).values("unit_id").annotate(n=Count("pk"))
    out["backlog"] = {(m, row["unit_id"] or 0): {"open_count": row["n"]} for row in backlog}
    return out
