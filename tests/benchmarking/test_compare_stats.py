"""Peer statistics and the plain sentence (benchmarking/compare/stats.py)."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from servicetorg.benchmarking.compare import stats
from servicetorg.indicators.models import Direction


def test_symbols_are_left_out_never_zero():
    # None stands for a peer whose figure is a symbol (".", "..", ":") or missing.
    s = stats.peer_stats(5.0, [1.0, None, 3.0, None, 9.0])
    assert s.n == 3
    assert s.median == 3.0  # with the Nones as 0 it would be 1.0
    assert s.q1 == 2.0 and s.q3 == 6.0
    assert s.percentile == pytest.approx(100 * 2 / 3)


def test_nil_is_a_real_zero():
    s = stats.peer_stats(1.0, [0.0, 0.0, 2.0])
    assert s.n == 3 and s.median == 0.0


def test_no_value_or_too_few_peers():
    assert stats.peer_stats(None, [1.0, 2.0, 3.0]).verdict == "none"
    assert stats.peer_stats(4.0, [1.0, None, None]).verdict == "few"
    assert stats.peer_stats(4.0, []).verdict == "few"


def test_percentile_counts_ties_half():
    assert stats.peer_stats(2.0, [1.0, 2.0, 3.0, 4.0]).percentile == pytest.approx(37.5)


def test_decimals_and_margin():
    assert stats.decimals(12.3) == 1
    assert stats.decimals(12.0) == 0
    assert stats.decimals(0.125) == 3
    assert stats.decimals(1 / 3) == 3
    # half a unit of the last decimal when the peers hardly vary
    assert stats.margin(12.3, 10.0, 10.0) == pytest.approx(0.05)
    # a quarter of the interquartile range when that is larger
    assert stats.margin(12.3, 10.0, 14.0) == pytest.approx(1.0)


def test_within_the_margin_is_about_the_same():
    # peers 10..14: median 12, IQR 2 -> margin 0.5
    peers = [10.0, 11.0, 12.0, 13.0, 14.0]
    assert stats.peer_stats(12.5, peers).verdict == "same"
    assert stats.peer_stats(11.5, peers).verdict == "same"
    assert stats.peer_stats(12.6, peers).verdict == "higher"
    assert stats.peer_stats(11.4, peers).verdict == "lower"


def test_rounding_alone_is_never_a_difference():
    # all peers published as 40; 40.04 is not a published value but 40.0 vs 40 at 0 decimals is
    s = stats.peer_stats(40.0, [40.0, 40.0, 40.0, 40.0])
    assert s.verdict == "same"
    assert stats.peer_stats(41.0, [40.0, 40.0, 40.0, 40.0]).verdict == "higher"  # margin 0.5


@given(
    peers=st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=3, max_size=40),
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
def test_a_verdict_never_contradicts_the_margin(peers, value):
    s = stats.peer_stats(value, peers)
    assert 0 <= s.percentile <= 100
    if abs(value - s.median) <= s.margin:
        assert s.verdict == "same"
    else:
        assert s.verdict == ("higher" if value > s.median else "lower")


def _sentence(value, peers, direction):
    with translation.override("en"):
        return stats.sentence(stats.peer_stats(value, peers), name="Larvik", year=2024, direction=direction)


PEERS = [10.0, 11.0, 12.0, 13.0, 14.0]


def test_sentence_respects_direction():
    assert "which is better" in _sentence(20.0, PEERS, Direction.HIGHER_IS_BETTER)
    assert "which is worse" in _sentence(20.0, PEERS, Direction.LOWER_IS_BETTER)
    assert "which is better" in _sentence(5.0, PEERS, Direction.LOWER_IS_BETTER)
    assert "which is worse" in _sentence(5.0, PEERS, Direction.HIGHER_IS_BETTER)


def test_neutral_indicators_are_never_better_or_worse():
    for value in (5.0, 12.0, 20.0):
        text = _sentence(value, PEERS, Direction.NEUTRAL)
        assert "better:" not in text and "worse:" not in text
        assert "which is" not in text
    assert "higher than the group's median" in _sentence(20.0, PEERS, Direction.NEUTRAL)


def test_sentence_within_uncertainty_calls_nothing_better():
    text = _sentence(12.4, PEERS, Direction.HIGHER_IS_BETTER)
    assert "about the same" in text and "better" not in text


def test_sentence_with_too_few_and_none():
    assert "Too few" in _sentence(12.0, [1.0, None], Direction.HIGHER_IS_BETTER)
    assert "no figure" in _sentence(None, PEERS, Direction.HIGHER_IS_BETTER)
    assert "12" in _sentence(12.0, PEERS, Direction.HIGHER_IS_BETTER)


def test_sentence_in_bokmal_has_the_numbers():
    with translation.override("nb"):
        text = stats.sentence(stats.peer_stats(20.5, PEERS), name="Larvik", year=2024, direction="higher")
    assert "20,5" in text and "Larvik" in text
