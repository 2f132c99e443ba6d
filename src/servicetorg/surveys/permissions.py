"""Who may do what with surveys (on top of core.tenancy's municipality scoping)."""

from servicetorg.core.choices import Role

#: Roles that may build surveys, hand out codes, import answers and publish figures.
SURVEY_EDITOR_ROLES = frozenset({Role.UNIT_LEADER, Role.ADMINISTRATION, Role.ADMIN})
