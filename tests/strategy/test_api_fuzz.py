"""Fuzz the strategy and indicator API from its OpenAPI schema (schemathesis): never a 5xx."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from servicetorg.core.choices import Role
from servicetorg.inquiries.services import create_api_client

from ..factories import make_staff
from .conftest import build_strategy


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: requests must not close the test transaction's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_api_never_fails(municipality, keep_test_connection):
    build_strategy(municipality, publish=True)
    account = make_staff(Role.ADMINISTRATION, municipality, username="fuzzer")
    _client, key = create_api_client(
        municipality=municipality, name="Fuzzer", user=account, service_account=account
    )
    auth = {"Authorization": f"Api-Key {key}"}  # a system's key (staff passwords are no API credential)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application()).include(
        path_regex="^/api/(strategy|indicators)/"
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    seen = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call(headers=auth)
            seen.append(response.status_code)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"

        check()
    assert 200 in seen and any(400 <= code < 500 for code in seen)  # authenticated, and bad input refused
