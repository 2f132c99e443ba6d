"""``Authorization: Api-Key <key>`` for system-to-system intake (DRF authentication).

The key belongs to an :class:`~servicetorg.inquiries.models.ApiClient` with a service account; it is
stored as a sha256 hash (a random 256-bit key needs no slow password hash), so authenticating costs one
indexed query. The request then runs as the service account (its roles decide, as for any user), with
``request.auth`` the client: intake is further limited to the client's own municipality.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from servicetorg.core import tenancy
from servicetorg.core.db import prepared_cursor
from servicetorg.core.models import Membership

from . import deadlines
from .models import ApiClient, ChannelRule, hash_token

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the API key after “Api-Key ”."))
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from exc
        found = _client_and_account(hash_token(key))
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        return found

    def authenticate_header(self, request):
        return KEYWORD


@cache
def _user_converters(vendor: str):
    """Per user column: the backend's and the field's converters (as the ORM applies them)."""
    out = []
    for field in get_user_model()._meta.concrete_fields:
        col = field.cached_col
        out.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


@cache
def _lookup_sql() -> tuple[str, list[str]]:
    """One statement: the client, its service account, the account's memberships and the channel
    rules of the client's municipality (LEFT JOINs: a row per membership and rule)."""
    q = connection.ops.quote_name
    user_model = get_user_model()
    user_fields = [f for f in user_model._meta.concrete_fields]
    columns = ", ".join(f"u.{q(f.column)}" for f in user_fields)
    sql = (
        f"SELECT c.{q('id')}, c.{q('municipality_id')}, c.{q('name')}, m.{q('municipality_id')}, "  # noqa: S608 (identifiers only)
        f"m.{q('unit_id')}, m.{q('role')}, r.{q('channel')}, r.{q('working_days')}, {columns} "
        f"FROM {q(ApiClient._meta.db_table)} c "
        f"JOIN {q(user_model._meta.db_table)} u ON u.{q(user_model._meta.pk.column)} = c.{q('user_id')} "
        f"LEFT JOIN {q(Membership._meta.db_table)} m ON m.{q('user_id')} = u.{q(user_model._meta.pk.column)} "
        f"LEFT JOIN {q(ChannelRule._meta.db_table)} r ON r.{q('municipality_id')} = c.{q('municipality_id')} "
        f"WHERE c.{q('key_hash')} = %s AND c.{q('active')} AND u.{q('is_active')}"
    )
    return sql, [f.attname for f in user_fields]


def _client_and_account(key_hash: str):
    """(service account, client) for an active client with an active account, else None.

    The account comes with its memberships (the tenancy cache is filled), so the permission checks
    of the request need no further query; the client comes with its municipality and that
    municipality's channel rules (as ``deadlines.municipality_with_rules`` reads them), so intake
    needs none for its deadline.
    """
    sql, user_attnames = _lookup_sql()
    with prepared_cursor() as cursor:
        cursor.execute(sql, [key_hash])
        rows = cursor.fetchall()
    if not rows:
        return None
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: each attribute of the proxy is a lookup
    first = rows[0]
    values = []
    for (col, converters), value in zip(_user_converters(db.vendor), first[8:], strict=True):
        for converter in converters:
            value = converter(value, col, db)
        values.append(value)
    user = get_user_model().from_db(db.alias, user_attnames, values)
    # (municipality_id, unit_id, role) triples, as core.tenancy.memberships() would read them.
    # dict.fromkeys: each membership once (the rules' join repeats them).
    tenancy.remember_memberships(user, dict.fromkeys((r[3], r[4], r[5]) for r in rows if r[3] is not None))
    client = ApiClient.from_db(
        db.alias,
        ["id", "municipality_id", "name", "user_id", "key_hash", "active"],
        [first[0], first[1], first[2], user.pk, key_hash, True],
    )
    client.user = user
    client.municipality = deadlines.municipality_of_rules(first[1], {(r[6], r[7]) for r in rows})
    return user, client


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "servicetorg.inquiries.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Api-Key <key> (an API client with a service account, issued in the admin).",
        }
