"""A round's allocation from the database: build the engine's arrays, run it, check the result and
store the run, its placements and its cutoffs.

The arrays (``servicetorg.choice.allocation``): row i is the i-th submitted application in id order,
column j its j-th wish, then (with the guarantee) its catchment school if it did not wish for it.
The key of applicant i at a school is ``group × base + lottery``: the first priority group that
applies to her there (special needs by decision, a sibling, the catchment school, in the round's
published order; «others» last), then her lottery number there (``lottery.py``), ``base`` = n + 1.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import FloatField
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from servicetorg.core import permissions
from servicetorg.core.permissions import Perm

from .. import allocation, sql
from . import letters, lottery
from .models import (
    AllocationRun,
    Cutoff,
    Placement,
    PlacementState,
    Priority,
    Round,
    RoundState,
    RunKind,
    SchoolApplication,
    SchoolApplicationState,
    TieBreak,
    Wish,
)
from .workflow import ALLOCATE, ROUND_WORKFLOW

#: The what-if changes a run may carry (``AllocationRun.variant``).
FIRST_WISH_FIRST = "first_wish_first"


@dataclass
class Instance:
    """A round's applications as the engine's arrays, with what is needed to store and explain them."""

    application_ids: np.ndarray  # (n,) in id order
    school_ids: list[int]  # (m,) the round's schools, column order of cap
    prefs: np.ndarray  # (n, k) school index, -1 pads
    key: np.ndarray  # (n, k)
    cap: np.ndarray  # (m,)
    rank: np.ndarray  # (n, k) the family's wish rank; 0: the guaranteed catchment school added below
    group: np.ndarray  # (n, k) index into ``groups``
    lottery: np.ndarray  # (n, k) the lottery number at that school
    groups: list[str]  # priority codes, best first, «others» last
    base: int
    catchment: np.ndarray  # (n,) school index or -1
    guaranteed_below: int | None  # keys below this are guaranteed (the guarantee), else None
    coordinates: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # (n, 2) degrees
    school_coordinates: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # (m, 2)

    @property
    def n(self) -> int:
        return int(self.application_ids.shape[0])

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for array in (self.application_ids, np.asarray(self.school_ids), self.prefs, self.key, self.cap):
            digest.update(np.ascontiguousarray(array, dtype=np.int64).tobytes())
        return digest.hexdigest()


def build_instance(round_: Round, *, seed: str, variant: dict | None = None) -> Instance:
    """The round's submitted applications as arrays, with a what-if's changes (``variant``): more seats
    at some schools (``extra_seats``: {school id: seats}), priority groups dropped (``drop``), another
    tie break (``tie_break``). Four queries whatever the number of applications."""
    variant = variant or {}
    dropped = set(variant.get("drop", []))
    if round_.guarantee and Priority.CATCHMENT in dropped:
        raise ValidationError(_("The catchment priority carries the guarantee and cannot be dropped."))
    tie_break = variant.get("tie_break", round_.tie_break)
    seats = list(
        round_.schools.order_by("school_id").values_list(
            "school_id", "seats", "school__latitude", "school__longitude"
        )
    )
    school_ids = [row[0] for row in seats]
    extra = {int(k): int(v) for k, v in variant.get("extra_seats", {}).items()}
    cap = np.array([row[1] + extra.get(row[0], 0) for row in seats], dtype=np.int64)
    school_xy = np.array([[float(row[2]), float(row[3])] for row in seats], dtype=float).reshape(-1, 2)

    submitted = SchoolApplication.objects.filter(round=round_, state=SchoolApplicationState.SUBMITTED)
    # Plain numbers from the database (floats, 0 for none) straight into arrays: no Decimal per row.
    rows = submitted.order_by("pk").values_list(
        "pk",
        Coalesce("catchment_school_id", 0),
        Coalesce("special_needs_school_id", 0),
        Cast("address__latitude", FloatField()),
        Cast("address__longitude", FloatField()),
    )
    table = np.array(list(rows), dtype=float).reshape(-1, 5)
    n = table.shape[0]
    ids = table[:, 0].astype(np.int64)
    to_index = _index_of(school_ids)
    catchment = to_index(table[:, 1].astype(np.int64))
    special = to_index(table[:, 2].astype(np.int64))
    xy = table[:, 3:5]

    wishes = list(
        Wish.objects.filter(application__in=submitted)
        .order_by("application_id", "rank")
        .values_list("application_id", "rank", "school_id", "sibling")
    )
    k = round_.wishes + (1 if round_.guarantee else 0)
    prefs = np.full((n, k), allocation.UNPLACED, dtype=np.int64)
    rank = np.full((n, k), -1, dtype=np.int64)
    sibling = np.zeros((n, k), dtype=bool)
    if wishes:
        w = np.array(wishes, dtype=np.int64)
        w[:, 2] = to_index(w[:, 2])
        w = w[w[:, 2] >= 0]  # a wish for a school not in the round (removed since) is left out
        row = np.searchsorted(ids, w[:, 0])
        starts = np.flatnonzero(np.diff(row, prepend=-1))
        column = np.arange(row.size) - np.repeat(starts, np.diff(starts, append=row.size))
        keep = column < round_.wishes
        row, column, w = row[keep], column[keep], w[keep]
        prefs[row, column] = w[:, 2]
        rank[row, column] = w[:, 1]
        sibling[row, column] = w[:, 3].astype(bool)
    if round_.guarantee:
        listed = (prefs == catchment[:, None]).any(axis=1)
        adds = np.nonzero(~listed & (catchment >= 0))[0]
        free = (prefs[adds] >= 0).sum(axis=1)
        prefs[adds, free] = catchment[adds]
        rank[adds, free] = 0

    groups = [p for p in round_.priorities if p not in dropped] + [Priority.OTHER]
    group = np.full((n, k), len(groups) - 1, dtype=np.int64)
    applies = {
        Priority.SPECIAL_NEEDS: prefs == special[:, None],
        Priority.SIBLING: sibling,
        Priority.CATCHMENT: prefs == catchment[:, None],
    }
    for index in range(len(groups) - 2, -1, -1):  # the first group that applies wins
        group[applies[groups[index]] & (prefs >= 0)] = index
    if tie_break == TieBreak.PER_SCHOOL:
        table = lottery.per_school(seed, n, school_ids)
        numbers = np.where(prefs >= 0, table[np.arange(n)[:, None], np.maximum(prefs, 0)], 0)
    else:
        numbers = np.repeat(lottery.single(seed, n)[:, None], k, axis=1)
    base = n + 1
    key = np.where(prefs >= 0, group * base + numbers, 0)
    guaranteed_below = None
    if round_.guarantee and Priority.CATCHMENT in groups:
        guaranteed_below = (groups.index(Priority.CATCHMENT) + 1) * base
    return Instance(
        application_ids=ids,
        school_ids=school_ids,
        prefs=prefs,
        key=key,
        cap=cap,
        rank=rank,
        group=group,
        lottery=numbers,
        groups=groups,
        base=base,
        catchment=catchment,
        guaranteed_below=guaranteed_below,
        coordinates=xy,
        school_coordinates=school_xy,
    )


def _index_of(school_ids: list[int]):
    """A function mapping school ids (an array) to their column in ``school_ids``, -1 if not there."""
    table = np.full(max(school_ids, default=0) + 1, -1, dtype=np.int64)
    table[np.asarray(school_ids, dtype=np.int64)] = np.arange(len(school_ids))

    def to_index(values: np.ndarray) -> np.ndarray:
        known = (values >= 0) & (values < table.size)
        return np.where(known, table[np.where(known, values, 0)], -1)

    return to_index


def feasibility(round_: Round) -> list[dict]:
    """Before the run: per school, its seats and the applicants it must take whatever happens (the
    guaranteed catchment pupils and any priority above them); ``ok`` false where seats do not suffice
    and the guarantee cannot hold there. Uses a throwaway seed: the lottery does not change counts."""
    instance = build_instance(round_, seed="feasibility")
    if instance.guaranteed_below is None:
        sure = np.zeros(len(instance.school_ids), dtype=np.int64)
    else:
        mask = (instance.prefs >= 0) & (instance.key < instance.guaranteed_below)
        sure = np.bincount(instance.prefs[mask], minlength=len(instance.school_ids))
    first = np.bincount(instance.prefs[:, 0][instance.prefs[:, 0] >= 0], minlength=len(instance.school_ids))
    return [
        {
            "school_id": school_id,
            "seats": int(seats),
            "guaranteed": int(g),
            "first_wishes": int(f),
            "ok": bool(g <= seats),
        }
        for school_id, seats, g, f in zip(instance.school_ids, instance.cap, sure, first, strict=True)
    ]


def distances_km(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Great-circle (straight-line) distance in km from each point to its target, both (n, 2) degrees."""
    lat1, lon1 = np.radians(points[:, 0]), np.radians(points[:, 1])
    lat2, lon2 = np.radians(targets[:, 0]), np.radians(targets[:, 1])
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


