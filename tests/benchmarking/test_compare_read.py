"""The compare part's fast read of many series answers exactly as ``series.read``."""

import pytest

from servicetorg.benchmarking import series
from servicetorg.benchmarking.compare import selectors
from servicetorg.indicators.models import Direction, MergeRule, Sector

from . import compare_world as w

pytestmark = pytest.mark.django_db

YEARS = range(2015, 2025)


@pytest.fixture
def indicators():
    w.register()
    folk = w.indicator("folk", direction=Direction.NEUTRAL, sector=Sector.CONTEXT, rule=MergeRule.SUM)
    barn = w.indicator("barn", direction=Direction.NEUTRAL, sector=Sector.CONTEXT, rule=MergeRule.SUM)
    andel = w.indicator("andel", rule=MergeRule.RATIO)
    andel.numerator, andel.denominator, andel.scale = barn, folk, 100
    andel.save()
    poeng = w.indicator("poeng", rule=MergeRule.APART)
    codes = [
        "0104",
        "0136",
        "3002",
        "3103",
        "0712",
        "3805",
        "3909",
        "1507",
        "1508",
        "1580",
        "3901",
        "3804",
        "3907",
    ]
    for i, code in enumerate(codes):
        for year in YEARS:
            w.value(folk, code, year, 1000.0 + i * 10 + year)
            if (i + year) % 4:
                w.value(barn, code, year, 100.0 + i)
            w.value(andel, code, year, 10.0 + i / 10)
            if (i + year) % 5 == 0:
                w.value(poeng, code, year, symbol="..")
            elif (i + year) % 3:
                w.value(poeng, code, year, 40.0 + i / 10)
    return [folk, barn, andel, poeng]


def test_fast_read_equals_series_read(indicators, settings):
    codes = list(w.CURRENT)
    fast = selectors.read_many(indicators, codes, YEARS)
    for indicator in indicators:
        assert fast[indicator.pk] == series.read(indicator, codes, YEARS)
    settings.BENCHMARKING_FAST_READ = False
    assert selectors.read_many(indicators, codes, YEARS) == fast


def test_fast_read_with_many_codes_skips_the_region_filter(indicators, monkeypatch):
    monkeypatch.setattr(selectors, "REGION_FILTER_LIMIT", 0)
    codes = list(w.CURRENT)
    fast = selectors.read_many(indicators, codes, [2019, 2023, 2024])
    for indicator in indicators:
        assert fast[indicator.pk] == series.read(indicator, codes, [2019, 2023, 2024])


def test_fast_read_one_query_for_all_indicators(indicators, django_assert_num_queries):
    graph = selectors.graph()
    codes = ["3909", "3907", "3901", "1508"]  # no merger among them in these years
    graph.lineage("3909")
    with django_assert_num_queries(1):
        selectors.read_many(indicators, codes, YEARS, graph=graph)


def test_year_medians_are_numpy_s_median_of_the_year_s_municipalities(indicators):
    import numpy as np

    values = selectors.year_values(indicators, 2019)
    medians = selectors.year_medians(indicators, 2019)
    for indicator in indicators:
        numbers = values.get(indicator.pk, [])
        expected = (float(np.median(numbers)), len(numbers)) if numbers else (None, 0)
        assert medians[indicator.pk][1] == expected[1]
        assert medians[indicator.pk][0] == pytest.approx(expected[0])
    # the codes in force in 2019 with a figure: 0104, 0136 and 0712 (3002, 3805, 3804 … came in 2020)
    assert medians[indicators[0].pk][1] == 3
