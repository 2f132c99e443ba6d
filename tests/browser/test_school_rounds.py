"""The school office's round in Chromium, at 390 and 1280 px: create a round, give schools seats,
open it, close it (the seed committed), read the feasibility report, run the allocation, read the
certificate, run a what-if (an error first) and read the comparison, publish (the seed revealed),
the school registry and the address register's import (a bad row reported) — every page
axe-clean and within the width."""

import pytest
from playwright.sync_api import expect

from servicetorg.choice.schools.models import AllocationRun, Round, RoundState, RunKind

from ..choice.school_factories import application
from ..choice.school_round_helpers import office, town  # noqa: F401 - fixtures
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_school_office_runs_a_round(sized_page, municipality, town, office):  # noqa: F811
    page = sized_page
    login(page, "skolekontor")
    page.goto("/staff/skolevalg/")
    check_page(page)
    page.click("a[href='/staff/skolevalg/runder/ny/']")
    page.wait_for_load_state()
    check_page(page)
    page.fill("#id_name", "Skolestart 2026")
    page.fill("#id_school_year", "2026")
    page.fill("#id_grade", "1")
    page.fill("#id_opens_on", "2025-11-01")
    page.fill("#id_closes_on", "2025-10-01")  # before it opens: refused
    page.fill("#id_wishes", "2")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(".ds-error-summary a[href='#id_closes_on']")).to_have_count(1)
    check_page(page)
    page.fill("#id_closes_on", "2025-12-01")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    round_ = Round.objects.get()
    assert page.url.endswith(f"/staff/skolevalg/runder/{round_.pk}/rediger/")
    check_page(page)

    a, b, c = town["a"], town["b"], town["c"]
    page.fill(f"#id_school-{a.pk}-seats", "2")
    page.fill(f"#id_school-{b.pk}-seats", "2")
    page.fill(f"#id_school-{c.pk}-seats", "5")
    page.click("#save-round")
    page.wait_for_load_state()
    assert round_.schools.count() == 3
    check_page(page)

    page.click("#step-apne")
    page.wait_for_load_state()
    assert Round.objects.get(pk=round_.pk).state == RoundState.OPEN
    check_page(page)
    for near in ("near_a", "near_a", "near_b", "near_b", "near_c"):
        application(round_, town[near], [a, b])
    page.click("#step-steng")
    page.wait_for_load_state()
    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED
    expect(page.locator(f"code:has-text('{round_.seed_hash}')")).to_have_count(1)
    expect(page.locator(f"text={round_.seed}")).to_have_count(0)
    check_page(page)

    page.click("#link-feasibility")
    page.wait_for_load_state()
    expect(page.locator("#feasibility-verdict")).to_have_count(1)
    check_page(page)
    page.go_back()
    page.wait_for_load_state()

    page.click("#run-allocation")
    page.wait_for_load_state()
    run = AllocationRun.objects.get(round=round_, kind=RunKind.MAIN)
    assert page.url.endswith(f"/staff/skolevalg/kjoring/{run.pk}/") and run.certificate["stable"]
    expect(page.locator("#certificate-verdict")).to_have_count(1)
    expect(page.locator(f"code:has-text('{run.input_hash}')")).to_have_count(1)
    check_page(page)

    page.goto(f"/staff/skolevalg/runder/{round_.pk}/hva-om/")
    check_page(page)
    page.click("#run-what-if")  # nothing chosen: an error summary
    page.wait_for_load_state()
    expect(page.locator(".ds-error-summary a[href='#id_kind_0']")).to_have_count(1)
    check_page(page)
    page.check("#id_kind_0")
    page.select_option("#id_school", str(a.pk))
    page.fill("#id_classes", "1")
    page.click("#run-what-if")
    page.wait_for_load_state()
    assert AllocationRun.objects.filter(round=round_, kind=RunKind.WHAT_IF).count() == 1
    expect(page.locator("#caption-comparison")).to_have_count(1)
    check_page(page)

    page.goto(f"/staff/skolevalg/runder/{round_.pk}/")
    page.click("#step-publiser")
    page.wait_for_load_state()
    assert Round.objects.get(pk=round_.pk).state == RoundState.PUBLISHED
    expect(page.locator(f"code:has-text('{round_.seed}')")).to_have_count(1)  # revealed, and it wraps
    check_page(page)

    page.goto("/staff/skolevalg/skoler/")
    check_page(page)
    page.click(f"a[href='/staff/skolevalg/skoler/{a.pk}/rediger/']")
    page.wait_for_load_state()
    page.fill("#id_profile", "Alfa er en liten skole ved skogen.")
    page.click("#save-school")
    page.wait_for_load_state()
    a.refresh_from_db()
    assert a.profile.startswith("Alfa er")
    check_page(page)

    page.goto("/staff/skolevalg/skoler/adresser/")
    check_page(page)
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "adresser.csv",
                "mimeType": "text/csv",
                "buffer": b"address;postcode;latitude;longitude;primary_school;secondary_school\n"
                b"Storgata 1;3999;59.05;10.00;Alfa skole;Ungdomsskolen\n"
                b"Storgata 2;3999;59.05;10.00;Ukjent skole;\n",
            }
        ],
    )
    page.click("#import-addresses")
    page.wait_for_load_state()
    expect(page.locator("#import-errors")).to_have_count(
        1
    )  # line 3 names an unknown school: nothing imported
    check_page(page)
