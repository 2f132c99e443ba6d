"""The inquiry state machine: an explicit table of (state, action) -> new state, in core's helper.

Anything not in the table is refused with ``TransitionRefused``. Tests walk every state x action pair.
"""

from django.utils.translation import gettext_lazy

from servicetorg.core.workflow import TransitionRefused, Workflow

from .models import OPEN_STATES, Compensation, CompensationState, Inquiry, State


class Action:
    RESOLVE_AT_DESK = "resolve_at_desk"
    ROUTE = "route"
    TAKE = "take"
    PRELIMINARY_REPLY = "preliminary_reply"
    ASK_CITIZEN = "ask_citizen"
    CITIZEN_MESSAGE = "citizen_message"
    REPLY = "reply"
    CLOSE = "close"
    REOPEN = "reopen"
    CHANGE_CONTACT_PERSON = "change_contact_person"


ACTION_LABELS = {
    Action.RESOLVE_AT_DESK: gettext_lazy("Resolve at the desk"),
    Action.ROUTE: gettext_lazy("Route to a unit"),
    Action.TAKE: gettext_lazy("Take the case"),
    Action.PRELIMINARY_REPLY: gettext_lazy("Send a preliminary reply"),
    Action.ASK_CITIZEN: gettext_lazy("Ask the citizen"),
    Action.CITIZEN_MESSAGE: gettext_lazy("Message from the citizen"),
    Action.REPLY: gettext_lazy("Reply"),
    Action.CLOSE: gettext_lazy("Close"),
    Action.REOPEN: gettext_lazy("Reopen"),
    Action.CHANGE_CONTACT_PERSON: gettext_lazy("Change the contact person"),
}

S = State
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.NEW, Action.RESOLVE_AT_DESK): S.CLOSED,
    (S.NEW, Action.ROUTE): S.ROUTED,
    (S.ROUTED, Action.ROUTE): S.ROUTED,
    (S.IN_PROGRESS, Action.ROUTE): S.ROUTED,
    (S.NEW, Action.TAKE): S.IN_PROGRESS,
    (S.ROUTED, Action.TAKE): S.IN_PROGRESS,
    (S.NEW, Action.PRELIMINARY_REPLY): S.NEW,
    (S.ROUTED, Action.PRELIMINARY_REPLY): S.ROUTED,
    (S.IN_PROGRESS, Action.PRELIMINARY_REPLY): S.IN_PROGRESS,
    (S.IN_PROGRESS, Action.ASK_CITIZEN): S.WAITING,
    (S.NEW, Action.CITIZEN_MESSAGE): S.NEW,
    (S.ROUTED, Action.CITIZEN_MESSAGE): S.ROUTED,
    (S.IN_PROGRESS, Action.CITIZEN_MESSAGE): S.IN_PROGRESS,
    (S.WAITING, Action.CITIZEN_MESSAGE): S.IN_PROGRESS,
    (S.REPLIED, Action.CITIZEN_MESSAGE): S.IN_PROGRESS,
    (S.NEW, Action.REPLY): S.REPLIED,
    (S.ROUTED, Action.REPLY): S.REPLIED,
    (S.IN_PROGRESS, Action.REPLY): S.REPLIED,
    (S.WAITING, Action.REPLY): S.REPLIED,
    (S.REPLIED, Action.CLOSE): S.CLOSED,
    (S.REPLIED, Action.REOPEN): S.IN_PROGRESS,
    (S.CLOSED, Action.REOPEN): S.IN_PROGRESS,
    # One contact person owns the case to the end: the owner can change while the case is open.
    **{(state, Action.CHANGE_CONTACT_PERSON): state for state in OPEN_STATES},
}

WORKFLOW = Workflow.declare(
    gettext_lazy("the inquiry"), model=Inquiry, states=State.choices, actions=ACTION_LABELS, table=TRANSITIONS
)

ALL_ACTIONS = tuple(ACTION_LABELS)

PAY = "pay"
REJECT = "reject"

#: A compensation under a guarantee is settled once by the administration: paid or rejected.
COMPENSATION_WORKFLOW = Workflow.declare(
    gettext_lazy("the compensation"),
    model=Compensation,
    states=CompensationState.choices,
    actions={PAY: gettext_lazy("Pay"), REJECT: gettext_lazy("Reject")},
    table={
        (CompensationState.OPEN, PAY): CompensationState.PAID,
        (CompensationState.OPEN, REJECT): CompensationState.REJECTED,
    },
)


__all__ = [
    "ACTION_LABELS",
    "ALL_ACTIONS",
    "COMPENSATION_WORKFLOW",
    "TRANSITIONS",
    "WORKFLOW",
    "Action",
    "TransitionRefused",
]


def allowed_actions(state: str) -> list[str]:
    return WORKFLOW.actions_from(state)
