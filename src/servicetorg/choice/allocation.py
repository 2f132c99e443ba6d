"""Allocation of seats by student-proposing deferred acceptance, on plain numpy arrays.

No database in here: the school round (``servicetorg.choice.schools.allocate``) builds the arrays and
stores what comes back, the benchmark (benchmarks/choice_allocation.py) feeds it shared/bench's
instances.

The arrays (shared/bench/README.md):
  prefs (n, k) int   each applicant's wishes, best first; distinct school indices, ``-1`` pads a
                     shorter list (only at the end)
  key   (n, k) int   the school's order of that applicant at that wish, lower first; strict within a
                     school (the lottery breaks ties), below ``KEY_MAX``; the keys behind ``-1`` are
                     ignored
  cap   (m,)   int   seats per school, 0 or more

Deferred acceptance (Gale–Shapley, applicants proposing) is computed as falling cutoffs: every
applicant sits at her best wish whose cutoff she is below; a school with more applicants than seats
keeps its best ``cap`` and moves its cutoff to the first one it turns away; the turned-away move on.
Cutoffs only fall, so nobody comes back to a school that turned her away, and it ends at the
applicant-optimal stable assignment: the same one whatever order the applicants come in, and one in
which listing your true order is never worse for you than any other order.

How it is fast (100 000 applicants × 5 wishes × 300 schools in about 20 ms on one core): each round
only the applicants just turned away look down their lists, and the holders at the schools now over
their seats are put in order with one sort of their (school, key, applicant) packed into one int64.

Input the result would otherwise depend on by accident is refused with ``ValueError``: a wish outside
``cap``, negative seats, one school twice in a list, a key at ``KEY_MAX``, and two equal keys at one
school where they compete for its last seat (the only place a tie changes the result).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

UNPLACED = -1
KEY_MAX = np.iinfo(np.int64).max  # the cutoff of a school that turned nobody away: it admits every key
KEY_MIN = np.iinfo(np.int64).min  # the cutoff of a school without seats (and of a ``-1`` wish): admits none
_PACKED_LIMIT = 2**62  # (school, key) pairs are packed as school * span + key - low below this


def _integers(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.size == 0:
        return array.astype(np.int64)
    if array.dtype.kind not in "iu" or not np.can_cast(array.dtype, np.int64):
        raise ValueError(f"{name} must be an array of integers")
    return np.ascontiguousarray(array, dtype=np.int64)


def _arrays(prefs, key, cap):
    prefs, key, cap = _integers(prefs, "prefs"), _integers(key, "key"), _integers(cap, "cap")
    if prefs.ndim != 2 or key.shape != prefs.shape or cap.ndim != 1:
        raise ValueError("prefs and key must be (n, k) arrays of the same shape, cap an (m,) array")
    if prefs.size and (prefs.max() >= cap.shape[0] or prefs.min() < UNPLACED):
        raise ValueError("a wish names a school outside cap")
    if (cap < 0).any():
        raise ValueError("a school cannot have fewer than 0 seats")
    return prefs, key, cap


def _assignment(assignment, n: int) -> np.ndarray:
    assignment = _integers(assignment, "assignment")
    if assignment.shape != (n,):
        raise ValueError("the assignment must give one school (or -1) per applicant")
    return assignment


def _key_space(prefs, key, m: int):
    """The keys as the engine sorts them: ``(key, low, span, values)`` such that a wish's
    ``school * span + key - low`` is one int64 ordering (school, key), below ``_PACKED_LIMIT``. Keys too
    wide for that are replaced by their rank among all keys (``values`` maps a rank back; else None)."""
    listed = prefs >= 0
    if not listed.any():
        return key, 0, 1, None
    low = int(key.min(where=listed, initial=KEY_MAX))
    high = int(key.max(where=listed, initial=KEY_MIN))
    if high == KEY_MAX:
        raise ValueError("a key must be below KEY_MAX")
    span = high - low + 1
    if span * (m + 1) < _PACKED_LIMIT:
        return key, low, span, None
    values, ranks = np.unique(key[listed], return_inverse=True)
    ranked = np.zeros_like(key)
    ranked[listed] = ranks.reshape(-1)
    return ranked, 0, int(values.size), values


def _prepared(prefs, key, cap):
    """The engine's input, checked: besides ``_arrays``, no school twice in one list (she would come
    back to a school that turned her away, with another key) and no key at ``KEY_MAX``."""
    prefs, key, cap = _arrays(prefs, key, cap)
    by_wish = prefs.T.copy()  # each wish's column in one run of memory
    for j in range(1, prefs.shape[1]):
        if ((by_wish[:j] == by_wish[j]) & (by_wish[j] >= 0)).any():
            raise ValueError("an applicant lists the same school twice")
    key, low, span, values = _key_space(prefs, key, cap.shape[0])
    return prefs, key, cap, low, span, values


def deferred_acceptance(prefs, key, cap) -> np.ndarray:
    """Each applicant's school index (``-1``: unplaced) under applicant-proposing deferred acceptance."""
    return _deferred_acceptance(*_prepared(prefs, key, cap))[0]


