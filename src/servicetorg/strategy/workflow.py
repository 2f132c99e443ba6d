"""Explicit transition tables of the strategy and the follow-up report, in core's workflow helper.

``TRANSITIONS[(from_state, action)] = to_state``; anything not in the table is refused with
``TransitionRefused``. Who may do what is in ``ACTION_PERMS``. ``superseded`` is only reached when a
newer revision is published: ``SUPERSEDE`` is an internal action, never offered to a user.
"""

from django.utils.translation import gettext_lazy as _

from servicetorg.core.permissions import Perm
from servicetorg.core.workflow import Workflow

from .models import (
    ConsultationComment,
    FollowUpReport,
    Measure,
    MeasureStatus,
    ModerationState,
    ReportState,
    Strategy,
    StrategyState,
)

START_CONSULTATION = "start_consultation"
BACK_TO_DRAFT = "back_to_draft"
ADOPT = "adopt"
PUBLISH = "publish"
SUPERSEDE = "supersede"

STRATEGY_TRANSITIONS: dict[tuple[str, str], str] = {
    (StrategyState.DRAFT, START_CONSULTATION): StrategyState.CONSULTATION,
    (StrategyState.CONSULTATION, BACK_TO_DRAFT): StrategyState.DRAFT,
    (StrategyState.CONSULTATION, ADOPT): StrategyState.ADOPTED,
    (StrategyState.ADOPTED, PUBLISH): StrategyState.PUBLISHED,
    (StrategyState.PUBLISHED, SUPERSEDE): StrategyState.SUPERSEDED,
    (StrategyState.ADOPTED, SUPERSEDE): StrategyState.SUPERSEDED,
}

REPORT_TRANSITIONS: dict[tuple[str, str], str] = {
    (ReportState.DRAFT, ADOPT): ReportState.ADOPTED,
    (ReportState.ADOPTED, PUBLISH): ReportState.PUBLISHED,
}

ACTION_LABELS = {
    START_CONSULTATION: _("Send out for consultation"),
    BACK_TO_DRAFT: _("End consultation, back to draft"),
    ADOPT: _("Record adoption by the council"),
    PUBLISH: _("Publish"),
    SUPERSEDE: _("Supersede"),
}

#: The permission each action needs (the roles matrix, core.permissions); None: SYSTEM only.
ACTION_PERMS: dict[str, Perm | None] = {
    START_CONSULTATION: Perm.STRATEGY_EDIT,
    BACK_TO_DRAFT: Perm.STRATEGY_EDIT,
    ADOPT: Perm.STRATEGY_EDIT,
    PUBLISH: Perm.STRATEGY_EDIT,
    SUPERSEDE: None,  # system only, when a newer revision is published
}


STRATEGY_WORKFLOW = Workflow.declare(
    _("the strategy"),
    model=Strategy,
    states=StrategyState.choices,
    actions=ACTION_LABELS,
    table=STRATEGY_TRANSITIONS,
    internal={SUPERSEDE},
)
REPORT_WORKFLOW = Workflow.declare(
    _("the report"),
    model=FollowUpReport,
    states=ReportState.choices,
    actions={a: ACTION_LABELS[a] for a in (ADOPT, PUBLISH)},
    table=REPORT_TRANSITIONS,
)


# --- progress of a measure, moderation of a comment ------------------------------------------------
# Both record a judgement that may be corrected: every state can reach every other (and itself, to
# change the completion date or the answer). The tables still say so in one place, and the services
# reach the field only through them.

PLAN = "plan"
START = "start"
COMPLETE = "complete"
CANCEL = "cancel"

#: The status a user records and the action that reaches it.
MEASURE_ACTION = {
    MeasureStatus.PLANNED: PLAN,
    MeasureStatus.IN_PROGRESS: START,
    MeasureStatus.DONE: COMPLETE,
    MeasureStatus.CANCELLED: CANCEL,
}
MEASURE_WORKFLOW = Workflow.declare(
    _("the measure"),
    model=Measure,
    field_name="status",
    states=MeasureStatus.choices,
    actions={PLAN: _("Planned"), START: _("In progress"), COMPLETE: _("Done"), CANCEL: _("Cancelled")},
    table={
        (source, action): target
        for source in MeasureStatus.values
        for target, action in MEASURE_ACTION.items()
    },
)

HOLD = "hold"
APPROVE = "approve"
REJECT = "reject"

#: The moderation decision and the action that reaches it.
MODERATION_ACTION = {
    ModerationState.PENDING: HOLD,
    ModerationState.APPROVED: APPROVE,
    ModerationState.REJECTED: REJECT,
}
MODERATION_WORKFLOW = Workflow.declare(
    _("the comment"),
    model=ConsultationComment,
    field_name="moderation",
    states=ModerationState.choices,
    actions={HOLD: _("Hold for moderation"), APPROVE: _("Publish"), REJECT: _("Do not publish")},
    table={
        (source, action): target
        for source in ModerationState.values
        for target, action in MODERATION_ACTION.items()
    },
)
