"""The ranking's arithmetic (benchmarking/ranking/grading.py): grades, coverage, places, intervals."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from servicetorg.benchmarking.ranking import grading

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
samples = st.lists(finite, min_size=1, max_size=60)


@given(samples)
def test_grades_lie_within_1_and_6(values):
    grades = grading.grade(np.array(values), grading.HIGHER)
    assert np.all((grades >= 1) & (grades <= 6))


@given(samples)
def test_grades_are_monotone_in_the_value(values):
    values = np.array(sorted(values))
    up = grading.grade(values, grading.HIGHER)
    down = grading.grade(values, grading.LOWER)
    assert np.all(np.diff(up) >= -1e-12)
    assert np.all(np.diff(down) <= 1e-12)


@given(samples, st.lists(finite, min_size=1, max_size=10))
def test_monotone_for_any_value_against_fixed_reference(values, probes):
    reference = grading.stats(np.array(values))
    probes = np.array(sorted(probes))
    graded = grading.grade(probes, grading.HIGHER, reference)
    assert np.all(np.diff(graded) >= -1e-12)


@given(samples)
def test_the_national_average_gets_three_and_a_half(values):
    reference = grading.stats(np.array(values))
    at_mean = grading.grade(np.array([reference.mean]), grading.HIGHER, reference)
    assert at_mean[0] == 3.5
    assert grading.grade(np.array([reference.mean]), grading.LOWER, reference)[0] == 3.5


@given(samples)
def test_lower_is_better_mirrors_higher(values):
    values = np.array(values)
    up = grading.grade(values, grading.HIGHER)
    down = grading.grade(values, grading.LOWER)
    assert np.allclose(up + down, 7.0)


def test_percentiles_are_the_ends_and_the_line_runs_through_them():
    values = np.arange(0.0, 101.0)  # mean 50, p5 5, p95 95
    reference = grading.stats(values)
    assert (reference.mean, reference.p5, reference.p95) == (50.0, 5.0, 95.0)
    graded = grading.grade(np.array([0.0, 5.0, 27.5, 50.0, 72.5, 95.0, 100.0]), grading.HIGHER, reference)
    assert graded.tolist() == [1.0, 1.0, 2.25, 3.5, 4.75, 6.0, 6.0]


def test_missing_values_stay_missing_and_are_not_counted():
    values = np.array([10.0, np.nan, 20.0, 30.0])
    reference = grading.stats(values)
    assert reference.n == 3 and reference.mean == 20.0  # not (10+0+20+30)/4
    graded = grading.grade(values, grading.HIGHER)
    assert math.isnan(graded[1])
    assert graded[2] == 3.5


def test_neutral_indicators_have_no_grade_and_are_left_out_of_the_ranking():
    values = np.array([[1.0, 5.0], [2.0, 1.0], [3.0, 9.0]])
    outcome = grading.rank(
        values,
        ["a", "ctx"],
        [grading.HIGHER, grading.NEUTRAL],
        ["school", "context"],
        {"a": 1, "ctx": 1},
        {"school": 1, "context": 1},
        draws=20,
    )
    assert outcome.indicators == ["a"]
    assert outcome.coverage.tolist() == [1.0, 1.0, 1.0]


def _three_indicator_case():
    # Five municipalities, indicators a (school), b (school, lower better), c (health).
    values = np.array(
        [
            [10.0, 1.0, 5.0],
            [20.0, 2.0, np.nan],
            [30.0, 3.0, 7.0],
            [40.0, np.nan, np.nan],
            [50.0, 5.0, 9.0],
        ]
    )
    return grading.rank(
        values,
        ["a", "b", "c"],
        [grading.HIGHER, grading.LOWER, grading.HIGHER],
        ["school", "school", "health"],
        {"a": 1, "b": 1, "c": 2},
        {"school": 1, "health": 1},
        draws=200,
        seed=7,
    )


def test_coverage_rule_ranks_only_with_sixty_percent_of_the_weight():
    outcome = _three_indicator_case()
    # Effective weights: a 0.25, b 0.25, c 0.5.
    assert outcome.effective_weights == {"a": 0.25, "b": 0.25, "c": 0.5}
    assert outcome.coverage.tolist() == [1.0, 0.5, 1.0, 0.25, 1.0]
    assert outcome.ranked.tolist() == [True, False, True, False, True]
    assert outcome.rank[1] == 0 and outcome.rank[3] == 0
    assert outcome.missing[1] == ["c"] and outcome.missing[3] == ["b", "c"]
    assert sorted(outcome.rank[outcome.ranked].tolist()) == [1, 2, 3]


def test_exactly_sixty_percent_is_ranked():
    values = np.array([[1.0, 1.0, np.nan], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]])
    outcome = grading.rank(
        values, ["a", "b", "c"], [grading.HIGHER] * 3, ["s"] * 3, {"a": 3, "b": 3, "c": 4}, {"s": 1}, draws=10
    )
    assert outcome.coverage[0] == 0.6
    assert outcome.ranked[0]


def test_contributions_add_up_to_total_minus_average_and_name_lifting_and_lowering():
    outcome = _three_indicator_case()
    for i in range(5):
        if not math.isnan(outcome.total[i]):
            assert outcome.contributions[i].sum() == pytest_approx(outcome.total[i] - 3.5)
    codes = outcome.indicators
    best = 4  # highest a and c, worst b (lower is better)
    assert outcome.lifting[best] == ["c", "a"]  # largest contribution first
    assert outcome.lowering[best] == ["b"]
    for i in range(5):
        for code in outcome.lifting[i]:
            assert outcome.contributions[i, codes.index(code)] > 0
        for code in outcome.lowering[i]:
            assert outcome.contributions[i, codes.index(code)] < 0


def pytest_approx(x):
    import pytest

    return pytest.approx(x, abs=1e-9)


def test_sector_grade_and_total_are_weighted_means_of_available_grades():
    outcome = _three_indicator_case()
    a, b, c = (outcome.grades[:, k] for k in range(3))
    assert outcome.sector_grades["school"][0] == pytest_approx((a[0] + b[0]) / 2)
    assert outcome.sector_grades["school"][3] == pytest_approx(a[3])  # b missing: a alone
    assert outcome.total[0] == pytest_approx(((a[0] + b[0]) / 2 + c[0]) / 2)
    assert outcome.total[1] == pytest_approx((a[1] + b[1]) / 2)  # no health grade


def test_places_share_a_tie_and_skip():
    assert grading.places(np.array([3.0, 5.0, 5.0, 1.0])).tolist() == [[3, 1, 1, 4]]


def test_rank_interval_holds_the_place_and_is_reproducible_with_the_seed():
    first = _three_indicator_case()
    again = _three_indicator_case()
    for i in np.flatnonzero(first.ranked):
        assert first.rank_low[i] <= first.rank[i] <= first.rank_high[i]
    assert first.rank_low.tolist() == again.rank_low.tolist()
    assert first.rank_high.tolist() == again.rank_high.tolist()
    assert first.total.tobytes() == again.total.tobytes()


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=3, max_value=25),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=0, max_value=2**31),
)
def test_random_runs_keep_every_invariant(m, n, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(m, n))
    values[rng.random((m, n)) < 0.2] = np.nan
    sectors = [["a", "b"][j % 2] for j in range(n)]
    directions = [[grading.HIGHER, grading.LOWER][j % 2] for j in range(n)]
    codes = [f"i{j}" for j in range(n)]
    outcome = grading.rank(
        values,
        codes,
        directions,
        sectors,
        {c: 1 + j for j, c in enumerate(codes)},
        {"a": 2, "b": 1},
        draws=30,
        seed=seed,
    )
    graded = outcome.grades[~np.isnan(outcome.grades)]
    assert np.all((graded >= 1) & (graded <= 6))
    assert np.all(outcome.ranked == (outcome.coverage >= 0.6))
    ranked = outcome.ranked
    if ranked.any():
        assert outcome.rank[ranked].min() == 1
        assert np.all(outcome.rank_low[ranked] <= outcome.rank[ranked])
        assert np.all(outcome.rank[ranked] <= outcome.rank_high[ranked])
        assert outcome.rank_high[ranked].max() <= ranked.sum()
    assert np.all(outcome.rank[~ranked] == 0)
