"""Allocation of seats by student-proposing deferred acceptance, on plain numpy arrays.

No database in here: the school round (``servicetorg.schools``) builds the arrays and stores what comes
back, the benchmark (benchmarks/choice_allocation.py) feeds it shared/bench's instances.

The arrays (shared/bench/README.md):
  prefs (n, k) int   each applicant's wishes, best first; distinct school indices, ``-1`` pads a
                     shorter list (only at the end)
  key   (n, k) int   the school's order of that applicant at that wish, lower first; strict within a
                     school (the lottery breaks ties), below ``KEY_MAX``
  cap   (m,)   int   seats per school

Deferred acceptance (Gale–Shapley, applicants proposing) is computed as falling cutoffs: every
applicant sits at her best wish whose cutoff she is below; a school with more applicants than seats
keeps its best ``cap`` and moves its cutoff to the first one it turns away; the turned-away move on.
Cutoffs only fall, so nobody comes back to a school that turned her away, and it ends at the
applicant-optimal stable assignment: the same one whatever order the applicants come in, and one in
which listing your true order is never worse for you than any other order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

UNPLACED = -1
KEY_MAX = np.iinfo(np.int64).max  # the cutoff of a school that turned nobody away: it admits every key


def _arrays(prefs, key, cap):
    prefs = np.asarray(prefs, dtype=np.int64)
    key = np.asarray(key, dtype=np.int64)
    cap = np.asarray(cap, dtype=np.int64)
    if prefs.ndim != 2 or key.shape != prefs.shape or cap.ndim != 1:
        raise ValueError("prefs and key must be (n, k) arrays of the same shape, cap an (m,) array")
    if prefs.size and (prefs.max() >= cap.shape[0] or prefs.min() < UNPLACED):
        raise ValueError("a wish names a school outside cap")
    return prefs, key, cap


def deferred_acceptance(prefs, key, cap) -> np.ndarray:
    """Each applicant's school index (``-1``: unplaced) under applicant-proposing deferred acceptance."""
    return _deferred_acceptance(*_arrays(prefs, key, cap))[0]


def school_cutoffs(prefs, key, cap) -> np.ndarray:
    """Each school's final cutoff: it admitted exactly the applicants who wished for it with a key below
    it (and had no better wish admitting them); ``KEY_MAX`` where the school turned nobody away."""
    return _deferred_acceptance(*_arrays(prefs, key, cap))[1]


def _deferred_acceptance(prefs, key, cap):
    n, k = prefs.shape
    m = cap.shape[0]
    cutoff = np.full(m, KEY_MAX, dtype=np.int64)
    cutoff[cap <= 0] = np.iinfo(np.int64).min  # a school without seats admits nobody
    assignment = np.full(n, UNPLACED, dtype=np.int64)
    held_key = np.zeros(n, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)  # the first wish not yet turned down
    counts = np.zeros(m, dtype=np.int64)
    columns = np.arange(k)
    by_school_then_key = _sorter(key, m)
    moving = np.arange(n)
    wishes, keys = prefs, key  # everyone moves in the first round: no copy
    while moving.size:
        admits = (wishes >= 0) & (keys < cutoff[np.maximum(wishes, 0)])
        if moving.size < n:
            admits &= columns >= start[moving, None]
        placed = admits.any(axis=1)
        wish = admits.argmax(axis=1)
        rows = np.arange(moving.size)
        now = np.where(placed, wishes[rows, wish], UNPLACED)
        assignment[moving] = now
        held_key[moving] = keys[rows, wish]
        start[moving] = np.where(placed, wish, k)
        arrived = np.bincount(now[placed], minlength=m)
        counts += arrived
        # Only schools that have just received applicants can be over their seats.
        over = (arrived > 0) & (counts > cap)
        if not over.any():
            break
        at_over = np.nonzero(over[assignment] & (assignment >= 0))[0]
        at_over = at_over[by_school_then_key(assignment[at_over], held_key[at_over])]
        schools = assignment[at_over]
        starts = np.flatnonzero(np.diff(schools, prepend=-1))
        rank = np.arange(at_over.size) - np.repeat(starts, np.diff(starts, append=at_over.size))
        turned_away = rank >= cap[schools]
        first_away = rank == cap[schools]
        cutoff[schools[first_away]] = held_key[at_over[first_away]]
        moving = at_over[turned_away]
        counts -= np.bincount(schools[turned_away], minlength=m)
        start[moving] += 1
        wishes, keys = prefs[moving], key[moving]
    return assignment, cutoff


def _sorter(key, m):
    """The order that sorts (school, key) pairs by school, then key: one argsort of one int64 per pair
    where the keys' span leaves room for it (twice as fast as a two-column lexsort), else lexsort."""
    low = int(key.min(initial=0))
    span = int(key.max(initial=0)) - low + 1
    if span * max(m, 1) < 2**62:
        return lambda schools, keys: np.argsort(schools * span + (keys - low))
    return lambda schools, keys: np.lexsort((keys, schools))


def first_wish_first(prefs, key, cap) -> np.ndarray:
    """The Boston rule (immediate acceptance), for comparison only: round r places the unplaced at their
    r-th wish while seats last, and a seat once given is kept. Not stable and not safe to list truly:
    shown beside deferred acceptance in the what-if so the council sees what it would change."""
    prefs, key, cap = _arrays(prefs, key, cap)
    n, k = prefs.shape
    left = cap.copy()
    assignment = np.full(n, UNPLACED, dtype=np.int64)
    for r in range(k):
        who = np.nonzero((assignment == UNPLACED) & (prefs[:, r] >= 0))[0]
        if not who.size:
            continue
        schools = prefs[who, r]
        order = np.lexsort((key[who, r], schools))
        who, schools = who[order], schools[order]
        rank = np.arange(who.size) - np.searchsorted(schools, schools, side="left")
        taken = rank < left[schools]
        assignment[who[taken]] = schools[taken]
        left -= np.bincount(schools[taken], minlength=left.shape[0])
    return assignment


