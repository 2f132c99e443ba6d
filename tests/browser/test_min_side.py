"""Min side in the browser (issue 20), signed in through TestID (servicetorg.testidp, the local test
ID-porten) on a thread: log in and read her case without its link, step up to «high» for a service
that asks for it, a refused level and a cancelled log-in, act for her child, nynorsk and English,
her data export, log-out at ID-porten (RP-initiated) and from ID-porten (front-channel). At 390 and
1280 px; each of our pages has no axe violations and nothing wider than the screen."""

import os
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from servicetorg.citizens import services as citizen_services
from servicetorg.citizens.demo import EMMA, KARI
from servicetorg.citizens.models import RelationKind
from servicetorg.core.choices import Channel
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.inquiries import services as inquiry_services
from servicetorg.inquiries.models import Inquiry
from servicetorg.testidp import run_in_thread
from tests.browser.conftest import check_page
from tests.factories import UnitFactory, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBSTANTIAL, HIGH = "idporten-loa-substantial", "idporten-loa-high"
TESTID_LEVEL = {SUBSTANTIAL: "Betydelig (substantial)", HIGH: "Høyt (high)"}
SHOTS = Path(os.environ.get("SHOTS_DIR", "/work/notes/shots"))


@pytest.fixture(scope="module")
def idp(live_server):
    """TestID on a free port, loading our front-channel log-out URI when a sign-in is ended there."""
    with run_in_thread(frontchannel_logout_uri=live_server.url + "/min-side/frontchannel-logout/") as issuer:
        yield issuer


@pytest.fixture
def id_porten(idp, settings):
    """The settings point citizen sign-in at TestID (its discovery document read afresh)."""
    settings.CITIZEN_OIDC_ISSUER = idp
    settings.CITIZEN_OIDC_CLIENT_ID = "servicetorg-browser"
    settings.CITIZEN_OIDC_CLIENT_SECRET = "browser-test-secret"  # noqa: S105 (TestID takes any)
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    cache.delete(f"citizens:oidc-discovery:{idp}")
    return idp


@pytest.fixture
def kari(municipality):
    """Kari's case (a service that asks for the number), Emma's, whom she is guardian of, and a
    service that asks for a log-in at «high»."""
    unit = UnitFactory(municipality=municipality, name="Oppvekst", slug="oppvekst")
    housing = make_service(municipality, unit=unit, slug="bostotte", name="Bostøtte")
    housing.requires_national_id = True
    housing.save()
    child_care = make_service(municipality, unit=unit, slug="barnevern", name="Barnevern")
    child_care.assurance_level = HIGH
    child_care.save()

    def register(subject, pid):
        return inquiry_services.register(
            municipality=municipality,
            channel=Channel.WEB_FORM,
            service=housing,
            subject=subject,
            body="Jeg lurer på hvor langt søknaden har kommet.",
            contact_name="Nordmann",
            contact_email="kari@example.no",
            contact_phone="",
            national_id=pid,
            user=CITIZEN,
            to_responsible_unit=True,
        ).inquiry

    citizen_services.register_relation(
        municipality,
        kind=RelationKind.GUARDIAN,
        representative_national_id=KARI,
        subject_national_id=EMMA,
        subject_name="Emma Nordmann",
        valid_from=date(2016, 5, 20),
        valid_until=date(2034, 5, 19),
        user=SYSTEM,
    )
    return {
        "own": register("Søknad om bostøtte for 2026", KARI),
        "emma": register("Skoleskyss for Emma", EMMA),
        "high_service": child_care,
    }


@pytest.fixture
def min_side_page(sized_page):
    """The sized page, failing the test on anything the Content-Security-Policy refuses (of ours or
    of TestID's, e.g. a frame its frame-ancestors forbids)."""
    page = sized_page
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    assert not page.csp_violations, "\n".join(page.csp_violations)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def at_testid(page, idp, *, level):
    """On TestID's sign-in page, with ``level`` preselected (from our acr_values)."""
    page.wait_for_url(f"{idp}/oauth2/authorize?*")
    expect(page.get_by_label(TESTID_LEVEL[level])).to_be_checked()


def sign_in_at_testid(page, pid=KARI, level=None):
    page.get_by_label("Fødselsnummer (syntetisk testnummer)").fill(pid)
    if level:
        page.get_by_label(TESTID_LEVEL[level]).check()
    page.get_by_role("button", name="Logg inn", exact=True).click()


