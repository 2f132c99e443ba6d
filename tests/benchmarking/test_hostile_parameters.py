"""Hostile query parameters on the public statistics pages and API: a clear 4xx or the page without
the parameter, never a 500. ``str.isdigit`` says yes to "²", which ``int`` refuses; ``parse_date``
raises for 2020-02-30; a code with a slash cannot be reversed into an address."""

import pytest

from servicetorg.core.validators import is_digits, small_int

from . import compare_world as w
from .test_owndata_rules import shared, world

pytestmark = pytest.mark.django_db

URLS = [
    "/statistikk/sammenlign/?k=3909&ar={v}",
    "/statistikk/kommuner/3909/?ar={v}",
    "/statistikk/?kommune={v}",
    "/api/statistikk/sammenlign/?k=3909&ar={v}",
    "/api/statistikk/rangeringer/{v}/",
    "/api/statistikk/rangeringer/{v}/resultater/",
    "/statistikk/egne-tall/henvendelser-svart-i-tide/?year={v}",
    "/api/statistikk/egne-tall/henvendelser-svart-i-tide/?year={v}",
    "/api/statistikk/verdier/?since={v}",
    "/api/statistikk/verdier/?year={v}",
    "/statistikk/rangering/{v}/",
    "/kommunetest/{v}/",
]
VALUES = [
    "²",
    "٣",
    "2020-02-30",
    "9999-99-99",
    "2024-01-01T25:00",
    "4482-11-27T13:29:08-19:19",
    "9999-12-31T23:59:59-23:00",
    "a/b",
    "1" * 40,
    "-1",
    "0",
]


@pytest.mark.parametrize("url", URLS)
def test_no_parameter_gives_a_server_error(client, url):
    w.register()
    world(["Alfavik"], published=["Alfavik"], indicator=shared())
    for value in VALUES:
        response = client.get(url.format(v=value))
        assert response.status_code < 500, (url, value)


def test_only_ascii_digits_are_numbers():
    assert is_digits("2024") and not is_digits("²") and not is_digits("٣") and not is_digits("")
    assert small_int(" 12 ") == 12 and small_int("²") is None and small_int("1" * 19) is None
    assert small_int("2024", max_digits=4) == 2024 and small_int("20245", max_digits=4) is None
