"""Decisions and choices in Chromium, at 390 and 1280 px: the ordering unit registers a decision (an
error first), chooses a provider for her with the date shown before confirming, reads the waiting
lists, withdraws a provider and reads who moved where; the provider reads its users and an order;
she switches on Min side (TestID, high) and gets a receipt. Every page axe-clean and within the
width, every step a POST through the page."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from servicetorg.choice.models import ApplicationState, Choice, Decision, ProviderMember
from servicetorg.core.choices import Role
from servicetorg.testidp import run_in_thread

from ..choice.people import KARI, approve, make_provider, world
from ..factories import make_staff
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def idp(live_server):
    with run_in_thread(frontchannel_logout_uri=live_server.url + "/min-side/frontchannel-logout/") as issuer:
        yield issuer


def test_order_choose_wait_withdraw_and_the_providers_view(sized_page, municipality, settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    page = sized_page
    scheme, municipal, a, b = world(municipality)
    make_staff(Role.ADMINISTRATION, municipality, username="bestiller")
    login(page, "bestiller")
    page.goto("/staff/brukervalg/vedtak/")
    check_page(page)
    page.goto("/staff/brukervalg/vedtak/ny/")
    page.select_option("#id_scheme", str(scheme.pk))
    page.fill("#id_national_id", "12345678901")
    page.fill("#id_name", "Kari Nordmann")
    start = timezone.localdate() - timedelta(days=20)
    page.fill("#id_decided_on", start.isoformat())
    page.fill("#id_valid_from", start.isoformat())
    page.fill("#id_hours_day", "3.5")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(".ds-error-summary").first).to_be_attached()
    check_page(page)
    page.fill("#id_national_id", KARI)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    decision = Decision.objects.get()
    assert page.url.endswith(f"/staff/brukervalg/vedtak/{decision.pk}/")
    check_page(page)
    page.click(f"a[href='/staff/brukervalg/vedtak/{decision.pk}/velg/']")
    page.wait_for_load_state()
    check_page(page)
    page.check(f"#provider-{a.pk}")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("input[name=confirm]")).to_have_count(1)
    assert not Choice.objects.exists()
    check_page(page)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert Choice.objects.get().provider == a
    check_page(page)
    page.goto("/staff/brukervalg/ventelister/")
    check_page(page)
    worker = make_staff(Role.PROVIDER, municipality, username="aktiv")
    ProviderMember.objects.create(provider=a, user=worker)
    application = a.applications.get()
    page.goto(f"/staff/brukervalg/soknader/{application.pk}/trekk-tilbake/")
    check_page(page)
    page.fill("#id_effective_on", (timezone.localdate() + timedelta(days=5)).isoformat())
    page.fill("#id_reason", "Konkurs")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/soknader/{application.pk}/flyttinger/")
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN
    assert "Kari Nordmann" in page.locator("main").inner_text()
    check_page(page)
    page.context.clear_cookies()
    login(page, "aktiv")
    page.goto("/staff/brukervalg/leverandor/brukere/")
    check_page(page)
    page.click(f"a[href='/staff/brukervalg/leverandor/brukere/{decision.pk}/']")
    page.wait_for_load_state()
    check_page(page)


def test_she_switches_on_min_side(sized_page, municipality, settings, idp, live_server):
    settings.PORTAL_MUNICIPALITY = municipality.number
    settings.CITIZEN_OIDC_ISSUER = idp
    settings.CITIZEN_OIDC_CLIENT_ID = "servicetorg-browser"
    settings.CITIZEN_OIDC_CLIENT_SECRET = "browser-test-secret"  # noqa: S105 (TestID takes any)
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    cache.delete(f"citizens:oidc-discovery:{idp}")
    from servicetorg.choice import choices, decisions
    from servicetorg.core.permissions import SYSTEM

    scheme, municipal, a, b = world(municipality)
    approve(scheme, make_provider(municipality, "Omsorg Vest AS"))
    decision = decisions.create_decision(
        scheme=scheme,
        national_id=KARI,
        name="Kari Nordmann",
        decided_on=date(2026, 1, 2),
        valid_from=date(2026, 1, 2),
        hours={"day": 3},
        user=SYSTEM,
    )
    choices.choose(decision, municipal, user=SYSTEM, day=date(2026, 1, 2))
    page = sized_page
    page.goto(f"/min-side/brukervalg/{decision.pk}/velg/")
    page.wait_for_url(f"{idp}/oauth2/authorize?*")
    page.get_by_label("Fødselsnummer (syntetisk testnummer)").fill(KARI)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.wait_for_url(f"{live_server.url}/min-side/brukervalg/{decision.pk}/velg/")
    check_page(page)
    page.check(f"#provider-{b.pk}")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    check_page(page)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/min-side/brukervalg/{decision.pk}/kvittering/")
    assert "Bedre Hjelp AS" in page.locator("#choice-receipt").inner_text()
    check_page(page)
    page.goto("/min-side/")
    assert "Bedre Hjelp AS" in page.locator("#my-choice-decisions").inner_text()
    check_page(page)
