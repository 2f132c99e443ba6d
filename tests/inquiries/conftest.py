import pytest
from rest_framework.test import APIClient

from servicetorg.core.choices import Role
from tests.factories import UnitFactory, make_service, make_staff


@pytest.fixture
def service(municipality, unit):
    return make_service(municipality, unit=unit, slug="barnehageplass")


@pytest.fixture
def plain_service(municipality, unit):
    """A published service without a reply promise (channel rules apply)."""
    return make_service(
        municipality, unit=unit, slug="generell-info", name="Generell informasjon", promises=[]
    )


@pytest.fixture
def case_officer(municipality, unit):
    return make_staff(Role.CASE_OFFICER, municipality, unit, first_name="Kari", last_name="Saksbehandler")


@pytest.fixture
def other_unit(other_municipality):
    return UnitFactory(municipality=other_municipality, name="Annen enhet", slug="annen")


@pytest.fixture
def time_machine_today(monkeypatch):
    """Pretend today (Europe/Oslo) is a given date, for the services that read the clock."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    def travel(day):
        moment = datetime.combine(day, time(12, 0), tzinfo=ZoneInfo("Europe/Oslo"))
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return travel


@pytest.fixture
def client_key(municipality, make_staff):
    """The API key of a system client whose service account is a desk worker of ``municipality``."""
    from servicetorg.inquiries import services

    admin = make_staff(Role.ADMINISTRATION, municipality)
    account = make_staff(Role.DESK_WORKER, municipality, username="system-intake")
    _client, key = services.create_api_client(
        municipality=municipality, name="Chatbot", user=admin, service_account=account
    )
    return key


def keyed(key):
    """An API client that sends ``Authorization: Api-Key <key>``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client
