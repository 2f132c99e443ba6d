"""The demo: 4 focus areas, 12 goals, 3 years of values, a mix of statuses; idempotent."""

import pytest

from servicetorg.indicators import demo as indicators_demo
from servicetorg.indicators.models import ImportRun, IndicatorValue
from servicetorg.strategy import demo as strategy_demo
from servicetorg.strategy import selectors
from servicetorg.strategy.models import FollowUpReport, Goal, Strategy

pytestmark = pytest.mark.slow  # loads the demo


def test_demo_loads_once_with_a_mix_of_statuses(municipality):
    for _ in range(2):
        indicators_demo.load(municipality, seed=2026)
        strategy_demo.load(municipality, seed=2026)
    assert ImportRun.objects.count() == 1
    current = Strategy.objects.get(state="published")
    assert current.revision == 2
    assert Strategy.objects.get(revision=1).state == "superseded"
    assert current.focus_areas.count() == 4
    assert Goal.objects.filter(focus_area__strategy=current).count() == 12
    years = set(IndicatorValue.objects.filter(municipality=municipality).values_list("year", flat=True))
    assert {2024, 2025, 2026} <= years
    report = FollowUpReport.objects.get()
    assert report.state == "published"
    counts = selectors.report_figures(report, with_charts=False).counts
    assert counts["on_track"] >= 3 and counts["missed"] >= 2 and counts["at_risk"] >= 1
    changed = [
        t
        for g in Goal.objects.filter(focus_area__strategy=current)
        for link in g.goal_indicators.all()
        for t in link.targets.all()
        if t.changed
    ]
    assert len(changed) == 1 and changed[0].original_value == 32
