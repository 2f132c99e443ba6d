"""The relying party of ID-porten for citizens (OpenID Connect authorization code flow with PKCE).

mozilla-django-oidc does the protocol's moving parts: ``state``, ``nonce`` and the PKCE verifier in
the session (``add_state_and_verifier_and_nonce_to_session``), the token request and the JWKS look-up
(:class:`IDPortenClient`, a subclass of its backend used directly, not through Django's
``authenticate()``: citizens are not users and never become staff). What ID-porten's guide asks on
top is checked here: the ID token's signature (RS256 only, never ``alg: none``), ``iss`` and ``aud``
exactly, ``exp`` and ``iat`` (with a minute of leeway), the ``nonce`` of this sign-in, a known
``acr`` and a valid ``pid``.

The provider is configured from the environment: ``CITIZEN_OIDC_ISSUER`` (``https://idporten.no`` in
production, ``https://test.idporten.no`` for ID-porten's test environment, the local test provider
under ``make run``), ``CITIZEN_OIDC_CLIENT_ID`` and ``CITIZEN_OIDC_CLIENT_SECRET``; the endpoints come
from the issuer's discovery document (read once an hour).
"""

from __future__ import annotations

import dataclasses
import logging

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from stdnum.exceptions import ValidationError as StdnumError

from servicetorg.core.validators import check_national_id

from . import assurance

log = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600


class SignInRefused(Exception):
    """The provider's answer cannot be trusted or used; ``reason`` says why (for the log and tests)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str


def enabled() -> bool:
    return bool(settings.CITIZEN_OIDC_ISSUER and settings.CITIZEN_OIDC_CLIENT_ID)


def provider() -> Provider:
    """The configured provider with its endpoints (discovery document, cached)."""
    issuer = settings.CITIZEN_OIDC_ISSUER.rstrip("/")
    if not enabled():
        raise ImproperlyConfigured("Citizen sign-in needs CITIZEN_OIDC_ISSUER and CITIZEN_OIDC_CLIENT_ID.")
    key = f"citizens:oidc-discovery:{issuer}"
    meta = cache.get(key)
    if meta is None:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=settings.CITIZEN_OIDC_TIMEOUT
        )
        response.raise_for_status()
        meta = response.json()
        if str(meta.get("issuer", "")).rstrip("/") != issuer:
            raise SignInRefused("discovery document names another issuer")
        cache.set(key, meta, DISCOVERY_CACHE_SECONDS)
    return Provider(
        issuer=str(meta["issuer"]),
        client_id=settings.CITIZEN_OIDC_CLIENT_ID,
        client_secret=settings.CITIZEN_OIDC_CLIENT_SECRET,
        authorization_endpoint=meta["authorization_endpoint"],
        token_endpoint=meta["token_endpoint"],
        jwks_uri=meta["jwks_uri"],
        end_session_endpoint=meta.get("end_session_endpoint", ""),
    )


class IDPortenClient(OIDCAuthenticationBackend):
    """The library's token request and JWKS look-up with this provider's settings; the ID token is
    checked by :meth:`claims`. Not an authentication backend in ``AUTHENTICATION_BACKENDS``."""

    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, p: Provider):  # the library's __init__ reads the staff IdP's OIDC_* settings
        self.provider = p
        self.OIDC_OP_TOKEN_ENDPOINT = p.token_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = p.jwks_uri
        self.OIDC_RP_CLIENT_ID = p.client_id
        self.OIDC_RP_CLIENT_SECRET = p.client_secret
        self.UserModel = None

    @staticmethod
    def get_settings(attr, *args):
        own = {
            "OIDC_VERIFY_SSL": True,
            "OIDC_TIMEOUT": settings.CITIZEN_OIDC_TIMEOUT,
            "OIDC_PROXY": None,
            "OIDC_TOKEN_USE_BASIC_AUTH": True,  # ID-porten: client_secret_basic
            "OIDC_VERIFY_KID": True,
        }
        if attr in own:
            return own[attr]
        return args[0] if args else None

    def exchange(self, *, code: str, redirect_uri: str, code_verifier: str) -> str:
        """The ID token for ``code`` (the access token is not kept: Min side asks nothing else)."""
        token_info = self.get_token(
            {
                "client_id": self.provider.client_id,
                "client_secret": self.provider.client_secret,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )
        id_token = token_info.get("id_token")
        if not id_token or not isinstance(id_token, str):
            raise SignInRefused("no ID token in the token response")
        return id_token

    def claims(self, id_token: str, *, nonce: str) -> dict:
        """The ID token's claims once every check has passed; :class:`SignInRefused` otherwise."""
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise SignInRefused("ID token is not a JWT") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused(f"ID token algorithm {header.get('alg')!r} refused")
        try:
            key = self.retrieve_matching_jwk(id_token)
            payload = jwt.decode(
                id_token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.provider.client_id,
                issuer=self.provider.issuer,
                leeway=settings.CITIZEN_OIDC_LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except SuspiciousOperation as exc:
            raise SignInRefused("no matching signing key") from exc
        except jwt.PyJWTError as exc:
            raise SignInRefused(f"ID token refused: {type(exc).__name__}") from exc
        if not isinstance(nonce, str) or not nonce or payload.get("nonce") != nonce:
            raise SignInRefused("nonce does not match this sign-in")
        if not assurance.normalise(payload.get("acr")):
            raise SignInRefused("unknown level of assurance")
        try:
            payload["pid"] = check_national_id(str(payload.get("pid") or ""))
        except StdnumError as exc:
            raise SignInRefused("pid is not a valid national identity number") from exc
        return payload


def sign_in_claims(*, code: str, redirect_uri: str, code_verifier: str, nonce: str) -> dict:
    """Exchange the code and check the ID token: the claims, or :class:`SignInRefused`."""
    p = provider()
    client = IDPortenClient(p)
    try:
        id_token = client.exchange(code=code, redirect_uri=redirect_uri, code_verifier=code_verifier)
    except requests.RequestException as exc:
        raise SignInRefused(f"token request failed: {type(exc).__name__}") from exc
    try:
        return client.claims(id_token, nonce=nonce)
    except requests.RequestException as exc:
        raise SignInRefused(f"JWKS request failed: {type(exc).__name__}") from exc
