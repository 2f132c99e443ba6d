"""The test identity provider: oidc-provider-mock's Flask app, made to behave like ID-porten.

What the mock gives: discovery, JWKS, token and userinfo endpoints, authlib's authorization code
grant, RP-initiated logout. What this module changes, through the mock's Flask app and authlib's
extension points (the mock's modules are private, so the names used here are the ones to check when
``oidc-provider-mock`` is upgraded; tests/testidp fails if they move):

- the sign-in page (``authorization_form.html`` and the view) asks for a synthetic fødselsnummer
  and a level, and the ``sub`` is a pairwise pseudonym like ID-porten's;
- the authorization code grant keeps the sign-in's claims and PKCE values with the code, and the
  ID token and userinfo carry ``pid``, ``acr``, ``amr``, ``sid`` and ``locale``;
- PKCE (S256) is required and the verifier checked (authlib's ``CodeChallenge``);
- the issuer can be fixed, discovery lists ID-porten's extras, and Werkzeug's debugger is off;
- ``/frontchannel`` ends a sign-in everywhere through the relying party's front-channel logout URI.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import warnings
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import authlib.oauth2.rfc6749
import authlib.oidc.core
import flask
import jinja2
import werkzeug.debug
from authlib.deprecate import AuthlibDeprecationWarning

from servicetorg.core.synthetic_ids import synthetic_id_problem

from .people import DEMO_PEOPLE
from .texts import TEXTS, locale_of

# oidc-provider-mock imports modules authlib has deprecated (authlib.jose, its httpx client): its
# business, not a warning for every start of `make run` or the tests.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.flask_oauth2 import current_token
    from authlib.oauth2.rfc7636 import CodeChallenge
    from oidc_provider_mock import User
    from oidc_provider_mock import app as mock_app_factory
    from oidc_provider_mock._app import (  # the mock's internals (see the module docstring)
        AuthorizationCodeGrant as MockAuthorizationCodeGrant,
    )
    from oidc_provider_mock._app import (
        _validate_auth_request_client_params,
        authorization,
        require_oauth,
    )
    from oidc_provider_mock._storage import AuthorizationCode, storage

LEVEL_SUBSTANTIAL = "idporten-loa-substantial"
LEVEL_HIGH = "idporten-loa-high"
LEVELS = (LEVEL_SUBSTANTIAL, LEVEL_HIGH)
AMR = ["TestID"]
ALGORITHM = "RS256"
TOKEN_MAX_AGE = timedelta(hours=1)
MOCK = "oidc-provider-mock"  # the mock's blueprint: its endpoints are MOCK + ".<view>"
EXTENSION = "servicetorg.testidp"
OSLO = ZoneInfo("Europe/Oslo")
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class SignIn:
    """One sign-in this process issued a code for (listed on /frontchannel)."""

    at: datetime
    pid: str
    level: str
    sid: str
    client_id: str
    ended: bool = False

    @property
    def masked_pid(self) -> str:
        return self.pid[:6] + "*" * (len(self.pid) - 6)

    @property
    def local_time(self) -> str:
        return self.at.astimezone(OSLO).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class State:
    """What this app keeps beside the mock's storage, for the life of the process."""

    frontchannel_logout_uri: str
    demo_people: Sequence[tuple[str, str]]
    issuer: str = ""  # fixed by run_in_thread and the CLI; else the request's host URL
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    sign_ins: deque[SignIn] = field(default_factory=lambda: deque(maxlen=200))
    token_claims: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pairwise_sub(self, client_id: str, pid: str) -> str:
        """ID-porten's ``sub``: a pseudonym per person and client, stable for this process."""
        digest = hmac.new(self.secret, (client_id + pid).encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()

    def remember_token(self, access_token: str, claims: dict[str, Any]) -> None:
        with self.lock:
            self.token_claims[access_token] = claims
            while len(self.token_claims) > 1000:
                self.token_claims.popitem(last=False)


def set_issuer(app: flask.Flask, issuer: str) -> None:
    """Fix the issuer once the server's address is known (a port 0 server learns it when bound)."""
    app.extensions[EXTENSION].issuer = issuer.rstrip("/")


def state() -> State:
    return flask.current_app.extensions[EXTENSION]


def issuer() -> str:
    """The ``iss`` of ID tokens and discovery: one value for both."""
    return state().issuer or flask.request.host_url.rstrip("/")


# --- the authorization code grant: claims, auth_time and PKCE kept with the code -------------------


@dataclass(kw_only=True, frozen=True)
class SignInCode(AuthorizationCode):
    """The mock's authorization code with what ID-porten's ID token needs and PKCE's challenge."""

    claims: dict[str, Any]
    auth_time: int
    code_challenge: str | None
    code_challenge_method: str | None

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return self.claims["acr"]

    def get_amr(self) -> list[str]:
        return self.claims["amr"]


class SignInCodeGrant(MockAuthorizationCodeGrant):
    def save_authorization_code(self, code: str, request: object) -> None:
        assert isinstance(request, authlib.oauth2.rfc6749.OAuth2Request)
        assert isinstance(request.user, User)
        payload = request.payload
        assert payload is not None
        storage.store_authorization_code(
            SignInCode(
                code=code,
                user_id=request.user.sub,
                client_id=request.client.get_client_id(),
                redirect_uri=payload.redirect_uri,
                scope=payload.scope,
                nonce=payload.data.get("nonce"),
                claims=dict(request.user.claims),
                auth_time=int(time.time()),
                code_challenge=payload.data.get("code_challenge"),
                code_challenge_method=payload.data.get("code_challenge_method"),
            )
        )

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User | None:
        # This sign-in's claims, not those of the subject's latest sign-in.
        assert isinstance(authorization_code, SignInCode)
        return User(sub=authorization_code.user_id, claims=authorization_code.claims)

    def save_token(self, token: dict[str, Any]) -> None:
        super().save_token(token)
        user = self.request.user
        state().remember_token(token["access_token"], {**user.claims, "sub": user.sub})


class IdToken(authlib.oidc.core.OpenIDCode):
    """ID tokens signed with the mock's key (``kid`` in the header, as ID-porten's), carrying every
    claim of the sign-in whatever the scope."""

    def exists_nonce(self, nonce: str, request: object) -> bool:
        return storage.exists_nonce(nonce)

    def resolve_client_private_key(self, client: object) -> dict[str, Any]:
        return storage.jwk.as_dict(is_private=True)

    def get_client_algorithm(self, client: object) -> str:
        return ALGORITHM

    def get_encode_header(self, client: object) -> dict[str, str]:
        return {"alg": ALGORITHM, "kid": storage.jwk.as_dict()["kid"]}

    def get_client_claims(self, client: Any) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": issuer(), "aud": client.get_client_id(), "iat": now, "exp": now + 120}

    def generate_user_info(self, user: User, scope: str) -> dict[str, Any]:
        return {**user.claims, "sub": user.sub}


class RequiredS256(CodeChallenge):
    """PKCE as ID-porten asks for it: a S256 ``code_challenge`` on every authorization request, and
    the token request's ``code_verifier`` checked against it (authlib)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise authlib.oauth2.rfc6749.InvalidRequestError("Missing 'code_challenge' (PKCE, S256)")
        if data.get("code_challenge_method") != "S256":
            raise authlib.oauth2.rfc6749.InvalidRequestError("'code_challenge_method' must be S256")
        super().validate_code_challenge(grant, redirect_uri)


def _replace_code_grant(app: flask.Flask) -> None:
    """Swap the mock's registered authorization code grant for ours (authlib keeps grants in a list
    per endpoint; the mock registers its own in its blueprint's setup)."""
    with app.test_request_context("/"):
        app.preprocess_request()  # the mock's before_request puts its server in flask.g
        server = flask.g._authlib_authorization_server
    ours = (SignInCodeGrant, [IdToken(require_nonce=True), RequiredS256(required=True)])
    for grants in (server._authorization_grants, server._token_grants):
        grants[:] = [ours if cls is MockAuthorizationCodeGrant else (cls, ext) for cls, ext in grants]


# --- views ------------------------------------------------------------------------------------------


def _texts() -> tuple[str, dict[str, str]]:
    lang = locale_of(flask.request.values.get("ui_locales"))
    return lang, TEXTS[lang]


def _requested_level() -> str:
    first = (flask.request.args.get("acr_values") or "").split()[:1]
    return first[0] if first and first[0] in LEVELS else LEVEL_SUBSTANTIAL


def authorize() -> flask.typing.ResponseReturnValue:
    """The sign-in page (GET) and its answer (POST): a synthetic number and a level in, a code out."""
    grant, redirect_uri = _validate_auth_request_client_params(flask.request)
    client_id = grant.client.get_client_id()
    context: dict[str, Any] = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "demo_people": state().demo_people,
        "level": _requested_level(),
        "levels": LEVELS,
    }
    if flask.request.method == "GET":
        return flask.render_template("authorization_form.html", **context)

    form = flask.request.form
    if form.get("action") == "deny":
        error = authlib.oauth2.rfc6749.AccessDeniedError(
            redirect_uri=redirect_uri, state=flask.request.args.get("state")
        )
        return authorization.handle_response(*error())

    level = form.get("level") if form.get("level") in LEVELS else _requested_level()
    pid = "".join((form.get("demo_pid") or form.get("pid") or "").split())
    problem = synthetic_id_problem(pid)
    if problem is not None:
        context.update(level=level, pid=pid, error=f"error_{problem.value}")
        return flask.render_template("authorization_form.html", **context), HTTPStatus.BAD_REQUEST

    lang, _ = _texts()
    sid = secrets.token_urlsafe(24)
    claims = {"pid": pid, "acr": level, "amr": AMR, "sid": sid, "locale": lang}
    user = User(sub=state().pairwise_sub(client_id, pid), claims=claims)
    storage.store_user(user)  # userinfo falls back to the subject's latest sign-in
    try:
        response = grant.create_authorization_response(redirect_uri, user)
    except authlib.oauth2.OAuth2Error as error:
        return authorization.handle_error_response(grant.request, error)
    with state().lock:
        state().sign_ins.appendleft(
            SignIn(at=datetime.now(UTC), pid=pid, level=level, sid=sid, client_id=client_id)
        )
    return authorization.handle_response(*response)


