"""School choice for families: the public pages (rules, rounds, seed, schools, published last seats —
never naming special needs) and Min side through ID-porten's sign-in (apply, change, withdraw; the
placement with its explanation and transport note; accept, decline with a confirmation; appeal), with
the services behind them (answers.py, appeals.py). Another family's ids are 404."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from servicetorg.choice.schools import allocate, answers, appeals, lottery
from servicetorg.choice.schools.min_side import PANEL
from servicetorg.choice.schools.models import (
    Appeal,
    AppealState,
    Placement,
    PlacementState,
    Priority,
    RoundState,
    SchoolApplication,
    SchoolApplicationState,
    TieBreak,
)
from servicetorg.choice.schools.workflow import PUBLISH, ROUND_WORKFLOW
from servicetorg.citizens import assurance, panels
from servicetorg.core.choices import Role
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import CITIZEN
from servicetorg.core.workflow import TransitionRefused
from tests.citizens.conftest import idp, portal  # noqa: F401 (fixtures)

from .school_factories import address, application, child_number, school, school_round
from .school_families import EMMA, INGRID, JONAS, KARI, OLA, guardian, town, viewer

pytestmark = pytest.mark.django_db
HOME = "/min-side/"


@pytest.fixture(autouse=True)
def _panel_and_english(client, settings):
    panels.register(PANEL)  # the lead's line in ChoiceConfig.ready()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the pages' words asserted in English


@pytest.fixture
def t(portal):  # noqa: F811
    return town(portal)


@pytest.fixture
def office(portal, make_staff):  # noqa: F811
    return make_staff(Role.SCHOOL_OFFICE, portal, username="skolekontor")


@pytest.fixture
def kari(client, idp, t):  # noqa: F811
    guardian(t.round.municipality)  # Kari → Emma
    idp.sign_in(client, pid=KARI, level=assurance.SUBSTANTIAL)
    return client


def url(name, *args):
    return reverse(f"schools_public:{name}", args=args)


def close(round_):
    """Close the round and commit its seed (as the school office's close does)."""
    round_.state = RoundState.CLOSED
    round_.seed = "seed-of-the-families-tests"
    round_.seed_hash = lottery.seed_hash(round_.seed)
    round_.save()


def publish(round_, office):
    """Close, run, publish."""
    close(round_)
    run = allocate.run_main(round_, user=office)
    round_.refresh_from_db()
    ROUND_WORKFLOW.lock(round_)
    ROUND_WORKFLOW.apply(round_, PUBLISH)
    round_.published_at = timezone.now()
    round_.save()
    return run


def emma_application(t, wishes=None, **fields):
    app = application(t.round, t.near_c, wishes or [t.a, t.b], number=EMMA, name="Emma Nordmann", **fields)
    app.contact_email = "kari@example.no"
    app.save(update_fields=["contact_email"])
    return app


# --- Public pages ------------------------------------------------------------------------------------


def test_the_public_page_states_the_rules_and_why_the_true_order_is_safe(client, portal, t):  # noqa: F811
    draft = school_round(portal, {t.a: 1}, name="Kladd", state=RoundState.DRAFT)
    page = client.get(url("home")).content.decode()
    assert t.round.name in page and "Kladd" not in page
    assert "A lower wish never costs you a higher one" in page.replace("\n", " ") or "lower wish" in page
    for s in (t.a, t.b, t.c):
        assert url("school", s.pk) in page
    assert url("apply", t.round.pk) in page  # open: apply on My page
    assert client.get(url("round", draft.pk)).status_code == 404
    profile = client.get(url("school", t.a.pk)).content.decode()
    assert "Alfa har skolehage." in profile


def test_the_seed_hash_before_the_run_and_the_seed_and_last_seats_after(client, portal, t, office):  # noqa: F811
    special = application(t.round, t.near_c, [t.a], special=t.a)
    for _ in range(3):
        application(t.round, t.near_b, [t.a])
    t.round.priorities = [Priority.SPECIAL_NEEDS, Priority.CATCHMENT, Priority.SIBLING]
    close(t.round)
    page = client.get(url("round", t.round.pk)).content.decode()
    assert t.round.seed_hash in page and t.round.seed not in page
    run = allocate.run_main(t.round, user=office)
    page = client.get(url("round", t.round.pk)).content.decode()
    assert t.round.seed not in page and "», lottery number" not in page  # allocated, not published
    t.round.refresh_from_db()
    ROUND_WORKFLOW.lock(t.round)
    ROUND_WORKFLOW.apply(t.round, PUBLISH)
    t.round.save()
    page = client.get(url("round", t.round.pk)).content.decode()
    assert t.round.seed in page and t.round.seed_hash in page
    # Alfa's seats: the special-needs pupil and one from Beta: the last seat is in «others» (group 2).
    assert Placement.objects.get(run=run, application=special).school == t.a
    table = page.split("<table")[1].split("</table>")[0]
    assert "Special needs" not in table and "«Others», lottery number" in table
    home = client.get(url("home")).content.decode()
    assert t.round.seed in home


def test_a_last_seat_to_special_needs_is_never_named_publicly(client, portal, t, office):  # noqa: F811
    t.round.priorities = [Priority.SPECIAL_NEEDS, Priority.CATCHMENT]
    t.round.save()
    application(t.round, t.near_c, [t.b], special=t.b)
    application(t.round, t.near_c, [t.b], special=t.b)
    application(t.round, t.near_a, [t.b])
    run = publish(t.round, office)
    assert run.cutoffs.get(school=t.b).last_group == 0
    page = client.get(url("round", t.round.pk)).content.decode()
    assert "Special needs, by an individual decision" in page  # the published rules name the group
    table = page.split("<table")[1].split("</table>")[0]
    assert "priority by an individual decision" in table and "Special needs" not in table
    assert "lottery number" not in table.split("Beta skole")[1].split("</tr>")[0]
    school_page = client.get(url("school", t.b.pk)).content.decode()
    assert "priority by an individual decision" in school_page and "Special needs" not in school_page


def test_another_municipalitys_school_and_round_are_404(client, portal, other_municipality):  # noqa: F811
    theirs = school(other_municipality, "Nabo skole")
    their_round = school_round(other_municipality, {theirs: 3}, state=RoundState.OPEN)
    assert client.get(url("school", theirs.pk)).status_code == 404
    assert client.get(url("round", their_round.pk)).status_code == 404


# --- Min side: apply, change, withdraw ----------------------------------------------------------------


def test_she_finds_the_address_applies_and_gets_a_receipt(kari, t):
    page = kari.get(url("apply", t.round.pk)).content.decode()
    assert "Emma Nordmann" in page and 'name="wish_3"' in page
    relation_pk = re.search(r'name="child" value="(\d+)"', page).group(1)
    found = kari.post(url("apply", t.round.pk), {"child": relation_pk, "address_query": "gamma", "find": "1"})
    body = found.content.decode()
    assert found.status_code == 200 and "Gammaveien 1" in body and "catchment school: Gamma skole" in body
    assert "Please correct" not in body and not SchoolApplication.objects.exists()
    form = {
        "child": relation_pk,
        "address": t.near_c.pk,
        "wish_1": t.a.pk,
        "wish_2": t.b.pk,
        "sibling_2": "on",
        "contact_email": "kari@example.no",
        "send": "1",
    }
    done = kari.post(url("apply", t.round.pk), form)
    app = SchoolApplication.objects.get()
    assert done.status_code == 302 and done["Location"] == url("receipt", app.pk)
    assert app.catchment_school == t.c and app.national_id_digest == national_id_digest(EMMA)
    assert list(app.wishes.order_by("rank").values_list("school", "sibling")) == [
        (t.a.pk, False),
        (t.b.pk, True),
    ]
    receipt = kari.get(done["Location"]).content.decode()
    assert 'id="school-receipt"' in receipt and "208516*****" in receipt and EMMA not in receipt
    home = kari.get(HOME).content.decode()
    assert "Emma Nordmann" in home and url("application", app.pk) in home


def test_bad_input_is_said_in_plain_words(kari, t):
    page = kari.get(url("apply", t.round.pk)).content.decode()
    relation_pk = re.search(r'name="child" value="(\d+)"', page).group(1)
    bad = kari.post(
        url("apply", t.round.pk),
        {"child": relation_pk, "wish_1": t.a.pk, "wish_2": t.a.pk, "send": "1"},
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "Please correct" in body
    assert "Choose the address" in body and "only once" in body and "e-mail address or a mobile" in body
    assert not SchoolApplication.objects.exists()
    stranger = kari.post(url("apply", t.round.pk), {"child": "999999999", "send": "1"})
    assert stranger.status_code == 200 and not SchoolApplication.objects.exists()


def test_she_changes_and_withdraws_while_the_round_is_open(kari, t):
    app = emma_application(t)
    assert kari.get(url("application", app.pk)).status_code == 200
    page = kari.get(url("change", app.pk)).content.decode()
    assert "selected>Alfa skole" in page or "Alfa skole" in page
    relation_pk = re.search(r'name="child" value="(\d+)"', page).group(1)
    kari.post(
        url("change", app.pk),
        {
            "child": relation_pk,
            "address": t.near_a.pk,
            "wish_1": t.c.pk,
            "contact_phone": "91234567",
            "send": "1",
        },
    )
    app.refresh_from_db()
    assert app.catchment_school == t.a and list(app.wishes.values_list("school", flat=True)) == [t.c.pk]
    assert SchoolApplication.objects.count() == 1
    confirm = kari.get(url("withdraw", app.pk)).content.decode()
    assert "Yes, withdraw" in confirm
    kari.post(url("withdraw", app.pk))
    app.refresh_from_db()
    assert app.state == SchoolApplicationState.WITHDRAWN
    assert kari.get(url("change", app.pk)).status_code == 302  # withdrawn: nothing to change


def test_the_apply_page_says_which_child_has_applied(kari, t):
    assert "has applied in this round" not in kari.get(url("apply", t.round.pk)).content.decode()
    emma_application(t)
    assert "has applied in this round" in kari.get(url("apply", t.round.pk)).content.decode()


def test_a_round_not_open_says_so(kari, t):
    t.round.state = RoundState.CLOSED
    t.round.save()
    page = kari.get(url("apply", t.round.pk)).content.decode()
    assert "not open for applications" in page and 'name="wish_1"' not in page


def test_without_a_guardian_relation_there_is_no_child_to_apply_for(client, idp, t):  # noqa: F811
    idp.sign_in(client, pid=OLA, level=assurance.SUBSTANTIAL)
    page = client.get(url("apply", t.round.pk)).content.decode()
    assert "not registered as the guardian" in page and 'name="wish_1"' not in page


def test_the_pages_ask_for_a_sign_in(client, idp, t):  # noqa: F811
    app = emma_application(t)
    response = client.get(url("application", app.pk))
    assert response.status_code == 302 and response["Location"].startswith(reverse("citizens:login"))


# --- Min side: the placement ------------------------------------------------------------------------


def test_she_sees_the_seat_why_and_the_transport_and_accepts(kari, t, office):
    for _ in range(2):
        application(t.round, t.near_a, [t.a])  # Alfa's catchment fills it
    emma = emma_application(t)
    publish(t.round, office)
    seat = Placement.objects.get(application=emma, run__current=True)
    assert seat.school == t.b
    home = kari.get(HOME).content.decode()
    assert url("placement", seat.pk) in home
    page = kari.get(url("placement", seat.pk)).content.decode()
    assert "Alfa skole filled; the last seat went to priority group" in page
    assert f"yours was «Others», {seat.lottery}" in page
    assert 'id="school-transport"' in page and "km" in page  # Beta is farther than Gamma, her catchment
    accepted = kari.post(url("answer", seat.pk), {"action": "accept"})
    assert accepted.status_code == 302
    seat.refresh_from_db()
    assert seat.state == PlacementState.ACCEPTED and seat.answered_at
    receipt = OutboxMessage.objects.get(key=f"schools.answer:{seat.pk}:accepted")
    assert "Emma" not in receipt.body and "Beta" not in receipt.body and "/min-side/" in receipt.body


def test_declining_asks_first_and_cannot_be_taken_back(kari, t, office):
    emma = emma_application(t)
    publish(t.round, office)
    seat = Placement.objects.get(application=emma, run__current=True)
    asked = kari.post(url("answer", seat.pk), {"action": "decline"})
    assert asked.status_code == 200 and 'id="decline-warning"' in asked.content.decode()
    seat.refresh_from_db()
    assert seat.state == PlacementState.OFFERED
    kari.post(url("answer", seat.pk), {"action": "decline", "confirm": "yes"})
    seat.refresh_from_db()
    assert seat.state == PlacementState.DECLINED
    again = kari.post(url("answer", seat.pk), {"action": "accept"}, follow=True)
    assert again.status_code == 200
    seat.refresh_from_db()
    assert seat.state == PlacementState.DECLINED


def test_she_appeals_and_the_school_office_answers(kari, t, office):
    emma = emma_application(t, wishes=[t.a])
    publish(t.round, office)
    seat = Placement.objects.get(application=emma, run__current=True)
    form = kari.get(url("appeal", seat.pk)).content.decode()
    assert 'name="text"' in form
    empty = kari.post(url("appeal", seat.pk), {"text": "  "})
    assert empty.status_code == 200 and not Appeal.objects.exists()
    sent = kari.post(url("appeal", seat.pk), {"text": "Storebror går på Alfa."})
    appeal = Appeal.objects.get()
    assert sent["Location"] == url("appeal-receipt", appeal.pk) and appeal.state == AppealState.RECEIVED
    assert 'id="appeal-receipt"' in kari.get(sent["Location"]).content.decode()
    assert OutboxMessage.objects.filter(key=f"schools.appeal:{appeal.pk}:received").exists()
    second = kari.post(url("appeal", seat.pk), {"text": "Igjen."})
    assert second.status_code == 200 and Appeal.objects.count() == 1  # one being handled at a time
    answered = appeals.answer_appeal(appeal, user=office, uphold=False, answer="Søsken ble ikke oppgitt.")
    assert answered.state == AppealState.REJECTED and answered.answered_by == office
    message = OutboxMessage.objects.get(key=f"schools.appeal:{appeal.pk}:answer")
    # Like every message about an application: no name, school or answer in it, only where to read it.
    assert "/min-side/" in message.body and message.recipients == ["kari@example.no"]
    for secret in ("Emma", "Alfa", "Søsken ble ikke oppgitt."):
        assert secret not in message.body and secret not in message.subject
    with pytest.raises(TransitionRefused):
        appeals.answer_appeal(appeal, user=office, uphold=True, answer="x")
    page = kari.get(url("appeal-receipt", appeal.pk)).content.decode()
    assert "Søsken ble ikke oppgitt." in page


def test_another_familys_ids_are_404(client, idp, t, office):  # noqa: F811
    emma = emma_application(t)
    publish(t.round, office)
    seat = Placement.objects.get(application=emma, run__current=True)
    appeal = appeals.register_appeal(emma, text="Klage", user=office)
    guardian(t.round.municipality, OLA, INGRID, "Ingrid Hansen")  # Ola is a guardian, of another child
    idp.sign_in(client, pid=OLA, level=assurance.HIGH)
    for name, pk in (
        ("application", emma.pk),
        ("receipt", emma.pk),
        ("change", emma.pk),
        ("withdraw", emma.pk),
        ("placement", seat.pk),
        ("appeal", seat.pk),
        ("appeal-receipt", appeal.pk),
    ):
        assert client.get(url(name, pk)).status_code == 404, name
    assert client.post(url("answer", seat.pk), {"action": "decline", "confirm": "yes"}).status_code == 404
    assert client.post(url("appeal-withdraw", appeal.pk)).status_code == 404
    assert client.post(url("withdraw", emma.pk)).status_code == 404
    seat.refresh_from_db()
    emma.refresh_from_db()
    assert seat.state == PlacementState.OFFERED and emma.state == SchoolApplicationState.SUBMITTED
    assert Appeal.objects.get().state == AppealState.RECEIVED
    assert "Emma" not in client.get(HOME).content.decode()


def test_an_ended_relation_ends_the_access(client, idp, t, office):  # noqa: F811
    from datetime import date

    jonas = application(t.round, t.near_a, [t.a], number=JONAS, name="Jonas")
    guardian(t.round.municipality, KARI, JONAS, "Jonas", valid_until=date(2024, 12, 31))
    idp.sign_in(client, pid=KARI, level=assurance.HIGH)
    assert client.get(url("application", jonas.pk)).status_code == 404


def test_a_special_needs_placement_asks_for_the_high_level(kari, idp, t, office):  # noqa: F811
    emma = emma_application(t, special=t.a)
    publish(t.round, office)
    seat = Placement.objects.get(application=emma, run__current=True)
    step_up = kari.get(url("placement", seat.pk))
    assert step_up.status_code == 302 and "level=idporten-loa-high" in step_up["Location"]
    idp.sign_in(kari, pid=KARI, level=assurance.HIGH)
    assert kari.get(url("placement", seat.pk)).status_code == 200


def test_an_older_runs_placement_leads_to_the_newest(kari, t, office):
    emma = emma_application(t)
    run = publish(t.round, office)
    old = Placement.objects.get(application=emma, run=run)
    allocate.run_waiting_list(t.round, user=office)
    new = Placement.objects.get(application=emma, run__current=True)
    assert new.pk != old.pk
    assert kari.get(url("placement", old.pk))["Location"] == url("placement", new.pk)


def test_acting_for_the_child_shows_the_same(client, idp, t):  # noqa: F811
    relation = guardian(t.round.municipality)
    app = emma_application(t)
    idp.sign_in(client, pid=KARI, level=assurance.SUBSTANTIAL)
    client.post(reverse("citizens:act-for"), {"relation": relation.pk})
    assert client.get(url("application", app.pk)).status_code == 200


# --- The services behind the answer ------------------------------------------------------------------


def test_answer_only_the_current_runs_placement_of_her_own_child(portal, t, office):  # noqa: F811
    guardian(portal)
    emma = emma_application(t)
    run = publish(t.round, office)
    seat = Placement.objects.get(application=emma, run=run)
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        answers.answer(seat, accept=True, user=CITIZEN, viewer=viewer(portal, OLA))
    allocate.run_waiting_list(t.round, user=office)
    with pytest.raises(ValidationError):  # replaced by the waiting-list re-run's
        answers.answer(seat, accept=True, user=CITIZEN, viewer=viewer(portal))
    newest = Placement.objects.get(application=emma, run__current=True)
    assert answers.answer(newest, accept=True, user=CITIZEN, viewer=viewer(portal)).state == "accepted"
    assert answers.answer(newest, accept=False, user=office).state == "declined"
    with pytest.raises(TransitionRefused):
        answers.answer(newest, accept=True, user=office)
    assert answers.answer_by(t.round) is not None


def test_appeals_only_after_publishing_and_with_text(portal, t, office):  # noqa: F811
    from django.core.exceptions import PermissionDenied, ValidationError

    guardian(portal)
    emma = emma_application(t)
    with pytest.raises(ValidationError):  # not published yet
        appeals.register_appeal(emma, text="Klage", user=CITIZEN, viewer=viewer(portal))
    publish(t.round, office)
    with pytest.raises(ValidationError):
        appeals.register_appeal(emma, text="", user=CITIZEN, viewer=viewer(portal))
    with pytest.raises(ValidationError):
        appeals.register_appeal(emma, text="x" * 5001, user=CITIZEN, viewer=viewer(portal))
    with pytest.raises(PermissionDenied):
        appeals.register_appeal(emma, text="Klage", user=CITIZEN, viewer=viewer(portal, OLA))
    appeal = appeals.register_appeal(emma, text="Klage", user=CITIZEN, viewer=viewer(portal))
    with pytest.raises(PermissionDenied):  # the family does not answer its own appeal
        appeals.answer_appeal(appeal, user=CITIZEN, uphold=True, answer="Ja")
    with pytest.raises(ValidationError):
        appeals.answer_appeal(appeal, user=office, uphold=True, answer=" ")
    assert appeals.withdraw_appeal(appeal, user=CITIZEN, viewer=viewer(portal)).state == "withdrawn"
    assert appeals.register_appeal(emma, text="Ny klage", user=office).state == "received"
    assert child_number() and TieBreak.SINGLE  # the helpers stay importable


def test_min_side_shows_open_rounds_even_before_an_application(kari, t):
    home = kari.get(HOME).content.decode()
    assert url("apply", t.round.pk) in home and address
