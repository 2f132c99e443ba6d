import pytest
from playwright.sync_api import expect

from ..factories import ServiceAreaFactory, make_service
from .conftest import assert_accessible, check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(municipality):
    area = ServiceAreaFactory(municipality=municipality, name="Barnehage", slug="barnehage")
    make_service(
        municipality,
        area=area,
        slug="barnehageplass",
        name="Barnehageplass",
        summary="Søk om plass i barnehage for barn under skolealder.",
        content="Kommunen tilbyr barnehageplass til alle barn som har rett på det.",
        user_actions="Søk på nett innen 1. mars.",
        application_url="https://fjordvik.kommune.no/barnehage/sok",
        price="Maks 1 200 kroner i måneden.",
        declaration="Vi svarer raskt og gir deg en plass så nær hjemmet som mulig.",
        legal_basis="Barnehageloven § 16",
        legal_basis_url="https://lovdata.no/lov/2005-06-17-64",
    )
    make_service(municipality, area=area, slug="sfo", name="SFO", summary="Skolefritidsordning.")
    return municipality


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/tjenester/",
        "/tjenester/?q=barnehage",
        "/tjenester/?q=ingenting",
        "/tjenester/barnehageplass/",
        "/apne-data/3999/",
        "/staff/logg-inn/",
    ],
)
def test_portal_pages_have_no_axe_violations(page, catalogue, path):
    page.goto(path)
    assert_accessible(page)


def test_portal_in_english_has_no_axe_violations(page, catalogue):
    page.goto("/tjenester/barnehageplass/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="What we promise")).to_be_visible()
    assert_accessible(page)


def test_citizen_searches_and_reads_a_service(page, catalogue):
    page.goto("/")
    page.get_by_label("Søk etter en tjeneste").fill("barnehage")
    page.get_by_role("button", name="Søk").click()
    page.get_by_role("link", name="Barnehageplass").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Barnehageplass")
    expect(page.get_by_text("innen 2 virkedager")).to_be_visible()


def test_staff_edit_is_seen_on_the_portal_only_after_publishing(
    page, browser, live_server, catalogue, administration
):
    login(page, administration.username)
    page.goto("/staff/tjenester/")
    assert_accessible(page)
    page.get_by_role("link", name="Barnehageplass").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start et nytt utkast").click()
    page.get_by_label("Navn").fill("Barnehageplass og SFO")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_text("Utkastet ble lagret")).to_be_visible()

    citizen = browser.new_context(base_url=live_server.url).new_page()
    citizen.goto("/tjenester/barnehageplass/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Barnehageplass")

    page.get_by_role("button", name="Publiser versjon 2").click()
    expect(page.get_by_text("Publisert. Portalen viser nå denne versjonen.")).to_be_visible()
    citizen.reload()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Barnehageplass og SFO")
    citizen.context.close()


def test_search_words_find_the_service_at_both_widths(sized_page, catalogue, administration):
    """Issue 24 §3: "bhg" and "søppel" are in no text; staff give them as search words in the
    service's settings, and the citizen's search finds the service with them (390 and 1280 px)."""
    from servicetorg.catalogue import services

    barnehage = catalogue.services.get(slug="barnehageplass")
    services.update_service(barnehage, search_words="bhg, barnehageopptak", user=administration)
    page = sized_page
    page.goto("/tjenester/")
    page.get_by_label("Søk etter en tjeneste").fill("bhg")
    page.get_by_role("button", name="Søk").click()
    page.wait_for_load_state()
    results = page.locator("main li.ds-card")
    expect(results).to_have_count(1)
    expect(results.first.get_by_role("link", name="Barnehageplass")).to_be_visible()
    check_page(page)

    login(page, administration.username)
    page.goto(f"/staff/tjenester/{barnehage.pk}/innstillinger/")
    page.get_by_label("Søkeord", exact=True).fill("bhg, barnehageopptak, <b>")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("bare bokstaver og tall").first).to_be_visible()
    assert_accessible(page)
