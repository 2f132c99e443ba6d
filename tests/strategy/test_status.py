"""The status rule: on track / at risk / missed / no data, both directions, changed targets."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from servicetorg.strategy.status import AT_RISK, MISSED, NO_DATA, ON_TRACK, evaluate

D = Decimal


def test_higher_is_better_meets_target():
    status = evaluate(actual=D(85), target=D(80), higher_is_better=True, baseline=D(60))
    assert status.code == ON_TRACK
    assert "85" in status.explanation and "80" in status.explanation


def test_higher_is_better_within_margin_is_at_risk():
    # baseline 60 → target 80: margin is 10 % of 20 = 2; 78.5 is 1.5 short.
    status = evaluate(actual=D("78.5"), target=D(80), higher_is_better=True, baseline=D(60))
    assert status.code == AT_RISK
    assert "1,5" in status.explanation or "1.5" in status.explanation


def test_higher_is_better_beyond_margin_is_missed():
    status = evaluate(actual=D(77), target=D(80), higher_is_better=True, baseline=D(60))
    assert status.code == MISSED


def test_lower_is_better_meets_target():
    assert evaluate(actual=D(28), target=D(30), higher_is_better=False, baseline=D(48)).code == ON_TRACK
    assert evaluate(actual=D(30), target=D(30), higher_is_better=False, baseline=D(48)).code == ON_TRACK


def test_lower_is_better_above_target():
    # baseline 48 → target 30: margin 1.8
    assert evaluate(actual=D("31.5"), target=D(30), higher_is_better=False, baseline=D(48)).code == AT_RISK
    assert evaluate(actual=D(33), target=D(30), higher_is_better=False, baseline=D(48)).code == MISSED


def test_same_numbers_opposite_directions():
    assert evaluate(actual=D(90), target=D(80), higher_is_better=True).code == ON_TRACK
    assert evaluate(actual=D(90), target=D(80), higher_is_better=False).code == MISSED


def test_without_baseline_margin_is_share_of_target():
    # 10 % of 80 = 8
    assert evaluate(actual=D(73), target=D(80), higher_is_better=True).code == AT_RISK
    assert evaluate(actual=D(71), target=D(80), higher_is_better=True).code == MISSED


def test_missing_value_is_no_data():
    status = evaluate(actual=None, target=D(80), higher_is_better=True, baseline=D(60))
    assert status.code == NO_DATA
    assert status.explanation


def test_missing_target_is_no_data():
    assert evaluate(actual=D(50), target=None, higher_is_better=True).code == NO_DATA


def test_changed_target_counts_and_is_explained():
    # Originally 80, revised to 75: 76 now meets it, and the explanation says the target changed.
    status = evaluate(
        actual=D(76), target=D(75), higher_is_better=True, baseline=D(60), original_target=D(80)
    )
    assert status.code == ON_TRACK
    assert "80" in status.explanation and "75" in status.explanation
    unchanged = evaluate(actual=D(76), target=D(80), higher_is_better=True, baseline=D(60))
    assert unchanged.code == MISSED


def test_explanation_is_translated(settings):
    from django.utils import translation

    with translation.override("nb"):
        status = evaluate(actual=D(85), target=D(80), higher_is_better=True)
    assert "målet" in status.explanation


numbers = st.decimals(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False, places=2)


@given(actual=numbers, target=numbers, baseline=st.one_of(st.none(), numbers), higher=st.booleans())
def test_on_track_exactly_when_target_met(actual, target, baseline, higher):
    status = evaluate(actual=actual, target=target, higher_is_better=higher, baseline=baseline)
    met = actual >= target if higher else actual <= target
    assert (status.code == ON_TRACK) == met
    assert status.code in {ON_TRACK, AT_RISK, MISSED}


@given(target=numbers, baseline=numbers, shortfall=st.decimals(min_value=0, max_value=500, places=2))
def test_worse_actual_never_improves_status(target, baseline, shortfall):
    order = {ON_TRACK: 0, AT_RISK: 1, MISSED: 2}
    a = evaluate(actual=target - shortfall, target=target, higher_is_better=True, baseline=baseline)
    b = evaluate(actual=target - shortfall - 1, target=target, higher_is_better=True, baseline=baseline)
    assert order[b.code] >= order[a.code]
