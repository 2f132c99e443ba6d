"""The register of municipalities and the staff import of official statistics in Chromium at 390
and 1280 px (axe 0, nothing wider than the screen): the public list, filtered by county and
searched; the administration imports a JSON-stat file and sees the run."""

import json

import pytest
from playwright.sync_api import expect

from servicetorg.benchmarking import catalogue
from servicetorg.benchmarking.registry import load_registry
from servicetorg.core.choices import Role

from ..benchmarking.test_data_imports import dataset
from ..factories import make_staff
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_and_import(sized_page, municipality, tmp_path, settings):
    settings.NATIONAL_DATA_STEWARDS = [municipality.number]  # Fjordvik hosts the installation
    page = sized_page
    load_registry()
    catalogue.load_catalogue()
    page.goto("/statistikk/kommuner/")
    expect(page.locator("#municipality-register tbody tr")).to_have_count(357)
    check_page(page)
    page.select_option("#id_county", "39")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator('tr[data-code="3909"]')).to_be_visible()
    check_page(page)
    make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    login(page, "radmann")
    page.goto("/staff/statistikk/import/")
    check_page(page)
    upload = tmp_path / "12362.json"
    upload.write_text(json.dumps(dataset()))
    page.set_input_files("#id_file", str(upload))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#official-runs tbody tr[data-run]")).to_have_count(1)
    check_page(page)
    settings.NATIONAL_DATA_STEWARDS = []  # not a steward: the imports, and who keeps them
    page.reload()
    expect(page.locator("#national-data-keepers")).to_be_visible()
    expect(page.locator("#id_file")).to_have_count(0)
    check_page(page)
