"""OpenID Connect log-in (ID-porten or the municipality's own IdP), switched on by OIDC_RP_CLIENT_ID.

Roles are not taken from the IdP: an administrator grants memberships. Users are matched on e-mail
(staff IdP) or created on first log-in with no role. ID-porten's ``pid`` (fødselsnummer) is not stored.
"""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend


class MunicipalOIDCBackend(OIDCAuthenticationBackend):
    def create_user(self, claims):
        user = super().create_user(claims)
        user.first_name = claims.get("given_name", "")[:150]
        user.last_name = claims.get("family_name", "")[:150]
        user.save(update_fields=["first_name", "last_name"])
        return user

    def update_user(self, user, claims):
        user.first_name = claims.get("given_name", user.first_name)[:150]
        user.last_name = claims.get("family_name", user.last_name)[:150]
        user.save(update_fields=["first_name", "last_name"])
        return user
