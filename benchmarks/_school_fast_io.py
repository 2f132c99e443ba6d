"""A prototype, for the benchmark only: ``allocate.run_main``'s write and read without the ORM's
per-row work, to measure what a ``choice/sql.py`` path would give (the proposal in the benchmark's
report; allocate.py is unchanged).

- :func:`store`: ``allocate._store`` for a main run with the placements built as columns (numpy →
  lists) and inserted by ``COPY … FROM STDIN`` on PostgreSQL and ``executemany`` on SQLite: the same
  rows, the same values (the benchmark compares them with the ORM's);
- :func:`read_figures`: the two large reads of ``build_instance`` (applications, wishes) through the
  ORM's ``values_list`` and through the cursor with the same SQL.
"""

from __future__ import annotations

import hashlib
import math
import time

import numpy as np
from django.db import connection

from servicetorg.choice.schools import allocate
from servicetorg.choice.schools.models import (
    AllocationRun,
    Cutoff,
    Placement,
    PlacementState,
    RunKind,
    SchoolApplication,
    SchoolApplicationState,
    Wish,
)
from servicetorg.core import permissions

COLUMNS = (
    "run_id",
    "application_id",
    "school_id",
    "wish_rank",
    "guaranteed",
    "lottery",
    "state",
    "answered_at",
    "distance_km",
    "catchment_distance_km",
)


def _km_text(values: np.ndarray) -> list:
    return [None if math.isnan(v) else f"{v:.2f}" for v in values.tolist()]


def placement_rows(run_id: int, instance, assignment: np.ndarray) -> list[tuple]:
    """The placements of a main run as tuples in :data:`COLUMNS` order (what ``_store`` writes)."""
    n = instance.n
    column = allocate._column(instance.prefs, assignment)
    rows = np.arange(n)
    safe = np.maximum(column, 0)
    wish_rank = np.where(column >= 0, instance.rank[rows, safe], -1)
    number = np.where(column >= 0, instance.lottery[rows, safe], instance.lottery[:, 0] if n else 0)
    placed = assignment >= 0
    placed_km = np.full(n, np.nan)
    catchment_km = np.full(n, np.nan)
    school_xy = instance.school_coordinates
    if n and school_xy.size:
        placed_km[placed] = allocate.distances_km(instance.coordinates[placed], school_xy[assignment[placed]])
        has = instance.catchment >= 0
        catchment_km[has] = allocate.distances_km(
            instance.coordinates[has], school_xy[instance.catchment[has]]
        )
    school_ids = np.asarray(instance.school_ids, dtype=np.int64)
    school = np.where(placed, school_ids[np.maximum(assignment, 0)] if len(school_ids) else 0, 0)
    placed_list = placed.tolist()
    return list(
        zip(
            [run_id] * n,
            instance.application_ids.tolist(),
            [s if p else None for s, p in zip(school.tolist(), placed_list, strict=True)],
            [r if p else None for r, p in zip(wish_rank.tolist(), placed_list, strict=True)],
            (placed & (wish_rank == 0)).tolist(),
            number.tolist(),
            [PlacementState.OFFERED if p else PlacementState.UNPLACED for p in placed_list],
            [None] * n,
            _km_text(placed_km),
            _km_text(catchment_km),
            strict=True,
        )
    )


def insert_placements(rows: list[tuple]) -> None:
    table = Placement._meta.db_table
    names = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - the model's own names
            cursor.executemany(sql, rows)


def store(round_, instance, outcome, *, user, kind, label, variant=None, based_on=None, carried=None):
    """``allocate._store`` for a main run (what the benchmark runs), the placements by
    :func:`insert_placements`; the cutoffs and the rest as ``_store`` does them."""
    assert kind == RunKind.MAIN and carried is None, "the prototype covers the main run only"
    run = AllocationRun.objects.create(
        round=round_,
        kind=kind,
        label=label[:200],
        variant=variant or {},
        based_on=based_on,
        seed_hash=round_.seed_hash,
        input_hash=instance.fingerprint(),
        certificate=outcome.certificate,
        milliseconds=outcome.milliseconds,
        created_by=permissions.user_of(user),
    )
    insert_placements(placement_rows(run.pk, instance, outcome.assignment))
    Cutoff.objects.bulk_create(
        allocate._cutoffs(run, instance, outcome.assignment, outcome.key), batch_size=500
    )
    AllocationRun.objects.filter(round=round_, current=True).update(current=False)
    run.current = True
    run.save(update_fields=["current"])
    return run


def placements_digest(run) -> str:
    """The run's placements, as stored, in one digest (to compare the ORM's rows with the prototype's)."""
    digest = hashlib.sha256()
    values = (
        Placement.objects.filter(run=run)
        .order_by("application_id")
        .values_list(
            "application_id",
            "school_id",
            "wish_rank",
            "guaranteed",
            "lottery",
            "state",
            "answered_at",
            "distance_km",
            "catchment_distance_km",
        )
    )
    for row in values.iterator(chunk_size=10_000):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def read_figures(round_) -> dict[str, float]:
    """The two large reads of ``build_instance``: ORM values_list against the cursor's fetchall."""
    submitted = SchoolApplication.objects.filter(round=round_, state=SchoolApplicationState.SUBMITTED)
    apps = submitted.order_by("pk").values_list(
        "pk", "catchment_school_id", "special_needs_school_id", "address__latitude", "address__longitude"
    )
    wishes = (
        Wish.objects.filter(application__in=submitted)
        .order_by("application_id", "rank")
        .values_list("application_id", "rank", "school_id", "sibling")
    )
    out = {}
    for name, qs in (("applications", apps), ("wishes", wishes)):
        started = time.perf_counter()
        orm = list(qs)
        out[f"{name} ORM"] = time.perf_counter() - started
        sql, params = qs.query.sql_with_params()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            raw = cursor.fetchall()
            if name == "wishes":
                np.array(raw, dtype=np.int64)
        out[f"{name} cursor"] = time.perf_counter() - started
        assert len(raw) == len(orm)
    return out
