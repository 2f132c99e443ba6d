"""Staff pages of decisions and choices: create, detail, new version, end, choose with the date
shown before confirming, waiting lists, withdrawal with its report, a provider's own users; each
refusing other units, other providers and other municipalities."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from servicetorg.choice import choices
from servicetorg.choice.models import (
    Application,
    ApplicationState,
    Choice,
    Decision,
    DecisionRead,
    DecisionState,
    ProviderMember,
)
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.factories import UnitFactory, make_staff

from .people import KARI, OLA, decide, world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _synthetic(settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True


@pytest.fixture
def w(municipality, unit):
    return world(municipality)


@pytest.fixture
def officer(municipality, unit):
    return make_staff(Role.CASE_OFFICER, municipality, unit)


def test_a_case_officer_registers_reads_and_versions_a_decision(client, w, unit, officer):
    scheme, municipal, a, b = w
    client.force_login(officer)
    assert client.get(reverse("choice:decision-create")).status_code == 200
    data = {
        "scheme": scheme.pk,
        "unit": unit.pk,
        "national_id": KARI,
        "name": "Kari Nordmann",
        "decided_on": "2026-01-05",
        "valid_from": "2026-01-10",
        "hours_day": "3.5",
    }
    bad = client.post(reverse("choice:decision-create"), {**data, "national_id": "12345678901"})
    assert bad.status_code == 400 and not Decision.objects.exists()
    response = client.post(reverse("choice:decision-create"), data)
    decision = Decision.objects.get()
    assert response["Location"] == reverse("choice:decision-detail", args=[decision.pk])
    page = client.get(reverse("choice:decision-detail", args=[decision.pk])).content.decode()
    assert "Kari Nordmann" in page and KARI in page
    assert DecisionRead.objects.filter(
        decision=decision, user=officer, where="staff:decision-detail"
    ).exists()
    listing = client.get(reverse("choice:decision-list")).content.decode()
    assert "Kari Nordmann" in listing
    response = client.post(
        reverse("choice:decision-new-version", args=[decision.pk]),
        {"decided_on": "2026-02-01", "valid_from": "2026-02-01", "hours_day": "5"},
    )
    new = Decision.objects.get(version=2)
    assert response["Location"] == reverse("choice:decision-detail", args=[new.pk])
    response = client.post(reverse("choice:decision-end", args=[new.pk]), {"ends_on": "2026-12-31"})
    new.refresh_from_db()
    assert new.state == DecisionState.ENDED and new.valid_until == date(2026, 12, 31)


def test_choose_shows_the_date_before_confirming(client, w, unit, officer):
    scheme, municipal, a, b = w
    decision = decide(scheme, unit=unit, valid_from=date(2026, 1, 1))
    choices.choose(decision, municipal, user=SYSTEM, day=date(2026, 1, 2))
    client.force_login(officer)
    url = reverse("choice:decision-choose", args=[decision.pk])
    page = client.get(url).content.decode()
    expected = choices.preview(decision)
    assert "Aktiv Omsorg AS" in page
    confirm = client.post(url, {"provider": a.pk, "reason": "quality"})
    assert confirm.status_code == 200 and not Choice.objects.filter(provider=a).exists()
    assert 'name="confirm"' in confirm.content.decode()
    response = client.post(url, {"provider": a.pk, "reason": "quality", "confirm": "on"})
    assert response.status_code == 302
    choice = Choice.objects.get(provider=a)
    assert choice.effective_from == expected and choice.chosen_by == officer
    # The pending switch can be cancelled from the decision page.
    client.post(reverse("choice:choice-cancel", args=[decision.pk, choice.pk]))
    choice.refresh_from_db()
    assert choice.state == "cancelled"


def test_another_unit_another_municipality_and_the_council_see_nothing(
    client, w, municipality, unit, other_staff
):
    scheme, *_ = w
    decision = decide(scheme, unit=unit)
    helse = UnitFactory(municipality=municipality, name="Helse", slug="helse")
    stranger = make_staff(Role.CASE_OFFICER, municipality, helse)
    council = make_staff(Role.COUNCIL, municipality)
    urls = [
        reverse("choice:decision-detail", args=[decision.pk]),
        reverse("choice:decision-choose", args=[decision.pk]),
        reverse("choice:decision-new-version", args=[decision.pk]),
    ]
    for user, expected in ((stranger, 404), (other_staff, 404)):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == expected, (user, url)
        assert "Kari" not in client.get(reverse("choice:decision-list")).content.decode()
    client.force_login(council)
    assert client.get(reverse("choice:decision-list")).status_code == 403
    assert client.get(urls[0]).status_code == 404
    assert not DecisionRead.objects.exists()


def test_a_provider_sees_only_its_own_users(client, w, municipality):
    scheme, municipal, a, b = w
    mine, theirs = decide(scheme, KARI), decide(scheme, OLA, name="Ola Nordmann")
    choices.choose(mine, a, user=SYSTEM, day=date(2026, 1, 2))
    choices.choose(theirs, b, user=SYSTEM, day=date(2026, 1, 2))
    worker = make_staff(Role.PROVIDER, municipality)
    ProviderMember.objects.create(provider=a, user=worker)
    client.force_login(worker)
    page = client.get(reverse("choice:provider-users")).content.decode()
    assert "Kari Nordmann" in page and "Ola Nordmann" not in page
    assert client.get(reverse("choice:provider-user", args=[mine.pk])).status_code == 200
    assert client.get(reverse("choice:provider-user", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("choice:decision-detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("choice:decision-list")).status_code == 403
    assert DecisionRead.objects.filter(decision=mine, user=worker).count() == 2  # list and order
    assert not DecisionRead.objects.filter(decision=theirs).exists()
    nobody = make_staff(Role.PROVIDER, municipality)  # a provider role without a provider
    client.force_login(nobody)
    assert client.get(reverse("choice:provider-users")).status_code == 403


def test_waiting_lists_and_placing(client, municipality, unit, officer):
    scheme, municipal, a, b = world(municipality, capacity=1)
    first, second = decide(scheme, KARI, unit=unit), decide(scheme, OLA, unit=unit, name="Ola Nordmann")
    choices.choose(first, a, user=SYSTEM, day=date(2026, 1, 2))
    choices.choose(second, a, user=SYSTEM, day=date(2026, 1, 2))
    client.force_login(officer)
    page = client.get(reverse("choice:waiting-lists")).content.decode()
    assert "Ola Nordmann" in page and "Aktiv Omsorg AS" in page
    a.capacity_users = 2
    a.save()
    client.post(reverse("choice:waiting-place", args=[a.pk]))
    assert Choice.objects.filter(decision=second, provider=a, reason="waiting_over").exists()


def test_withdraw_a_provider_with_a_report(client, w, municipality, administration, officer):
    scheme, municipal, a, b = w
    start = timezone.localdate() - timedelta(days=10)
    decision = decide(scheme, KARI, valid_from=start)
    choices.choose(decision, a, user=SYSTEM, day=start)
    application = Application.objects.get(provider=a)
    url = reverse("choice:application-withdraw", args=[application.pk])
    client.force_login(officer)
    assert client.get(url).status_code == 403
    client.force_login(administration)
    page = client.get(url).content.decode()
    assert "1 user" in page or "1 bruker" in page
    on = timezone.localdate() + timedelta(days=3)
    response = client.post(url, {"effective_on": on.isoformat(), "reason": "Konkurs"})
    assert response["Location"] == reverse("choice:application-moves", args=[application.pk])
    report = client.get(response["Location"]).content.decode()
    assert "Kari Nordmann" in report and "Fjordvik hjemmetjeneste" in report
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN
    assert choices.current_choice(decision, on).provider == municipal


def test_scheme_edit_sets_the_default_provider(client, municipality, administration):
    from .conftest import build_scheme
    from .people import make_provider

    scheme = build_scheme(municipality)
    provider = make_provider(municipality, "Fjordvik hjemmetjeneste")
    client.force_login(administration)
    page = client.get(reverse("choice:scheme-edit", args=[scheme.pk])).content.decode()
    assert "Fjordvik hjemmetjeneste" in page
    from .test_views import _edit_data

    response = client.post(
        reverse("choice:scheme-edit", args=[scheme.pk]), _edit_data(scheme, default_provider=provider.pk)
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.default_provider == provider


@pytest.mark.parametrize(
    ("url_name", "role"), [("choice:decision-list", "officer"), ("choice:provider-users", "provider")]
)
def test_lists_take_the_same_queries_for_more_users(client, w, municipality, unit, officer, url_name, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .people import EMMA, INGRID, JONAS

    scheme, municipal, a, b = w
    worker = make_staff(Role.PROVIDER, municipality)
    ProviderMember.objects.create(provider=a, user=worker)
    client.force_login(officer if role == "officer" else worker)
    counts = []
    for pids in ((KARI, OLA), (EMMA, INGRID, JONAS)):
        for pid in pids:
            decision = decide(scheme, pid, unit=unit, hours={"day": 2, "evening": 1})
            choices.choose(decision, a, user=SYSTEM, day=date(2026, 1, 2))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
