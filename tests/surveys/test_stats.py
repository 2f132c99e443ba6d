"""The statistics in stats.py checked against numpy/scipy, and seed 002's tables reproduced."""

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from servicetorg.surveys import stats

STAGES = [
    "Har allerede innført",
    "Holder på å innføre",
    "Planlegger å innføre",
    "Har ikke planer om å innføre",
]

# Seed 002, Tabell 2.1: counts per model (the frequencies in parentheses) and the printed percentages.
TABLE_2_1 = {
    "Serviceerklæringer": ([16, 37, 83, 117], [6, 15, 33, 46], 100),
    "Servicetorg": ([60, 26, 84, 86], [23, 10, 33, 34], 100),
    "Elektronisk servicenettverk": ([29, 39, 81, 104], [11, 15, 32, 41], 99),
    "Etisk prosess": ([18, 10, 23, 192], [7, 4, 9, 79], 99),
    "Balansert målstyring": ([18, 16, 33, 181], [7, 6, 13, 73], 99),
    "Prosessforbedringer/-ombygging (BPR)": ([23, 14, 30, 172], [10, 6, 13, 72], 101),
}


@pytest.mark.parametrize("model", list(TABLE_2_1))
def test_seed_002_table_2_1_reproduced(model):
    counts, printed, total = TABLE_2_1[model]
    table = stats.frequency_table(
        [(i, label, n, False) for i, (label, n) in enumerate(zip(STAGES, counts, strict=True))]
    )
    assert [int(r.percent) for r in table.rows] == printed
    assert table.valid == sum(counts)
    # The Sum row is the sum of the shown percentages: 99 and 101 are shown as computed.
    assert table.sum_percent == Decimal(total)


def test_seed_002_table_2_2_one_decimal_with_dont_know_apart():
    table = stats.frequency_table(
        [
            (1, "Svært aktiv", 26, False),
            (2, "Aktiv", 125, False),
            (3, "Noe aktiv", 88, False),
            (4, "Lite aktiv", 11, False),
            (9, "Vet ikke", 7, True),
        ],
        decimals=1,
    )
    assert [str(r.percent) for r in table.valid_rows] == ["10.4", "50.0", "35.2", "4.4"]
    assert table.valid == 250 and table.excluded == 7 and table.total == 257
    assert table.excluded_rows[0].percent is None
    assert table.sum_percent == Decimal("100.0")


def test_round_half_up_not_bankers():
    assert stats.round_half_up(2.5) == 3
    assert stats.round_half_up(0.125, 2) == Decimal("0.13")
    assert round(2.5) == 2  # what we avoid


def test_multiple_choice_base_can_exceed_100():
    table = stats.frequency_table([(1, "a", 8, False), (2, "b", 6, False)], base=10)
    assert [int(r.percent) for r in table.rows] == [80, 60]
    assert table.sum_percent == 140


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), min_size=2, max_size=300))
def test_summary_matches_numpy_and_scipy(values):
    x = np.array(values, dtype=float)
    s = stats.summary(len(x), float(x.sum()), float((x * x).sum()))
    assert s.mean == pytest.approx(x.mean())
    assert s.sd == pytest.approx(x.std(ddof=1), abs=1e-9)
    if x.std() > 0:
        low, high = sps.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
        assert s.ci_low == pytest.approx(low)
        assert s.ci_high == pytest.approx(high)


def test_summary_edge_cases():
    assert stats.summary(0, 0, 0).mean is None
    one = stats.summary(1, 4, 16)
    assert one.mean == 4 and one.sd is None and one.ci_low is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 6), st.integers(1, 6)), min_size=3, max_size=300).filter(
        lambda pairs: len({a for a, _ in pairs}) > 1 and len({b for _, b in pairs}) > 1
    )
)
def test_pearson_from_sums_matches_scipy(pairs):
    x = np.array([a for a, _ in pairs], dtype=float)
    y = np.array([b for _, b in pairs], dtype=float)
    c = stats.pearson_from_sums(len(x), x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum())
    expected = sps.pearsonr(x, y)
    assert c.r == pytest.approx(expected.statistic, abs=1e-9)
    if abs(expected.statistic) < 1 - 1e-9:
        assert c.p_value == pytest.approx(expected.pvalue, rel=1e-6, abs=1e-12)


def test_pearson_degenerate():
    assert stats.pearson_from_sums(2, 3, 3, 5, 5, 5).r is None
    constant = stats.pearson_from_sums(4, 8, 10, 16, 30, 20)
    assert constant.r is None


def test_share():
    assert stats.share({1: 2, 5: 3, 6: 5, 9: 10}, {5, 6}, {9}) == pytest.approx(80.0)
    assert stats.share({9: 3}, {5}, {9}) is None


def test_crosstab_percentages_and_chi2():
    counts = {(0, 0): 10, (1, 0): 30, (0, 1): 25, (1, 1): 15}
    table = stats.crosstab(["Fornøyd", "Misfornøyd"], ["Mann", "Kvinne", "Annet"], counts, threshold=5)
    assert table.column_labels == ["Mann", "Kvinne"]  # an empty group is left out, not suppressed
    assert table.suppressed == []
    assert table.cells == [[10, 25], [30, 15]]
    assert table.column_totals == [40, 40]
    assert [[int(p) for p in row] for row in table.column_percent] == [[25, 63], [75, 38]]
    assert table.column_sum_percent == [100, 101]
    chi2, p, _dof, _exp = sps.chi2_contingency([[10, 25], [30, 15]], correction=False)
    assert table.chi2 == pytest.approx(chi2)
    assert table.p_value == pytest.approx(p)
    assert not math.isnan(table.p_value)


def test_crosstab_small_group_cannot_be_derived_from_the_row_totals():
    """Three respondents in "Annet": hiding the column alone would let the published category
    totals (37 and 46) minus the shown cells give their answers (2 and 1); more is hidden."""
    counts = {(0, 0): 10, (1, 0): 30, (0, 1): 25, (1, 1): 15, (0, 2): 2, (1, 2): 1}
    row_totals = [37, 46]
    table = stats.crosstab(
        ["Fornøyd", "Misfornøyd"], ["Mann", "Kvinne", "Annet"], counts, threshold=5, row_totals=row_totals
    )
    assert "Annet" in table.suppressed and "Annet" not in table.column_labels
    for row, total in zip(table.cells, row_totals, strict=True):
        if all(cell is not None for cell in row):
            rest = total - sum(row)
            assert rest == 0 or rest >= 5


def test_p_values_below_one_in_a_thousand_read_p_below_0_001():
    """Issue 24 point 9: "p=0,000" is written "p < 0,001"."""
    from django.utils import translation

    from servicetorg.surveys.templatetags.survey_format import p_equals, p_value

    with translation.override("nb"):
        assert p_equals(0.0000004) == "p < 0,001"
        assert p_equals(0.0123) == "p = 0,012"
        assert p_value(None) == "–"
    with translation.override("en"):
        assert p_equals(1e-9) == "p < 0.001"
