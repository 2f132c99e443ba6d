"""One vocabulary for permissions (issue 19 §1): the roles matrix decides both "may she open this"
and "which rows may she see". Granting a role a permission in ``MATRIX`` is all it takes; there are
no role sets beside it."""

from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicetorg.core import tenancy
from servicetorg.core.choices import Role
from servicetorg.core.permissions import MATRIX, Perm, Reach
from tests.factories import make_service, make_staff

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "servicetorg"
OLD_WORDS = ["STAFF_ROLES", "EDITOR_ROLES", "WORK_ROLES", "OUTBOX_ROLES", "DASHBOARD_ROLES"]
OLD_WORDS += ["ADMINISTRATION_ROLES", "ACTION_ROLES", "roles_for(", "has_role(", "require_role("]


def test_no_role_sets_beside_the_matrix():
    """The old vocabulary is gone: no role sets, no has_role/require_role; scope takes a Perm."""
    for name in ("has_role", "require_role", "unit_ids", "municipality_ids"):
        assert not hasattr(tenancy, name), name
    offenders = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in OLD_WORDS:
            if word in text:
                offenders.append(f"{path.relative_to(SRC)}: {word}")
    assert offenders == []


def test_scope_needs_a_perm(municipality):
    from servicetorg.core.models import Unit

    with pytest.raises(TypeError):
        tenancy.scope(Unit.objects.all(), make_staff(Role.ADMIN, municipality))  # type: ignore[call-arg]


def test_granting_catalogue_read_opens_the_catalogue_pages(client, municipality, monkeypatch):
    """Before, catalogue views scoped by STAFF_ROLES: a role granted catalogue.read still got 404."""
    service = make_service(municipality, slug="vei", name="Brøyting")
    provider = make_staff(Role.PROVIDER, municipality)
    client.force_login(provider)
    detail = reverse("catalogue:service-detail", args=[service.pk])
    assert client.get(detail).status_code == 404
    monkeypatch.setitem(MATRIX[Perm.CATALOGUE_READ], Role.PROVIDER, Reach.MUNICIPALITY)
    assert client.get(detail).status_code == 200
    assert client.get(reverse("catalogue:service-list")).status_code == 200
    api = APIClient()
    api.force_authenticate(provider)
    listing = api.get("/api/catalogue/services/")
    assert listing.status_code == 200, listing.content


def test_inquiry_api_checks_register_like_the_service(municipality, monkeypatch):
    """inquiries/api.py checked the working roles where services.register checks inquiries.register:
    a role that may work but not register passed the serializer and met a 403 from the service.
    Now the API asks the same permission and answers with the field error."""
    officer = make_staff(Role.CASE_OFFICER, municipality)
    monkeypatch.delitem(MATRIX[Perm.INQUIRY_REGISTER], Role.CASE_OFFICER)
    api = APIClient()
    api.force_authenticate(officer)
    data = {"municipality": municipality.pk, "channel": "email", "subject": "Spørsmål"}
    response = api.post("/api/inquiries/inquiries/", data, format="json")
    assert response.status_code == 400 and "municipality" in response.data, response.content
