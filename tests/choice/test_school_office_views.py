"""The school office's pages (choice/schools/application_views.py, budget_views.py): who may read
and act (the school office acts; the council and the desk read the budget and are refused the
children's data), other municipalities' ids answer 404, lists keep their query count."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from servicetorg.choice.schools.models import (
    Appeal,
    AppealState,
    ApplicationSource,
    BudgetModel,
    BudgetSchool,
    Placement,
    PlacementState,
    RoundState,
    SchoolApplication,
    SchoolApplicationState,
)
from servicetorg.core.choices import Role
from tests.factories import make_staff

from .school_factories import address, application, child_number, school, school_round
from .school_office_helpers import budget_model, placed_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _synthetic(settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True


@pytest.fixture
def office(municipality):
    return make_staff(Role.SCHOOL_OFFICE, municipality, username="skolekontor")


@pytest.fixture
def council(municipality):
    return make_staff(Role.COUNCIL, municipality, username="politiker")


@pytest.fixture
def town(municipality):
    a = school(municipality, "Alfa skole")
    b = school(municipality, "Beta skole")
    home = address(municipality, "Alfaveien 1", a)
    round_ = school_round(municipality, {a: 25, b: 25}, state=RoundState.PUBLISHED)
    placed_run(round_, {a: 3, b: 2}, address_=home)
    return a, b, home, round_


# --- The budget -----------------------------------------------------------------------------------


def test_the_office_creates_edits_and_reads_a_budget(client, municipality, town, office):
    a, b, home, round_ = town
    client.force_login(office)
    assert client.get(reverse("schools:budget-list")).status_code == 200
    data = {
        "school_year": "2027",
        "rate_primary": "80000",
        "rate_secondary": "95000",
        "base_grant": "500000",
        "common_costs": "1000000",
    }
    bad = client.post(reverse("schools:budget-list"), {**data, "rate_primary": "-1"})
    assert bad.status_code == 400 and not BudgetModel.objects.exists()
    response = client.post(reverse("schools:budget-list"), data)
    model = BudgetModel.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "schools:budget-edit", args=[model.pk]
    )
    again = client.post(reverse("schools:budget-list"), data)
    assert again.status_code == 400 and "school_year" in again.context["form"].errors

    edit = reverse("schools:budget-edit", args=[model.pk])
    assert client.get(edit).status_code == 200
    form = {
        "model-rate_primary": "80000",
        "model-rate_secondary": "95000",
        "model-base_grant": "500000",
        "model-common_costs": "1000000",
    }
    for s in (a, b):
        form |= {
            f"school-{s.pk}-continuing_primary": "10",
            f"school-{s.pk}-continuing_secondary": "0",
            f"school-{s.pk}-special_allocation": "0",
            f"school-{s.pk}-special_reason": "",
        }
    missing_reason = client.post(edit, {**form, f"school-{a.pk}-special_allocation": "40000"})
    assert missing_reason.status_code == 400
    assert BudgetSchool.objects.get(school=a).special_allocation == 0
    form |= {f"school-{a.pk}-special_allocation": "40000", f"school-{a.pk}-special_reason": "Tolk"}
    assert client.post(edit, form).status_code == 302
    assert BudgetSchool.objects.get(school=a).special_reason == "Tolk"

    page = client.get(reverse("schools:budget-detail", args=[model.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    # Alfa: (10 + 3) × 80 000 + 500 000 + 1 000 000 × 13/25 + 40 000
    assert page.context["budget"].schools[0].total == 1_040_000 + 500_000 + 520_000 + 40_000
    # the amount in bokmål kroner, never broken from its currency (non-breaking spaces)
    assert "(10 + 3) × 80\u00a0000\u00a0kr = 1\u00a0040\u00a0000\u00a0kr" in text
    what_if = client.get(
        reverse("schools:budget-detail", args=[model.pk]), {"hva-om": "1", f"plus-{b.pk}-primary": "25"}
    )
    assert what_if.status_code == 200 and what_if.context["budget"].is_what_if
    assert what_if.context["budget"].difference == 25 * 80_000
    assert 'id="what-if-note"' in what_if.content.decode()
    too_many = client.get(
        reverse("schools:budget-detail", args=[model.pk]), {"hva-om": "1", f"plus-{b.pk}-primary": "5000"}
    )
    assert too_many.status_code == 400 and not too_many.context["budget"].is_what_if
    xlsx = client.get(
        reverse("schools:budget-xlsx", args=[model.pk]), {"hva-om": "1", f"plus-{b.pk}-primary": "25"}
    )
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "elevsjekk-2027-hva-om.xlsx" in xlsx["Content-Disposition"]


@pytest.mark.parametrize("role", [Role.COUNCIL, Role.DESK_WORKER])
def test_council_and_desk_read_the_budget_and_change_nothing(client, municipality, town, role):
    a, b, home, round_ = town
    model = budget_model(municipality, rows={a: {"continuing_primary": 4}})
    client.force_login(make_staff(role, municipality, username=f"leser-{role}"))
    listing = client.get(reverse("schools:budget-list"))
    assert listing.status_code == 200 and listing.context["form"] is None
    page = client.get(reverse("schools:budget-detail", args=[model.pk]))
    assert page.status_code == 200 and not page.context["can_edit"]
    assert client.get(reverse("schools:budget-xlsx", args=[model.pk])).status_code == 200
    assert client.get(reverse("schools:budget-edit", args=[model.pk])).status_code == 403
    assert client.post(reverse("schools:budget-edit", args=[model.pk]), {}).status_code == 403
    assert client.post(reverse("schools:budget-list"), {"school_year": "2030"}).status_code == 403


def test_another_municipality_gets_404_for_a_budget(client, municipality, town, other_staff):
    model = budget_model(municipality)
    client.force_login(other_staff)
    assert client.get(reverse("schools:budget-list")).context["models"].count() == 0
    for name in ("budget-detail", "budget-edit", "budget-xlsx"):
        assert client.get(reverse(name and f"schools:{name}", args=[model.pk])).status_code == 404


def test_a_citizen_or_provider_without_a_role_is_refused(client, municipality, town):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="ingen"))
    assert client.get(reverse("schools:budget-list")).status_code == 403


def test_the_budget_page_reads_in_few_queries(
    client, municipality, town, office, django_assert_max_num_queries
):
    a, b, home, round_ = town
    for i in range(10):
        school(municipality, f"Skole {i}")
    model = budget_model(municipality, rows={a: {"continuing_primary": 4}})
    client.force_login(office)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("schools:budget-detail", args=[model.pk])).status_code == 200


# --- Applications ---------------------------------------------------------------------------------


@pytest.fixture
def placed(municipality, town):
    """Three applications in the published round: Kari placed at Alfa (her first wish, with a
    special-needs decision naming Alfa), Ola placed at Beta, Per without a seat; Kari has appealed."""
    a, b, home, round_ = town
    run = round_.runs.get(current=True)
    kari = application(round_, home, [a, b], special=a, name="Kari Nordmann", number=KARI_CHILD)
    ola = application(round_, home, [b], name="Ola Nordmann")
    per = application(round_, home, [b, a], name="Per Hansen")
    Placement.objects.create(run=run, application=kari, school=a, wish_rank=1, lottery=7)
    Placement.objects.create(run=run, application=ola, school=b, wish_rank=1, lottery=8)
    Placement.objects.create(run=run, application=per, school=None, lottery=9, state=PlacementState.UNPLACED)
    return kari, ola, per


KARI_CHILD = child_number(2021)


def test_the_office_lists_and_filters_the_applications(
    client, town, placed, office, django_assert_max_num_queries
):
    a, b, home, round_ = town
    kari, ola, per = placed
    client.force_login(office)
    url = reverse("schools:application-list", args=[round_.pk])
    with django_assert_max_num_queries(20):
        page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and page.context["count"] == 8  # the run's 5 and these 3
    assert KARI_CHILD not in text and f"{KARI_CHILD[:6]}*****" in text  # masked
    shown = {row["application"].name: row["application"] for row in page.context["rows"]}
    assert "Kari Nordmann" in text and shown["Kari Nordmann"].special_needs_school == a

    def names(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {row["application"].name for row in response.context["rows"]}

    assert {"Kari Nordmann", "Per Hansen"} <= names(onske=a.pk) and "Ola Nordmann" not in names(onske=a.pk)
    assert "Ola Nordmann" in names(plassert=b.pk) and "Kari Nordmann" not in names(plassert=b.pk)
    assert names(plassert="ingen") == {"Per Hansen"}
    assert names(tilstand="withdrawn") == set()
    assert client.get(url, {"plassert": "zzz"}).status_code == 400
    for _ in range(60):
        application(round_, home, [a])
    with django_assert_max_num_queries(20):
        assert client.get(url, {"page": 2}).status_code == 200


def test_the_detail_shows_wishes_placement_explanation_and_history(client, town, placed, office):
    a, b, home, round_ = town
    kari, ola, per = placed
    client.force_login(office)
    page = client.get(reverse("schools:application-detail", args=[round_.pk, per.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and page.context["current"].school is None
    assert [w.school for w in page.context["wishes"]] == [b, a]
    assert len(page.context["history"]) == 1
    assert per.national_id not in text and "*****" in text
    kari_page = client.get(reverse("schools:application-detail", args=[round_.pk, kari.pk])).content.decode()
    assert "Alfa skole" in kari_page and KARI_CHILD not in kari_page


def test_register_change_and_withdraw_an_application(client, municipality, office):
    a = school(municipality, "Alfa skole")
    b = school(municipality, "Beta skole")
    address(municipality, "Alfaveien 1", a)
    round_ = school_round(municipality, {a: 25, b: 25}, state=RoundState.CLOSED)
    client.force_login(office)
    create = reverse("schools:application-create", args=[round_.pk])
    assert client.get(create).status_code == 200
    number = child_number(2021)
    data = {
        "child_national_id": number,
        "name": "Kari Nordmann",
        "address": "alfaveien 1",
        "postcode": "3999",
        "wish_1": str(b.pk),
        "sibling_1": "on",
        "wish_2": str(a.pk),
        "contact_email": "kari@example.no",
        "special_needs_school": "",
    }
    bad = client.post(create, {**data, "child_national_id": "12345678901", "address": "Ukjent vei 9"})
    assert bad.status_code == 400 and not SchoolApplication.objects.exists()
    assert {"child_national_id", "address"} <= set(bad.context["form"].errors)
    same = client.post(create, {**data, "wish_2": str(b.pk)})
    assert same.status_code == 400 and "wish_1" in same.context["form"].errors  # listed twice
    response = client.post(create, data)
    app = SchoolApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:application-detail", args=[round_.pk, app.pk])
    assert app.source == ApplicationSource.STAFF and app.catchment_school == a
    assert [(w.school, w.sibling) for w in app.wishes.order_by("rank")] == [(b, True), (a, False)]

    edit = reverse("schools:application-edit", args=[round_.pk, app.pk])
    form = client.get(edit)
    assert form.status_code == 200 and "child_national_id" not in form.context["form"].fields
    changed = {k: v for k, v in data.items() if k != "child_national_id"}
    changed |= {"wish_1": str(a.pk), "wish_2": "", "sibling_1": "", "special_needs_school": str(a.pk)}
    assert client.post(edit, changed).status_code == 302
    app.refresh_from_db()
    assert [w.school for w in app.wishes.all()] == [a] and app.special_needs_school == a
    assert SchoolApplication.objects.count() == 1

    withdraw = reverse("schools:application-withdraw", args=[round_.pk, app.pk])
    assert client.get(withdraw).status_code == 405
    assert client.post(withdraw).status_code == 302
    app.refresh_from_db()
    assert app.state == SchoolApplicationState.WITHDRAWN
    assert client.post(withdraw, follow=True).status_code == 200  # a second time: a message, no 500
    assert client.get(edit).status_code == 200


def test_the_import_page(client, municipality, office):
    a = school(municipality, "Alfa skole")
    address(municipality, "Alfaveien 1", a)
    round_ = school_round(municipality, {a: 25}, state=RoundState.OPEN)
    client.force_login(office)
    url = reverse("schools:application-import", args=[round_.pk])
    assert client.get(url).status_code == 200
    sample = client.get(reverse("schools:application-import-sample", args=[round_.pk]))
    assert sample.status_code == 200 and sample["Content-Type"].startswith("text/csv")
    body = sample.content
    bad = body + b"rad-9;123;X;Alfaveien 1;3999;Alfa skole;;;;;\n"
    failed = client.post(url, {"file": SimpleUploadedFile("s.csv", bad)})
    assert failed.status_code == 400 and failed.context["report"]["errors"][0][0] == 4, failed.context[
        "report"
    ]
    assert not SchoolApplication.objects.exists()
    skipped = client.post(url, {"file": SimpleUploadedFile("s.csv", bad), "skip_bad_rows": "on"})
    assert skipped.status_code == 200 and skipped.context["report"]["created"] == 2
    again = client.post(url, {"file": SimpleUploadedFile("s.csv", body)})
    assert again.context["report"]["unchanged"] == 2 and SchoolApplication.objects.count() == 2


@pytest.mark.parametrize("role", [Role.COUNCIL, Role.DESK_WORKER, Role.CASE_OFFICER])
def test_readers_are_refused_the_childrens_data(client, municipality, town, placed, role):
    a, b, home, round_ = town
    kari, ola, per = placed
    appeal = Appeal.objects.create(application=kari, text="Vi ønsker Beta.")
    client.force_login(make_staff(role, municipality, username=f"leser-{role}"))
    for name, args in [
        ("application-list", [round_.pk]),
        ("application-detail", [round_.pk, kari.pk]),
        ("application-create", [round_.pk]),
        ("application-edit", [round_.pk, kari.pk]),
        ("application-import", [round_.pk]),
        ("application-import-sample", [round_.pk]),
        ("appeal-list", []),
        ("appeal-detail", [appeal.pk]),
    ]:
        assert client.get(reverse(f"schools:{name}", args=args)).status_code == 403, name
    for name, args in [("application-withdraw", [round_.pk, kari.pk]), ("appeal-answer", [appeal.pk])]:
        assert client.post(reverse(f"schools:{name}", args=args), {}).status_code == 403, name
    kari.refresh_from_db()
    assert kari.state == SchoolApplicationState.SUBMITTED


def test_another_municipality_gets_404(client, municipality, town, placed, other_staff):
    a, b, home, round_ = town
    kari, ola, per = placed
    appeal = Appeal.objects.create(application=kari, text="Vi ønsker Beta.")
    client.force_login(other_staff)  # the administration of another municipality (SCHOOL_ADMINISTER there)
    for name, args in [
        ("application-list", [round_.pk]),
        ("application-detail", [round_.pk, kari.pk]),
        ("application-create", [round_.pk]),
        ("application-edit", [round_.pk, kari.pk]),
        ("application-import", [round_.pk]),
        ("application-import-sample", [round_.pk]),
        ("appeal-detail", [appeal.pk]),
    ]:
        assert client.get(reverse(f"schools:{name}", args=args)).status_code == 404, name
    assert client.post(reverse("schools:application-withdraw", args=[round_.pk, kari.pk])).status_code == 404
    assert client.post(reverse("schools:appeal-answer", args=[appeal.pk]), {}).status_code == 404
    listing = client.get(reverse("schools:appeal-list"))
    assert listing.status_code == 200 and listing.context["rows"] == []


def test_an_application_of_another_round_is_404(client, municipality, town, placed, office):
    a, b, home, round_ = town
    kari, ola, per = placed
    other = school_round(municipality, {a: 3}, name="Annen runde")
    client.force_login(office)
    assert client.get(reverse("schools:application-detail", args=[other.pk, kari.pk])).status_code == 404


# --- Appeals --------------------------------------------------------------------------------------


def test_the_appeals_list_puts_those_waiting_first_with_their_age(client, town, placed, office):
    kari, ola, per = placed
    now = timezone.now()
    old = Appeal.objects.create(application=per, text="Ingen plass.")
    new = Appeal.objects.create(application=kari, text="Vi ønsker Beta.")
    done = Appeal.objects.create(application=ola, text="Feil.", state=AppealState.REJECTED, answer="Nei.")
    Appeal.objects.filter(pk=old.pk).update(received_at=now - timedelta(days=9))
    Appeal.objects.filter(pk=new.pk).update(received_at=now - timedelta(days=2))
    Appeal.objects.filter(pk=done.pk).update(
        received_at=now - timedelta(days=30), answered_at=now - timedelta(days=20)
    )
    client.force_login(office)
    page = client.get(reverse("schools:appeal-list"))
    rows = page.context["rows"]
    assert [r["appeal"].pk for r in rows] == [old.pk, new.pk, done.pk]
    assert [r["days"] for r in rows] == [9, 2, 10]
    assert rows[0]["placement"].school is None and rows[1]["placement"].school.name == "Alfa skole"
    assert page.context["received"] == 2
    waiting = client.get(reverse("schools:appeal-list"), {"tilstand": "rejected"})
    assert [r["appeal"].pk for r in waiting.context["rows"]] == [done.pk]
    detail = client.get(reverse("schools:appeal-detail", args=[old.pk]))
    assert detail.status_code == 200 and detail.context["can_answer"] and detail.context["days"] == 9
    assert "Ingen plass." in detail.content.decode()
    assert not client.get(reverse("schools:appeal-detail", args=[done.pk])).context["can_answer"]


def test_the_office_answers_an_appeal(client, town, placed, office, mailoutbox):
    pytest.importorskip("servicetorg.choice.schools.appeals")
    kari, ola, per = placed
    appeal = Appeal.objects.create(application=per, text="Ingen plass.")
    client.force_login(office)
    url = reverse("schools:appeal-answer", args=[appeal.pk])
    empty = client.post(url, {"decision": "reject", "answer": "  "})
    assert empty.status_code == 400
    assert client.post(url, {"decision": "maybe", "answer": "x"}).status_code == 400
    response = client.post(url, {"decision": "uphold", "answer": "Per får plass ved Beta skole."})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == AppealState.UPHELD and appeal.answer == "Per får plass ved Beta skole."
    assert appeal.answered_by == office
    again = client.post(url, {"decision": "reject", "answer": "Nei."}, follow=True)
    assert again.status_code == 200
    appeal.refresh_from_db()
    assert appeal.state == AppealState.UPHELD
