"""Registering a provider as an administration of two municipalities: asked which (never the first
by name)."""

import pytest
from django.urls import reverse

from servicetorg.core.choices import Role
from tests.factories import MembershipFactory, MunicipalityFactory, make_staff

pytestmark = pytest.mark.django_db


def test_an_administration_of_two_municipalities_is_asked_which(client):
    first = MunicipalityFactory(name="Annenvik", number="3997", organization_number="974760673")
    second = MunicipalityFactory(name="Bvik", number="3996", organization_number="971040823")
    user = make_staff(Role.ADMINISTRATION, first)
    MembershipFactory(user=user, municipality=second, role=Role.ADMINISTRATION)
    client.force_login(user)
    url = reverse("choice:provider-create")
    page = client.get(url)
    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "staff/choose_municipality.html"
    page = client.get(url, {"municipality": second.pk})
    assert [t.name for t in page.templates][0] == "choice/providers/create.html"
    assert page.context["municipality"] == second
    assert f'name="municipality" value="{second.pk}"' in page.content.decode()
