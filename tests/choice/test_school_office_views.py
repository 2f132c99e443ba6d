"""The school office's pages (choice/schools/application_views.py, budget_views.py): who may read
and act (the school office acts; the council and the desk read the budget and are refused the
children's data), other municipalities' ids answer 404, lists keep their query count."""

import pytest
from django.urls import reverse

from servicetorg.choice.schools.models import BudgetModel, BudgetSchool, RoundState
from servicetorg.core.choices import Role
from tests.factories import make_staff

from .school_factories import address, school, school_round
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
    assert again.status_code == 400 and "already a budget" in again.content.decode()

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
    assert "(10 + 3) × " in text and "NOK" in text
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
