"""The school office in Chromium, at 390 and 1280 px: it imports a round's applications from CSV (a
bad row first), reads the list and an application, answers an appeal, and opens the per-pupil
budget with a what-if — every page axe-clean and within the width."""

import pytest
from playwright.sync_api import expect

from servicetorg.choice.schools.models import Appeal, AppealState, RoundState, SchoolApplication
from servicetorg.core.choices import Role

from ..choice.school_factories import address, child_number, school, school_round
from ..choice.school_office_helpers import budget_model, placed_run
from ..factories import make_staff
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_list_answer_and_budget(sized_page, municipality, settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    page = sized_page
    a = school(municipality, "Alfa skole")
    b = school(municipality, "Beta skole")
    home = address(municipality, "Alfaveien 1", a)
    address(municipality, "Betaveien 2", b)
    open_round = school_round(
        municipality, {a: 25, b: 25}, state=RoundState.OPEN, wishes=2, name="Skolestart 2028"
    )
    published = school_round(municipality, {a: 25, b: 25}, state=RoundState.PUBLISHED)
    run = placed_run(published, {a: 3, b: 2}, address_=home)
    appeal = Appeal.objects.create(
        application=run.placements.first().application, text="Vi ønsker Beta skole."
    )
    model = budget_model(municipality, rows={a: {"continuing_primary": 40}, b: {"continuing_primary": 30}})
    make_staff(Role.SCHOOL_OFFICE, municipality, username="skolekontor")
    login(page, "skolekontor")

    # Import: a bad row first (nothing written), then the corrected file
    header = "external_id;national_id;name;address;postcode;wish_1;wish_2;sibling_1;sibling_2;email;mobile"
    good = [
        f"r1;{child_number(2022)};Kari Nordmann;Alfaveien 1;3999;Alfa skole;Beta skole;;ja;kari@example.no;",
        f"r2;{child_number(2022)};Ola Nordmann;Betaveien 2;3999;Beta skole;;;;;91234567",
    ]
    bad = [*good, f"r3;{child_number(2022)};Per Hansen;Månegata 9;3999;Delta skole;;;;;"]
    page.goto(f"/staff/skolevalg/runder/{open_round.pk}/soknader/import/")
    check_page(page)

    def upload(rows):
        page.set_input_files(
            "#id_file",
            {"name": "soknader.csv", "mimeType": "text/csv", "buffer": "\n".join([header, *rows]).encode()},
        )
        page.click("#import-button")
        page.wait_for_load_state()

    upload(bad)
    assert (
        page.locator("#import-errors li").count() == 1
        and "4" in page.locator("#import-errors li").inner_text()
    )
    assert not SchoolApplication.objects.filter(round=open_round).exists()
    check_page(page)
    upload(good)
    expect(page.locator("#import-result")).to_have_count(1)
    assert SchoolApplication.objects.filter(round=open_round).count() == 2
    check_page(page)

    # The list and an application
    page.goto(f"/staff/skolevalg/runder/{open_round.pk}/soknader/")
    expect(page.locator("#applications tbody tr")).to_have_count(2)
    check_page(page)
    page.locator("#applications tbody a").first.click()
    page.wait_for_load_state()
    expect(page.locator("#change-application")).to_have_count(1)
    check_page(page)

    # An appeal answered
    page.goto("/staff/skolevalg/klager/")
    check_page(page)
    page.click(f"a[href='/staff/skolevalg/klager/{appeal.pk}/']")
    page.wait_for_load_state()
    check_page(page)
    page.check("input[name=decision][value=reject]")
    page.fill("#id_answer", "Alfa skole er nærskolen og hadde plass; Beta skole var full.")
    page.click("#send-answer")
    page.wait_for_load_state()
    expect(page.locator("#appeal-answer")).to_have_count(1)
    appeal.refresh_from_db()
    assert appeal.state == AppealState.REJECTED
    check_page(page)

    # The per-pupil budget and a what-if
    page.goto("/staff/skolevalg/elevsjekk/")
    check_page(page)
    page.click(f"a[href='/staff/skolevalg/elevsjekk/{model.pk}/']")
    page.wait_for_load_state()
    expect(page.locator("#budget-table tbody tr")).to_have_count(2)
    check_page(page)
    page.fill(f"#id_plus-{b.pk}-primary", "25")
    page.click("#show-what-if")
    page.wait_for_load_state()
    expect(page.locator("#what-if-note")).to_have_count(1)
    check_page(page)
    with page.expect_download() as download:
        page.click("#budget-xlsx")
    assert download.value.suggested_filename.endswith("-hva-om.xlsx")
