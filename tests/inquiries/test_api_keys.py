"""One API-key lookup for every channel (issue 19 §4), and one key per channel (issue 18 §2.1)."""

import re
from pathlib import Path

import pytest

from servicetorg.core.choices import Role
from servicetorg.inquiries import selectors, services
from servicetorg.inquiries.models import ApiChannel, ApiClient
from tests.factories import make_staff

SRC = Path(__file__).resolve().parents[2] / "src" / "servicetorg"


@pytest.mark.django_db
def test_a_key_is_found_for_its_own_channel_only(municipality, administration):
    account = make_staff(Role.DESK_WORKER, municipality, username="system-intake")
    open311, open311_key = services.create_api_client(
        municipality=municipality, name="App", user=administration
    )
    rest, rest_key = services.create_api_client(
        municipality=municipality, name="Fiks", user=administration, service_account=account
    )
    assert selectors.api_client_for_key(open311_key, channel=ApiChannel.OPEN311) == open311
    assert selectors.api_client_for_key(rest_key, channel=ApiChannel.REST) == rest
    assert selectors.api_client_for_key(rest_key, channel=ApiChannel.REST).user == account
    assert selectors.api_client_for_key(open311_key, channel=ApiChannel.REST) is None
    assert selectors.api_client_for_key(rest_key, channel=ApiChannel.OPEN311) is None
    assert selectors.api_client_for_key("", channel=ApiChannel.OPEN311) is None
    assert selectors.api_client_for_key("x" * 5000, channel=ApiChannel.REST) is None
    ApiClient.objects.filter(pk=open311.pk).update(active=False)
    assert selectors.api_client_for_key(open311_key, channel=ApiChannel.OPEN311) is None


def test_no_adapter_looks_keys_up_itself():
    """Keys are looked up in ``selectors.api_client_for_key`` (and the statement it runs), nowhere else:
    Open311 had its own lookup beside the REST API's."""
    lookup = re.compile(r"ApiClient\.objects\.(?:filter|get|exclude)\([^)]*key_hash|client_and_account\(")
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        and path.name not in ("selectors.py", "sql.py")
        and lookup.search(path.read_text())
    ]
    assert offenders == []
