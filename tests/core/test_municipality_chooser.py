"""core.forms.chosen_municipality: the municipality a new record is made in — the one named, her
only one, never silently another and never the first of several."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from servicetorg.core.forms import chosen_municipality
from servicetorg.core.models import Municipality
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three():
    return [
        MunicipalityFactory(name="Annenvik", number="3997", organization_number="974760673"),
        MunicipalityFactory(name="Bvik", number="3996", organization_number="971040823"),
        MunicipalityFactory(name="Fremmedvik", number="3995", organization_number="964965226"),
    ]


def _ask(method, data, choices):
    request = getattr(RequestFactory(), method)("/", data)
    request.user = AnonymousUser()
    return chosen_municipality(request, Municipality.objects.filter(pk__in=[m.pk for m in choices]))


def test_several_ask_and_take_only_hers(three):
    annen, b, stranger = three
    chosen, chooser = _ask("get", {}, [annen, b])
    assert chosen is None and not chooser.is_bound  # asked, no error yet
    assert _ask("get", {"municipality": b.pk}, [annen, b])[0] == b
    assert _ask("post", {"municipality": annen.pk, "name": "x"}, [annen, b])[0] == annen
    chosen, chooser = _ask("get", {"municipality": stranger.pk}, [annen, b])
    assert chosen is None and chooser.errors
    chosen, chooser = _ask("post", {"name": "x"}, [annen, b])  # a POST that names none
    assert chosen is None and chooser.errors


def test_one_is_taken_unless_another_is_named(three):
    annen, _b, stranger = three
    assert _ask("get", {}, [annen])[0] == annen
    assert _ask("post", {"name": "x"}, [annen])[0] == annen
    chosen, chooser = _ask("post", {"municipality": stranger.pk, "name": "x"}, [annen])
    assert chosen is None and chooser.errors  # named one she may not choose: said, not swapped
    assert _ask("get", {"municipality": "abc"}, [annen])[0] is None
