"""TestID's pages (servicetorg.testidp, the local test ID-porten) in Chromium: axe-core finds nothing and
nothing is wider than the viewport at 390 and 1280 px, and a sign-in walks through its POST."""

import base64
import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from servicetorg.testidp import DEMO_PEOPLE, run_in_thread

from .conftest import assert_accessible, assert_fits


@pytest.fixture(scope="module")
def idp():
    with run_in_thread(frontchannel_logout_uri="http://127.0.0.1:9/frontchannel-logout/") as issuer:
        yield issuer


@pytest.fixture(params=[390, 1280], ids=["phone", "desktop"])
def idp_page(request, browser):
    context = browser.new_context(viewport={"width": request.param, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def authorize_url(idp, **extra):
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"v" * 50).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": "browser",
        "redirect_uri": idp + "/",
        "scope": "openid",
        "state": "s",
        "nonce": "n",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    return f"{idp}/oauth2/authorize?{urlencode(query)}"


def check(page):
    assert_fits(page)
    assert_accessible(page)


def test_sign_in_page_error_and_demo_person(idp, idp_page):
    page = idp_page
    page.goto(authorize_url(idp, acr_values="idporten-loa-high"))
    assert page.title() == "TestID – testinnlogging (ikke ekte ID-porten)"
    check(page)

    field = page.get_by_label("Fødselsnummer (syntetisk testnummer)")
    field.fill("15108695088")
    page.get_by_role("button", name="Logg inn", exact=True).click()
    expect(field).to_have_attribute("aria-invalid", "true")
    check(page)

    name, pid = DEMO_PEOPLE[2]
    page.get_by_label("Betydelig (substantial)").check()
    page.get_by_role("button", name=f"Logg inn som {name}").click()
    page.wait_for_url(idp + "/?*")
    assert set(parse_qs(urlsplit(page.url).query)) == {"code", "state"}


def test_english_sign_in_page(idp, idp_page):
    idp_page.goto(authorize_url(idp, ui_locales="en"))
    assert idp_page.get_by_label("Substantial").is_checked()
    check(idp_page)


def test_end_session_and_frontchannel_pages(idp, idp_page):
    page = idp_page
    page.goto(f"{idp}/oauth2/end_session?client_id=browser&state=x")
    check(page)
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("status")).to_have_text("Du er logget ut av TestID.")
    check(page)

    page.goto(authorize_url(idp))
    page.get_by_role("button", name=f"Logg inn som {DEMO_PEOPLE[0][0]}").click()
    page.wait_for_url(idp + "/?*")
    page.goto(f"{idp}/frontchannel")
    check(page)
    page.get_by_role("button", name="Logg ut fra alle tjenester").first.click()
    expect(page.locator("iframe[hidden]")).to_have_count(1)
    check(page)