def main_text(page):
    return page.locator("main").inner_text()


def test_log_in_read_her_case_step_up_refused_and_cancelled(min_side_page, id_porten, kari, live_server):
    page, idp = min_side_page, id_porten

    # 1. «Logg inn» in the header → TestID at substantial → back, and on Min side her case.
    page.goto("/")
    page.locator("#nav-log-in").click()
    at_testid(page, idp, level=SUBSTANTIAL)
    shot(page, "testid-sign-in")
    sign_in_at_testid(page)
    page.wait_for_url(f"{live_server.url}/")  # back where she was, with «Min side» for «Logg inn»
    expect(page.locator("#nav-log-in")).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("Du er logget inn med ID-porten.")
    page.locator("#nav-my-page").click()
    page.wait_for_url(f"{live_server.url}/min-side/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Min side")
    expect(page.locator("#signed-in-as")).to_contain_text(
        "Du er logget inn med ID-porten, betydelig nivå (MinID, BankID-appen og lignende). Her er det"
    )
    inquiries = page.get_by_role("region", name="Henvendelsene dine")
    expect(page.get_by_role("heading", name="Henvendelsene dine")).to_be_visible()
    own = kari["own"]
    expect(page.locator("#my-inquiries")).to_contain_text(own.reference)
    expect(page.locator("#my-inquiries")).to_contain_text("Søknad om bostøtte for 2026")
    expect(page.locator("#my-inquiries")).not_to_contain_text(kari["emma"].reference)
    check_page(page)
    shot(page, "min-side")

    # Her case opens from Min side without its link (and without a one-time code).
    inquiries.get_by_role("link", name=own.reference).click()
    page.wait_for_url(f"{live_server.url}/sak/{own.reference}/")
    assert "hvor langt søknaden har kommet" in main_text(page)

    # 2. A service at «high»: its form sends her (at substantial) to TestID with high preselected.
    service = kari["high_service"]
    page.goto(f"/kontakt/{service.slug}/")
    at_testid(page, idp, level=HIGH)
    sign_in_at_testid(page)
    page.wait_for_url(f"{live_server.url}/kontakt/{service.slug}/")
    page.get_by_label("Emne").fill("Spørsmål om samvær")
    page.get_by_label("Din melding").fill("Kan vi avtale et møte neste uke?")
    page.get_by_label("Ditt navn").fill("Kari Nordmann")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"{live_server.url}/kontakt/kvittering/")
    reference = page.locator("#receipt-reference").inner_text()
    page.locator("#nav-my-page").click()
    page.wait_for_url(f"{live_server.url}/min-side/")
    expect(page.locator("#my-inquiries")).to_contain_text(reference)
    expect(page.locator("#my-inquiries")).to_contain_text("Spørsmål om samvær")
    assert Inquiry.objects.get(reference=reference).service == service

    # 3. Asked for high, she chooses substantial at TestID: refused, with a way to step up (her log-in
    # at high from step 2 still holds).
    page.goto(f"/min-side/logg-inn/?next=/kontakt/{service.slug}/&level={HIGH}")
    at_testid(page, idp, level=HIGH)
    sign_in_at_testid(page, level=SUBSTANTIAL)
    page.wait_for_url(f"{live_server.url}/min-side/innlogging/?*")
    expect(page.get_by_role("heading", level=1)).to_have_text("Innloggingen gikk ikke gjennom")
    assert "høyere sikkerhetsnivå" in page.locator("#refused-reason").inner_text()
    expect(page.get_by_role("link", name="Logg inn på høyere nivå")).to_be_visible()
    check_page(page)
    shot(page, "refused-level")
    page.get_by_role("link", name="Logg inn på høyere nivå").click()
    at_testid(page, idp, level=HIGH)

    # 4. «Avbryt» at TestID: a page that says so (her earlier log-in still holds), a way to start again.
    page.get_by_role("button", name="Avbryt").click()
    page.wait_for_url(f"{live_server.url}/min-side/innlogging/?*")
    expect(page.get_by_role("heading", level=1)).to_have_text("Innloggingen ble avbrutt")
    expect(page.locator("#refused-reason")).to_have_text(
        "Du avbrøt innloggingen i ID-porten. Du er fortsatt logget inn som før."
    )
    expect(page.locator("#nav-my-page")).to_be_visible()
    expect(page.get_by_role("link", name="Logg inn på nytt")).to_be_visible()
    check_page(page)
    shot(page, "refused-cancelled")