@dataclass
class Outcome:
    assignment: np.ndarray
    certificate: dict
    milliseconds: int
    key: np.ndarray  # the keys the engine was given (a waiting-list re-run's put held seats first)


def solve(instance: Instance, *, rule: str = "", prefs=None, key=None, left=None) -> Outcome:
    """Allocate and check: the engine's result and the certificate it proved (stable, no wasted seat,
    counts by wish rank; the family's rank, so the guaranteed school counts apart)."""
    prefs = instance.prefs if prefs is None else prefs
    key = instance.key if key is None else key
    started = time.perf_counter()
    if rule == FIRST_WISH_FIRST:
        assignment = allocation.first_wish_first(prefs, key, instance.cap)
    else:
        assignment = allocation.deferred_acceptance(prefs, key, instance.cap)
    milliseconds = round((time.perf_counter() - started) * 1000)
    proof = allocation.certify(prefs, key, instance.cap, assignment)
    n = instance.n
    column = _column(instance.prefs, assignment)
    placed_rank = np.where(column >= 0, instance.rank[np.arange(n), np.maximum(column, 0)], -1)
    wishes = instance.rank.max(initial=0)
    by_rank = np.bincount(placed_rank[placed_rank > 0], minlength=wishes + 1)[1:].tolist()
    holds = (
        allocation.guarantee_holds(prefs, key, instance.cap, instance.guaranteed_below).all()
        if instance.guaranteed_below is not None
        else None
    )
    certificate = {
        "applicants": n,
        "seats": int(instance.cap.sum()),
        "stable": proof.stable,
        "feasible": proof.feasible,
        "blocking_pairs": proof.blocking_pairs,
        "wasted_seats": proof.wasted_seats,
        "by_wish": [int(c) for c in by_rank],
        "guaranteed": int((placed_rank == 0).sum()),
        # Those who declined their seat left the lists (``left``): not counted as without a seat.
        "unplaced": proof.unplaced - (0 if left is None else int(left.sum())),
        "declined": 0 if left is None else int(left.sum()),
        "guarantee_feasible": None if holds is None else bool(holds),
        "rule": rule or "deferred_acceptance",
        "engine_ms": milliseconds,
    }
    return Outcome(assignment=assignment, certificate=certificate, milliseconds=milliseconds, key=key)


