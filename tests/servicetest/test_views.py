"""The kommunetest's pages and API: the coordinator's and tester's journeys through their POSTs,
blinding (the tested tenant's staff get 404 before publishing and see their result after), tenant
isolation on every view and endpoint, and the public results."""

import pytest
from django.urls import reverse
from django.utils import translation

from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from servicetorg.servicetest import services
from servicetorg.servicetest.models import Item, ItemChannel, ItemState, Protocol, Round, RoundState
from tests.factories import MunicipalityFactory, make_staff

from .helpers import build_world, item_of, publish

pytestmark = pytest.mark.django_db


def _get(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs or None))


def test_coordinator_builds_and_starts_a_round_through_the_pages(client):
    world = build_world()
    client.force_login(world.coordinator)
    assert client.get(reverse("servicetest:round-list")).status_code == 200
    assert client.get(reverse("servicetest:question-list")).status_code == 200
    response = client.post(
        reverse("servicetest:question-list"),
        {
            "q-channel": "email",
            "q-area": "Renovasjon",
            "q-text": "Når tømmes glassavfallet?",
            "q-answer_key": "Hver fjerde uke.",
            "q-rubric": "Riktig intervall",
            "q-active": "on",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("servicetest:question-list"),
        {"p-version": "2026.2", "p-weight_web": 50, "p-weight_phone": 25, "p-weight_email": 25},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("servicetest:round-create"),
        {
            "name": "Høsttest",
            "protocol": world.protocol.pk,
            "seed": 7,
            "per_band": 1,
            "questions": [q.pk for q in world.questions.values()],
        },
    )
    round_ = Round.objects.get(name="Høsttest")
    assert response.status_code == 302
    detail = reverse("servicetest:round-detail", kwargs={"pk": round_.pk})
    client.post(
        reverse("servicetest:region-add", kwargs={"pk": round_.pk}), {"code": "3909", "name": "Larvik"}
    )
    client.post(reverse("servicetest:region-add", kwargs={"pk": round_.pk}), {"code": "3999"})
    tester = world.testers[1]
    client.post(
        reverse("servicetest:tester-enrol", kwargs={"pk": round_.pk}),
        {"tester": tester.pk, "home_code": "1508"},
    )
    assert client.get(detail).status_code == 200
    assert set(round_.regions.values_list("code", flat=True)) == {"3909", "3999"}
    response = client.post(reverse("servicetest:round-action", kwargs={"pk": round_.pk, "action": "start"}))
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.state == RoundState.RUNNING
    page = client.get(detail)
    assert page.status_code == 200
    assert b'data-state="running"' in page.content
    item = round_.items.filter(channel=ItemChannel.EMAIL).first()
    assert client.get(reverse("servicetest:item-detail", kwargs={"pk": item.pk})).status_code == 200


def test_tester_records_an_email_item_through_the_form(client):
    world = build_world(start=True)
    item = item_of(world, "3909", ItemChannel.EMAIL)
    client.force_login(item.tester)
    mine = client.get(reverse("servicetest:my-items"))
    assert mine.status_code == 200
    assert f'id="item-{item.pk}"'.encode() in mine.content
    url = reverse("servicetest:item-record", kwargs={"pk": item.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "sent_date": "2026-03-02",
            "sent_time": "10:00",
            "reply_0_kind": "receipt",
            "reply_0_date": "2026-03-02",
            "reply_0_time": "10:01",
            "reply_1_kind": "answer",
            "reply_1_date": "2026-03-10",
            "reply_1_time": "09:00",
            "criterion_0": "on",
            "criterion_1": "on",
            "criterion_2": "on",
            "evidence": "Svar fra byggesak.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.state == ItemState.RECORDED
    assert item.score == 60  # six working days: no time points, full quality
    bad = client.post(url, {"sent_date": "2026-03-02", "sent_time": "10:00", "reply_0_kind": "answer"})
    assert bad.status_code == 400


def test_tester_sees_only_her_items_and_never_her_own_municipality(client):
    world = build_world(start=True)
    larvik_tester = world.testers[0]  # home 3909
    client.force_login(larvik_tester)
    for item in Item.objects.filter(round=world.round):
        url = reverse("servicetest:item-record", kwargs={"pk": item.pk})
        visible = item.region.code != "3909" and (
            item.channel == ItemChannel.WEB or item.tester_id == larvik_tester.pk
        )
        assert client.get(url).status_code == (200 if visible else 404), (item.region.code, item.channel)


def test_blinding_the_tested_tenant_sees_nothing_until_published(client):
    world = build_world(start=True)
    region = world.round.regions.get(code="3999")
    for user in (world.tested_staff, world.tested_admin):
        client.force_login(user)
        assert client.get(reverse("servicetest:round-detail", kwargs={"pk": world.round.pk})).status_code in (
            403,
            404,
        )
        assert client.get(reverse("servicetest:result-detail", kwargs={"pk": region.pk})).status_code == 404
        listing = client.get(reverse("servicetest:results"))
        assert listing.status_code == 200
        assert world.round.name.encode() not in listing.content
    assert client.get(reverse("servicetest_public:round", kwargs={"pk": world.round.pk})).status_code == 404
    api = client.get(reverse("servicetest_api:result-detail", kwargs={"pk": world.round.pk}))
    assert api.status_code == 404
    assert client.get(reverse("servicetest_api:result-list")).json()["results"] == []
    publish(world)
    for user in (world.tested_staff, world.tested_admin):
        client.force_login(user)
        assert client.get(reverse("servicetest:result-detail", kwargs={"pk": region.pk})).status_code == 200
        assert world.round.name.encode() in client.get(reverse("servicetest:results")).content
        # Another tested region's result is not theirs.
        larvik = world.round.regions.get(code="3909")
        assert client.get(reverse("servicetest:result-detail", kwargs={"pk": larvik.pk})).status_code == 404


def test_other_organisers_coordinator_gets_404_everywhere(client):
    world = build_world(start=True)
    elsewhere = MunicipalityFactory(name="Annenby", number="3997", organization_number="974760673")
    stranger = make_staff(Role.TEST_COORDINATOR, elsewhere)
    stranger_tester = make_staff(Role.TESTER, elsewhere)
    item = item_of(world, "3909", ItemChannel.EMAIL)
    region = world.round.regions.get(code="3909")
    client.force_login(stranger)
    pk = world.round.pk
    for name, kwargs, method in [
        ("servicetest:round-detail", {"pk": pk}, "get"),
        ("servicetest:round-action", {"pk": pk, "action": "lukk"}, "post"),
        ("servicetest:region-add", {"pk": pk}, "post"),
        ("servicetest:region-draw", {"pk": pk}, "post"),
        ("servicetest:region-remove", {"pk": pk, "region_pk": region.pk}, "post"),
        ("servicetest:tester-enrol", {"pk": pk}, "post"),
        ("servicetest:approve-all", {"pk": pk}, "post"),
        ("servicetest:item-detail", {"pk": item.pk}, "get"),
        ("servicetest:item-action", {"pk": item.pk, "action": "godkjenn"}, "post"),
        ("servicetest:item-assign", {"pk": item.pk}, "post"),
    ]:
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        assert response.status_code == 404, name
    listing = client.get(reverse("servicetest:round-list"))
    assert listing.status_code == 200 and world.round.name.encode() not in listing.content
    assert (
        world.questions[ItemChannel.EMAIL].text.encode()
        not in client.get(reverse("servicetest:question-list")).content
    )
    client.force_login(stranger_tester)
    assert client.get(reverse("servicetest:item-record", kwargs={"pk": item.pk})).status_code == 404
    world.round.refresh_from_db()
    assert world.round.state == RoundState.RUNNING


def test_coordinator_reviews_and_publishes_and_the_public_sees_the_results(client):
    world = build_world(start=True)
    from .helpers import record_everything

    record_everything(world)
    client.force_login(world.coordinator)
    pk = world.round.pk
    client.post(reverse("servicetest:round-action", kwargs={"pk": pk, "action": "lukk"}))
    client.post(reverse("servicetest:approve-all", kwargs={"pk": pk}))
    response = client.post(reverse("servicetest:round-action", kwargs={"pk": pk, "action": "publiser"}))
    assert response.status_code == 302
    world.round.refresh_from_db()
    assert world.round.state == RoundState.PUBLISHED
    client.logout()
    with translation.override("en"):
        home = client.get(reverse("servicetest_public:home"))
    assert home.status_code == 200 and world.round.name.encode() in home.content
    page = client.get(reverse("servicetest_public:round", kwargs={"pk": pk}))
    assert page.status_code == 200
    assert b'data-code="3999"' in page.content
    region = client.get(reverse("servicetest_public:region", kwargs={"pk": pk, "code": "3999"}))
    assert region.status_code == 200
    assert b"Svar fra postmottak" not in region.content  # evidence stays on the staff pages
    assert (
        client.get(reverse("servicetest_public:region", kwargs={"pk": pk, "code": "0000"})).status_code == 404
    )
    api = client.get(reverse("servicetest_api:result-list"), {"code": "3999"}).json()
    [result] = api["results"]
    assert result["protokollversjon"] == "2026.1"
    assert {r["kode"] for r in result["regioner"]} == {"3999", "3909", "1508"}
    assert client.get(reverse("servicetest_api:result-list"), {"version": "1999"}).json()["results"] == []


def test_make_it_a_measure_from_the_result_page(client):
    from servicetorg.strategy.models import Measure
    from tests.strategy.conftest import build_strategy

    world = build_world(start=True)
    publish(world)
    strategy = build_strategy(world.tested)
    focus_area = strategy.focus_areas.get()
    region = world.round.regions.get(code="3999")
    web = item_of(world, "3999", ItemChannel.WEB)
    client.force_login(world.tested_admin)
    page = client.get(reverse("servicetest:result-detail", kwargs={"pk": region.pk}))
    assert b"fix-link" not in page.content  # the organiser's service is not Fjordvik's
    before = Measure.objects.count()
    response = client.post(
        reverse("servicetest:make-measure", kwargs={"pk": web.pk}), {"focus_area": focus_area.pk, "title": ""}
    )
    assert response.status_code == 302
    assert Measure.objects.count() == before + 1
    client.force_login(world.tested_staff)
    assert (
        client.post(
            reverse("servicetest:make-measure", kwargs={"pk": web.pk}), {"focus_area": focus_area.pk}
        ).status_code
        == 403
    )


def test_failed_web_item_links_to_the_tested_tenants_catalogue_field(client):
    from tests.factories import make_service

    world = build_world(start=True)
    service = make_service(world.tested, slug="byggesak", name="Byggesak i Fjordvik")
    publish(world)
    region = world.round.regions.get(code="3999")
    client.force_login(world.tested_admin)
    page = client.get(reverse("servicetest:result-detail", kwargs={"pk": region.pk}))
    assert reverse("catalogue:draft-edit", kwargs={"pk": service.pk}).encode() in page.content


def test_list_pages_do_not_grow_queries_with_rounds(client, django_assert_max_num_queries):
    world = build_world(start=True)
    for i in range(3):
        services.create_round(world.organiser, user=SYSTEM, name=f"R{i}", protocol=world.protocol)
    client.force_login(world.coordinator)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("servicetest:round-list")).status_code == 200
    client.force_login(world.testers[1])
    with django_assert_max_num_queries(14):
        assert client.get(reverse("servicetest:my-items")).status_code == 200


def test_coordinator_gives_an_item_to_another_tester_never_to_one_from_the_region(client):
    world = build_world(start=True)
    item = item_of(world, "3909", ItemChannel.EMAIL)
    larvik_tester, other = world.testers[0], world.testers[1]
    client.force_login(world.coordinator)
    page = client.get(reverse("servicetest:item-detail", kwargs={"pk": item.pk}))
    assert b'id="assign-form"' in page.content
    url = reverse("servicetest:item-assign", kwargs={"pk": item.pk})
    client.post(url, {"tester": larvik_tester.pk})
    item.refresh_from_db()
    assert item.tester_id != larvik_tester.pk
    client.post(url, {"tester": other.pk})
    item.refresh_from_db()
    assert item.tester_id == other.pk


def test_a_round_testing_its_organiser_is_hidden_from_the_organisers_admin_until_published(client):
    """The organiser's administration holds servicetest.coordinate, but it is the tested municipality's
    staff: only the test coordinator sees a round that tests her own municipality before it is out."""
    world = build_world()
    services.add_region(world.round, user=SYSTEM, code=world.organiser.number, name=world.organiser.name)
    admin = make_staff(Role.ADMIN, world.organiser, username="admin-organiser")
    detail = reverse("servicetest:round-detail", kwargs={"pk": world.round.pk})
    client.force_login(admin)
    assert client.get(detail).status_code == 404
    assert world.round.name.encode() not in client.get(reverse("servicetest:round-list")).content
    services.start_round(world.round, user=world.coordinator)
    for item in Item.objects.filter(round=world.round):  # every item page, not only the round's
        assert client.get(reverse("servicetest:item-detail", kwargs={"pk": item.pk})).status_code == 404
    assert client.get(detail).status_code == 404
    client.force_login(world.coordinator)
    assert client.get(detail).status_code == 200
    assert world.round.name.encode() in client.get(reverse("servicetest:round-list")).content
    # A round that does not test the organiser stays the administration's to coordinate.
    other = services.create_round(
        world.organiser, user=SYSTEM, name="Uten oss", protocol=world.round.protocol
    )
    client.force_login(admin)
    assert client.get(reverse("servicetest:round-detail", kwargs={"pk": other.pk})).status_code == 200


def test_a_web_tester_does_not_see_the_other_testers_verdict(client):
    """Two testers check each web item independently: the second does not read the first one's."""
    world = build_world(start=True)
    item = Item.objects.filter(round=world.round, channel=ItemChannel.WEB, region__code="3999").first()
    first, second = world.testers[0], world.testers[1]
    services.record_web_check(
        item,
        user=first,
        device="desktop",
        found=True,
        seconds=77,
        url="https://fjordvik.example/svar",
        evidence="Fant svaret under Byggesak",
    )
    url = reverse("servicetest:item-record", kwargs={"pk": item.pk})
    client.force_login(second)
    page = client.get(url).content.decode()
    assert "(77 s)" not in page and "fjordvik.example/svar" not in page and "Fant svaret" not in page
    client.force_login(first)
    page = client.get(url).content.decode()
    assert "(77 s)" in page and "fjordvik.example/svar" in page
    client.force_login(world.coordinator)  # the coordinator reviews both
    detail = client.get(reverse("servicetest:item-detail", kwargs={"pk": item.pk})).content.decode()
    assert "fjordvik.example/svar" in detail


def test_a_coordinator_of_two_municipalities_chooses_the_organiser(client):
    """The question bank and a new round ask which municipality when she coordinates for two (never
    the first by name); the choice is carried on through the forms, and only hers can be chosen."""
    from tests.factories import MembershipFactory

    world = build_world()
    second = MunicipalityFactory(name="Annenvik", number="3997", organization_number="974760673")
    stranger = MunicipalityFactory(name="Fremmedvik", number="3996", organization_number="971040823")
    MembershipFactory(user=world.coordinator, municipality=second, role=Role.TEST_COORDINATOR)
    client.force_login(world.coordinator)
    for name in ("servicetest:question-list", "servicetest:round-create"):
        page = client.get(reverse(name))
        assert page.status_code == 200 and b'id="id_municipality"' in page.content, name
        choices = page.content.decode().split('id="id_municipality"')[1].split("</select>")[0]
        assert "Annenvik" in choices and "Fremmedvik" not in choices
        assert b'id="error-summary"' in client.get(reverse(name), {"municipality": stranger.pk}).content
    chosen = client.get(reverse("servicetest:question-list"), {"municipality": second.pk})
    assert b'id="organiser"' in chosen.content and b"Annenvik" in chosen.content
    response = client.post(
        reverse("servicetest:question-list"),
        {"municipality": second.pk, "p-version": "2027.1", "p-weight_web": 40, "p-weight_phone": 30,
         "p-weight_email": 30},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith(f"?municipality={second.pk}")
    protocol = Protocol.objects.get(version="2027.1")
    assert protocol.municipality == second
    response = client.post(
        reverse("servicetest:round-create"),
        {"municipality": second.pk, "name": "Annenvik-runden", "protocol": protocol.pk, "seed": 1,
         "per_band": 1},
    )  # fmt: skip
    assert response.status_code == 302
    assert Round.objects.get(name="Annenvik-runden").municipality == second
    # the organiser's protocol cannot be used for the second municipality's round
    response = client.post(
        reverse("servicetest:round-create"),
        {
            "municipality": second.pk,
            "name": "Blandet",
            "protocol": world.protocol.pk,
            "seed": 1,
            "per_band": 1,
        },
    )
    assert response.status_code == 400 and not Round.objects.filter(name="Blandet").exists()
