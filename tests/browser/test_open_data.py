"""The portal's open-data page in Chromium: axe-core at 390 px and 1280 px, nothing wider than the
screen, and every link a person can follow answers. Screenshots go to $SCREENSHOT_DIR when set."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services as indicator_services
from servicetorg.indicators.models import Indicator, Source

from ..factories import ServiceAreaFactory, make_service
from .conftest import assert_accessible, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")


@pytest.fixture
def published(municipality):
    area = ServiceAreaFactory(municipality=municipality, name="Barnehage", slug="barnehage")
    make_service(
        municipality,
        area=area,
        slug="barnehageplass",
        name="Barnehageplass",
        declaration="Vi svarer innen to virkedager.",
        legal_basis="Barnehageloven § 16",
        legal_basis_url="https://lovdata.no/lov/2005-06-17-64",
    )
    indicator = Indicator.objects.create(
        municipality=municipality,
        code="svar-i-tide",
        name="Svar i tide",
        unit_of_measure="%",
        source=Source.INQUIRY_KPI,
    )
    indicator_services.record_value(
        indicator=indicator,
        municipality=municipality,
        year=2025,
        value=Decimal("91.5"),
        source=Source.INQUIRY_KPI,
        user=SYSTEM,
    )
    return municipality


def shoot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_open_data_page_is_accessible_and_fits(page, published, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/apne-data/3999/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Åpne data fra Fjordvik kommune")
    expect(page.get_by_role("heading", name="Serviceerklæringer og brukergarantier")).to_be_visible()
    assert_accessible(page)
    assert_fits(page)
    shoot(page, f"open-data-{width}")


def test_every_link_on_the_page_can_be_followed(page, published):
    page.goto("/apne-data/3999/")
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    own = sorted({h for h in hrefs if h.startswith("/")})
    assert len(own) > 15
    for href in own:
        response = page.request.get(href)
        assert response.status == 200, href
    # A person follows a term to its definition on the same page.
    page.get_by_role("link", name="serviceerklæring", exact=True).first.click()
    assert page.url.endswith("#begrep-serviceerklaering")
    expect(
        page.locator("#begrep-serviceerklaering").get_by_text("Kommunens skriftlige løfte")
    ).to_be_visible()
    # …and the front desk's figures as CSV.
    csv = page.request.get("/apne-data/3999/servicetorget.csv").text()
    assert "svar-i-tide,Svar i tide,%,Hele kommunen,2025,91.5" in csv


def test_open_data_page_in_english(page, published):
    page.goto("/apne-data/3999/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open data from Fjordvik municipality")
    expect(page.get_by_role("heading", name="The service desk's key figures")).to_be_visible()
    assert_accessible(page)
    shoot(page, "open-data-en")
