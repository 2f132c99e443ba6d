"""School choice in the browser, at 390 and 1280 px, every page axe-clean and no wider than the screen:
the public rules, round and school pages; then a guardian signed in through TestID (the local test
ID-porten) finds her address, applies for her child (a refused form first), reads the receipt and
Min side, and after the placements are published reads the seat with its explanation and transport
note, is asked before declining, accepts, and appeals."""

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from servicetorg.choice.schools import allocate, lottery
from servicetorg.choice.schools.min_side import PANEL
from servicetorg.choice.schools.models import Appeal, Placement, PlacementState, RoundState, SchoolApplication
from servicetorg.choice.schools.workflow import PUBLISH, ROUND_WORKFLOW
from servicetorg.citizens import panels
from servicetorg.citizens.demo import EMMA, KARI
from servicetorg.core.choices import Role
from servicetorg.core.crypto import national_id_digest
from servicetorg.testidp import run_in_thread

from ..choice.school_factories import application
from ..choice.school_families import guardian, town
from ..factories import make_staff
from .conftest import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SHOTS_DIR", "")


def emma_digest():  # noqa: N802
    return national_id_digest(EMMA)


@pytest.fixture(scope="module")
def idp(live_server):
    with run_in_thread(frontchannel_logout_uri=live_server.url + "/min-side/frontchannel-logout/") as issuer:
        yield issuer


@pytest.fixture
def world(municipality, settings, idp):
    settings.PORTAL_MUNICIPALITY = municipality.number
    settings.CITIZEN_OIDC_ISSUER = idp
    settings.CITIZEN_OIDC_CLIENT_ID = "servicetorg-browser"
    settings.CITIZEN_OIDC_CLIENT_SECRET = "browser-test-secret"  # noqa: S105 (TestID takes any)
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    cache.delete(f"citizens:oidc-discovery:{idp}")
    panels.register(PANEL)  # as ChoiceConfig.ready() does
    t = town(municipality)
    guardian(municipality)  # Kari → Emma
    for _ in range(2):
        application(t.round, t.near_a, [t.a])  # Alfa's own catchment pupils fill it
    t.office = make_staff(Role.SCHOOL_OFFICE, municipality, username="skolekontor")
    return t


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/school-{name}-{page.viewport_size['width']}.png", full_page=True)


def publish(round_, office):
    round_.refresh_from_db()
    round_.state = RoundState.CLOSED
    round_.seed = lottery.new_seed()
    round_.seed_hash = lottery.seed_hash(round_.seed)
    round_.save()
    allocate.run_main(round_, user=office)
    round_.refresh_from_db()
    with transaction.atomic():  # the lock needs a transaction (PostgreSQL says so; SQLite does not)
        ROUND_WORKFLOW.lock(round_)
        ROUND_WORKFLOW.apply(round_, PUBLISH)
        round_.published_at = timezone.now()
        round_.save()


def test_the_public_pages(sized_page, world):
    page = sized_page
    for path, name in (
        ("/skolevalg/", "home"),
        (f"/skolevalg/runder/{world.round.pk}/", "round"),
        (f"/skolevalg/skoler/{world.a.pk}/", "school"),
    ):
        page.goto(path)
        expect(page.locator("main h1")).to_have_count(1)
        shot(page, name)
        check_page(page)


def test_a_guardian_applies_and_answers_her_childs_seat(sized_page, world, idp, live_server):
    page, t = sized_page, world
    apply_url = f"/min-side/skolevalg/{t.round.pk}/sok/"
    page.goto(apply_url)
    page.wait_for_url(f"{idp}/oauth2/authorize?*")
    page.get_by_label("Fødselsnummer (syntetisk testnummer)").fill(KARI)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.wait_for_url(f"{live_server.url}{apply_url}")
    check_page(page)

    # A form without an address, wishes or a way to reach her: refused, said at the top and by each field.
    page.click("button[name=send]")
    page.wait_for_load_state()
    assert (
        page.locator("#error-summary").count() == 1
        and not SchoolApplication.objects.filter(national_id_digest=emma_digest()).exists()
    )
    shot(page, "apply-errors")
    check_page(page)

    # Find the address in the register: the catchment school is shown with it.
    page.fill("input[name=address_query]", "Gamma")
    page.click("button[name=find]")
    page.wait_for_load_state()
    assert "Gamma skole" in page.locator(f"label[for=address-{t.near_c.pk}]").inner_text()
    check_page(page)
    page.check(f"#address-{t.near_c.pk}")
    page.select_option("#id_wish_1", str(t.a.pk))
    page.select_option("#id_wish_2", str(t.b.pk))
    page.check("#id_sibling_2")
    page.fill("input[name=contact_email]", "kari@example.no")
    shot(page, "apply")
    page.click("button[name=send]")
    page.wait_for_load_state()
    emma = SchoolApplication.objects.get(national_id_digest=emma_digest())
    assert page.url.endswith(f"/min-side/skolevalg/soknad/{emma.pk}/kvittering/")
    expect(page.locator("#school-receipt")).to_have_count(1)
    shot(page, "receipt")
    check_page(page)
    page.goto("/min-side/")
    assert "Emma Nordmann" in page.locator("#my-school-applications").inner_text()
    check_page(page)

    # The placements are published: Beta (her 2nd wish), with why not Alfa and the transport note.
    publish(t.round, t.office)
    seat = Placement.objects.get(application=emma, run__current=True)
    assert seat.school == t.b
    page.goto(f"/skolevalg/runder/{t.round.pk}/")  # the seed, how to check it, the last seats
    page.locator("main details summary").click()
    t.round.refresh_from_db()
    assert t.round.seed in page.locator("main").inner_text()
    shot(page, "round-published")
    check_page(page)
    page.goto("/min-side/")
    page.click(f"a[href='/min-side/skolevalg/plass/{seat.pk}/']")
    page.wait_for_load_state()
    expect(page.locator("#school-explanations li")).to_have_count(1)
    expect(page.locator("#school-transport")).to_have_count(1)
    shot(page, "placement")
    check_page(page)

    # Declining asks first; she goes back and accepts.
    page.click("button[value=decline]")
    page.wait_for_load_state()
    expect(page.locator("#decline-warning")).to_have_count(1)
    shot(page, "decline")
    check_page(page)
    seat.refresh_from_db()
    assert seat.state == PlacementState.OFFERED
    page.goto(f"/min-side/skolevalg/plass/{seat.pk}/")
    page.click("button[value=accept]")
    page.wait_for_load_state()
    seat.refresh_from_db()
    assert seat.state == PlacementState.ACCEPTED
    check_page(page)

    # The appeal (klage): the form, then its receipt.
    page.click(f"a[href='/min-side/skolevalg/plass/{seat.pk}/klage/']")
    page.wait_for_load_state()
    check_page(page)
    page.fill("textarea[name=text]", "Emma har en bror på Alfa skole fra høsten.")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    appeal = Appeal.objects.get(application=emma)
    assert page.url.endswith(f"/min-side/skolevalg/klage/{appeal.pk}/")
    expect(page.locator("#appeal-receipt")).to_have_count(1)
    shot(page, "appeal-receipt")
    check_page(page)
