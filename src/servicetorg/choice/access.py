"""Who reaches which rows of the choice app beyond the roles matrix.

The matrix (core.permissions) says a provider user holds ``choice.provide`` with the *own provider*
reach; this module says which providers that is (:class:`ProviderMember`), so that every page, upload
and API call of a provider is narrowed to its own users, orders, visits and statements.
"""

from servicetorg.core.permissions import Perm, can, is_system

from .models import Provider, ProviderMember


def provider_ids(user, municipality_id: int) -> set[int]:
    """The providers of ``municipality_id`` the user works for (holding ``choice.provide`` there)."""
    if not can(user, Perm.CHOICE_PROVIDE, municipality_id, unit_bound=False):
        return set()
    return set(
        ProviderMember.objects.filter(user_id=user.pk, provider__municipality_id=municipality_id).values_list(
            "provider_id", flat=True
        )
    )


def all_provider_ids(user) -> set[int]:
    """The providers the user works for, in any municipality where she holds ``choice.provide``."""
    if is_system(user) or not getattr(user, "is_authenticated", False):
        return set()
    members = ProviderMember.objects.filter(user_id=user.pk).values_list(
        "provider_id", "provider__municipality_id"
    )
    return {p for p, m in members if can(user, Perm.CHOICE_PROVIDE, m, unit_bound=False)}


def may_provide(user, provider: Provider) -> bool:
    """Does the user act for ``provider`` (its profile, users, visits, statements)?"""
    return provider.pk in provider_ids(user, provider.municipality_id)
