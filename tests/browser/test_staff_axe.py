"""Staff pages that axe-core found fault with (issue 24 §9), at 390 and 1280 px, with axe's
best-practice rules as well as WCAG 2.1 AA: the inquiry dashboard (each table's scrollable region and
its section had the same name: landmark-unique) and the API documentation (Swagger UI: 73 nodes —
contrast, no lang, nested interactive controls, content outside landmarks, a second <main>, unnamed
controls), also with operations open, "Try it out" and the authorization dialog."""

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Channel, Role
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services
from tests.browser.conftest import assert_accessible, assert_fits, login
from tests.factories import UnitFactory, make_service, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_RULES = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")


def _check(page):
    assert_fits(page)
    assert_accessible(page, tags=ALL_RULES)


def test_the_dashboard_has_no_axe_violations(sized_page, municipality):
    page = sized_page
    unit = UnitFactory(municipality=municipality, name="Oppvekst", slug="oppvekst")
    service = make_service(municipality, unit=unit, slug="barnehageplass", name="Barnehageplass")
    make_staff(Role.ADMINISTRATION, municipality, username="leder")
    for n in range(3):
        services.register(
            municipality=municipality,
            channel=Channel.WEB_FORM if n else Channel.PHONE,
            subject=f"Spørsmål {n}",
            body="Tekst",
            service=service,
            user=CITIZEN,
            contact_name="Eva Berg",
            contact_email="eva.berg@example.no",
        )
    login(page, "leder")
    page.goto("/staff/henvendelser/oversikt/")
    expect(page.get_by_role("heading", name="Per kanal")).to_have_count(1)
    _check(page)
    names = page.evaluate(
        "() => [...document.querySelectorAll('[role=region], section[aria-label], section[aria-labelledby]')]"
        ".map(e => e.getAttribute('aria-labelledby') || e.getAttribute('aria-label'))"
    )
    assert len(names) == len(set(names)), f"two regions share a name: {names}"


def test_the_api_documentation_has_no_axe_violations(sized_page, municipality):
    page = sized_page
    make_staff(Role.ADMINISTRATION, municipality, username="leder")
    login(page, "leder")
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary-control")
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.locator("#swagger-ui").get_attribute("lang") == "en"
    expect(page.locator("main")).to_have_count(1)  # Swagger UI's own <main id="operations">, and no other
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    _check(page)
    for n in range(6):  # operations open: parameters (enum selects), request bodies, responses
        page.locator(".opblock-summary-control").nth(n).click()
    page.locator(".opblock-summary-control").nth(5).wait_for()
    page.wait_for_selector(".responses-table")
    _check(page)
    page.locator(".opblock-post .try-out__btn").first.click()
    page.wait_for_selector(".opblock-post textarea")
    _check(page)
    page.locator(".btn.authorize").first.click()
    page.wait_for_selector(".modal-ux")
    _check(page)
    page.get_by_role("button", name="Close").first.click()
