"""A stand-in for ID-porten without the network: the discovery document in the cache, the token
request and the JWKS look-up (the network edge of ``IDPortenClient``) answered here with ID tokens
signed by a test RSA key. Everything else — state, nonce, PKCE, the ID token's checks, the session —
is the application's own code."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.urls import reverse

from servicetorg.citizens import assurance
from servicetorg.citizens.demo import KARI
from servicetorg.citizens.oidc import IDPortenClient

ISSUER = "https://idporten.test"
CLIENT_ID = "servicetorg-test"
CLIENT_SECRET = "test-client-secret-long-enough-for-hs256-0123456789"
KID = "test-key-1"
AUTHORIZE = f"{ISSUER}/authorize"
END_SESSION = f"{ISSUER}/endsession"
#: A claim left out of the ID token (``finish(..., iat=DROP)``).
DROP = object()


def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


_KEY = _rsa_key()


def pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass
class Started:
    """A sign-in sent to ID-porten: what the authorization request carried."""

    state: str
    nonce: str
    params: dict
    location: str


class IdP:
    """The test provider: ``start`` follows the log-in redirect, ``finish`` comes back to the callback
    with a code, having prepared the ID token the token request will return."""

    def __init__(self):
        self.key = _KEY
        self.id_token: str | None = None
        self.token_requests: list[dict] = []

    # The network edge, patched onto IDPortenClient.
    def get_token(self, client, payload):
        self.token_requests.append(dict(payload))
        return {"id_token": self.id_token, "access_token": "not-kept", "token_type": "Bearer"}

    def retrieve_matching_jwk(self, client, token):
        public = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(serialization.load_pem_public_key(public), as_dict=True)
        return jwt.PyJWK({**jwk, "kid": KID, "alg": "RS256", "use": "sig"})

    def claims(self, started: Started, **overrides) -> dict:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "pairwise-sub-" + uuid.uuid4().hex[:8],
            "sid": "sid-" + uuid.uuid4().hex,
            "iat": now,
            "exp": now + 120,
            "auth_time": now,
            "nonce": started.nonce,
            "acr": assurance.SUBSTANTIAL,
            "amr": ["MinID-PIN"],
            "pid": KARI,
            "locale": "nb",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not DROP}

    def sign(self, claims: dict, *, alg: str = "RS256", key=None, headers: dict | None = None) -> str:
        headers = {"kid": KID, **(headers or {})}
        if alg == "none":
            return jwt.encode(claims, None, algorithm="none", headers=headers)
        if alg.startswith("HS"):
            return jwt.encode(claims, key, algorithm=alg, headers=headers)
        return jwt.encode(claims, pem(key or self.key), algorithm=alg, headers=headers)

    def start(self, client, next: str = "/min-side/", level: str | None = None) -> Started:
        query = {"next": next}
        if level:
            query["level"] = level
        response = client.get(reverse("citizens:login"), query)
        assert response.status_code == 302, response
        location = response["Location"]
        assert location.startswith(AUTHORIZE + "?"), location
        params = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        return Started(state=params["state"], nonce=params["nonce"], params=params, location=location)

    def finish(
        self,
        client,
        started: Started | str,
        *,
        alg: str = "RS256",
        key=None,
        headers: dict | None = None,
        token: str | None = None,
        query: dict | None = None,
        **claims,
    ):
        """Come back to the callback for ``started`` (or a bare state), the token request answering
        with an ID token of the default claims plus ``claims`` (``DROP`` leaves one out)."""
        if isinstance(started, Started):
            state, nonce = started.state, started.nonce
        else:
            state, nonce = started, "no-nonce"
        if token is None:
            body = self.claims(Started(state, nonce, {}, ""), **claims)
            token = self.sign(body, alg=alg, key=key, headers=headers)
        self.id_token = token
        return client.get(
            reverse("citizens:callback"), query or {"code": "code-" + state[:8], "state": state}
        )

    def sign_in(
        self,
        client,
        *,
        pid: str = KARI,
        level: str = assurance.SUBSTANTIAL,
        next: str = "/min-side/",
        **claims,
    ):
        started = self.start(client, next=next, level=level)
        response = self.finish(client, started, pid=pid, acr=level, **claims)
        assert response.status_code == 302 and response["Location"] == next, response
        return response


@pytest.fixture
def portal(settings, municipality):
    """The portal answers for ``municipality`` (the tests' other municipality has the lower number)."""
    settings.PORTAL_MUNICIPALITY = municipality.number
    return municipality


@pytest.fixture
def idp(settings, monkeypatch, portal):
    settings.CITIZEN_OIDC_ISSUER = ISSUER
    settings.CITIZEN_OIDC_CLIENT_ID = CLIENT_ID
    settings.CITIZEN_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    cache.set(
        f"citizens:oidc-discovery:{ISSUER}",
        {
            "issuer": ISSUER,
            "authorization_endpoint": AUTHORIZE,
            "token_endpoint": f"{ISSUER}/token",
            "jwks_uri": f"{ISSUER}/jwks.json",
            "end_session_endpoint": END_SESSION,
        },
        3600,
    )
    provider = IdP()
    monkeypatch.setattr(IDPortenClient, "get_token", lambda self, payload: provider.get_token(self, payload))
    monkeypatch.setattr(
        IDPortenClient,
        "retrieve_matching_jwk",
        lambda self, token: provider.retrieve_matching_jwk(self, token),
    )
    return provider


@pytest.fixture
def other_key():
    return _rsa_key()