def school_cutoffs(prefs, key, cap) -> np.ndarray:
    """Each school's final cutoff: it admitted exactly the applicants who wished for it with a key below
    it (and had no better wish admitting them); ``KEY_MAX`` where the school turned nobody away."""
    return _deferred_acceptance(*_prepared(prefs, key, cap))[1]


def _deferred_acceptance(prefs, key, cap, low, span, values):
    n, k = prefs.shape
    m = cap.shape[0]
    cutoff = np.full(m + 1, KEY_MAX, dtype=np.int64)
    cutoff[:m][cap == 0] = KEY_MIN  # a school without seats admits nobody
    cutoff[m] = KEY_MIN  # read by the ``-1`` of a padded list (index -1): admits nobody
    wishes, keys = prefs.ravel(), key.ravel()
    # A holder's (school, key) packed into one int64, times n plus her index where that fits: one sort
    # of these orders the holders by school, then key (the applicant's index only breaks ties, refused).
    scale = n if (m + 1) * span * n < 2**63 else 1
    packed_of = np.empty(n, dtype=np.int64)
    assignment = np.full(n, UNPLACED, dtype=np.int64)
    column = np.zeros(n, dtype=np.int64)  # the wish she holds
    counts = np.zeros(m, dtype=np.int64)
    is_over = np.zeros(m + 1, dtype=bool)  # the last entry is read by the unplaced (-1)
    nobody = np.empty(0, dtype=np.int64)
    arrivals = []  # (applicants, the wish, its school, her key there) of those a school takes in
    who, at = nobody, nobody  # those turned away and the wish each looks at next
    if k:  # the first round: everyone at her first wish, read as one column
        first, first_key = prefs[:, 0].copy(), key[:, 0].copy()
        admitted = first_key < cutoff[first]
        taken = np.flatnonzero(admitted)
        arrivals.append((taken, np.zeros(taken.size, dtype=np.int64), first[taken], first_key[taken]))
        if k > 1:
            who = np.flatnonzero(~admitted)
            at = np.ones(who.size, dtype=np.int64)
    while arrivals or who.size:
        # Each looks down her list to the first wish whose cutoff she is below (or its end).
        while who.size:
            flat = who * k + at
            schools, keys_there = wishes[flat], keys[flat]
            admitted = keys_there < cutoff[schools]
            arrivals.append((who[admitted], at[admitted], schools[admitted], keys_there[admitted]))
            on = ~admitted & (at < k - 1)
            who, at = who[on], at[on] + 1
        if len(arrivals) == 1:
            came, came_at, schools, came_key = arrivals[0]
        else:
            came, came_at, schools, came_key = (np.concatenate(part) for part in zip(*arrivals, strict=True))
        arrivals = []
        if not came.size:
            break
        assignment[came] = schools
        column[came] = came_at
        packed_of[came] = (schools * span + (came_key - low)) * scale + (came if scale > 1 else 0)
        counts += np.bincount(schools, minlength=m)
        over = np.flatnonzero(counts > cap)  # only schools that have just received anyone can be
        if not over.size:
            break
        # Each school over its seats keeps its best ``cap``; the cutoff moves to the first turned away.
        is_over[over] = True
        there = np.flatnonzero(is_over[assignment])
        is_over[over] = False
        packed = packed_of[there]
        if scale > 1:
            packed.sort()
        else:
            order = np.argsort(packed)
            packed, there = packed[order], there[order]
        first_out = np.searchsorted(packed, over * span * scale) + cap[over]
        last_in, first_away = packed[first_out - 1] // scale, packed[first_out] // scale
        if (last_in == first_away).any():
            raise ValueError("two applicants have the same key at one school: break the tie")
        cutoff[over] = first_away - over * span + low
        out = counts[over] - cap[over]
        turned_away = np.arange(out.sum()) + np.repeat(first_out - np.cumsum(out) + out, out)
        who = packed[turned_away] % scale if scale > 1 else there[turned_away]
        assignment[who] = UNPLACED
        counts[over] = cap[over]
        at = column[who] + 1
        on = at < k
        who, at = who[on], at[on]
    cutoff = cutoff[:m]
    if values is not None:  # ranks back to the keys they stand for
        moved = (cutoff != KEY_MAX) & (cutoff != KEY_MIN)
        cutoff[moved] = values[cutoff[moved]]
    return assignment, cutoff


