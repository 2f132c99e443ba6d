"""Min side's «Brukervalg»: her decisions at the high level only, choose and switch with the date
before confirming and a receipt, acting for someone only through a recorded relation; every read
logged."""

from datetime import date

import pytest
from django.urls import reverse

from servicetorg.choice import choices
from servicetorg.choice.models import Choice, DecisionRead
from servicetorg.citizens import assurance, demo
from servicetorg.citizens.models import Relation
from servicetorg.core.permissions import CITIZEN, SYSTEM
from tests.citizens.conftest import idp, portal  # noqa: F401 (fixtures)

from .people import EMMA, INGRID, KARI, OLA, decide, world

pytestmark = pytest.mark.django_db
HOME = "/min-side/"


@pytest.fixture
def w(municipality, settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    return world(municipality)


@pytest.fixture
def relations(portal):  # noqa: F811
    demo.load(portal, seed=1)  # Kari → Emma (valid), Kari → Jonas (ended), Ola → Ingrid (valid)
    return {r.subject_name.split()[0]: r for r in Relation.objects.all()}


def test_her_decision_at_the_high_level_only(client, idp, w):  # noqa: F811
    scheme, municipal, a, b = w
    decision = decide(scheme, KARI)
    choices.choose(decision, municipal, user=SYSTEM, day=date(2026, 1, 5))
    idp.sign_in(client, pid=KARI, level=assurance.SUBSTANTIAL)
    page = client.get(HOME).content.decode()
    assert "Fjordvik hjemmetjeneste" not in page and "høyt sikkerhetsnivå" in page
    assert not DecisionRead.objects.exists()
    url = reverse("choice_public:min-side-choose", args=[decision.pk])
    assert client.get(url).status_code == 302  # step up
    idp.sign_in(client, pid=KARI, level=assurance.HIGH)
    page = client.get(HOME).content.decode()
    assert "Fjordvik hjemmetjeneste" in page and url in page
    assert f"/brukervalg/{scheme.pk}/leverandorer/" in page
    assert DecisionRead.objects.filter(decision=decision, where="min-side:panel").exists()


def test_she_switches_sees_the_date_and_gets_a_receipt(client, idp, w):  # noqa: F811
    scheme, municipal, a, b = w
    decision = decide(scheme, KARI)
    choices.choose(decision, municipal, user=SYSTEM, day=date(2026, 1, 5))
    idp.sign_in(client, pid=KARI, level=assurance.HIGH)
    url = reverse("choice_public:min-side-choose", args=[decision.pk])
    expected = choices.preview(decision)
    page = client.get(url).content.decode()
    assert "Aktiv Omsorg AS" in page and "Bedre Hjelp AS" in page
    confirm = client.post(url, {"provider": a.pk})
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.content.decode()
    assert not Choice.objects.filter(provider=a).exists()
    done = client.post(url, {"provider": a.pk, "confirm": "on"})
    assert done["Location"] == reverse("choice_public:min-side-receipt", args=[decision.pk])
    choice = Choice.objects.get(provider=a)
    assert choice.effective_from == expected and choice.chosen_by is None and choice.by_citizen
    receipt = client.get(done["Location"]).content.decode()
    assert "Aktiv Omsorg AS" in receipt and 'id="choice-receipt"' in receipt


def test_acting_for_someone_only_through_a_relation(client, idp, w, relations):  # noqa: F811
    scheme, municipal, a, b = w
    emma = decide(scheme, EMMA, name="Emma Nordmann")
    ingrid = decide(scheme, INGRID, name="Ingrid Hansen")
    ola = decide(scheme, OLA, name="Ola Nordmann")
    idp.sign_in(client, pid=KARI, level=assurance.HIGH)
    # As herself, Emma's decision is not hers: 404, nothing chosen, nothing logged.
    for decision in (emma, ingrid, ola):
        url = reverse("choice_public:min-side-choose", args=[decision.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"provider": a.pk, "confirm": "on"}).status_code == 404
    assert not Choice.objects.exists() and not DecisionRead.objects.exists()
    # Acting for Emma (a recorded, valid relation): she may.
    client.post(reverse("citizens:act-for"), {"relation": relations["Emma"].pk})
    url = reverse("choice_public:min-side-choose", args=[emma.pk])
    assert client.post(url, {"provider": a.pk, "confirm": "on"}).status_code == 302
    assert Choice.objects.get().decision == emma
    read = DecisionRead.objects.filter(decision=emma).first()
    assert "relation" in read.actor
    # Still not Ingrid's (Ola's relation), nor Ola's own.
    assert client.get(reverse("choice_public:min-side-choose", args=[ingrid.pk])).status_code == 404


def test_the_service_refuses_a_viewer_without_the_relation(w):
    from types import SimpleNamespace

    from django.core.exceptions import PermissionDenied

    from servicetorg.core.crypto import national_id_digest

    scheme, municipal, a, b = w
    emma = decide(scheme, EMMA, name="Emma Nordmann")
    signed_in = SimpleNamespace(digest=national_id_digest(KARI), level=assurance.HIGH)
    herself = SimpleNamespace(
        signed_in=signed_in, municipality=scheme.municipality, relation=None, subject_digest=signed_in.digest
    )
    with pytest.raises(PermissionDenied):
        choices.choose(emma, a, user=CITIZEN, viewer=herself)
    with pytest.raises(PermissionDenied):
        choices.choose(emma, a, user=CITIZEN, viewer=None)
    low = SimpleNamespace(
        signed_in=SimpleNamespace(digest="x", level=assurance.SUBSTANTIAL),
        municipality=scheme.municipality,
        relation=None,
        subject_digest=national_id_digest(EMMA),
    )
    with pytest.raises(PermissionDenied):
        choices.choose(emma, a, user=CITIZEN, viewer=low)


def test_she_cancels_a_coming_switch(client, idp, w, relations):  # noqa: F811
    scheme, municipal, a, b = w
    decision = decide(scheme, KARI)
    emma = decide(scheme, EMMA, name="Emma Nordmann")
    choices.choose(decision, municipal, user=SYSTEM, day=date(2026, 1, 5))
    choices.choose(emma, municipal, user=SYSTEM, day=date(2026, 1, 5))
    switch = choices.choose(decision, a, user=SYSTEM).choice
    emmas = choices.choose(emma, a, user=SYSTEM).choice
    idp.sign_in(client, pid=KARI, level=assurance.HIGH)
    page = client.get(HOME).content.decode()
    url = reverse("choice_public:min-side-cancel", args=[decision.pk, switch.pk])
    assert url in page
    # Another person's switch, through her own decision's URL or Emma's without acting for her: 404.
    assert (
        client.post(reverse("choice_public:min-side-cancel", args=[decision.pk, emmas.pk])).status_code == 404
    )
    assert client.post(reverse("choice_public:min-side-cancel", args=[emma.pk, emmas.pk])).status_code == 404
    assert client.post(url).status_code == 302
    switch.refresh_from_db()
    emmas.refresh_from_db()
    assert switch.state == "cancelled" and emmas.state == "current"
    assert choices.current_choice(decision, date(2027, 6, 1)).provider == municipal
