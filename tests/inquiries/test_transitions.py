"""Every (state, action) pair: allowed ones give the table's state, all others are refused."""

import pytest

from servicetorg.inquiries.models import State
from servicetorg.inquiries.workflow import (
    ALL_ACTIONS,
    TRANSITIONS,
    WORKFLOW,
    Action,
    TransitionRefused,
    allowed_actions,
)

next_state = WORKFLOW.next_state

EXPECTED_ALLOWED = {
    State.NEW: {
        Action.RESOLVE_AT_DESK,
        Action.ROUTE,
        Action.TAKE,
        Action.PRELIMINARY_REPLY,
        Action.CITIZEN_MESSAGE,
        Action.REPLY,
        Action.CHANGE_CONTACT_PERSON,
    },
    State.ROUTED: {
        Action.ROUTE,
        Action.TAKE,
        Action.PRELIMINARY_REPLY,
        Action.CITIZEN_MESSAGE,
        Action.REPLY,
        Action.CHANGE_CONTACT_PERSON,
    },
    State.IN_PROGRESS: {
        Action.ROUTE,
        Action.PRELIMINARY_REPLY,
        Action.ASK_CITIZEN,
        Action.CITIZEN_MESSAGE,
        Action.REPLY,
        Action.CHANGE_CONTACT_PERSON,
    },
    State.WAITING: {Action.CITIZEN_MESSAGE, Action.REPLY, Action.CHANGE_CONTACT_PERSON},
    State.REPLIED: {Action.CITIZEN_MESSAGE, Action.CLOSE, Action.REOPEN},
    State.CLOSED: {Action.REOPEN},
}

PAIRS = [(state, action) for state in State.values for action in ALL_ACTIONS]


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_every_pair(state, action):
    if action in EXPECTED_ALLOWED[state]:
        assert next_state(state, action) == TRANSITIONS[(state, action)]
    else:
        with pytest.raises(TransitionRefused) as err:
            next_state(state, action)
        assert err.value.code == "transition_refused"


def test_table_matches_expectation():
    for state in State.values:
        assert set(allowed_actions(state)) == EXPECTED_ALLOWED[state]


def test_targets():
    assert next_state(State.NEW, Action.RESOLVE_AT_DESK) == State.CLOSED
    assert next_state(State.WAITING, Action.CITIZEN_MESSAGE) == State.IN_PROGRESS
    assert next_state(State.REPLIED, Action.CITIZEN_MESSAGE) == State.IN_PROGRESS
    assert next_state(State.IN_PROGRESS, Action.REPLY) == State.REPLIED
    assert next_state(State.CLOSED, Action.REOPEN) == State.IN_PROGRESS
