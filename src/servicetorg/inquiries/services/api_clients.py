"""API clients: a key for one channel (Open311, or the REST API as a service account)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from servicetorg.core import permissions as core_permissions
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm

from ..models import hash_token


def create_api_client(*, municipality: Municipality, name: str, user, service_account=None) -> tuple:
    """A new API client for the municipality; returns (client, key). The key is shown only once.

    Without a ``service_account`` the key serves Open311 only; with one (a user with a working role in
    the municipality) it serves the REST API only (``Authorization: Api-Key <key>``): one key, one
    channel.
    """
    import secrets

    from ..models import ApiChannel, ApiClient

    core_permissions.require(user, Perm.INQUIRY_ADMINISTER, municipality.pk)
    if service_account is not None and not core_permissions.can(
        service_account, Perm.INQUIRY_WORK, municipality.pk, unit_bound=False
    ):
        raise ValidationError({"user": _("The service account must work in this municipality.")})
    key = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        municipality=municipality,
        name=name,
        key_hash=hash_token(key),
        user=service_account,
        channel=ApiChannel.REST if service_account is not None else ApiChannel.OPEN311,
    )
    return client, key
