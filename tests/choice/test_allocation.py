"""The school-choice engine (servicetorg.choice.allocation) on random instances: no database, plain arrays.

Instances are drawn as shared/bench/README.md describes them (wishes best first, ``-1`` pads a shorter
list, a key per wish that is the school's order of that applicant), but with each school breaking ties
by its own lottery (keys not derived from one number per applicant), seats that may be 0 or short or
plentiful, keys that may span the whole int64 range and junk keys behind the padding.
"""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicetorg.choice.allocation import (
    KEY_MAX,
    UNPLACED,
    certify,
    deferred_acceptance,
    first_wish_first,
    guarantee_holds,
    is_stable,
    last_admitted,
    school_cutoffs,
    with_fallback,
)

INT64_MIN = np.iinfo(np.int64).min


def random_instance(seed, n, m, k, *, keys="narrow", junk_padding=False, seats="random"):
    """Arrays for ``n`` applicants with up to ``k`` distinct wishes among ``m`` schools.

    Keys: priority class (0–2, drawn per wish) times n plus the school's own lottery rank of the
    applicant, so strict within a school; "spread" and "wide" map them monotonically onto a span of
    2**57 or the whole int64 range (the engine's other ways of sorting). ``seats``: "random" (0 to a few
    per school), "short" (fewer seats than applicants), "plenty" (more than applicants)."""
    rng = np.random.default_rng(seed)
    prefs = np.full((n, k), UNPLACED, dtype=np.int64)
    if k and n:
        order = np.argsort(rng.random((n, m)), axis=1)[:, :k]
        length = rng.integers(0, k + 1, n)
        prefs = np.where(np.arange(k)[None, :] < length[:, None], order, UNPLACED)
    lottery = np.argsort(rng.random((m, n)), axis=1).argsort(axis=1)  # each school's own draw
    klass = rng.integers(0, 3, (n, k))
    key = klass * max(n, 1) + lottery[np.maximum(prefs, 0), np.arange(n)[:, None]]
    if keys != "narrow":
        bound = 2**61 if keys == "wide" else 2**56
        values = np.sort(rng.integers(-bound, bound, 3 * max(n, 1))) + np.arange(3 * max(n, 1))
        key = values[key]
    if junk_padding:
        junk = rng.choice([INT64_MIN, -1, 0, KEY_MAX], (n, k))  # the extremes included
        key = np.where(prefs >= 0, key, junk)
    if seats == "short":
        cap = rng.multinomial(max(n - 1 - n // 3, 0), np.full(m, 1 / m))
    elif seats == "plenty":
        cap = rng.multinomial(n + 1 + n // 2, np.full(m, 1 / m))
    else:
        cap = rng.integers(0, 4, m)
    cap[rng.random(m) < 0.15] = 0
    return prefs, key, cap.astype(np.int64)


@st.composite
def instances(draw, max_n=40, max_m=8, max_k=5):
    m = draw(st.integers(1, max_m))
    return random_instance(
        draw(st.integers(0, 2**32 - 1)),
        draw(st.integers(0, max_n)),
        m,
        draw(st.integers(0, min(m, max_k))),
        keys=draw(st.sampled_from(["narrow", "spread", "wide"])),
        junk_padding=draw(st.booleans()),
        seats=draw(st.sampled_from(["random", "short", "plenty"])),
    )


def rank_of(prefs, assignment):
    """The column of each applicant's placement in her list; ``k`` when unplaced (one row at a time)."""
    n, k = prefs.shape
    rank = np.full(n, k)
    for i in range(n):
        hits = np.flatnonzero(prefs[i] == assignment[i]) if assignment[i] >= 0 else []
        if len(hits):
            rank[i] = hits[0]
    return rank


def brute_force_certificate(prefs, key, cap, assignment):
    """Blocking pairs and wasted seats counted one (applicant, wish) at a time, in plain Python."""
    n, k = prefs.shape
    rank = rank_of(prefs, assignment)
    admitted = {s: [] for s in range(len(cap))}
    for i in range(n):
        if rank[i] < k:
            admitted[int(assignment[i])].append(int(key[i, rank[i]]))
    envy = wasted = 0
    for i in range(n):
        for j in range(int(rank[i])):
            s = int(prefs[i, j])
            if s < 0:
                continue
            if len(admitted[s]) < cap[s]:
                wasted += 1
            elif any(other > key[i, j] for other in admitted[s]):
                envy += 1
    return envy, wasted


# --- stability -------------------------------------------------------------------------------------


@given(instances())
@settings(max_examples=200)
def test_deferred_acceptance_is_stable_and_wastes_no_seat(instance):
    prefs, key, cap = instance
    assignment = deferred_acceptance(prefs, key, cap)
    certificate = certify(prefs, key, cap, assignment)
    assert certificate.feasible
    assert certificate.blocking_pairs == 0
    assert certificate.wasted_seats == 0
    assert certificate.stable and is_stable(prefs, key, cap, assignment)
    assert certificate.applicants == len(prefs)
    assert sum(certificate.by_rank) + certificate.unplaced == len(prefs)
    # Nobody is placed at a school she did not list, and no school holds more than its seats.
    assert (rank_of(prefs, assignment) < prefs.shape[1])[assignment >= 0].all()
    assert (np.bincount(assignment[assignment >= 0], minlength=len(cap)) <= cap).all()


@given(instances(max_n=12, max_m=5), st.integers(0, 2**32 - 1))
@settings(max_examples=150)
def test_certify_counts_what_a_brute_force_count_finds(instance, seed):
    """The certificate is not taken on trust either: on arbitrary (mostly unstable, sometimes
    infeasible) assignments it counts the same blocking pairs and wasted seats as a plain loop."""
    prefs, key, cap = instance
    rng = np.random.default_rng(seed)
    n, k = prefs.shape
    column = rng.integers(0, k + 1, n)
    assignment = np.full(n, UNPLACED)
    if k:
        assignment = np.where(column < k, prefs[np.arange(n), np.minimum(column, k - 1)], UNPLACED)
    certificate = certify(prefs, key, cap, assignment)
    counts = np.bincount(assignment[assignment >= 0], minlength=len(cap))
    assert certificate.feasible == bool((counts <= cap).all())
    assert (certificate.blocking_pairs, certificate.wasted_seats) == brute_force_certificate(
        prefs, key, cap, assignment
    )
    assert certificate.unplaced == int((assignment < 0).sum())


def test_certify_finds_an_assignment_outside_the_wishes_infeasible():
    prefs = np.array([[0, 1], [1, -1]])
    key = np.array([[0, 0], [1, 0]])
    cap = np.array([1, 1, 1])
    assert certify(prefs, key, cap, [0, 1]).stable
    assert not certify(prefs, key, cap, [2, 1]).feasible  # school 2 is not among her wishes
    assert not certify(prefs, key, cap, [1, 1]).feasible  # two at a one-seat school
    assert not certify(prefs, key, cap, [0, -1]).stable  # a wanted seat left empty
    with pytest.raises(ValueError):
        certify(prefs, key, cap, [0])  # one applicant's placement for two applicants


# --- the reference implementation ------------------------------------------------------------------


def library_assignment(prefs, key, cap):
    """The applicant-optimal stable assignment by the ``matching`` library (HospitalResident)."""
    from matching.games import HospitalResident

    n, k = prefs.shape
    open_school = cap > 0  # the library fails on a hospital without places: nobody gets in there
    residents, listed = {}, {s: [] for s in np.nonzero(open_school)[0].tolist()}
    for i in range(n):
        wishes = [int(s) for s in prefs[i] if s >= 0 and open_school[s]]
        if wishes:  # and on a resident with an empty list: she stays unplaced
            residents[i] = wishes
        for j in range(k):
            if prefs[i, j] >= 0 and open_school[prefs[i, j]]:
                listed[int(prefs[i, j])].append((int(key[i, j]), i))
    hospitals = {s: [i for _, i in sorted(applicants)] for s, applicants in listed.items()}
    assignment = np.full(n, UNPLACED, dtype=np.int64)
    if not residents:
        return assignment
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PlayerExcludedWarning for hospitals nobody listed
        game = HospitalResident.create_from_dictionaries(
            residents, hospitals, {s: int(cap[s]) for s in hospitals}
        )
        matched = game.solve(optimal="resident")
    for hospital, residents_there in matched.items():
        for resident in residents_there:
            assignment[resident.name] = hospital.name
    return assignment


@pytest.mark.parametrize("block", range(4))
def test_equal_to_the_matching_library_on_200_random_instances(block):
    rng = np.random.default_rng(2200 + block)
    for _ in range(50):
        m = int(rng.integers(2, 8))
        prefs, key, cap = random_instance(
            int(rng.integers(2**32)),
            int(rng.integers(1, 30)),
            m,
            int(rng.integers(2, min(m, 4) + 1)),
            keys=["narrow", "spread", "wide"][int(rng.integers(3))],
            seats=["random", "short", "plenty"][int(rng.integers(3))],
        )
        expected = library_assignment(prefs, key, cap)
        assert deferred_acceptance(prefs, key, cap).tolist() == expected.tolist()


# --- strategy-proofness and order independence -----------------------------------------------------


@given(instances(max_n=8, max_m=5, max_k=4), st.integers(0, 7))
@settings(max_examples=80)
def test_listing_the_true_order_is_never_worse_than_any_other_list(instance, who):
    prefs, key, cap = instance
    n, k = prefs.shape
    if n == 0 or k == 0:
        return
    i = who % n
    true_rank = rank_of(prefs, deferred_acceptance(prefs, key, cap))[i]
    listed = [j for j in range(k) if prefs[i, j] >= 0]
    # Every reordering of her list, and of every shorter list made of her wishes.
    for size in range(len(listed) + 1):
        for columns in itertools.permutations(listed, size):
            lying_prefs, lying_key = prefs.copy(), key.copy()
            lying_prefs[i] = UNPLACED
            lying_prefs[i, :size] = prefs[i, list(columns)]
            lying_key[i, :size] = key[i, list(columns)]
            got = deferred_acceptance(lying_prefs, lying_key, cap)[i]
            lying_rank = rank_of(prefs[i : i + 1], np.array([got]))[0]
            assert true_rank <= lying_rank, (columns, got)


@given(instances(), st.integers(0, 2**32 - 1))
def test_the_result_does_not_depend_on_the_order_of_the_applicants(instance, seed):
    prefs, key, cap = instance
    order = np.random.default_rng(seed).permutation(len(prefs))
    shuffled = deferred_acceptance(prefs[order], key[order], cap)
    unshuffled = np.empty_like(shuffled)
    unshuffled[order] = shuffled
    assert unshuffled.tolist() == deferred_acceptance(prefs, key, cap).tolist()
    assert school_cutoffs(prefs[order], key[order], cap).tolist() == school_cutoffs(prefs, key, cap).tolist()


# --- the guaranteed nearest school -----------------------------------------------------------------


@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(1, 8), st.integers(0, 4), st.booleans())
def test_the_guaranteed_nearest_school_is_kept_where_its_seats_suffice(seed, n, m, k, tight):
    """Each applicant's nearest school is added below her wishes (or kept where she listed it) with a
    key in the guaranteed class (below ``n``); where guarantee_holds says the seats suffice, she is
    placed at her nearest school or at a wish she ranks higher."""
    rng = np.random.default_rng(seed)
    k = min(k, m)
    prefs, key, cap = random_instance(seed, n, m, k)
    nearest = rng.integers(0, m, n)
    prefs = np.concatenate([prefs, np.full((n, 1), UNPLACED)], axis=1)
    key = np.concatenate([key, np.zeros((n, 1), dtype=np.int64)], axis=1)
    threshold = n  # priority class 0 (n per class): the guaranteed
    key = key + n  # everyone else's keys move above the guaranteed class
    for i in range(n):
        row = prefs[i]
        if nearest[i] in row:
            j = int(np.nonzero(row == nearest[i])[0][0])
        else:
            j = int((row >= 0).sum())
            row[j] = nearest[i]
        key[i, j] = i  # the guaranteed class, strict: one number per applicant
    entitled = np.bincount(nearest, minlength=m)
    cap = entitled + rng.integers(-1 if tight else 0, 3, m)
    cap = np.maximum(cap, 0)
    holds = guarantee_holds(prefs, key, cap, threshold)
    assert holds.tolist() == (entitled <= cap).tolist()
    assignment = deferred_acceptance(prefs, key, cap)
    rank = rank_of(prefs, assignment)
    nearest_column = (prefs == nearest[:, None]).argmax(axis=1)
    kept = rank <= nearest_column
    assert kept[holds[nearest]].all()
    if holds.all():
        assert kept.all() and (assignment >= 0).all()


# --- waiting-list re-runs and what-ifs ---------------------------------------------------------------


@given(instances(), st.integers(0, 2**32 - 1), st.booleans())
def test_a_waiting_list_rerun_never_makes_anyone_worse_off(instance, seed, more_seats):
    """Some who got a seat give it back (their rows emptied), late applicants join (their rows appear
    only now, with keys that may beat the seat holders'), seats may be added: the re-run on
    with_fallback's arrays keeps every seat holder at her seat or moves her up her list, and is stable
    for the arrays it ran on. Two rounds: each re-run starts from the last one's result."""
    everyone, key, cap = instance
    rng = np.random.default_rng(seed)
    n, k = everyone.shape
    late = rng.random(n) < 0.2
    prefs = np.where(late[:, None], UNPLACED, everyone)
    assignment = deferred_acceptance(prefs, key, cap)
    original_rank = rank_of(everyone, assignment)
    gone = np.zeros(n, dtype=bool)
    for _round in range(2):
        gone |= (rng.random(n) < 0.25) & (assignment >= 0)
        prefs = np.where(gone[:, None], UNPLACED, everyone)  # the late ones are in from now on
        held = np.where(gone, UNPLACED, assignment)
        if more_seats:
            cap = cap + (rng.random(len(cap)) < 0.3)
        new_prefs, new_key = with_fallback(prefs, key, cap, held)
        rerun = deferred_acceptance(new_prefs, new_key, cap)
        assert certify(new_prefs, new_key, cap, rerun).stable
        assert (rerun[gone] == UNPLACED).all()
        rank, stay = rank_of(everyone, rerun), ~gone
        assert (rank[stay] <= rank_of(everyone, assignment)[stay]).all()
        assert (rank[stay] <= original_rank[stay]).all()
        assert (rerun[held >= 0] >= 0).all()  # nobody who holds a seat loses it
        assignment = rerun


def test_with_fallback_refuses_a_held_seat_she_did_not_wish_for():
    with pytest.raises(ValueError):
        with_fallback([[0, 1]], [[0, 0]], [1, 1, 1], [2])


def test_with_fallback_refuses_keys_that_leave_no_room_below_them():
    with pytest.raises(ValueError):
        with_fallback([[0, 1], [0, -1]], [[INT64_MIN + 1, 0], [0, 0]], [1, 1], [0, -1])
    # The keys behind a -1 are not keys: an extreme one there leaves the held seats their room.
    new_prefs, new_key = with_fallback([[0, -1], [0, 1]], [[5, INT64_MIN], [6, 7]], [1, 1], [0, -1])
    assert new_key[0, 0] < 5 and new_key[0, 0] < 6


def test_a_what_if_with_another_class_at_the_most_wanted_school_helps_someone_and_hurts_nobody():
    prefs, key, cap = random_instance(7, 300, 6, 3, seats="short")
    before = deferred_acceptance(prefs, key, cap)
    wanted = np.bincount(prefs[prefs >= 0], minlength=len(cap)) - cap
    more = cap.copy()
    more[int(wanted.argmax())] += 25
    after = deferred_acceptance(prefs, key, more)
    assert certify(prefs, key, more, after).stable
    assert (rank_of(prefs, after) <= rank_of(prefs, before)).all()  # more seats: nobody is worse off
    assert (rank_of(prefs, after) < rank_of(prefs, before)).any()


# --- explanations ----------------------------------------------------------------------------------


@given(instances())
def test_explanations_agree_with_the_result(instance):
    """Every wish above an applicant's placement is a full school whose last seat went to a better key
    than hers; the school's cutoff is at or below her key there and above her key where she got in."""
    prefs, key, cap = instance
    n, k = prefs.shape
    assignment = deferred_acceptance(prefs, key, cap)
    last = last_admitted(prefs, key, cap, assignment)
    cutoff = school_cutoffs(prefs, key, cap)
    counts = np.bincount(assignment[assignment >= 0], minlength=len(cap))
    rank = rank_of(prefs, assignment)
    above = (np.arange(k)[None, :] < rank[:, None]) & (prefs >= 0)
    wished = np.maximum(prefs, 0)
    assert (counts[wished] == cap[wished])[above].all()  # full
    assert (key > last[wished])[above].all()  # the last seat went to a better key
    assert not (key < cutoff[wished])[above].any()  # no key below the cutoff above her placement
    # The cutoffs alone give the result: each applicant's first wish whose cutoff she is below.
    admits = (prefs >= 0) & (key < cutoff[wished])
    first = np.argmax(admits, axis=1) if k else np.zeros(n, dtype=np.int64)
    by_cutoffs = np.where(admits.any(axis=1), prefs[np.arange(n), first] if k else UNPLACED, UNPLACED)
    assert by_cutoffs.tolist() == assignment.tolist()
    # A school without seats admits no key; last_admitted: a school with a free seat reads KEY_MAX, a
    # full one the worst key it admitted.
    assert (cutoff[cap == 0] == INT64_MIN).all() and (last[cap == 0] == INT64_MIN).all()
    for s in range(len(cap)):
        keys_there = key[(assignment == s), rank[assignment == s]] if k else np.array([])
        if counts[s] < cap[s]:
            assert last[s] == KEY_MAX
        elif counts[s]:
            assert last[s] == keys_there.max() and last[s] < cutoff[s]


# --- the Boston rule -------------------------------------------------------------------------------


@given(instances())
def test_first_wish_first_is_feasible_and_places_first_wishes_by_key(instance):
    prefs, key, cap = instance
    n, k = prefs.shape
    assignment = first_wish_first(prefs, key, cap)
    assert certify(prefs, key, cap, assignment).feasible
    if k == 0:
        assert (assignment == UNPLACED).all()
        return
    first = prefs[:, 0]
    for s in range(len(cap)):
        asked = np.nonzero(first == s)[0]
        got = asked[assignment[asked] == s]
        assert len(got) == min(len(asked), cap[s])  # as many first wishes as there are seats
        # and the best keys among those who put it first
        refused = np.setdiff1d(asked, got)
        if len(got) and len(refused):
            assert key[got, 0].max() < key[refused, 0].min()


def test_first_wish_first_is_not_stable_where_deferred_acceptance_is():
    # Schools A (0) and B (1), one seat each. P wants A then B, Q only B, R only A. A ranks R before P;
    # B ranks P before Q. Boston: R takes A and Q takes B in round one; P, who has priority at B, is left
    # without a seat: a blocking pair. Deferred acceptance gives B to P.
    prefs = np.array([[0, 1], [1, -1], [0, -1]])
    key = np.array([[1, 0], [1, 0], [0, 0]])
    cap = np.array([1, 1])
    boston = first_wish_first(prefs, key, cap)
    assert boston.tolist() == [UNPLACED, 1, 0]
    certificate = certify(prefs, key, cap, boston)
    assert certificate.feasible and certificate.blocking_pairs == 1 and not certificate.stable
    assert deferred_acceptance(prefs, key, cap).tolist() == [1, UNPLACED, 0]


# --- bad input and edge cases ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefs, key, cap",
    [
        ([[0, 1]], [[0, 1, 2]], [1, 1]),  # key not the shape of prefs
        ([0, 1], [0, 1], [1, 1]),  # prefs not (n, k)
        ([[0, 1]], [[0, 1]], [[1, 1]]),  # cap not (m,)
        ([[0, 2]], [[0, 1]], [1, 1]),  # a wish outside cap
        ([[0, -2]], [[0, 1]], [1, 1]),  # a wish below -1
        ([[0, 1]], [[0, 1]], [1, -1]),  # negative seats
        ([[0], [0]], [[3], [3]], [1]),  # a tie at the one seat
        ([[0, 0]], [[0, 1]], [1, 1]),  # the same school twice
        ([[0]], [[KEY_MAX]], [1]),  # a key no cutoff admits
        ([[0.5]], [[0]], [1]),  # not integers
    ],
)
def test_bad_input_is_refused(prefs, key, cap):
    with pytest.raises(ValueError):
        deferred_acceptance(prefs, key, cap)
    with pytest.raises(ValueError):
        first_wish_first(prefs, key, cap)


@given(instances(), st.integers(0, 2**32 - 1))
def test_ties_are_refused_where_they_compete_for_a_seat_and_change_nothing_elsewhere(instance, seed):
    """Keys from a small range, so that schools see ties: either the engine refuses the input, or its
    result is the one every way of breaking the ties gives (the ties did not matter)."""
    prefs, key, cap = instance
    rng = np.random.default_rng(seed)
    n, k = prefs.shape
    tied = np.where(prefs >= 0, key % 4, key)
    try:
        result = deferred_acceptance(prefs, tied, cap)
    except ValueError:
        deferred_acceptance(prefs, tied * (n + 1) + np.arange(n)[:, None], cap)  # ties were the reason
        return
    assert certify(prefs, tied, cap, result).stable
    for _ in range(3):
        broken = tied * (n + 1) + rng.permutation(n)[:, None]  # one way of breaking every tie
        assert deferred_acceptance(prefs, broken, cap).tolist() == result.tolist()


def test_empty_instances():
    for n, k, m in [(0, 0, 0), (0, 3, 2), (3, 0, 2), (3, 2, 0)]:
        prefs = np.full((n, k), UNPLACED)
        key = np.zeros((n, k), dtype=np.int64)
        cap = np.ones(m, dtype=np.int64)
        assert deferred_acceptance(prefs, key, cap).tolist() == [UNPLACED] * n
        assert first_wish_first(prefs, key, cap).tolist() == [UNPLACED] * n
        assert school_cutoffs(prefs, key, cap).tolist() == [KEY_MAX] * m
        certificate = certify(prefs, key, cap, np.full(n, UNPLACED))
        assert certificate.stable and certificate.unplaced == n and certificate.by_rank == [0] * k


def test_engine_and_check_agree_across_the_wide_key_path():
    """Keys spanning the whole int64 range take the engine's other sorting path: same result."""
    prefs, key, cap = random_instance(11, 200, 7, 4, seats="short")
    order = key.argsort(axis=None).argsort().reshape(key.shape)  # a monotone map onto wide keys
    wide = np.where(prefs >= 0, INT64_MIN + 1 + order * (2**52), key)
    assert deferred_acceptance(prefs, wide, cap).tolist() == deferred_acceptance(prefs, key, cap).tolist()
    assert certify(prefs, wide, cap, deferred_acceptance(prefs, wide, cap)).stable
