"""Every staff URL of the strategy refuses another municipality's staff (404, nothing changed)."""

import pytest
from django.urls import reverse

from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.strategy import services, workflow
from servicetorg.strategy.models import ConsultationComment, Goal, Strategy

from .conftest import build_strategy, soon


@pytest.fixture
def objects(municipality):
    strategy = build_strategy(municipality)
    strategy = services.transition(
        strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )
    comment = services.submit_comment(strategy, name="Kari", text="Hei", role="citizen", user=CITIZEN)
    goal = Goal.objects.filter(focus_area__strategy=strategy).first()
    link = goal.goal_indicators.get()
    area = strategy.focus_areas.get()
    measure = area.measures.first()
    return {"s": strategy.pk, "g": goal.pk, "l": link.pk, "a": area.pk, "m": measure.pk, "c": comment.pk}


URLS = [
    ("strategy:strategy-detail", ["s"]),
    ("strategy:strategy-edit", ["s"]),
    ("strategy:focus-area-add", ["s"]),
    ("strategy:goal-add", ["s"]),
    ("strategy:goal-indicator-add", ["s", "g"]),
    ("strategy:target-set", ["s", "l"]),
    ("strategy:instrument-add", ["s"]),
    ("strategy:status-add", ["s"]),
    ("strategy:measure-add", ["s"]),
    ("strategy:measure-progress", ["s", "m"]),
    ("strategy:strategy-transition", ["s"]),
    ("strategy:strategy-roll", ["s"]),
    ("strategy:comment-list", ["s"]),
    ("strategy:comment-moderate", ["s", "c"]),
    ("strategy:report-create", ["s"]),
]


#: Views that take POST only: a GET gets 405 from require_POST before any lookup.
POST_ONLY = {
    "strategy:focus-area-add",
    "strategy:goal-add",
    "strategy:instrument-add",
    "strategy:status-add",
    "strategy:measure-add",
    "strategy:measure-progress",
    "strategy:strategy-transition",
    "strategy:strategy-roll",
    "strategy:comment-moderate",
    "strategy:report-create",
}


@pytest.mark.parametrize(("name", "keys"), URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_municipality_gets_404(client, other_staff, objects, name, keys, method):
    client.force_login(other_staff)
    url = reverse(name, args=[objects[k] for k in keys])
    data = {
        "tr-action": "back_to_draft",
        "fa-title": "X",
        "pr-status": "done",
        f"c{objects['c']}-moderation": "approved",
    }
    response = getattr(client, method)(url, data)
    expected = 405 if method == "get" and name in POST_ONLY else 404
    assert response.status_code == expected, (url, response.status_code)
    strategy = Strategy.objects.get(pk=objects["s"])
    assert strategy.state == "consultation" and strategy.focus_areas.count() == 1
    assert ConsultationComment.objects.get().moderation == "pending"


@pytest.mark.parametrize(("kind", "key"), [("innsatsomrade", "a"), ("mal", "g"), ("tiltak", "m")])
def test_item_edit_of_other_municipality(client, other_staff, objects, kind, key):
    client.force_login(other_staff)
    url = reverse("strategy:item-edit", args=[objects["s"], kind, objects[key]])
    assert client.get(url).status_code == 404
    assert client.post(url, {"delete": "1"}).status_code == 404


def test_item_of_another_strategy_through_own_strategy(client, administration, objects, other_municipality):
    """A user cannot reach another strategy's goal by putting it under a strategy they may see."""
    foreign = build_strategy(other_municipality, start_year=2028)
    foreign_goal = Goal.objects.filter(focus_area__strategy=foreign).first()
    client.force_login(administration)
    url = reverse("strategy:item-edit", args=[objects["s"], "mal", foreign_goal.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"delete": "1"}).status_code == 404
    assert Goal.objects.filter(pk=foreign_goal.pk).exists()
