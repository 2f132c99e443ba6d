import pytest
from django.urls import reverse

from servicetorg.catalogue.models import Service, VersionState
from servicetorg.core.choices import Role

from ..factories import ServiceAreaFactory, make_service


@pytest.fixture
def area(municipality):
    return ServiceAreaFactory(municipality=municipality, name="Barnehage", slug="barnehage")


def create_payload(area, **overrides):
    data = {
        "area": area.pk,
        "slug": "barnehageplass",
        "ladder_level": "4",
        "channels": ["web_form", "phone"],
        "name": "Barnehageplass",
        "summary": "Søk om plass i barnehage.",
        "promises-TOTAL_FORMS": "3",
        "promises-INITIAL_FORMS": "0",
        "promises-0-kind": "reply",
        "promises-0-limit_value": "2",
        "promises-0-limit_unit": "working_days",
        "promises-0-guarantee": "Du får 500 kroner.",
        "promises-0-compensation_amount": "500",
        "promises-1-limit_unit": "working_days",
        "promises-2-limit_unit": "working_days",
    }
    data.update(overrides)
    return data


def test_administration_creates_a_service_as_draft(client, administration, area):
    client.force_login(administration)
    response = client.post(reverse("catalogue:service-create"), create_payload(area))
    service = Service.objects.get(slug="barnehageplass")
    assert response.status_code == 302
    assert response.url == reverse("catalogue:service-detail", args=[service.pk])
    assert service.state == "draft"
    assert service.versions.get().promises.get().working_days == 2


def test_create_form_gives_field_errors_in_norwegian(client, administration, area):
    make_service(area.municipality, area=area, slug="barnehageplass")
    client.force_login(administration)
    payload = create_payload(area, summary="", **{"promises-0-limit_value": ""})
    response = client.post(reverse("catalogue:service-create"), payload, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dette feltet er påkrevd" in body  # summary missing
    assert response.context["promises"].forms[0].errors["limit_value"]
    assert Service.objects.count() == 1


def test_slug_clash_in_form_is_a_field_error_not_a_500(client, administration, area):
    make_service(area.municipality, area=area, slug="barnehageplass")
    client.force_login(administration)
    response = client.post(reverse("catalogue:service-create"), create_payload(area))
    assert response.status_code == 200
    assert response.context["service_form"].errors


def test_list_filters(client, administration, municipality, area):
    other_area = ServiceAreaFactory(municipality=municipality, name="Skole", slug="skole")
    make_service(municipality, area=area, slug="barnehageplass", name="Barnehageplass", ladder_level=4)
    make_service(municipality, area=other_area, slug="skoleskyss", name="Skoleskyss", ladder_level=5)
    make_service(municipality, area=other_area, slug="sfo", name="SFO", publish=False)
    client.force_login(administration)
    url = reverse("catalogue:service-list")

    def names(**params):
        return [s.name or s.slug for s in client.get(url, params).context["page"]]

    assert names(area=area.pk) == ["Barnehageplass"]
    assert names(ladder_level=5) == ["Skoleskyss"]
    assert names(state="draft") == ["sfo"]
    assert names(q="skole") == ["Skoleskyss"]
    Service.objects.filter(slug="skoleskyss").update(review_due="2020-01-01")
    assert names(review_overdue="on") == ["Skoleskyss"]


def test_list_query_count_does_not_grow(
    client, administration, municipality, area, django_assert_max_num_queries
):
    client.force_login(administration)
    for i in range(3):
        make_service(municipality, area=area, slug=f"s{i}")
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("catalogue:service-list"))
    for i in range(3, 30):
        make_service(municipality, area=area, slug=f"s{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("catalogue:service-list"))


def test_edit_draft_then_publish_changes_the_portal_only_after_publishing(
    client, administration, municipality
):
    service = make_service(municipality, slug="sfo", name="SFO")
    client.force_login(administration)
    client.post(reverse("catalogue:draft-start", args=[service.pk]))
    draft = service.versions.get(state=VersionState.DRAFT)
    form = {
        "name": "SFO 2027",
        "summary": "Ny tekst.",
        "promises-TOTAL_FORMS": "3",
        "promises-INITIAL_FORMS": "0",
        **{f"promises-{i}-limit_unit": "working_days" for i in range(3)},
    }
    response = client.post(reverse("catalogue:draft-edit", args=[service.pk]), form)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "SFO 2027"
    assert "SFO 2027" not in client.get(reverse("portal:service-detail", args=["sfo"])).content.decode()
    client.post(reverse("catalogue:draft-publish", args=[service.pk]))
    assert "SFO 2027" in client.get(reverse("portal:service-detail", args=["sfo"])).content.decode()


def test_desk_worker_reads_but_cannot_change(client, desk_worker, municipality):
    service = make_service(municipality, slug="sfo")
    client.force_login(desk_worker)
    assert client.get(reverse("catalogue:service-detail", args=[service.pk])).status_code == 200
    assert client.get(reverse("catalogue:service-edit", args=[service.pk])).status_code == 403
    assert client.post(reverse("catalogue:service-withdraw", args=[service.pk])).status_code == 403
    assert client.get(reverse("catalogue:service-create")).status_code == 403


def test_unit_leader_edits_only_her_units_services(client, make_staff, municipality, unit):
    leader = make_staff(Role.UNIT_LEADER, municipality, unit)
    own = make_service(municipality, slug="own", unit=unit)
    other = make_service(municipality, slug="other")
    client.force_login(leader)
    assert client.get(reverse("catalogue:service-edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("catalogue:service-edit", args=[other.pk])).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, municipality):
    service = make_service(municipality, slug="sfo")
    response = client.get(reverse("catalogue:service-detail", args=[service.pk]))
    assert response.status_code == 302
    assert reverse("core:login") in response.url


def test_citizen_role_has_no_staff_access(client, make_staff, municipality):
    citizen = make_staff(Role.CITIZEN, municipality)
    client.force_login(citizen)
    assert client.get(reverse("catalogue:service-list")).status_code == 403
