"""The kommunetest's transition tables (core/workflow.py; the census finds them here).

A round: ``draft → running`` (started: protocol, weights and questions frozen, items created)
``→ review`` (testing closed; the coordinator approves or sends back items; it may be reopened)
``→ published`` (results public, the tested municipalities see their round).

An item: ``open → recorded`` (the tester recorded it; recording again corrects it) ``→ approved``
(the coordinator accepted it); a recorded or approved item may be sent back to ``open``.
"""

from django.utils.translation import gettext_lazy as _

from servicetorg.core.workflow import Workflow

from .models import Item, ItemState, Round, RoundState

START = "start"
CLOSE = "close"
REOPEN = "reopen"
PUBLISH = "publish"

ROUND_WORKFLOW = Workflow.declare(
    _("the test round"),
    model=Round,
    states=RoundState.choices,
    actions={
        START: _("Start the round"),
        CLOSE: _("Close the testing"),
        REOPEN: _("Reopen the testing"),
        PUBLISH: _("Publish the results"),
    },
    table={
        (RoundState.DRAFT, START): RoundState.RUNNING,
        (RoundState.RUNNING, CLOSE): RoundState.REVIEW,
        (RoundState.REVIEW, REOPEN): RoundState.RUNNING,
        (RoundState.REVIEW, PUBLISH): RoundState.PUBLISHED,
    },
)

RECORD = "record"
APPROVE = "approve"
SEND_BACK = "send_back"

ITEM_WORKFLOW = Workflow.declare(
    _("the test item"),
    model=Item,
    states=ItemState.choices,
    actions={RECORD: _("Record"), APPROVE: _("Approve"), SEND_BACK: _("Send back to the tester")},
    table={
        (ItemState.OPEN, RECORD): ItemState.RECORDED,
        (ItemState.RECORDED, RECORD): ItemState.RECORDED,
        (ItemState.RECORDED, APPROVE): ItemState.APPROVED,
        (ItemState.RECORDED, SEND_BACK): ItemState.OPEN,
        (ItemState.APPROVED, SEND_BACK): ItemState.OPEN,
    },
)
