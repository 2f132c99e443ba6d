"""Series across reforms: renumbering joins, mergers by rule, splits break."""

import pytest
from django.utils import timezone, translation

from servicetorg.benchmarking import series
from servicetorg.benchmarking.models import OfficialValue
from servicetorg.benchmarking.registry import load_registry
from servicetorg.indicators.models import Indicator, MergeRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph():
    load_registry()
    return series.Graph.load()


def _indicator(code, rule=MergeRule.APART, **fields):
    return Indicator.objects.create(code=code, name=code, unit_of_measure="x", merge_rule=rule, **fields)


def _values(indicator, rows):
    now = timezone.now()
    OfficialValue.objects.bulk_create(
        OfficialValue(indicator=indicator, region_code=c, year=y, value=v, symbol=s, changed_at=now)
        for c, y, v, s in rows
    )


def test_larvik_is_one_series_through_its_numbers(graph):
    segments = series.lineage("3909", graph=graph)
    assert [(s.codes, s.first_year, s.last_year) for s in segments[:4]] == [
        (("3909",), 2024, None),
        (("3805",), 2020, 2023),
        (("0712",), 2018, 2019),
        (("0709", "0728"), 2017, 2017) if segments[3].first_year else (("0709", "0728"), None, 2017),
    ]
    assert segments[1].became == "renumbering" and segments[3].became == "merger"
    assert series.codes_for_year("3909", 2022, graph=graph) == ("3805",)
    assert series.codes_for_year("3909", 2017, graph=graph) == ("0709", "0728")
    assert series.current_code("0709", graph=graph) == "3909"
    assert series.current_code("3805", graph=graph) == "3909"
    assert series.current_code("3909", graph=graph) == "3909"


def test_alesund_split_is_a_break_and_old_code_has_no_current(graph):
    segments = series.lineage("1508", graph=graph)
    assert segments[-1].break_year == 2024
    assert "1507" in segments[-1].break_reason
    assert series.codes_for_year("1508", 2023, graph=graph) == ()
    assert series.codes_for_year("1580", 2022, graph=graph) == ()
    assert series.current_code("1507", graph=graph) is None


def test_read_joins_renumbering_and_says_which_code_fed_each_point(graph):
    share = _indicator("share")
    _values(
        share,
        [
            ("0712", 2019, 80.0, ""),
            ("3805", 2022, 81.5, ""),
            ("3805", 2023, None, ".."),
            ("3909", 2024, 83.0, ""),
        ],
    )
    points = series.read(share, ["3909"], range(2019, 2025), graph=graph)["3909"]
    assert [(p.year, p.value, p.fed_by, p.kind) for p in points] == [
        (2019, 80.0, ("0712",), "value"),
        (2020, None, ("3805",), "none"),
        (2021, None, ("3805",), "none"),
        (2022, 81.5, ("3805",), "value"),
        (2023, None, ("3805",), "symbol"),  # SSB's ".." is no number, never 0
        (2024, 83.0, ("3909",), "value"),
    ]
    assert points[3].symbol == "" and points[4].symbol == ".."


def test_merger_sums_additive_recomputes_ratios_and_shows_others_apart(graph):
    # Moss 3103 (2024) <- 3002 (2020-2023) <- 0104 Moss + 0136 Rygge (2019).
    count = _indicator("children", MergeRule.SUM)
    num = _indicator("num", MergeRule.SUM)
    den = _indicator("den", MergeRule.SUM)
    ratio = _indicator("ratio", MergeRule.RATIO, numerator=num, denominator=den, scale=100)
    apart = _indicator("apart")
    _values(count, [("0104", 2019, 100, ""), ("0136", 2019, 50, "")])
    _values(num, [("0104", 2019, 30, ""), ("0136", 2019, 10, "")])
    _values(den, [("0104", 2019, 60, ""), ("0136", 2019, 40, "")])
    _values(ratio, [("0104", 2019, 50.0, ""), ("0136", 2019, 25.0, "")])
    _values(apart, [("0104", 2019, 7.0, ""), ("0136", 2019, 9.0, "")])
    with translation.override("en"):
        summed = series.read(count, ["3103"], [2019], graph=graph)["3103"][0]
        recomputed = series.read(ratio, ["3103"], [2019], graph=graph)["3103"][0]
        shown_apart = series.read(apart, ["3103"], [2019], graph=graph)["3103"][0]
    assert summed.value == 150 and summed.fed_by == ("0104", "0136") and "summed" in summed.note
    assert recomputed.value == pytest.approx(40.0)  # (30 + 10) / (60 + 40) x 100, not the mean 37.5
    assert shown_apart.value is None and shown_apart.kind == "apart"
    assert shown_apart.parts == (("0104", 7.0, ""), ("0136", 9.0, ""))


def test_a_missing_predecessor_is_not_summed_as_zero(graph):
    count = _indicator("children", MergeRule.SUM)
    _values(count, [("0104", 2019, 100, ""), ("0136", 2019, None, ":")])
    point = series.read(count, ["3103"], [2019], graph=graph)["3103"][0]
    assert point.value is None and point.kind == "apart"


def test_a_merger_with_part_of_a_split_municipality_breaks(graph):
    # Tønsberg (3905 since 2024, 3803 2020-2023) is 0704 Tønsberg + 0716 Re (2019 and before);
    # 0704 took in part of Stokke 0720 in 2017 and the rest went to Sandefjord: a break at 2017.
    segments = series.lineage("3905", graph=graph)
    assert [s.codes for s in segments] == [("3905",), ("3803",), ("0704", "0716")]
    assert segments[-1].break_year == 2017 and "0720" in segments[-1].break_reason
    assert series.codes_for_year("3905", 2016, graph=graph) == ()
    assert series.codes_for_year("3905", 2018, graph=graph) == ("0704", "0716")