def userinfo() -> flask.typing.ResponseReturnValue:
    """The claims of the sign-in the access token was issued for (ID-porten: pid, acr, sid, …)."""
    token = current_token
    claims = state().token_claims.get(token.token)
    if claims is None:
        user = token.get_user()
        claims = {**user.claims, "sub": user.sub}
    return flask.jsonify(claims)


def make_discovery_view(original: Any) -> Any:
    def openid_configuration() -> flask.typing.ResponseReturnValue:
        document = original().get_json()
        document.update(
            issuer=issuer(),
            grant_types_supported=["authorization_code"],
            subject_types_supported=["pairwise"],
            token_endpoint_auth_methods_supported=SignInCodeGrant.TOKEN_ENDPOINT_AUTH_METHODS,
            frontchannel_logout_supported=True,
            frontchannel_logout_session_supported=True,
            acr_values_supported=list(LEVELS),
            code_challenge_methods_supported=["S256"],
            ui_locales_supported=["nb", "nn", "en"],
            claims_supported=["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce"]
            + ["pid", "acr", "amr", "sid", "locale"],
        )
        return flask.jsonify(document)

    return openid_configuration


def _with_params(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit(parts._replace(query=query))


frontchannel = flask.Blueprint("testidp", __name__)


@frontchannel.get("/frontchannel")
def frontchannel_list() -> flask.typing.ResponseReturnValue:
    return flask.render_template("testidp_frontchannel.html", sign_ins=list(state().sign_ins))


@frontchannel.post("/frontchannel")
def frontchannel_logout() -> flask.typing.ResponseReturnValue:
    sid = flask.request.form.get("sid", "")
    with state().lock:
        sign_in = next((s for s in state().sign_ins if s.sid == sid), None)
        if sign_in is not None:
            sign_in.ended = True
    if sign_in is None:
        page = flask.render_template(
            "testidp_frontchannel.html", sign_ins=list(state().sign_ins), unknown=True
        )
        return page, HTTPStatus.NOT_FOUND
    uri = state().frontchannel_logout_uri
    iframe = _with_params(uri, {"iss": issuer(), "sid": sid}) if uri else ""
    return flask.render_template("testidp_frontchannel_done.html", sign_in=sign_in, iframe=iframe)


# --- the app ----------------------------------------------------------------------------------------


def make_app(
    *,
    frontchannel_logout_uri: str = "",
    demo_people: Sequence[tuple[str, str]] = DEMO_PEOPLE,
    issuer: str = "",
) -> flask.Flask:
    """The test identity provider as a Flask (WSGI) app.

    ``frontchannel_logout_uri``: the relying party's front-channel logout URI, which /frontchannel
    loads in a hidden iframe. ``issuer``: a fixed issuer (else each request's host URL).
    """
    app = mock_app_factory(
        require_nonce=True,
        issue_refresh_token=False,
        access_token_max_age=TOKEN_MAX_AGE,
    )
    # The mock turns on debug mode and Werkzeug's interactive debugger: off here.
    app.debug = False
    if isinstance(app.wsgi_app, werkzeug.debug.DebuggedApplication):
        app.wsgi_app = app.wsgi_app.app
    app.extensions[EXTENSION] = State(
        frontchannel_logout_uri=frontchannel_logout_uri,
        demo_people=tuple(demo_people),
        issuer=issuer.rstrip("/"),
    )
    # Our templates first (the mock's are the app's own folder, which outranks any blueprint's).
    app.jinja_loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(TEMPLATES), app.jinja_loader])

    @app.context_processor
    def texts() -> dict[str, Any]:
        lang, t = _texts()
        return {
            "lang": lang,
            "t": t,
            "level_labels": {LEVEL_SUBSTANTIAL: t["level_substantial"], LEVEL_HIGH: t["level_high"]},
        }

    _replace_code_grant(app)
    app.view_functions[f"{MOCK}.authorize"] = authorize
    app.view_functions[f"{MOCK}.userinfo"] = require_oauth()(userinfo)
    app.view_functions[f"{MOCK}.openid_config"] = make_discovery_view(
        app.view_functions[f"{MOCK}.openid_config"]
    )
    app.register_blueprint(frontchannel)
    return app
