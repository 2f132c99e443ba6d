"""Staff pages (create, edit with rates, adopt, new version; tenancy) and the citizen pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from servicetorg.choice import services
from servicetorg.choice.demo import load
from servicetorg.choice.models import Band, Scheme, SchemeState
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.factories import make_service

from .conftest import DECISION, build_scheme

pytestmark = pytest.mark.django_db


def _edit_data(scheme, **overrides):
    data = {
        "service": scheme.service_id,
        "name": scheme.name,
        "mode": scheme.mode,
        "valid_from": "2026-01-01",
        "requirements": "Krav",
        "contract_terms": "Vilkår",
        "default_rule": "municipal",
        "notice_days": "0",
        "notice_months": "1",
        "price_model": "hourly",
        "settle_on": "attested",
        "rate-day-amount": "612",
        "rate-day-minimum_minutes": "30",
        "rate-day-running_costs": "468",
        "rate-day-capital_costs": "24",
        "rate-day-common_costs": "120",
    }
    data.update(overrides)
    return data


def test_administration_creates_edits_adopts_and_versions(client, municipality, administration):
    service = make_service(municipality, slug="praktisk-bistand", name="Praktisk bistand")
    client.force_login(administration)
    assert client.get(reverse("choice:scheme-list")).status_code == 200
    response = client.post(
        reverse("choice:scheme-create"),
        {
            "municipality": municipality.pk,
            "service": service.pk,
            "name": "Brukervalg",
            "mode": "approval",
            "price_model": "hourly",
        },
    )
    scheme = Scheme.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "choice:scheme-edit", args=[scheme.pk]
    )
    edit = reverse("choice:scheme-edit", args=[scheme.pk])
    page = client.get(edit)
    assert 'name="rate-weekend-amount"' in page.content.decode()
    bad = client.post(edit, _edit_data(scheme, **{"rate-day-amount": "700", "notice_months": "0"}))
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "summen av driftskostnader" in html  # the rate's error, in Norwegian, on its field
    assert "Oppgi varselet enten i dager eller i måneder" in html
    assert not scheme.rates.exists()
    bad_rate = client.post(edit, _edit_data(scheme, **{"rate-day-amount": "700"}))
    assert bad_rate.status_code == 400
    assert 'id="id_rate-day-amount"' in bad_rate.content.decode()
    assert "kapitalkostnader og andel felleskostnader (612" in bad_rate.content.decode()
    partial = client.post(edit, _edit_data(scheme, **{"rate-evening-amount": "700"}))
    assert partial.status_code == 400 and "eller la hele raden stå tom" in partial.content.decode()
    assert client.post(edit, _edit_data(scheme)).status_code == 302
    assert list(scheme.rates.values_list("band", flat=True)) == [Band.DAY]
    adopt = reverse("choice:scheme-adopt", args=[scheme.pk])
    assert client.post(adopt, {}).status_code == 400
    assert (
        client.post(adopt, {"decision_date": "2025-12-11", "case_reference": "PS 112/25"}).status_code == 302
    )
    scheme.refresh_from_db()
    assert scheme.state == SchemeState.ADOPTED
    assert client.get(edit).status_code == 302  # adopted: back to the scheme, never edited
    detail = client.get(reverse("choice:scheme-detail", args=[scheme.pk])).content.decode()
    assert "Ny versjon" in detail and "PS 112/25" in detail
    response = client.post(reverse("choice:scheme-new-version", args=[scheme.pk]))
    copy = Scheme.objects.get(replaces=scheme)
    assert response["Location"] == reverse("choice:scheme-edit", args=[copy.pk])
    versions = client.get(reverse("choice:scheme-detail", args=[copy.pk])).content.decode()
    assert "Versjon 1" in versions and "Versjon 2" in versions


def test_changing_the_price_model_clears_the_rates(client, draft, administration):
    client.force_login(administration)
    response = client.post(
        reverse("choice:scheme-edit", args=[draft.pk]), _edit_data(draft, price_model="daily")
    )
    assert response.status_code == 302
    assert not draft.rates.exists()
    page = client.get(reverse("choice:scheme-edit", args=[draft.pk])).content.decode()
    assert 'name="rate-level_1-amount"' in page and "rate-level_1-minimum_minutes" not in page


def test_what_is_paid_for_and_who_attests_are_set_on_the_edit_page(client, draft, administration):
    client.force_login(administration)
    data = _edit_data(draft, settle_on="decided", provider_may_attest="on")
    assert client.post(reverse("choice:scheme-edit", args=[draft.pk]), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.settle_on, draft.provider_may_attest) == ("decided", True)


@pytest.mark.parametrize(
    ("role", "edit"), [(Role.CASE_OFFICER, 403), (Role.COUNCIL, 403), (Role.ADMINISTRATION, 200)]
)
def test_who_may_read_and_edit(client, draft, municipality, make_staff, role, edit):
    client.force_login(make_staff(role, municipality))
    assert client.get(reverse("choice:scheme-detail", args=[draft.pk])).status_code == 200
    assert client.get(reverse("choice:scheme-edit", args=[draft.pk])).status_code == edit
    assert client.post(reverse("choice:scheme-adopt", args=[draft.pk]), DECISION).status_code == (
        403 if edit == 403 else 302
    )


def test_another_municipality_s_scheme_does_not_exist(client, draft, other_staff, other_municipality):
    mine = build_scheme(other_municipality)
    client.force_login(other_staff)
    listed = client.get(reverse("choice:scheme-list")).content.decode()
    assert reverse("choice:scheme-detail", args=[mine.pk]) in listed
    assert reverse("choice:scheme-detail", args=[draft.pk]) not in listed
    for name in ("choice:scheme-detail", "choice:scheme-edit", "choice:scheme-adopt"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404
    assert client.post(reverse("choice:scheme-new-version", args=[draft.pk])).status_code == 404


def test_the_list_reads_in_a_fixed_number_of_queries(
    client, municipality, administration, django_assert_max_num_queries
):
    for n in range(3):
        build_scheme(municipality, service=make_service(municipality, slug=f"tjeneste-{n}"))
    client.force_login(administration)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("choice:scheme-list")).status_code == 200


def test_public_pages_show_only_schemes_in_force(client, municipality, other_municipality, settings):
    settings.PORTAL_MUNICIPALITY = municipality.number
    today = timezone.localdate()
    in_force = build_scheme(municipality, adopt=True, valid_from=today - timedelta(days=30))
    draft = build_scheme(municipality, valid_from=today - timedelta(days=30))
    future = build_scheme(
        municipality,
        service=make_service(municipality, slug="fremtidig"),
        valid_from=today + timedelta(days=30),
    )
    services.adopt(future, **DECISION, user=SYSTEM)
    foreign = build_scheme(other_municipality, adopt=True, valid_from=today - timedelta(days=30))
    listed = client.get(reverse("choice_public:list")).content.decode()
    assert reverse("choice_public:detail", args=[in_force.pk]) in listed
    for hidden in (draft, future, foreign):
        assert reverse("choice_public:detail", args=[hidden.pk]) not in listed
        assert client.get(reverse("choice_public:detail", args=[hidden.pk])).status_code == 404
    page = client.get(reverse("choice_public:detail", args=[in_force.pk])).content.decode()
    assert reverse("choice_public:providers", args=[in_force.pk]) in page  # the comparison of providers
    assert "Ber du om bytte 15. januar, begynner den nye leverandøren 1. mars." in page  # the notice rule
    assert "PS 112/25" in page and "468" in page  # the decision and the cost calculation
    assert "Brukervalg" in client.get("/").content.decode()  # the portal's menu


def test_an_ended_version_stays_public_until_its_successor_starts(client, municipality):
    today = timezone.localdate()
    old = build_scheme(municipality, adopt=True, valid_from=today - timedelta(days=300))
    new = services.new_version(old, user=SYSTEM)
    services.update_scheme(new, valid_from=today + timedelta(days=10), user=SYSTEM)
    services.adopt(new, **DECISION, user=SYSTEM)
    assert client.get(reverse("choice_public:detail", args=[old.pk])).status_code == 200
    assert client.get(reverse("choice_public:detail", args=[new.pk])).status_code == 404


@pytest.mark.parametrize(
    ("months", "days", "text"),
    [
        (2, 0, "oppsigelsestid på 2 måneder, regnet fra slutten av måneden"),
        (0, 1, "Et bytte gjelder fra 1 dag etter"),
        (0, 14, "Et bytte gjelder fra 14 dager etter"),
    ],
)
def test_notice_in_words(client, municipality, months, days, text):
    scheme = build_scheme(municipality, notice_months=months, notice_days=days)
    services.adopt(scheme, decision_date=date(2025, 1, 1), case_reference="PS 1/25", user=SYSTEM)
    page = client.get(reverse("choice_public:detail", args=[scheme.pk])).content.decode()
    assert text in page


def test_demo_is_idempotent_and_has_two_versions(municipality):
    make_service(municipality, slug="praktisk-bistand", name="Praktisk bistand i hjemmet")
    load(municipality, seed=2026)
    load(municipality, seed=2026)
    old, new = Scheme.objects.order_by("version")
    assert (old.state, new.state) == (SchemeState.ENDED, SchemeState.ADOPTED)
    assert new.replaces == old and old.valid_until == new.valid_from - timedelta(days=1)
    assert new.in_force_on(timezone.localdate())
    assert sorted(new.rates.values_list("band", flat=True)) == sorted([Band.DAY, Band.EVENING, Band.WEEKEND])
