"""A database that cannot be reached is a 503 with Retry-After: a problem JSON (RFC 9457) to the
API, a Norwegian page to browsers. The database really is unreachable here: the connection's
settings point at a port where there is none."""

import json

import pytest
from django.db import connection
from django.test import Client


@pytest.fixture
def database_down(transactional_db, municipality):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test database lives in memory: taking it away would end it")
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="9")  # discard: nothing listens
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def test_api_gets_problem_json_with_retry_after(database_down):
    client = Client(raise_request_exception=False)
    for url in ("/api/open311/v2/services.json", "/api/inquiries/inquiries/"):
        response = (
            client.get(url)
            if "open311" in url
            else client.post(
                url, {"subject": "x"}, content_type="application/json", HTTP_AUTHORIZATION="Api-Key k"
            )
        )
        assert response.status_code == 503, url
        assert response["Content-Type"] == "application/problem+json"
        assert int(response["Retry-After"]) > 0
        problem = json.loads(response.content)
        assert problem["status"] == 503 and problem["title"] and "Prøv igjen" in problem["detail"]


def test_page_is_a_norwegian_503(database_down):
    response = Client(raise_request_exception=False).get("/kontakt/", HTTP_ACCEPT="text/html")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Tjenesten er midlertidig utilgjengelig" in html and 'lang="nb"' in html


def test_health_checks_are_on():
    from django.conf import settings

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
