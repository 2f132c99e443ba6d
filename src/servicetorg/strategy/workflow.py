"""Explicit transition tables of the strategy and the follow-up report.

``TRANSITIONS[(from_state, action)] = to_state``; anything not in the table is refused. Who may do
what is in ``ACTION_ROLES``. ``superseded`` is only reached when a newer revision is published.
"""

from django.utils.translation import gettext_lazy as _

from servicetorg.core.choices import Role

from .models import ReportState, StrategyState

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

#: Roles that draft the strategy and record the council's decisions.
EDITOR_ROLES = frozenset({Role.ADMINISTRATION, Role.ADMIN})
ACTION_ROLES = {
    START_CONSULTATION: EDITOR_ROLES,
    BACK_TO_DRAFT: EDITOR_ROLES,
    ADOPT: EDITOR_ROLES,
    PUBLISH: EDITOR_ROLES,
    SUPERSEDE: frozenset(),  # system only, when a newer revision is published
}


def next_state(table: dict, state: str, action: str) -> str | None:
    return table.get((state, action))


def available_actions(table: dict, state: str) -> list[str]:
    return [action for (source, action) in table if source == state and action != SUPERSEDE]