def first_wish_first(prefs, key, cap) -> np.ndarray:
    """The Boston rule (immediate acceptance), for comparison only: round r places the unplaced at their
    r-th wish while seats last, and a seat once given is kept. Not stable and not safe to list truly:
    shown beside deferred acceptance in the what-if so the council sees what it would change."""
    prefs, key, cap, low, span, _values = _prepared(prefs, key, cap)
    n, k = prefs.shape
    left = cap.copy()
    assignment = np.full(n, UNPLACED, dtype=np.int64)
    for r in range(k):
        who = np.flatnonzero((assignment == UNPLACED) & (prefs[:, r] >= 0))
        if not who.size:
            continue
        schools = prefs[who, r]
        packed = schools * span + (key[who, r] - low)
        order = np.argsort(packed)
        who, schools, packed = who[order], schools[order], packed[order]
        rank = np.arange(who.size) - np.searchsorted(schools, schools, side="left")
        taken = rank < left[schools]
        edge = np.flatnonzero(taken[:-1] & ~taken[1:])  # the last one taken at a school, and the next
        if (packed[edge] == packed[edge + 1]).any():
            raise ValueError("two applicants have the same key at one school: break the tie")
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


def _ranks(prefs, assignment):
    """The column of each applicant's placement among her wishes (her first such column), ``k`` where
    she is unplaced or placed at a school she did not wish for."""
    n, k = prefs.shape
    at = prefs == np.where(assignment >= 0, assignment, UNPLACED - 1)[:, None]  # -2 matches no wish
    rank = np.full(n, k, dtype=np.int64)
    for j in range(k - 1, -1, -1):
        rank = np.where(at[:, j], j, rank)
    return rank


def _worst_admitted(key, assignment, rank, m):
    """The worst (highest) key each school admitted, ``KEY_MIN`` where it admitted nobody: one sort of
    the admitted (school, key) pairs, packed into one int64 where the keys' span allows."""
    worst = np.full(m, KEY_MIN, dtype=np.int64)
    n, k = key.shape
    rows = np.flatnonzero(rank < k)
    if not rows.size:
        return worst
    schools, keys = assignment[rows], key.ravel()[rows * k + rank[rows]]
    low = int(keys.min())
    span = int(keys.max()) - low + 1
    if span * (m + 1) < _PACKED_LIMIT:
        packed = np.sort(schools * span + (keys - low))
        there = np.flatnonzero(np.bincount(schools, minlength=m))
        last = np.searchsorted(packed, (there + 1) * span) - 1  # each school's run ends with its worst
        worst[there] = packed[last] - there * span + low
        return worst
    order = np.lexsort((keys, schools))
    schools, keys = schools[order], keys[order]
    last = np.flatnonzero(np.diff(schools, append=m))
    worst[schools[last]] = keys[last]
    return worst


def certify(prefs, key, cap, assignment) -> Certificate:
    """Check an assignment from scratch, without trusting the engine: feasibility, no blocking pair
    (justified envy), no wasted seat, and the count placed at each wish rank."""
    prefs, key, cap = _arrays(prefs, key, cap)
    n, k = prefs.shape
    m = cap.shape[0]
    assignment = _assignment(assignment, n)
    placed = assignment >= 0
    rank = _ranks(prefs, assignment)
    listed = rank < k
    counts = np.bincount(assignment[listed], minlength=m)
    feasible = bool((listed == placed).all() and (assignment >= UNPLACED).all() and (counts <= cap).all())
    # The worst key each school admitted (its last seat); schools with a free seat are open to all.
    worst = _worst_admitted(key, assignment, rank, m)
    # A wish above her placement blocks where the school has a free seat (wasted) or admitted a worse
    # key than hers (envy). Wish j is above the placement of those whose rank is above j: few for a late j.
    free = np.append(counts < cap, False)  # the last entry is read by a -1 wish
    beaten_below = np.append(np.where(counts < cap, KEY_MIN, worst), KEY_MIN)
    wasted = envy = 0
    rows = np.flatnonzero(rank > 0)
    for j in range(k):
        rows = rows[rank[rows] > j] if j else rows
        schools = prefs[rows, j]
        wasted += int(np.count_nonzero(free[schools]))
        envy += int(np.count_nonzero(key[rows, j] < beaten_below[schools]))
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
    m = cap.shape[0]
    assignment = _assignment(assignment, prefs.shape[0])
    rank = _ranks(prefs, assignment)
    counts = np.bincount(assignment[rank < prefs.shape[1]], minlength=m)
    return np.where(counts < cap, KEY_MAX, _worst_admitted(key, assignment, rank, m))


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
    n, k = prefs.shape
    held = _assignment(held, n)
    holding = held >= 0
    column = _ranks(prefs, held)
    if not ((column < k) == holding).all():
        raise ValueError("a held seat is not among the applicant's wishes")
    columns = np.arange(k)[None, :]
    at = holding[:, None] & (columns == column[:, None])
    after = holding[:, None] & (columns > column[:, None])
    new_prefs = np.where(after, UNPLACED, prefs)
    # Below every key she or anyone else holds at a wish (the keys behind a -1 do not count).
    lowest = int(key.min(where=prefs >= 0, initial=0))
    if lowest - n - 1 < KEY_MIN:
        raise ValueError("the keys leave no room below them for the held seats' keys")
    new_key = np.where(at, lowest - n - 1 + np.arange(n)[:, None], key)
    return new_prefs, new_key
