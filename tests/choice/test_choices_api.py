"""The choices API: choose/switch with the effective date returned, Idempotency-Key, tenancy."""

from datetime import date

import pytest

from servicetorg.choice import choices
from servicetorg.choice.models import Choice, DecisionRead
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.factories import UnitFactory, make_staff

from .people import KARI, OLA, decide, world

pytestmark = pytest.mark.django_db
URL = "/api/choice/choices/"


@pytest.fixture
def w(municipality, settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    return world(municipality)


def test_choose_and_switch_with_an_idempotency_key(client, w, municipality, unit):
    scheme, municipal, a, b = w
    decision = decide(scheme, KARI, unit=unit)
    officer = make_staff(Role.CASE_OFFICER, municipality, unit)
    client.force_login(officer)
    first = client.post(
        URL, {"decision": decision.pk, "provider": municipal.pk}, content_type="application/json"
    )
    assert first.status_code == 201, first.content
    body = {"decision": decision.pk, "provider": a.pk, "reason": "quality"}
    headers = {"HTTP_IDEMPOTENCY_KEY": "abc-1"}
    switch = client.post(URL, body, content_type="application/json", **headers)
    assert switch.status_code == 201
    assert switch.json()["effective_from"] == choices.preview(decision).isoformat()
    again = client.post(URL, body, content_type="application/json", **headers)
    assert again.status_code == 201 and again.json() == switch.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Choice.objects.filter(provider=a).count() == 1
    other = client.post(URL, {**body, "provider": b.pk}, content_type="application/json", **headers)
    assert other.status_code == 422
    listing = client.get(URL, {"decision": decision.pk})
    assert listing.status_code == 200 and len(listing.json()) == 2
    assert DecisionRead.objects.filter(where="api:choices").exists()


def test_bad_input_and_refusals(client, w, municipality, unit, other_staff):
    scheme, municipal, a, b = w
    decision = decide(scheme, KARI, unit=unit)
    choices.choose(decision, municipal, user=SYSTEM, day=date(2026, 1, 2))
    officer = make_staff(Role.CASE_OFFICER, municipality, unit)
    client.force_login(officer)
    for body in ({}, {"decision": "x", "provider": 1}, {"decision": decision.pk, "provider": 10**12}):
        assert client.post(URL, body, content_type="application/json").status_code == 400
    assert client.get(URL).status_code == 400
    helse = UnitFactory(municipality=municipality, name="Helse", slug="helse")
    for user in (make_staff(Role.CASE_OFFICER, municipality, helse), other_staff):
        client.force_login(user)
        response = client.post(
            URL, {"decision": decision.pk, "provider": a.pk}, content_type="application/json"
        )
        assert response.status_code == 404
        assert client.get(URL, {"decision": decision.pk}).status_code == 404
    client.force_login(make_staff(Role.PROVIDER, municipality))
    assert (
        client.post(
            URL, {"decision": decision.pk, "provider": a.pk}, content_type="application/json"
        ).status_code
        == 403
    )
    other = decide(scheme, OLA, unit=unit)
    assert not Choice.objects.filter(decision=other).exists()
