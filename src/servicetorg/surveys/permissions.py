"""Who may do what with surveys: the roles matrix (core.permissions) applied to a survey.

A survey belongs to the unit it surveys, or to the unit responsible for the service it surveys; a
municipality-wide survey belongs to no unit. A unit leader bound to a unit builds, imports into,
publishes and exports only her unit's surveys; administration all of the municipality's. Every
staff role reads the published, disclosure-controlled figures; breakdowns by background questions
(crosstabs, comparisons, correlations) are for the editors of the survey.
"""

from django.core.exceptions import PermissionDenied

from servicetorg.core import permissions
from servicetorg.core.permissions import Perm

from .models import Survey


def survey_unit_id(survey: Survey) -> int | None:
    """The unit a survey belongs to (its own, else its service's responsible unit), or None."""
    if survey.unit_id is not None:
        return survey.unit_id
    service = survey.service  # None without a query when service_id is None
    return service.responsible_unit_id if service is not None else None


def can_edit(user, survey: Survey) -> bool:
    return permissions.can(user, Perm.SURVEY_EDIT, survey.municipality_id, survey_unit_id(survey))


def require_edit(user, survey: Survey) -> None:
    if not can_edit(user, survey):
        raise PermissionDenied


def can_break_down(user, survey: Survey) -> bool:
    return permissions.can(user, Perm.SURVEY_BREAKDOWN, survey.municipality_id, survey_unit_id(survey))


def require_break_down(user, survey: Survey) -> None:
    if not can_break_down(user, survey):
        raise PermissionDenied


def require_create(user, municipality_id: int, unit_id: int | None) -> None:
    """Creating (or retargeting) a survey for a unit, or for the whole municipality (unit None)."""
    permissions.require(user, Perm.SURVEY_EDIT, municipality_id, unit_id)