def _column(prefs: np.ndarray, assignment: np.ndarray) -> np.ndarray:
    """The column of each applicant's placement in her row (-1: unplaced)."""
    at = (prefs == assignment[:, None]) & (assignment[:, None] >= 0)
    return np.where(at.any(axis=1), at.argmax(axis=1), -1)


def _require(user, perm: Perm, round_: Round) -> None:
    permissions.require(user, perm, round_.municipality_id)


@transaction.atomic
def run_main(round_: Round, *, user) -> AllocationRun:
    """The round's allocation (``closed`` or ``allocated``, before publishing): with the committed
    seed, so running it again on the same applications gives the same placements."""
    _require(user, Perm.SCHOOL_ADMINISTER, round_)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    ROUND_WORKFLOW.apply(round_, ALLOCATE)  # TransitionRefused outside closed/allocated
    if not round_.seed:
        raise ValidationError(_("The lottery seed is not committed: close the round first."))
    instance = build_instance(round_, seed=round_.seed)
    outcome = solve(instance)
    run = _store(round_, instance, outcome, user=user, kind=RunKind.MAIN, label=_("Main allocation"))
    round_.save(update_fields=["state"])
    return run


@transaction.atomic
def run_waiting_list(round_: Round, *, user) -> AllocationRun:
    """After families have answered: a re-run where everyone who holds a seat (offered or accepted)
    keeps it as a guaranteed fallback and may move up; declined seats and withdrawn applications
    free their seats, which cascade down the lists. Nobody is worse off."""
    _require(user, Perm.SCHOOL_ADMINISTER, round_)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    if round_.state != RoundState.PUBLISHED:
        raise ValidationError(_("Waiting lists are run after the placements are published."))
    current = AllocationRun.objects.select_for_update().get(round=round_, current=True)
    instance = build_instance(round_, seed=round_.seed)
    previous = dict(Placement.objects.filter(run=current).values_list("application_id", "school_id"))
    states = dict(Placement.objects.filter(run=current).values_list("application_id", "state"))
    index_of = {school_id: i for i, school_id in enumerate(instance.school_ids)}
    held = np.full(instance.n, allocation.UNPLACED, dtype=np.int64)
    prefs = instance.prefs.copy()
    declined = np.zeros(instance.n, dtype=bool)
    for i, application_id in enumerate(instance.application_ids.tolist()):
        state = states.get(application_id)
        if state == PlacementState.DECLINED:
            prefs[i, :] = allocation.UNPLACED  # she gave her seat back and left the lists
            declined[i] = True
        elif state in (PlacementState.OFFERED, PlacementState.ACCEPTED) and previous.get(application_id):
            held[i] = index_of.get(previous[application_id], allocation.UNPLACED)
    held[(held >= 0) & ~(prefs == held[:, None]).any(axis=1)] = allocation.UNPLACED
    prefs, key = allocation.with_fallback(prefs, instance.key, instance.cap, held)
    outcome = solve(instance, prefs=prefs, key=key, left=declined)
    run = _store(
        round_,
        instance,
        outcome,
        user=user,
        kind=RunKind.WAITING_LIST,
        label=_("Waiting-list re-run"),
        based_on=current,
        carried=(held, states),
    )
    moved = (outcome.assignment >= 0) & (outcome.assignment != held)
    moved_ids = instance.application_ids[moved].tolist()
    for application in SchoolApplication.objects.filter(pk__in=moved_ids).select_related("round"):
        letters.better_seat(application, run_id=run.pk)
    return run


