"""A relying party's whole journey against the test identity provider, over HTTP (``requests``)."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from servicetorg.testidp import DEMO_PEOPLE, make_app

from .conftest import FRONTCHANNEL_URI, REDIRECT_URI, checked_level, redirect_params

KARI = DEMO_PEOPLE[0][1]
OLA = DEMO_PEOPLE[1][1]
REAL = "15108695088"  # right control digits, a real-form date: refused


def exchange(discovery, auth, code, verifier=None):
    return requests.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": auth.verifier if verifier is None else verifier,
        },
        auth=(auth.client_id, "any-secret"),
        timeout=10,
    )


def sign_in(discovery, auth, pid=KARI, level="idporten-loa-substantial", **extra):
    """Authorize with ``pid`` and exchange the code: the token response."""
    params = redirect_params(auth.post({"pid": pid, "level": level}, **extra))
    assert params["state"] == auth.state
    response = exchange(discovery, auth, params["code"])
    assert response.status_code == 200, response.text
    return response.json()


def verified_id_token(discovery, auth, id_token):
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(id_token)
    return jwt.decode(
        id_token, key, algorithms=["RS256"], audience=auth.client_id, issuer=discovery["issuer"]
    )


def test_discovery_is_id_porten_like(idp, discovery):
    assert discovery["issuer"] == idp
    assert discovery["authorization_endpoint"] == idp + "/oauth2/authorize"
    assert discovery["end_session_endpoint"] == idp + "/oauth2/end_session"
    assert discovery["frontchannel_logout_supported"] is True
    assert discovery["frontchannel_logout_session_supported"] is True
    assert discovery["acr_values_supported"] == ["idporten-loa-substantial", "idporten-loa-high"]
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["ui_locales_supported"] == ["nb", "nn", "en"]
    assert discovery["subject_types_supported"] == ["pairwise"]


def test_the_sign_in_page_is_ours_in_bokmal(authorization):
    page = authorization().get()
    assert page.status_code == 200
    assert '<html lang="nb">' in page.text
    assert "<title>TestID – testinnlogging (ikke ekte ID-porten)</title>" in page.text
    assert '<label for="pid">Fødselsnummer (syntetisk testnummer)</label>' in page.text
    assert re.search(
        r'<input type="text" id="pid" name="pid" inputmode="numeric" autocomplete="off"', page.text
    )
    assert ">Logg inn</button>" in page.text and ">Avbryt</button>" in page.text
    for name, pid in DEMO_PEOPLE:
        assert f'name="demo_pid" value="{pid}">Logg inn som {name}' in page.text
    assert "cdn." not in page.text and "<link" not in page.text  # no external assets


@pytest.mark.parametrize(
    ("ui_locales", "lang", "title"),
    [
        ("en", "en", "TestID – test sign-in (not the real ID-porten)"),
        ("nn nb", "nn", "TestID – testinnlogging (ikkje ekte ID-porten)"),
        ("se", "nb", "TestID – testinnlogging (ikke ekte ID-porten)"),
    ],
)
def test_the_sign_in_page_speaks_the_first_ui_locale(authorization, ui_locales, lang, title):
    page = authorization().get(ui_locales=ui_locales)
    assert f'<html lang="{lang}">' in page.text
    assert f"<title>{title}</title>" in page.text


def test_the_level_is_preselected_from_acr_values(authorization):
    assert checked_level(authorization().get().text) == ["idporten-loa-substantial"]
    high = authorization().get(acr_values="idporten-loa-high idporten-loa-substantial")
    assert checked_level(high.text) == ["idporten-loa-high"]
    assert checked_level(authorization().get(acr_values="Level4").text) == ["idporten-loa-substantial"]


def test_the_code_flow_gives_a_signed_id_token_with_id_portens_claims(discovery, authorization):
    auth = authorization()
    assert auth.get(acr_values="idporten-loa-high").status_code == 200
    tokens = sign_in(discovery, auth, level="idporten-loa-high", acr_values="idporten-loa-high")

    claims = verified_id_token(discovery, auth, tokens["id_token"])
    assert claims["iss"] == discovery["issuer"]
    assert claims["aud"] == auth.client_id
    assert claims["nonce"] == auth.nonce
    assert claims["pid"] == KARI
    assert claims["acr"] == "idporten-loa-high"
    assert claims["amr"] == ["TestID"]
    assert claims["locale"] == "nb"
    assert len(claims["sid"]) >= 20
    assert claims["sub"] != KARI and KARI not in claims["sub"]
    assert isinstance(claims["auth_time"], int) and claims["exp"] > claims["iat"]
    assert "refresh_token" not in tokens

    userinfo = requests.get(
        discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    ).json()
    assert {k: userinfo[k] for k in ("sub", "pid", "acr", "amr", "sid", "locale")} == {
        k: claims[k] for k in ("sub", "pid", "acr", "amr", "sid", "locale")
    }


def test_sub_is_pairwise_and_sid_new_for_every_sign_in(discovery, authorization):
    def claims_of(client_id, pid):
        auth = authorization(client_id)
        return verified_id_token(discovery, auth, sign_in(discovery, auth, pid=pid)["id_token"])

    first, again = claims_of("client-a", KARI), claims_of("client-a", KARI)
    assert first["sub"] == again["sub"]
    assert first["sid"] != again["sid"]
    assert claims_of("client-b", KARI)["sub"] != first["sub"]
    assert claims_of("client-a", OLA)["sub"] != first["sub"]


def test_a_demo_person_signs_in_at_the_chosen_level_in_english(discovery, authorization):
    auth = authorization()
    response = auth.post({"pid": "", "demo_pid": OLA, "level": "idporten-loa-high"}, ui_locales="en")
    code = redirect_params(response)["code"]
    claims = verified_id_token(discovery, auth, exchange(discovery, auth, code).json()["id_token"])
    assert (claims["pid"], claims["acr"], claims["locale"]) == (OLA, "idporten-loa-high", "en")


@pytest.mark.parametrize(
    ("pid", "message"),
    [
        (REAL, "Dette ser ut som et ekte fødselsnummer"),
        (KARI[:-1] + str((int(KARI[-1]) + 1) % 10), "Kontrollsifrene stemmer ikke"),
        ("1234", "Skriv fødselsnummeret med 11 siffer"),
    ],
)
def test_a_number_that_is_not_synthetic_is_refused_without_a_code(idp, authorization, pid, message):
    def sign_ins():
        return requests.get(idp + "/frontchannel", timeout=10).text.count('name="sid"')

    before = sign_ins()
    response = authorization().post({"pid": pid, "level": "idporten-loa-high"})
    assert response.status_code == 400
    assert "Location" not in response.headers and "code=" not in response.text
    assert f'<p class="error" id="pid-error">{message}' in response.text
    assert 'aria-invalid="true"' in response.text and 'aria-describedby="pid-hint pid-error"' in response.text
    assert f'value="{pid}"' in response.text
    assert checked_level(response.text) == ["idporten-loa-high"]  # her choice is kept
    assert sign_ins() == before


def test_cancel_sends_access_denied_with_state(authorization):
    auth = authorization()
    params = redirect_params(auth.post({"pid": "", "action": "deny"}))
    assert (params["error"], params["state"]) == ("access_denied", auth.state)
    assert "code" not in params


def test_pkce_a_wrong_verifier_is_refused(discovery, authorization):
    auth = authorization()
    code = redirect_params(auth.post({"pid": KARI}))["code"]
    wrong = exchange(discovery, auth, code, verifier="x" * 50)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert "id_token" not in wrong.json()


def test_pkce_a_missing_verifier_is_refused(discovery, authorization):
    auth = authorization()
    code = redirect_params(auth.post({"pid": KARI}))["code"]
    missing = requests.post(
        discovery["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(auth.client_id, "s"),
        timeout=10,
    )
    assert missing.status_code == 400 and "id_token" not in missing.json()


@pytest.mark.parametrize("method", [None, "plain"])
def test_pkce_an_authorization_request_without_an_s256_challenge_is_refused(authorization, method):
    auth = authorization()
    query = auth.query()
    if method is None:
        del query["code_challenge"], query["code_challenge_method"]
    else:
        query["code_challenge_method"] = method
    response = requests.get(auth.url, params=query, allow_redirects=False, timeout=10)
    params = redirect_params(response)
    assert (params["error"], params["state"]) == ("invalid_request", auth.state)
    assert "code" not in params


def test_a_code_is_used_once(discovery, authorization):
    auth = authorization()
    code = redirect_params(auth.post({"pid": KARI}))["code"]
    assert exchange(discovery, auth, code).status_code == 200
    assert exchange(discovery, auth, code).status_code == 400


def test_end_session_with_client_id_and_no_id_token_hint_redirects_with_state(discovery):
    after = "http://127.0.0.1:8000/min-side/logget-ut/"
    form = requests.get(
        discovery["end_session_endpoint"],
        params={"client_id": "servicetorg-dev", "post_logout_redirect_uri": after, "state": "s1"},
        timeout=10,
    )
    assert form.status_code == 200
    assert '<html lang="nb">' in form.text and ">Logg ut</button>" in form.text
    action = re.search(r'<form method="post" action="([^"]+)"', form.text).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]+)"', form.text))
    confirm = requests.post(
        urlsplit(discovery["issuer"])._replace(path=action).geturl(),
        data={k: html.unescape(v) for k, v in hidden.items()},
        allow_redirects=False,
        timeout=10,
    )
    assert confirm.status_code == 302
    assert confirm.headers["Location"] == after + "?state=s1"


def test_frontchannel_ends_a_sign_in_through_the_relying_partys_uri(idp, discovery, authorization):
    auth = authorization()
    sid = verified_id_token(discovery, auth, sign_in(discovery, auth, pid=OLA)["id_token"])["sid"]

    page = requests.get(idp + "/frontchannel", timeout=10)
    assert page.status_code == 200
    assert OLA[:6] + "*****" in page.text and OLA not in page.text
    assert f'<input type="hidden" name="sid" value="{sid}">' in page.text

    done = requests.post(idp + "/frontchannel", data={"sid": sid}, timeout=10)
    assert done.status_code == 200
    src = html.unescape(re.search(r'<iframe src="([^"]+)" hidden', done.text).group(1))
    assert src.startswith(FRONTCHANNEL_URI + "?")
    assert parse_qs(urlsplit(src).query) == {"iss": [idp], "sid": [sid]}

    after = requests.get(idp + "/frontchannel", timeout=10).text
    assert f'<input type="hidden" name="sid" value="{sid}">' not in after  # ended: no button

    unknown = requests.post(idp + "/frontchannel", data={"sid": "nope"}, timeout=10)
    assert unknown.status_code == 404 and "<iframe" not in unknown.text


def test_the_interactive_debugger_is_off():
    app = make_app()
    assert app.debug is False
    assert not any("Debugged" in type(layer).__name__ for layer in [app.wsgi_app])
    assert app.test_client().get("/no-such-page").status_code == 404
