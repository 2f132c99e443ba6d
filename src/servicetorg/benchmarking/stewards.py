"""Who keeps the installation's national data: the official statistics (imports and their removal)
and the KOSTRA groupings.

Every municipality of the installation reads these figures and groups, so one municipality's
administration must not be able to change them for the others. They are kept by the platform's
operators (``SYSTEM`` — ``manage.py fetch_kostra`` and other commands — and superusers) and by the
administration (``benchmarking.edit`` in the roles matrix) of the municipalities the installation
names in ``NATIONAL_DATA_STEWARDS`` (numbers, e.g. the host of an inter-municipal installation, or
the one municipality of its own installation). Everyone else holding ``benchmarking.edit`` reads the
import and grouping pages and is told who keeps them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, check_actor, municipality_ids


def steward_numbers() -> frozenset[str]:
    return frozenset(settings.NATIONAL_DATA_STEWARDS)


def steward_municipalities(user) -> QuerySet:
    """The steward municipalities in whose name the user keeps national data, by name (an operator:
    every steward municipality; she may also act in no municipality's name)."""
    check_actor(user)
    allowed = municipality_ids(user, Perm.BENCHMARK_EDIT)
    found = Municipality.objects.filter(number__in=sorted(steward_numbers())).order_by("name", "pk")
    return found if allowed is None else found.filter(pk__in=sorted(allowed))


def is_operator(user) -> bool:
    """SYSTEM or a superuser: the reach of every municipality."""
    check_actor(user)
    return municipality_ids(user, Perm.BENCHMARK_EDIT) is None


def may_keep(user) -> bool:
    return is_operator(user) or steward_municipalities(user).exists()


def require(user, municipality: Municipality | None = None) -> None:
    """Raise PermissionDenied unless the user keeps national data — in ``municipality``'s name when
    one is given (a steward's administration), without one only as an operator."""
    if is_operator(user):
        return
    if municipality is None or not steward_municipalities(user).filter(pk=municipality.pk).exists():
        raise PermissionDenied


def keepers() -> list[str]:
    """The names of the steward municipalities (for the "who keeps this" notice)."""
    return list(
        Municipality.objects.filter(number__in=sorted(steward_numbers()))
        .order_by("name")
        .values_list("name", flat=True)
    )
