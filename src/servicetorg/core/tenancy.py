"""Tenant scoping: the one place that decides which municipalities' data a user may see.

Every staff view and API endpoint gets its queryset through :func:`scope` (or the mixins below),
never through ad-hoc filters. A superuser sees every municipality; anyone else sees those where
they hold one of the requested roles.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import permissions

from .choices import STAFF_ROLES

_CACHE_ATTR = "_servicetorg_memberships"


def memberships(user) -> list[tuple[int, int | None, str]]:
    """(municipality_id, unit_id, role) triples of the user, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(user.memberships.values_list("municipality_id", "unit_id", "role"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def remember_memberships(user, triples: Iterable[tuple[int, int | None, str]]) -> None:
    """Give ``user`` memberships already read elsewhere (e.g. in the same query as its API key)."""
    setattr(user, _CACHE_ATTR, list(triples))


def forget_memberships(user) -> None:
    """Drop the per-object cache (after changing a user's memberships)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _all_powerful(user) -> bool:
    """A superuser, or the SYSTEM actor (core.permissions): every municipality."""
    if getattr(user, "is_system", False) is True:
        return True
    return getattr(user, "is_superuser", False) and user.is_active


def municipality_ids(user, roles: Iterable[str] = STAFF_ROLES) -> set[int] | None:
    """Ids of the municipalities where ``user`` holds one of ``roles``; ``None`` means all (superuser)."""
    if _all_powerful(user):
        return None
    wanted = set(roles)
    return {m for m, _unit, role in memberships(user) if role in wanted}


def unit_ids(user, roles: Iterable[str] = STAFF_ROLES) -> set[int] | None:
    """Ids of the units where ``user`` holds one of ``roles`` (unit-bound memberships only)."""
    if _all_powerful(user):
        return None
    wanted = set(roles)
    return {u for _m, u, role in memberships(user) if role in wanted and u is not None}


def has_role(user, municipality_id: int, roles: Iterable[str] = STAFF_ROLES) -> bool:
    allowed = municipality_ids(user, roles)
    return allowed is None or municipality_id in allowed


def require_role(user, municipality_id: int, roles: Iterable[str] = STAFF_ROLES) -> None:
    """Raise 403 unless ``user`` holds one of ``roles`` in the municipality."""
    if not has_role(user, municipality_id, roles):
        raise PermissionDenied


def scope(
    queryset: QuerySet, user, roles: Iterable[str] = STAFF_ROLES, field: str = "municipality"
) -> QuerySet:
    """Limit ``queryset`` to rows whose ``field`` (a path to a Municipality) the user may see."""
    allowed = municipality_ids(user, roles)
    if allowed is None:
        return queryset
    return queryset.filter(**{f"{field}__in": allowed})


def get_scoped_or_404(
    queryset: QuerySet, user, roles: Iterable[str] = STAFF_ROLES, field="municipality", **lookup
):
    """One object the user may see, else 404 (other tenants' objects do not exist for them)."""
    try:
        return scope(queryset, user, roles, field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


class TenantScopedMixin:
    """For class-based views: ``get_queryset`` scoped to the user's municipalities.

    Set ``scope_roles`` (read access) and optionally ``scope_field``.
    """

    scope_roles: Iterable[str] = STAFF_ROLES
    scope_field = "municipality"

    def get_queryset(self):
        return scope(super().get_queryset(), self.request.user, self.scope_roles, self.scope_field)


class HasStaffRole(permissions.BasePermission):
    """DRF: the user works in at least one municipality (or is a superuser)."""

    message = "Du har ingen rolle i en kommune. / You have no role in any municipality."

    def has_permission(self, request, view):
        allowed = municipality_ids(request.user, getattr(view, "scope_roles", STAFF_ROLES))
        return allowed is None or bool(allowed)
