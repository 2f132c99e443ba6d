"""Who may change what in the catalogue (object level): the roles matrix's ``catalogue.edit``."""

from servicetorg.core.permissions import Perm, can, municipality_ids

from .models import Service


def editable_municipality_ids(user) -> set[int] | None:
    return municipality_ids(user, Perm.CATALOGUE_EDIT)


def can_edit_service(user, service: Service) -> bool:
    """Administration edits every service of its municipality; a unit leader those of her unit
    (a unit leader without a unit binding leads at municipality level)."""
    return can(user, Perm.CATALOGUE_EDIT, service.municipality_id, service.responsible_unit_id)
