"""The admin sets retention periods; the administration finds, exports and erases one person's data.
At a phone's and a desktop's width, through every POST, with axe and the reflow check on each page."""

import json

import pytest

from servicetorg.core.choices import Role
from servicetorg.inquiries.models import Inquiry
from servicetorg.privacy.models import PrivacyLog
from servicetorg.privacy.retention import period_days
from tests.browser.conftest import check_page, login
from tests.factories import make_staff
from tests.privacy.test_retention import inquiry, outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_admin_sets_retention_periods(page, municipality, width):
    page.set_viewport_size({"width": width, "height": 900})
    make_staff(Role.ADMIN, municipality, username="admin-fjordvik")
    inquiry(municipality, closed_days_ago=800)
    login(page, "admin-fjordvik")
    page.get_by_role("link", name="Lagringstid for personopplysninger").first.click()
    page.wait_for_selector("h1")
    assert "Neste sletting (prøvekjøring)" in page.content()
    check_page(page)
    field = page.get_by_label("Avsluttede henvendelser med meldinger, vedlegg og historikk")
    field.fill("5")
    page.get_by_role("button", name="Lagre lagringstider").click()
    page.wait_for_selector("#error-summary")
    assert "Minst 90 dager." in page.content()
    assert field.input_value() == "5"  # what was typed stays
    check_page(page)
    field.fill("365")
    page.get_by_role("button", name="Lagre lagringstider").click()
    page.wait_for_selector("text=Lagret. Nattlig sletting bruker de nye lagringstidene.")
    check_page(page)
    assert period_days(municipality, "inquiries.closed") == 365


@pytest.mark.parametrize("width", [390, 1280])
def test_administration_finds_exports_and_erases_one_person(page, municipality, width):
    page.set_viewport_size({"width": width, "height": 900})
    make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    kari = inquiry(municipality, email="kari@example.no", body="Søknad om plass")
    per = inquiry(municipality, email="per@example.no", body="Pers sak")
    outbox(municipality, "kari-1", to="kari@example.no")
    login(page, "radmann")
    page.get_by_role("link", name="Innsyn og sletting").first.click()
    page.wait_for_selector("h1")
    check_page(page)
    page.get_by_label("E-postadresse").fill("kari@")
    page.get_by_role("button", name="Søk").click()
    page.wait_for_selector("#error-summary")
    check_page(page)
    page.get_by_label("E-postadresse").fill("kari@example.no")
    page.get_by_role("button", name="Søk").click()
    page.wait_for_selector("#found-heading")
    assert kari.reference in page.content() and per.reference not in page.content()
    check_page(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Last ned som data (JSON)").click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert "Søknad om plass" in json.dumps(exported, ensure_ascii=False)
    page.get_by_role("button", name="Slett …").click()
    page.wait_for_selector("text=Dette kan ikke angres.")
    check_page(page)
    page.get_by_role("button", name="Slett", exact=True).click()
    page.wait_for_selector("text=Kryss av i boksen for å bekrefte slettingen.")
    check_page(page)
    page.get_by_label("Jeg har kontrollert personens identitet").check()
    page.get_by_role("button", name="Slett", exact=True).click()
    page.wait_for_selector("text=Statistikken er uendret.")
    check_page(page)
    assert Inquiry.objects.get(pk=kari.pk).anonymised_at is not None
    assert Inquiry.objects.get(pk=per.pk).anonymised_at is None
    # The search with a bad address was not run, so it is not logged.
    assert list(PrivacyLog.objects.order_by("pk").values_list("action", flat=True)) == [
        "search",
        "export",
        "search",
        "search",
        "erase",
    ]
