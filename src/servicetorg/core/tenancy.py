"""Tenant scoping: the one place that decides which municipalities' data a user may see.

Every staff view and API endpoint gets its queryset through :func:`scope` (or the mixins below),
never through ad-hoc filters, and names a :class:`~servicetorg.core.permissions.Perm`: the roles
matrix (core.permissions) is the one vocabulary. A superuser sees every municipality; anyone else
sees those where they hold the permission. There are no role sets to pass.
"""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404
from rest_framework import permissions as drf_permissions

from . import permissions
from .permissions import Perm

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


def scope(queryset: QuerySet, user, perm: Perm, field: str = "municipality") -> QuerySet:
    """Limit ``queryset`` to rows whose ``field`` (a path to a Municipality) lies in a municipality
    where ``user`` holds ``perm`` (at any reach; the matrix in core.permissions decides who).

    The same word answers "may she open this" (:func:`get_scoped_or_404`, ``permissions.can``) and
    "which rows may she see" (this function; ``permissions.filter_q`` when rows are unit-bound).
    """
    allowed = permissions.municipality_ids(user, perm)
    if allowed is None:
        return queryset
    return queryset.filter(**{f"{field}__in": allowed})


def get_scoped_or_404(queryset: QuerySet, user, perm: Perm, field="municipality", **lookup):
    """One object in a municipality where the user holds ``perm``, else 404 (other tenants'
    objects do not exist for them)."""
    try:
        return scope(queryset, user, perm, field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


class TenantScopedMixin:
    """For class-based views: ``get_queryset`` scoped to the user's municipalities.

    Set ``scope_perm`` (read access) and optionally ``scope_field``.
    """

    scope_perm: Perm = Perm.STAFF_PAGES
    scope_field = "municipality"

    def get_queryset(self):
        return scope(super().get_queryset(), self.request.user, self.scope_perm, self.scope_field)


class HasStaffRole(drf_permissions.BasePermission):
    """DRF: the user holds the view's ``scope_perm`` (default: the staff pages) in at least one
    municipality (or is a superuser)."""

    message = "Du har ingen rolle i en kommune. / You have no role in any municipality."

    def has_permission(self, request, view):
        allowed = permissions.municipality_ids(request.user, getattr(view, "scope_perm", Perm.STAFF_PAGES))
        return allowed is None or bool(allowed)
