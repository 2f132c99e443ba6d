"""Core's transition helper: the table decides, anything else is refused with one exception."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from servicetorg.core.workflow import TransitionRefused, Workflow

STATES = {"draft": "Draft", "live": "Live", "gone": "Gone"}
ACTIONS = {"go_live": "Go live", "remove": "Remove", "expire": "Expire"}


def make(**overrides):
    fields = {
        "states": STATES,
        "actions": ACTIONS,
        "table": {("draft", "go_live"): "live", ("live", "remove"): "gone", ("live", "expire"): "gone"},
        "internal": {"expire"},
    }
    fields.update(overrides)
    fields["internal"] = frozenset(fields["internal"])
    return Workflow(name="the thing", **fields)  # not declare(): no model, not in the registry


class Thing:
    state = "draft"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "“Go live” is not possible when the thing is “Gone”."),
        ("nb", "«Go live» er ikke mulig når the thing er «Gone»."),
    ],
)
def test_allowed_and_refused(language, message):
    flow = make()
    assert flow.next_state("draft", "go_live") == "live"
    with translation.override(language), pytest.raises(TransitionRefused) as refused:
        flow.next_state("gone", "go_live")
    assert isinstance(refused.value, ValidationError)
    assert refused.value.code == "transition_refused"
    assert refused.value.messages == [message]


def test_internal_actions_only_when_asked_for():
    flow = make()
    with pytest.raises(TransitionRefused):
        flow.next_state("live", "expire")
    assert flow.next_state("live", "expire", internal=True) == "gone"
    assert flow.actions_from("live") == ["remove"]


def test_apply_changes_only_an_allowed_state():
    flow = make()
    thing = Thing()
    assert flow.apply(thing, "go_live") == "live"
    assert thing.state == "live"
    with pytest.raises(TransitionRefused):
        flow.apply(thing, "go_live")
    assert thing.state == "live"


def test_pairs_cover_every_state_and_action():
    assert len(make().pairs()) == len(STATES) * len(ACTIONS)


@pytest.mark.parametrize(
    "table",
    [{("draft", "go_live"): "nowhere"}, {("limbo", "go_live"): "live"}, {("draft", "fly"): "live"}],
)
def test_a_table_with_unknown_states_or_actions_is_refused_at_import(table):
    with pytest.raises(ValueError):
        make(table=table, internal=())