def run_what_if(round_: Round, *, user, variant: dict, label: str) -> AllocationRun:
    """A full re-run with the council's change (more seats, a priority dropped, another tie break, or
    the first-wish-first rule for comparison), stored beside the main run; families never see it."""
    _require(user, Perm.SCHOOL_READ, round_)
    if not round_.seed:
        raise ValidationError(_("A what-if needs the round's committed lottery seed: close the round first."))
    instance = build_instance(round_, seed=round_.seed, variant=variant)
    outcome = solve(instance, rule=variant.get("rule", ""))
    main = AllocationRun.objects.filter(round=round_, kind=RunKind.MAIN).order_by("-pk").first()
    with transaction.atomic():
        return _store(
            round_,
            instance,
            outcome,
            user=user,
            kind=RunKind.WHAT_IF,
            label=label,
            variant=variant,
            based_on=main,
        )


def _store(round_, instance, outcome, *, user, kind, label, variant=None, based_on=None, carried=None):
    n = instance.n
    assignment = outcome.assignment
    column = _column(instance.prefs, assignment)
    rows = np.arange(n)
    safe = np.maximum(column, 0)
    wish_rank = np.where(column >= 0, instance.rank[rows, safe], -1)
    number = np.where(column >= 0, instance.lottery[rows, safe], instance.lottery[:, 0] if n else 0)
    school_xy = instance.school_coordinates
    placed_km = np.full(n, np.nan)
    catchment_km = np.full(n, np.nan)
    if n and school_xy.size:
        placed = assignment >= 0
        placed_km[placed] = distances_km(instance.coordinates[placed], school_xy[assignment[placed]])
        has = instance.catchment >= 0
        catchment_km[has] = distances_km(instance.coordinates[has], school_xy[instance.catchment[has]])
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
    placed = assignment >= 0
    state = np.where(placed, PlacementState.OFFERED, PlacementState.UNPLACED).astype(object)
    if carried is not None:
        held, states = carried
        for i, application_id in enumerate(instance.application_ids.tolist()):
            if not placed[i] and states.get(application_id) == PlacementState.DECLINED:
                state[i] = PlacementState.DECLINED
            elif placed[i] and held[i] == assignment[i]:
                state[i] = states[application_id]  # she keeps her seat as it was (offered or accepted)
    school_ids = np.asarray(instance.school_ids, dtype=np.int64)
    school = school_ids[np.maximum(assignment, 0)] if school_ids.size else np.zeros(n, dtype=np.int64)
    placed_list = placed.tolist()
    rows_out = list(
        zip(
            [run.pk] * n,
            instance.application_ids.tolist(),
            [s if p else None for s, p in zip(school.tolist(), placed_list, strict=True)],
            [r if p else None for r, p in zip(wish_rank.tolist(), placed_list, strict=True)],
            (placed & (wish_rank == 0)).tolist(),
            number.tolist(),
            [str(x) for x in state.tolist()],
            _km_texts(placed_km),
            _km_texts(catchment_km),
            strict=True,
        )
    )
    sql.insert_rows(Placement, PLACEMENT_COLUMNS, rows_out)
    Cutoff.objects.bulk_create(_cutoffs(run, instance, assignment, outcome.key), batch_size=500)
    if kind != RunKind.WHAT_IF:
        AllocationRun.objects.filter(round=round_, current=True).update(current=False)
        run.current = True
        run.save(update_fields=["current"])
    return run


