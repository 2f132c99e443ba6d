"""The transition table of a user-choice scheme, in core's workflow helper.

``draft → adopted`` by the council's decision (``adopt``); an adopted scheme gets a new version
(``new_version``: a draft copy, the adopted one keeps its state until the copy is adopted);
``end`` is internal: adopting a version ends the one it replaces, never offered to a user.
"""

from django.utils.translation import gettext_lazy as _

from servicetorg.core.permissions import Perm
from servicetorg.core.workflow import Workflow

from .models import (
    Application,
    ApplicationState,
    Choice,
    ChoiceState,
    Decision,
    DecisionState,
    Scheme,
    SchemeState,
    Settlement,
    SettlementState,
    Visit,
    VisitState,
    WaitingEntry,
    WaitingState,
)

ADOPT = "adopt"
NEW_VERSION = "new_version"
END = "end"

SCHEME_TRANSITIONS: dict[tuple[str, str], str] = {
    (SchemeState.DRAFT, ADOPT): SchemeState.ADOPTED,
    (SchemeState.ADOPTED, NEW_VERSION): SchemeState.ADOPTED,
    (SchemeState.ADOPTED, END): SchemeState.ENDED,
}

ACTION_LABELS = {
    ADOPT: _("Record the council's adoption"),
    NEW_VERSION: _("New version"),
    END: _("End"),
}

#: The permission each action needs (the roles matrix, core.permissions); None: SYSTEM only.
ACTION_PERMS: dict[str, Perm | None] = {
    ADOPT: Perm.CHOICE_ADMINISTER,
    NEW_VERSION: Perm.CHOICE_ADMINISTER,
    END: None,  # internal: when the version that replaces it is adopted
}

SCHEME_WORKFLOW = Workflow.declare(
    _("the scheme"),
    model=Scheme,
    states=SchemeState.choices,
    actions=ACTION_LABELS,
    table=SCHEME_TRANSITIONS,
    internal={END},
)


# --- Applications (a provider's approval in a scheme) -------------------------------------------
APPROVE = "approve"
REJECT = "reject"
SUSPEND = "suspend"
REINSTATE = "reinstate"
WITHDRAW = "withdraw"

APPLICATION_TRANSITIONS: dict[tuple[str, str], str] = {
    (ApplicationState.SUBMITTED, APPROVE): ApplicationState.APPROVED,
    (ApplicationState.SUBMITTED, REJECT): ApplicationState.REJECTED,
    (ApplicationState.SUBMITTED, WITHDRAW): ApplicationState.WITHDRAWN,
    (ApplicationState.APPROVED, SUSPEND): ApplicationState.SUSPENDED,
    (ApplicationState.APPROVED, WITHDRAW): ApplicationState.WITHDRAWN,
    (ApplicationState.SUSPENDED, REINSTATE): ApplicationState.APPROVED,
    (ApplicationState.SUSPENDED, WITHDRAW): ApplicationState.WITHDRAWN,
}

APPLICATION_WORKFLOW = Workflow.declare(
    _("the application"),
    model=Application,
    states=ApplicationState.choices,
    actions={
        APPROVE: _("Approve"),
        REJECT: _("Reject"),
        SUSPEND: _("Suspend"),
        REINSTATE: _("Reinstate"),
        WITHDRAW: _("Withdraw the approval"),
    },
    table=APPLICATION_TRANSITIONS,
)

# --- Care decisions ---------------------------------------------------------------------------
REPLACE = "replace"
END_DECISION = "end_decision"

DECISION_TRANSITIONS: dict[tuple[str, str], str] = {
    (DecisionState.IN_FORCE, NEW_VERSION): DecisionState.IN_FORCE,
    (DecisionState.IN_FORCE, REPLACE): DecisionState.REPLACED,
    (DecisionState.IN_FORCE, END_DECISION): DecisionState.ENDED,
}

DECISION_WORKFLOW = Workflow.declare(
    _("the decision"),
    model=Decision,
    states=DecisionState.choices,
    actions={NEW_VERSION: _("New version"), REPLACE: _("Replace"), END_DECISION: _("End the decision")},
    table=DECISION_TRANSITIONS,
    internal={REPLACE},  # when the new version is made
)

# --- Choices of provider ------------------------------------------------------------------------
END_CHOICE = "end_choice"
CANCEL = "cancel"

CHOICE_TRANSITIONS: dict[tuple[str, str], str] = {
    (ChoiceState.CURRENT, END_CHOICE): ChoiceState.ENDED,
    (ChoiceState.CURRENT, CANCEL): ChoiceState.CANCELLED,
}

CHOICE_WORKFLOW = Workflow.declare(
    _("the choice"),
    model=Choice,
    states=ChoiceState.choices,
    actions={END_CHOICE: _("End"), CANCEL: _("Cancel")},
    table=CHOICE_TRANSITIONS,
    internal={END_CHOICE},  # by a switch, the decision's end or the provider's withdrawal
)

# --- Waiting lists ------------------------------------------------------------------------------
PLACE = "place"

WAITING_TRANSITIONS: dict[tuple[str, str], str] = {
    (WaitingState.WAITING, PLACE): WaitingState.PLACED,
    (WaitingState.WAITING, CANCEL): WaitingState.CANCELLED,
}

WAITING_WORKFLOW = Workflow.declare(
    _("the waiting-list entry"),
    model=WaitingEntry,
    states=WaitingState.choices,
    actions={PLACE: _("Place"), CANCEL: _("Cancel")},
    table=WAITING_TRANSITIONS,
    internal={PLACE},  # when a place becomes free
)

# --- Visits -------------------------------------------------------------------------------------
ATTEST = "attest"
DISPUTE = "dispute"
CORRECT = "correct"

VISIT_TRANSITIONS: dict[tuple[str, str], str] = {
    (VisitState.REGISTERED, ATTEST): VisitState.ATTESTED,
    (VisitState.REGISTERED, DISPUTE): VisitState.DISPUTED,
    (VisitState.REGISTERED, CANCEL): VisitState.CANCELLED,
    (VisitState.DISPUTED, CORRECT): VisitState.REGISTERED,
    (VisitState.DISPUTED, CANCEL): VisitState.CANCELLED,
}

VISIT_WORKFLOW = Workflow.declare(
    _("the visit"),
    model=Visit,
    states=VisitState.choices,
    actions={ATTEST: _("Attest"), DISPUTE: _("Dispute"), CORRECT: _("Correct"), CANCEL: _("Cancel")},
    table=VISIT_TRANSITIONS,
)

# --- Settlements --------------------------------------------------------------------------------
RECOMPUTE = "recompute"
APPROVE_SETTLEMENT = "approve_settlement"
PAY = "pay"

SETTLEMENT_TRANSITIONS: dict[tuple[str, str], str] = {
    (SettlementState.DRAFT, RECOMPUTE): SettlementState.DRAFT,
    (SettlementState.DRAFT, APPROVE_SETTLEMENT): SettlementState.APPROVED,
    (SettlementState.APPROVED, PAY): SettlementState.PAID,
}

SETTLEMENT_WORKFLOW = Workflow.declare(
    _("the settlement"),
    model=Settlement,
    states=SettlementState.choices,
    actions={RECOMPUTE: _("Compute again"), APPROVE_SETTLEMENT: _("Approve"), PAY: _("Mark as paid")},
    table=SETTLEMENT_TRANSITIONS,
)

# School choice's tables (rounds, applications, placements, appeals) live beside its models; importing
# them here lets core's registry find them.
from .schools import workflow as school_workflow  # noqa: E402, F401
