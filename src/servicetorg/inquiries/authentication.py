"""``Authorization: Api-Key <key>`` for system-to-system intake (DRF authentication).

The key belongs to an :class:`~servicetorg.inquiries.models.ApiClient` with a service account; it is
stored as a sha256 hash (a random 256-bit key needs no slow password hash), so authenticating costs one
indexed query. The request then runs as the service account (its roles decide, as for any user), with
``request.auth`` the client: intake is further limited to the client's own municipality.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import selectors
from .models import ApiChannel

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
        client = selectors.api_client_for_key(key, channel=ApiChannel.REST)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        return client.user, client

    def authenticate_header(self, request):
        return KEYWORD


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