#: The columns :func:`_store` writes of each placement (one row per application, in one statement).
PLACEMENT_COLUMNS = (
    "run",
    "application",
    "school",
    "wish_rank",
    "guaranteed",
    "lottery",
    "state",
    "distance_km",
    "catchment_distance_km",
)


def _km_texts(values: np.ndarray) -> list[str | None]:
    return [None if math.isnan(v) else f"{v:.2f}" for v in values.tolist()]


def _cutoffs(run, instance: Instance, assignment: np.ndarray, key: np.ndarray) -> list[Cutoff]:
    """Each school's last seat. A key below 0 is a seat kept in a waiting-list re-run: when the last
    seat is such a one, no group or number is given (the school is full of pupils keeping seats)."""
    m = len(instance.school_ids)
    column = _column(instance.prefs, assignment)
    placed = np.nonzero(column >= 0)[0]
    counts = np.bincount(assignment[placed], minlength=m)
    first = (
        np.bincount(instance.prefs[:, 0][instance.prefs[:, 0] >= 0], minlength=m)
        if instance.n
        else np.zeros(m, int)
    )
    worst_key = np.full(m, np.iinfo(np.int64).min, dtype=np.int64)
    keys = key[placed, column[placed]]
    np.maximum.at(worst_key, assignment[placed], keys)
    result = []
    for j, school_id in enumerate(instance.school_ids):
        full = bool(counts[j] >= instance.cap[j])
        last_group = last_lottery = None
        if full and counts[j] and worst_key[j] >= 0:
            last_group, last_lottery = divmod(int(worst_key[j]), instance.base)
        result.append(
            Cutoff(
                run=run,
                school_id=school_id,
                seats=int(instance.cap[j]),
                placed=int(counts[j]),
                first_wishes=int(first[j]),
                full=full,
                last_group=last_group,
                last_lottery=last_lottery,
            )
        )
    return result


def check_access(user, round_: Round, perm: Perm = Perm.SCHOOL_READ) -> None:
    if not permissions.can(user, perm, round_.municipality_id):
        raise PermissionDenied
