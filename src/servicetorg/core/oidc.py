"""OpenID Connect log-in (ID-porten or the municipality's own IdP), switched on by OIDC_RP_CLIENT_ID.

Roles are not taken from the IdP: an administrator grants memberships. Users are matched on e-mail
(staff IdP) or created on first log-in with no role. ID-porten's ``pid`` (fødselsnummer) is not stored.
"""

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

#: Session key: the IdP asserted a second factor (acr/amr) at this log-in.
SESSION_IDP_MFA = "oidc_idp_mfa"


def asserts_mfa(claims: dict) -> bool:
    """Did the IdP assert more than one factor? ``acr`` among ``OIDC_MFA_ACR_VALUES`` or one of
    ``amr`` among ``OIDC_MFA_AMR_VALUES`` (review 2 §2.9: log-ins skipped MFA without checking)."""
    acr = str(claims.get("acr") or "")
    amr = claims.get("amr") or []
    amr = [amr] if isinstance(amr, str) else [str(a) for a in amr if isinstance(a, str | int)]
    acr_ok = acr in getattr(settings, "OIDC_MFA_ACR_VALUES", ())
    return acr_ok or any(a in getattr(settings, "OIDC_MFA_AMR_VALUES", ()) for a in amr)


class MunicipalOIDCBackend(OIDCAuthenticationBackend):
    def get_or_create_user(self, access_token, id_token, payload):
        """Record in the session whether the ID token asserted a second factor; without it the staff
        pages ask for the TOTP code as after a password (core.security.mfa_satisfied)."""
        user = super().get_or_create_user(access_token, id_token, payload)
        request = getattr(self, "request", None)
        if user is not None and request is not None and hasattr(request, "session"):
            request.session[SESSION_IDP_MFA] = asserts_mfa(payload or {})
        return user

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
