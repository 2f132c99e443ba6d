"""The school office's pages (/staff/skolevalg/): rounds, their steps and runs, feasibility, what-ifs
and schools — as the school office, the council (read and what-if only), a desk worker (reads,
never acts) and another municipality's staff (404)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from servicetorg.choice.schools import allocate, round_selectors
from servicetorg.choice.schools.models import (
    AllocationRun,
    Cutoff,
    Priority,
    Round,
    RoundState,
    RunKind,
    School,
    SchoolAddress,
)
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.factories import make_staff

from .school_factories import application, school_round
from .school_round_helpers import RULES, allocated_round, council, draft, office, town  # noqa: F401

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"schools:{name}", args=args)


def round_data(**overrides):
    data = {
        "name": RULES["name"],
        "school_year": "2026",
        "intake": "first",
        "grade": "1",
        "opens_on": "2025-11-01",
        "closes_on": "2025-12-01",
        "answer_within_days": "14",
        "wishes": "2",
        "priority_1": "catchment",
        "priority_2": "sibling",
        "priority_3": "",
        "tie_break": "single",
        "guarantee": "on",
    }
    data.update(overrides)
    return data


def test_the_office_creates_edits_opens_closes_runs_and_publishes(client, municipality, town, office):  # noqa: F811
    client.force_login(office)
    listing = client.get(url("round-list"))
    assert listing.status_code == 200 and url("round-create").encode() in listing.content
    response = client.post(url("round-create"), {**round_data(), "municipality": municipality.pk})
    round_ = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == url("round-edit", round_.pk)
    assert round_.priorities == [Priority.CATCHMENT, Priority.SIBLING] and round_.guarantee

    page = client.get(url("round-edit", round_.pk))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Alfa skole" in content and "Ungdomsskolen" not in content  # it does not teach grade 1
    a, b = town["a"], town["b"]
    seats = {
        f"school-{a.pk}-seats": "2",
        f"school-{a.pk}-class_size": "2",
        f"school-{b.pk}-seats": "2",
        f"school-{b.pk}-class_size": "25",
        f"school-{town['c'].pk}-seats": "",
        f"school-{town['c'].pk}-class_size": "25",
    }
    response = client.post(url("round-edit", round_.pk), {**round_data(wishes="3"), **seats})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.wishes == 3
    assert dict(round_.schools.values_list("school__name", "seats")) == {"Alfa skole": 2, "Beta skole": 2}

    detail = client.get(url("round-detail", round_.pk)).content.decode()
    assert url("round-action", round_.pk, "apne") in detail and url("round-edit", round_.pk) in detail
    assert client.post(url("round-action", round_.pk, "apne")).status_code == 302
    assert Round.objects.get(pk=round_.pk).state == RoundState.OPEN
    for _ in range(3):
        application(round_, town["near_a"], [a, b])
    client.post(url("round-action", round_.pk, "steng"))
    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED and round_.seed_hash
    detail = client.get(url("round-detail", round_.pk)).content.decode()
    assert round_.seed_hash in detail and round_.seed not in detail

    response = client.post(url("round-run", round_.pk))
    run = AllocationRun.objects.get(round=round_)
    assert response.status_code == 302 and response["Location"] == url("run-detail", run.pk)
    certificate = client.get(url("run-detail", run.pk)).content.decode()
    assert round_.seed_hash in certificate and run.input_hash in certificate
    assert round_.seed not in certificate  # not before publishing
    assert 'id="certificate-verdict"' in certificate

    client.post(url("round-action", round_.pk, "publiser"))
    round_.refresh_from_db()
    assert round_.state == RoundState.PUBLISHED
    assert round_.seed in client.get(url("run-detail", run.pk)).content.decode()
    assert round_.seed in client.get(url("round-detail", round_.pk)).content.decode()
    response = client.post(url("round-waiting-list", round_.pk))
    rerun = AllocationRun.objects.get(round=round_, kind=RunKind.WAITING_LIST)
    assert response["Location"] == url("run-detail", rerun.pk)
    client.post(url("round-action", round_.pk, "avslutt"))
    assert Round.objects.get(pk=round_.pk).state == RoundState.FINISHED


def test_form_errors_are_shown_in_a_summary(client, municipality, town, office):  # noqa: F811
    client.force_login(office)
    response = client.post(
        url("round-create"), {**round_data(closes_on="2025-10-01"), "municipality": municipality.pk}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="ds-error-summary' in content and 'href="#id_closes_on"' in content
    response = client.post(
        url("round-create"),
        {**round_data(priority_1="sibling", priority_2="catchment"), "municipality": municipality.pk},
    )
    assert response.status_code == 400 and 'href="#id_priority_1"' in response.content.decode()
    assert not Round.objects.exists()

    round_ = draft(municipality, {town["a"]: 10})
    response = client.post(
        url("round-edit", round_.pk),
        {**round_data(), f"school-{town['a'].pk}-seats": "-1", f"school-{town['a'].pk}-class_size": "25"},
    )
    assert response.status_code == 400 and "ds-error-summary" in response.content.decode()
    response = client.post(url("round-action", round_.pk, "steng"), follow=True)
    assert response.status_code == 200
    assert Round.objects.get(pk=round_.pk).state == RoundState.DRAFT  # refused out of turn, in a message


def test_the_certificate_never_names_the_special_needs_group(client, municipality, town, office):  # noqa: F811
    a, b, near_b = town["a"], town["b"], town["near_b"]
    round_ = school_round(municipality, {a: 1, b: 5}, priorities=[Priority.SPECIAL_NEEDS, Priority.CATCHMENT])
    application(round_, near_b, [a], special=a)
    application(round_, near_b, [a])
    run = allocate.run_main(round_, user=SYSTEM)
    cutoff = Cutoff.objects.get(run=run, school=a)
    assert cutoff.full and cutoff.last_group == 0
    client.force_login(office)
    content = client.get(url("run-detail", run.pk)).content.decode()
    assert "Fylt med prioritet etter enkeltvedtak" in content  # «Filled by priority by individual decision»
    assert "Særskilte behov" not in content  # the group's bokmål label
    with translation.override("en"):
        assert str(Priority.SPECIAL_NEEDS.label) not in content
    assert f"loddnummer {cutoff.last_lottery}<" not in content


def test_feasibility_says_whether_the_seats_suffice(client, municipality, town, council):  # noqa: F811
    a, b, near_a = town["a"], town["b"], town["near_a"]
    round_ = school_round(municipality, {a: 1, b: 5})
    application(round_, near_a, [b])
    client.force_login(council)
    page = client.get(url("round-feasibility", round_.pk)).content.decode()
    assert "Det er nok plasser: alle søkere med garanti kan få plass ved nærskolen." in page
    application(round_, near_a, [a])
    page = client.get(url("round-feasibility", round_.pk)).content.decode()
    assert "Det er ikke nok plasser ved disse skolene:" in page
    assert "Alfa skole: 2 søkere med garanti til 1 plasser" in page


def test_the_council_reads_and_runs_what_ifs_but_takes_no_step(client, municipality, town, council):  # noqa: F811
    round_, _apps = allocated_round(municipality, town)
    client.force_login(council)
    for page in (
        url("round-list"),
        url("round-detail", round_.pk),
        url("round-feasibility", round_.pk),
        url("what-if", round_.pk),
        url("run-detail", round_.runs.get().pk),
        url("school-list"),
    ):
        assert client.get(page).status_code == 200, page
    detail = client.get(url("round-detail", round_.pk)).content.decode()
    assert (
        url("round-run", round_.pk) not in detail and url("round-action", round_.pk, "publiser") not in detail
    )
    assert url("round-create") not in client.get(url("round-list")).content.decode()
    for page in (
        url("round-run", round_.pk),
        url("round-action", round_.pk, "publiser"),
        url("round-edit", round_.pk),
    ):
        assert client.post(page).status_code == 403, page
    assert client.get(url("round-create")).status_code == 403
    assert client.get(url("school-create")).status_code == 403
    assert client.get(url("school-edit", town["a"].pk)).status_code == 403

    for data in (
        {"kind": "extra_classes", "school": town["a"].pk, "classes": "1"},
        {"kind": "drop_sibling"},
        {"kind": "tie_break"},
        {"kind": "first_wish_first"},
    ):
        response = client.post(url("what-if", round_.pk), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    runs = AllocationRun.objects.filter(round=round_, kind=RunKind.WHAT_IF).order_by("pk")
    assert [r.variant for r in runs] == [
        {"extra_seats": {str(town["a"].pk): 25}},
        {"drop": ["sibling"]},
        {"tie_break": "per_school"},
        {"rule": "first_wish_first"},
    ]
    assert Round.objects.get(pk=round_.pk).state == RoundState.ALLOCATED
    page = client.get(url("what-if", round_.pk)).content.decode()
    assert "Hovedfordeling" in page and "+1 klasse (25 plasser) ved Alfa skole" in page
    assert "Hvem flytter" in page


def test_what_if_form_errors(client, municipality, town, council):  # noqa: F811
    round_, _apps = allocated_round(municipality, town)
    client.force_login(council)
    response = client.post(url("what-if", round_.pk), {"kind": "extra_classes"})
    assert response.status_code == 400 and 'href="#id_school"' in response.content.decode()
    response = client.post(url("what-if", round_.pk), {})
    assert response.status_code == 400 and 'href="#id_kind_0"' in response.content.decode()
    assert not AllocationRun.objects.filter(kind=RunKind.WHAT_IF).exists()
    opened = draft(municipality, {town["a"]: 10})
    page = client.get(url("what-if", opened.pk)).content.decode()
    assert 'id="run-what-if"' not in page


def test_who_moves_is_counted_in_one_query(municipality, town):  # noqa: F811
    round_, _apps = allocated_round(municipality, town)
    a = town["a"]
    more = allocate.run_what_if(
        round_, user=SYSTEM, variant={"extra_seats": {str(a.pk): 3}}, label="+3 at Alfa"
    )
    same = allocate.run_what_if(round_, user=SYSTEM, variant={"tie_break": "single"}, label="same")
    current = AllocationRun.objects.get(round=round_, current=True)
    with CaptureQueriesContext(connection) as queries:
        moved = round_selectors.moves(current, [more, same], round_.wishes)
    assert len(queries) == 1
    # Alfa took its two catchment pupils; with 3 more seats the three who wished for it first move up.
    assert (moved[more.pk].moved, moved[more.pk].better, moved[more.pk].worse) == (3, 3, 0)
    assert (moved[same.pk].compared, moved[same.pk].moved) == (5, 0)
    with CaptureQueriesContext(connection) as queries:
        round_selectors.comparison(round_)
    assert len(queries) <= 4  # the main run, the what-ifs, the moves, the schools' names


def test_a_desk_worker_reads_but_never_acts(client, municipality, town, desk_worker):  # noqa: F811
    round_, _apps = allocated_round(municipality, town)
    client.force_login(desk_worker)
    assert client.get(url("round-detail", round_.pk)).status_code == 200
    assert client.get(url("run-detail", round_.runs.get().pk)).status_code == 200
    assert client.post(url("round-run", round_.pk)).status_code == 403
    assert client.post(url("round-action", round_.pk, "publiser")).status_code == 403
    assert client.post(url("round-waiting-list", round_.pk)).status_code == 403
    assert client.post(url("school-edit", town["a"].pk), {"name": "X"}).status_code == 403
    assert Round.objects.get(pk=round_.pk).state == RoundState.ALLOCATED


def test_another_municipality_gets_404(client, municipality, other_municipality, town):  # noqa: F811
    round_, _apps = allocated_round(municipality, town)
    run = round_.runs.get()
    stranger = make_staff(Role.SCHOOL_OFFICE, other_municipality, username="naboskolekontor")
    client.force_login(stranger)
    for page in (
        url("round-detail", round_.pk),
        url("round-edit", round_.pk),
        url("round-feasibility", round_.pk),
        url("what-if", round_.pk),
        url("run-detail", run.pk),
        url("school-edit", town["a"].pk),
    ):
        assert client.get(page).status_code == 404, page
    for page in (
        url("round-action", round_.pk, "publiser"),
        url("round-run", round_.pk),
        url("round-waiting-list", round_.pk),
        url("what-if", round_.pk),
    ):
        assert client.post(page, {"kind": "first_wish_first"}).status_code == 404, page
    listing = client.get(url("round-list")).content.decode()
    assert round_.name not in listing
    assert "Alfa skole" not in client.get(url("school-list")).content.decode()
    assert AllocationRun.objects.filter(round=round_).count() == 1


def test_the_school_registry_pages(client, municipality, town, office):  # noqa: F811
    client.force_login(office)
    assert client.get(url("school-list")).status_code == 200
    data = {
        "municipality": municipality.pk,
        "name": "Delta skole",
        "first_grade": "1",
        "last_grade": "10",
        "address": "Skoleveien 1",
        "latitude": "59.1",
        "longitude": "10.1",
        "profile": "Vi er en 1–10-skole ved sjøen.",
        "website": "",
        "email": "delta@example.no",
        "phone": "",
        "active": "on",
    }
    assert client.post(url("school-create"), data).status_code == 302
    made = School.objects.get(name="Delta skole")
    assert made.teaches(9) and made.profile.startswith("Vi er")
    response = client.post(url("school-create"), {**data, "name": "alfa skole"})
    assert response.status_code == 400 and 'href="#id_name"' in response.content.decode()
    response = client.post(url("school-edit", made.pk), {**data, "first_grade": "8", "last_grade": "7"})
    assert response.status_code == 400 and 'href="#id_last_grade"' in response.content.decode()
    assert client.post(url("school-edit", made.pk), {**data, "phone": "33 00 00 00"}).status_code == 302
    assert School.objects.get(pk=made.pk).phone == "33 00 00 00"


def test_the_round_list_asks_a_fixed_number_of_queries(client, municipality, town, office):  # noqa: F811
    client.force_login(office)
    draft(municipality, {town["a"]: 10}, name="A")
    client.get(url("round-list"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("round-list"))
    for name in ("B", "C", "D"):
        draft(municipality, {town["a"]: 10, town["b"]: 5}, name=name)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("round-list")).status_code == 200
    assert len(many) == len(few)


def test_ids_are_written_without_a_thousands_separator(client, municipality, town, office):  # noqa: F811
    round_, _apps = allocated_round(municipality, town)
    client.force_login(office)
    page = client.get(url("round-edit", draft(municipality, {town["a"]: 10}).pk)).content.decode()
    assert f'name="school-{town["a"].pk}-seats"' in page
    page = client.get(url("what-if", round_.pk)).content.decode()
    assert f'value="{town["a"].pk}"' in page


def test_what_ifs_are_compared_with_the_main_run_not_a_waiting_list_rerun(municipality, town):  # noqa: F811
    round_, _apps = allocated_round(municipality, town, state=RoundState.PUBLISHED)
    main = AllocationRun.objects.get(round=round_, kind=RunKind.MAIN)
    rerun = allocate.run_waiting_list(round_, user=SYSTEM)
    what_if = allocate.run_what_if(round_, user=SYSTEM, variant={"drop": ["sibling"]}, label="no siblings")
    assert rerun.current and what_if.based_on == main
    baseline, columns = round_selectors.comparison(round_)
    assert baseline == main and [c.run for c in columns] == [main, what_if]
    assert columns[0].is_main and columns[1].moves.compared == 5 and columns[1].moves.moved == 0


def test_the_address_register_page(client, municipality, town, office, council):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(council)
    page = client.get(url("address-register"))
    assert page.status_code == 200 and 'id="import-addresses"' not in page.content.decode()
    assert client.post(url("address-register")).status_code == 403
    client.force_login(office)
    csv_file = (
        "address;postcode;latitude;longitude;primary_school;secondary_school\n"
        "Storgata 1;3999;59.05;10.00;Alfa skole;Ungdomsskolen\n"
        "Storgata 2;3999;59.05;10.00;Ungdomsskolen;\n"
    )

    def upload(**extra):
        data = {
            "municipality": municipality.pk,
            "file": SimpleUploadedFile("a.csv", csv_file.encode()),
            **extra,
        }
        return client.post(url("address-register"), data)

    response = upload()
    assert response.status_code == 400 and 'id="import-errors"' in response.content.decode()
    assert '<th scope="row">3</th>' in response.content.decode()
    assert not SchoolAddress.objects.filter(address="Storgata 1").exists()
    response = upload(skip_bad_rows="on")
    assert response.status_code == 200 and SchoolAddress.objects.filter(address="Storgata 1").exists()
    content = response.content.decode()
    assert 'id="import-errors"' in content  # the left-out row is still listed
    response = client.post(url("address-register"), {"municipality": municipality.pk})
    assert response.status_code == 400 and 'href="#id_file"' in response.content.decode()
