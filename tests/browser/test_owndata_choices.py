"""Own figures in Chromium at 390 and 1280 px: the administration publishes a shared figure on the
staff choice page (axe 0, nothing wider than the screen), and the public page then names her
municipality's value."""

import pytest
from playwright.sync_api import expect

from servicetorg.benchmarking.owndata.models import Publication
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services as indicator_services
from servicetorg.indicators.models import Indicator, Source

from ..factories import make_staff
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administration_publishes_a_figure(sized_page, municipality):
    page = sized_page
    indicator = Indicator.objects.create(
        code="henvendelser-svart-i-tide",
        name="Henvendelser besvart innen fristen",
        unit_of_measure="%",
        source=Source.INQUIRY_KPI,
    )
    Indicator.objects.create(
        code="tilfredshet-servicetorget",
        name="Brukertilfredshet",
        unit_of_measure="poeng",
        source=Source.SURVEY,
    )
    indicator_services.record_value(
        indicator=indicator,
        municipality=municipality,
        year=2025,
        value="87.25",
        source=Source.INQUIRY_KPI,
        user=SYSTEM,
    )
    make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    login(page, "radmann")
    page.goto("/staff/statistikk/egne-tall/")
    page.wait_for_load_state()
    assert page.url.endswith(f"/staff/statistikk/egne-tall/{municipality.pk}/")
    check_page(page)
    page.check(f"#publish-{indicator.pk}")
    page.click("#owndata-choices button[type=submit]")
    page.wait_for_load_state()
    assert Publication.objects.get(municipality=municipality, indicator=indicator).published
    assert page.locator(f"#publish-{indicator.pk}").is_checked()
    check_page(page)
    page.goto(f"/statistikk/egne-tall/{indicator.code}/")
    expect(page.locator("#owndata-published").get_by_text(municipality.name)).to_be_visible()
    check_page(page)
    page.goto("/statistikk/egne-tall/")
    check_page(page)
