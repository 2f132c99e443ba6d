"""The follow-up figures: structure, statuses per year, measures done / not done, charts."""

import pytest

from servicetorg.core.permissions import SYSTEM
from servicetorg.strategy import selectors, services

from .conftest import build_strategy


def test_followup_figures(published_strategy, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        figures = selectors.build_followup(published_strategy, 2026, with_charts=False)
    (block,) = figures.areas
    assert [m.title for m in block.measures_done] == ["Felles innboks"]
    assert [m.title for m in block.measures_open] == ["Chat"]
    higher, lower = block.goals
    # higher is better: targets 60/70/80, values 62/69/85 → 2026 on track; 2025 at risk (69 vs 70)
    assert [c.status.code for c in higher.rows[0].cells[:3]] == ["on_track", "at_risk", "on_track"]
    assert higher.status.code == "on_track"
    # lower is better: targets 40/35/30, values 39/36/33 (baseline 45) → 2025 at risk (1 ≤ 1), 2026 missed
    assert [c.status.code for c in lower.rows[0].cells[:3]] == ["on_track", "at_risk", "missed"]
    assert lower.status.code == "missed"
    assert figures.counts == {"on_track": 1, "at_risk": 0, "missed": 1, "no_data": 0}
    # Years after the as-of year are not evaluated
    assert lower.rows[0].cells[3].status.code == "no_data"


def test_status_uses_latest_year_with_a_value(municipality):
    strategy = build_strategy(municipality, publish=True, values=False)
    figures = selectors.build_followup(strategy, 2026, with_charts=False)
    assert figures.counts["no_data"] == 2


@pytest.mark.parametrize("with_charts", [True])
def test_charts_are_svg(published_strategy, with_charts):
    figures = selectors.build_followup(published_strategy, 2025, with_charts=with_charts)
    chart = figures.areas[0].goals[0].rows[0].chart
    assert chart.startswith("data:image/svg+xml;base64,")
    import base64

    svg = base64.b64decode(chart.split(",", 1)[1]).decode()
    assert "<svg" in svg and "2024" in svg


def test_report_notes_shown(published_strategy):
    report = services.create_report(published_strategy, as_of_year=2025, user=SYSTEM)
    goal = published_strategy.focus_areas.get().goals.last()
    services.update_report(report, goal_notes={goal.pk: "Sen oppstart"}, user=SYSTEM)
    figures = selectors.report_figures(report, with_charts=False)
    assert figures.areas[0].goals[-1].note == "Sen oppstart"
