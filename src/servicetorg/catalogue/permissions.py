"""Who may change what in the catalogue (object level)."""

from servicetorg.core.choices import CATALOGUE_EDITOR_ROLES, Role
from servicetorg.core.tenancy import has_role, memberships, municipality_ids

from .models import Service

MUNICIPALITY_WIDE_EDITORS = frozenset({Role.ADMINISTRATION, Role.ADMIN})


def editable_municipality_ids(user) -> set[int] | None:
    return municipality_ids(user, CATALOGUE_EDITOR_ROLES)


def can_edit_service(user, service: Service) -> bool:
    """Administration edits every service of its municipality; a unit leader those of her unit
    (a unit leader without a unit binding leads at municipality level)."""
    if has_role(user, service.municipality_id, MUNICIPALITY_WIDE_EDITORS):
        return True
    units = [
        u for m, u, role in memberships(user) if m == service.municipality_id and role == Role.UNIT_LEADER
    ]
    return None in units or (service.responsible_unit_id is not None and service.responsible_unit_id in units)