def test_act_for_her_child_languages_export_and_log_out(min_side_page, id_porten, kari, live_server):
    page, idp = min_side_page, id_porten
    page.goto("/min-side/")  # not signed in: straight to TestID
    at_testid(page, idp, level=SUBSTANTIAL)
    sign_in_at_testid(page)
    page.wait_for_url(f"{live_server.url}/min-side/")

    # 9. Her own data as a web page: a download with her case in it.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Last ned som nettside").click()
    exported = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "Søknad om bostøtte for 2026" in exported and kari["own"].reference in exported

    # 5. She acts for Emma: a banner on Min side and on other pages, Emma's case listed.
    page.get_by_role("group", name="Velg hvem sin side du vil se").get_by_label(
        re.compile("^Emma Nordmann")
    ).check()
    page.get_by_role("button", name="Bytt").click()
    page.wait_for_url(f"{live_server.url}/min-side/")
    expect(page.locator("#acting-for")).to_contain_text("Du handler for Emma Nordmann")
    expect(page.locator("#my-inquiries")).to_contain_text(kari["emma"].reference)
    expect(page.locator("#my-inquiries")).not_to_contain_text(kari["own"].reference)
    expect(page.get_by_role("button", name="Last ned som nettside")).to_have_count(0)  # for herself only
    check_page(page)
    shot(page, "min-side-acting-for")
    page.goto("/")
    expect(page.locator("#acting-for")).to_contain_text("Du handler for Emma Nordmann")
    page.locator("#acting-for").get_by_role("link", name="Bytt").click()
    page.get_by_label("Meg selv").check()
    page.get_by_role("button", name="Bytt").click()
    page.wait_for_url(f"{live_server.url}/min-side/")
    expect(page.locator("#acting-for")).to_have_count(0)
    expect(page.locator("#my-inquiries")).to_contain_text(kari["own"].reference)

    # 6. Nynorsk and English: Min side in the chosen language, no bokmål left in its own texts.
    bokmal = [
        "Henvendelsene dine",
        "Hvem du handler for",
        "Meg selv",
        "Du er logget inn",
        "Personopplysningene dine",
        "Undersøkelser",
        "Svar innen",
        "Ikke ennå",
    ]
    page.get_by_role("button", name="Nynorsk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mi side")
    expect(page.locator("#act-for-heading")).to_have_text("Kven du handlar for")
    text = main_text(page)
    assert not [s for s in bokmal if s in text], text
    check_page(page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My page")
    expect(page.locator("#panel-inquiries")).to_have_text("Your inquiries")
    text = main_text(page)
    assert not [
        s for s in [*bokmal, "Mi side", "Kven du handlar for", "Last ned som nettside"] if s in text
    ], text
    check_page(page)
    page.get_by_role("button", name="Bokmål").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Min side")

    # 7. «Logg ut»: ID-porten's end-session page, then ours; Min side asks for a log-in again.
    page.get_by_role("button", name="Logg ut", exact=True).click()
    page.wait_for_url(f"{idp}/oauth2/end_session?*")
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(f"{live_server.url}/min-side/utlogget/*")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er logget ut")
    expect(page.locator("#nav-log-in")).to_be_visible()
    check_page(page)
    page.goto("/min-side/")
    at_testid(page, idp, level=SUBSTANTIAL)


def test_front_channel_log_out_ends_her_session(min_side_page, id_porten, kari, live_server):
    page, idp = min_side_page, id_porten
    page.goto("/min-side/")
    at_testid(page, idp, level=SUBSTANTIAL)
    sign_in_at_testid(page)
    page.wait_for_url(f"{live_server.url}/min-side/")

    # 8. She logs out at ID-porten (another service): ID-porten loads our URI in a hidden frame.
    page.goto(f"{idp}/frontchannel")
    with page.expect_response(re.compile(r"/min-side/frontchannel-logout/\?")) as answer:
        page.get_by_role("button", name="Logg ut fra alle tjenester").first.click()
    assert answer.value.status == 200
    assert f"frame-ancestors {idp}" in answer.value.headers["content-security-policy"]  # ID-porten only
    frame = page.frame_locator("iframe[hidden]")
    expect(frame.locator("body")).to_have_text("ok")
    page.goto("/min-side/")
    at_testid(page, idp, level=SUBSTANTIAL)