@dataclass(frozen=True)
class Certificate:
    """What a run proves about its own result (stored with the run and printed by the command)."""

    applicants: int
    feasible: bool  # everyone is at one of her wishes or unplaced, and no school over its seats
    blocking_pairs: int  # (applicant, school) she prefers where someone with a worse key got a seat
    wasted_seats: int  # (applicant, school) she prefers that has an empty seat
    by_rank: list[int] = field(default_factory=list)  # placed at wish 1, 2, …
    unplaced: int = 0

    @property
    def stable(self) -> bool:
        return self.feasible and self.blocking_pairs == 0 and self.wasted_seats == 0


def certify(prefs, key, cap, assignment) -> Certificate:
    """Check an assignment from scratch, without trusting the engine: feasibility, no blocking pair
    (justified envy), no wasted seat, and the count placed at each wish rank."""
    prefs, key, cap = _arrays(prefs, key, cap)
    assignment = np.asarray(assignment, dtype=np.int64)
    n, k = prefs.shape
    m = cap.shape[0]
    placed = assignment >= 0
    at_wish = (prefs == assignment[:, None]) & placed[:, None]
    listed = at_wish.any(axis=1)
    rank = np.where(listed, at_wish.argmax(axis=1), k)
    counts = np.bincount(assignment[placed], minlength=m) if m else np.zeros(0, dtype=np.int64)
    feasible = bool((listed == placed).all() and assignment.max(initial=-1) < m and (counts <= cap).all())
    # The worst key each school admitted (its last seat); schools with a free seat are open to all.
    worst = np.full(m, np.iinfo(np.int64).min, dtype=np.int64)
    rows = np.nonzero(listed)[0]
    np.maximum.at(worst, assignment[rows], key[rows, rank[rows]])
    above = (np.arange(k)[None, :] < rank[:, None]) & (prefs >= 0)
    wished = np.maximum(prefs, 0)
    free = counts < cap
    wasted = int((above & free[wished]).sum())
    envy = int((above & ~free[wished] & (key < worst[wished])).sum())
    by_rank = np.bincount(rank[listed], minlength=k)[:k].tolist()
    return Certificate(
        applicants=n,
        feasible=feasible,
        blocking_pairs=envy,
        wasted_seats=wasted,
        by_rank=[int(c) for c in by_rank],
        unplaced=int((~placed).sum()),
    )


def is_stable(prefs, key, cap, assignment) -> bool:
    """True when the assignment is feasible, has no blocking pair and wastes no wanted seat."""
    return certify(prefs, key, cap, assignment).stable


def last_admitted(prefs, key, cap, assignment) -> np.ndarray:
    """Each school's last seat: the worst key it admitted, or ``KEY_MAX`` when it still has a free seat
    (it turned nobody away). An applicant who wished for a school above her placement has a key above
    this number there: that is her explanation, and it is what makes the result stable."""
    prefs, key, cap = _arrays(prefs, key, cap)
    assignment = np.asarray(assignment, dtype=np.int64)
    m = cap.shape[0]
    placed = np.nonzero(assignment >= 0)[0]
    at_wish = prefs[placed] == assignment[placed, None]
    worst = np.full(m, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(worst, assignment[placed], key[placed, at_wish.argmax(axis=1)])
    counts = np.bincount(assignment[placed], minlength=m)
    return np.where(counts < cap, KEY_MAX, worst)


def guarantee_holds(prefs, key, cap, guaranteed_below: int) -> np.ndarray:
    """Per school, whether its seats suffice for every applicant holding a key below
    ``guaranteed_below`` there (the guaranteed nearest school and any priority above it). Where that
    holds, deferred acceptance never turns such an applicant away from that school: she is placed
    there or at a wish she ranks higher."""
    prefs, key, cap = _arrays(prefs, key, cap)
    sure = (prefs >= 0) & (key < guaranteed_below)
    return np.bincount(prefs[sure], minlength=cap.shape[0]) <= cap


def with_fallback(prefs, key, cap, held) -> tuple[np.ndarray, np.ndarray]:
    """The arrays of a waiting-list re-run: an applicant who holds a seat (``held[i] >= 0``) keeps only
    the wishes above and including that school, with a key there that no one can beat; so nobody loses
    her seat, and a seat given back moves down the lists. ``held`` schools must be among her wishes."""
    prefs, key, cap = _arrays(prefs, key, cap)
    held = np.asarray(held, dtype=np.int64)
    holding = held >= 0
    at = (prefs == held[:, None]) & holding[:, None]
    if not (at.any(axis=1) == holding).all():
        raise ValueError("a held seat is not among the applicant's wishes")
    column = at.argmax(axis=1)
    after = holding[:, None] & (np.arange(prefs.shape[1])[None, :] > column[:, None])
    new_prefs = np.where(after, UNPLACED, prefs)
    floor = key.min(initial=0) - prefs.shape[0] - 1
    new_key = np.where(at, floor + np.arange(prefs.shape[0])[:, None], key)
    return new_prefs, new_key
