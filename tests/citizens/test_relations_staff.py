"""Staff: registering and ending who may act for whom (Perm.CITIZEN_RELATIONS), audited, in her own
municipality only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from servicetorg.citizens import demo, services
from servicetorg.citizens.models import Relation, RelationKind
from servicetorg.core.choices import Role
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.permissions import SYSTEM
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

URL = "/staff/min-side/relasjoner/"


@pytest.fixture
def officer(municipality, unit):
    return make_staff(Role.CASE_OFFICER, municipality, unit)


def _form(municipality, **changes):
    today = timezone.localdate()
    return {
        "action": "register",
        "municipality": municipality.number,
        "kind": RelationKind.GUARDIAN,
        "representative_national_id": demo.KARI,
        "subject_national_id": demo.EMMA,
        "subject_name": "Emma Nordmann",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "note": "Folkeregisteret",
        **changes,
    }


def test_the_url():
    assert reverse("citizens:relations") == URL


def test_a_case_officer_registers_a_relation(client, municipality, officer):
    client.force_login(officer)
    assert client.get(URL).status_code == 200
    response = client.post(URL, _form(municipality, representative_national_id="148385 40024"))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    relation = Relation.objects.get()
    assert relation.municipality == municipality and relation.registered_by == officer
    assert relation.representative_digest == national_id_digest(demo.KARI)
    assert relation.subject_digest == national_id_digest(demo.EMMA)
    assert relation.representative_national_id == demo.KARI  # readable by the case officer, encrypted at rest
    (history,) = relation.history.all()
    assert history.history_user == officer and history.history_type == "+"
    page = client.get(URL).content.decode()
    assert "Emma Nordmann" in page and demo.KARI not in page and demo.EMMA not in page  # masked


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"representative_national_id": demo.KARI[:-1] + "9"}, "representative_national_id"),
        ({"subject_national_id": "123"}, "subject_national_id"),
        ({"subject_national_id": demo.KARI}, "subject_national_id"),  # for herself
        ({"valid_until": (timezone.localdate() - timedelta(days=30)).isoformat()}, "valid_until"),
        ({"subject_name": ""}, "subject_name"),
        ({"kind": "neighbour"}, "kind"),
        ({"valid_from": "not-a-date"}, "valid_from"),
    ],
)
def test_errors_on_the_field(client, municipality, officer, changes, field):
    client.force_login(officer)
    response = client.post(URL, _form(municipality, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'id="error-summary"' in response.content.decode()
    assert not Relation.objects.exists()


def test_real_shaped_numbers_only_when_synthetic_ones_are_off(client, municipality, officer, settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = False
    client.force_login(officer)
    response = client.post(URL, _form(municipality))
    assert response.status_code == 400 and "representative_national_id" in response.context["form"].errors


def _relation(municipality):
    return services.register_relation(
        municipality,
        kind=RelationKind.GUARDIAN,
        representative_national_id=demo.KARI,
        subject_national_id=demo.EMMA,
        subject_name="Emma Nordmann",
        valid_from=timezone.localdate() - timedelta(days=10),
        user=SYSTEM,
    )


def test_ending_a_relation(client, municipality, officer):
    relation = _relation(municipality)
    client.force_login(officer)
    today = timezone.localdate()
    response = client.post(
        URL,
        {
            "action": "end",
            "municipality": municipality.number,
            "relation": relation.pk,
            "valid_until": today.isoformat(),
        },
    )
    assert response.status_code == 302
    relation.refresh_from_db()
    assert relation.valid_until == today
    latest = relation.history.latest("history_date")
    assert latest.history_user == officer and latest.history_type == "~"
    # Not before it began.
    too_early = (relation.valid_from - timedelta(days=1)).isoformat()
    client.post(
        URL,
        {
            "action": "end",
            "municipality": municipality.number,
            "relation": relation.pk,
            "valid_until": too_early,
        },
    )
    relation.refresh_from_db()
    assert relation.valid_until == today


def test_another_municipality_s_relation_cannot_be_ended(client, municipality, other_municipality, officer):
    theirs = _relation(other_municipality)
    client.force_login(officer)
    response = client.post(
        URL,
        {
            "action": "end",
            "municipality": municipality.number,
            "relation": theirs.pk,
            "valid_until": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.valid_until is None
    # Naming the other municipality in the post is refused outright.
    response = client.post(
        URL,
        {
            "action": "end",
            "municipality": other_municipality.number,
            "relation": theirs.pk,
            "valid_until": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 403
    # Nor are they listed.
    assert "Emma Nordmann" not in client.get(URL, {"kommune": other_municipality.number}).content.decode()


@pytest.mark.parametrize("role", [Role.DESK_WORKER, Role.COUNCIL, Role.PROVIDER])
def test_roles_without_the_permission_are_refused(client, municipality, role):
    client.force_login(make_staff(role, municipality))
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(municipality)).status_code == 403
    assert not Relation.objects.exists()


def test_the_service_checks_the_permission_too(municipality, desk_worker):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.register_relation(
            municipality,
            kind=RelationKind.GUARDIAN,
            representative_national_id=demo.KARI,
            subject_national_id=demo.EMMA,
            subject_name="Emma Nordmann",
            valid_from=timezone.localdate(),
            user=desk_worker,
        )


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))
