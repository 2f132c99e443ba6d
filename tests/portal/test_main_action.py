"""Issue 24 §6: one main (primary) action per service page, chosen by the service's own settings; the
other actions are secondary."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_service

BUTTONS = re.compile(r'<a class="ds-button" data-variant="(primary|secondary)" href="([^"]+)">')


def _buttons(client, service):
    page = client.get(reverse("portal:service-detail", args=[service.slug])).content.decode()
    return BUTTONS.findall(page)


@pytest.mark.parametrize(
    ("asks_location", "application_url", "primary"),
    [
        (True, "https://skjema.example.no/feil", "contact"),  # a fault report: write to us
        (False, "https://skjema.example.no/soknad", "application"),  # apply through the form
        (False, "", "contact"),  # no form: ask us
    ],
)
def test_one_primary_action_from_the_services_settings(
    client, municipality, asks_location, application_url, primary
):
    service = make_service(municipality, slug="tjeneste", application_url=application_url)
    service.asks_location = asks_location
    service.save(update_fields=["asks_location"])
    buttons = _buttons(client, service)
    primaries = [href for variant, href in buttons if variant == "primary"]
    assert len(primaries) == 1, buttons
    if primary == "application":
        assert primaries == [application_url]
    else:
        assert primaries[0].startswith("/kontakt/")
    assert len(buttons) == (2 if application_url else 1)
