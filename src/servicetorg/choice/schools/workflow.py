"""The transition tables of school choice, in core's workflow helper (imported by choice/workflow.py,
which core's registry discovers).

A round: ``draft → open`` (its rules published) ``→ closed`` (no more applications; the lottery
seed committed) ``→ allocated`` (the main run; it may be run again before publishing, with the same
seed and the same result unless applications were corrected) ``→ published`` (families see their
placement, answer, appeal; waiting-list re-runs) ``→ finished``.
"""

from django.utils.translation import gettext_lazy as _

from servicetorg.core.workflow import Workflow

from .models import (
    Appeal,
    AppealState,
    Placement,
    PlacementState,
    Round,
    RoundState,
    SchoolApplication,
    SchoolApplicationState,
)

OPEN = "open"
CLOSE = "close"
ALLOCATE = "allocate"
PUBLISH = "publish"
FINISH = "finish"

ROUND_WORKFLOW = Workflow.declare(
    _("the round"),
    model=Round,
    states=RoundState.choices,
    actions={
        OPEN: _("Open for applications"),
        CLOSE: _("Close and commit the lottery seed"),
        ALLOCATE: _("Run the allocation"),
        PUBLISH: _("Publish the placements"),
        FINISH: _("Finish the round"),
    },
    table={
        (RoundState.DRAFT, OPEN): RoundState.OPEN,
        (RoundState.OPEN, CLOSE): RoundState.CLOSED,
        (RoundState.CLOSED, ALLOCATE): RoundState.ALLOCATED,
        (RoundState.ALLOCATED, ALLOCATE): RoundState.ALLOCATED,
        (RoundState.ALLOCATED, PUBLISH): RoundState.PUBLISHED,
        (RoundState.PUBLISHED, FINISH): RoundState.FINISHED,
    },
)

WITHDRAW = "withdraw"

SCHOOL_APPLICATION_WORKFLOW = Workflow.declare(
    _("the application"),
    model=SchoolApplication,
    states=SchoolApplicationState.choices,
    actions={WITHDRAW: _("Withdraw the application")},
    table={(SchoolApplicationState.SUBMITTED, WITHDRAW): SchoolApplicationState.WITHDRAWN},
)

ACCEPT = "accept"
DECLINE = "decline"

PLACEMENT_WORKFLOW = Workflow.declare(
    _("the placement"),
    model=Placement,
    states=PlacementState.choices,
    actions={ACCEPT: _("Accept the seat"), DECLINE: _("Decline the seat")},
    table={
        (PlacementState.OFFERED, ACCEPT): PlacementState.ACCEPTED,
        (PlacementState.OFFERED, DECLINE): PlacementState.DECLINED,
        (PlacementState.ACCEPTED, DECLINE): PlacementState.DECLINED,
    },
)

UPHOLD = "uphold"
REJECT = "reject"

APPEAL_WORKFLOW = Workflow.declare(
    _("the appeal"),
    model=Appeal,
    states=AppealState.choices,
    actions={UPHOLD: _("Uphold"), REJECT: _("Do not uphold"), WITHDRAW: _("Withdraw the appeal")},
    table={
        (AppealState.RECEIVED, UPHOLD): AppealState.UPHELD,
        (AppealState.RECEIVED, REJECT): AppealState.REJECTED,
        (AppealState.RECEIVED, WITHDRAW): AppealState.WITHDRAWN,
    },
)
