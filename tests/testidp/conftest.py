import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from servicetorg.testidp import run_in_thread

FRONTCHANNEL_URI = "http://127.0.0.1:8000/min-side/frontchannel-logout/"
REDIRECT_URI = "http://127.0.0.1:8000/oidc/callback/"


@pytest.fixture(scope="module")
def idp():
    """The test identity provider on a free port (one per test module); yields the issuer."""
    with run_in_thread(frontchannel_logout_uri=FRONTCHANNEL_URI) as issuer:
        yield issuer


@pytest.fixture(scope="module")
def discovery(idp):
    response = requests.get(idp + "/.well-known/openid-configuration", timeout=10)
    response.raise_for_status()
    return response.json()


@dataclass
class Authorization:
    """One authorization request as a relying party sends it (code flow, nonce, state, PKCE)."""

    url: str
    client_id: str
    state: str
    nonce: str
    verifier: str

    def query(self, **extra):
        return {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile",
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest())
            .rstrip(b"=")
            .decode(),
            "code_challenge_method": "S256",
            **extra,
        }

    def get(self, **extra):
        return requests.get(self.url, params=self.query(**extra), timeout=10)

    def post(self, data, **extra):
        return requests.post(
            self.url, params=self.query(**extra), data=data, allow_redirects=False, timeout=10
        )


@pytest.fixture
def authorization(discovery):
    def start(client_id="servicetorg-dev"):
        return Authorization(
            url=discovery["authorization_endpoint"],
            client_id=client_id,
            state=secrets.token_urlsafe(8),
            nonce=secrets.token_urlsafe(8),
            verifier=secrets.token_urlsafe(48),
        )

    return start


def redirect_params(response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def checked_level(html: str) -> list[str]:
    return re.findall(r'name="level" value="([^"]+)" checked', html)
