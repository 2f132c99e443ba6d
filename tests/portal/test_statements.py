"""Each municipality's privacy and accessibility statements: a default that says what is stored, why
and for how long; edited by the administration; linked in the footer and above forms."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from servicetorg.portal import services
from servicetorg.portal.models import Statement
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_default_privacy_statement_says_what_why_and_how_long(client, municipality):
    html = client.get("/personvern/").content.decode()
    assert "<h1" in html and "Personvernerklæring" in html
    assert "Fjordvik kommune er behandlingsansvarlig" in html
    assert "fødselsnummeret ditt bare for tjenester der loven krever det" in html  # what
    assert "forvaltningsloven § 11" in html  # why
    assert "slettes etter 30 dager" in html and "arkivlova" in html  # how long
    assert "her i 2 år etter at den ble avsluttet" in html  # the inquiries' retention period
    assert "Merknader til en strategi på høring: lagres i 1 år etter høringsfristen" in html


def test_default_privacy_statement_follows_the_municipalitys_retention_periods(client, municipality):
    from servicetorg.privacy import retention

    admin = make_staff(Role.ADMIN, municipality)
    retention.set_periods(municipality, {"inquiries.closed": 540, "core.outbox": 14}, user=admin)
    html = client.get("/personvern/").content.decode()
    assert "her i 18 måneder etter at den ble avsluttet" in html
    assert "her i 2 år etter at den ble avsluttet" not in html
    assert "E-post og SMS sendt av plattformen (utboksen): lagres i 14 dager etter at den ble sendt" in html


def test_default_accessibility_statement(client, municipality):
    html = client.get("/tilgjengelighet/").content.decode()
    assert "Tilgjengelighetserklæring" in html and "WCAG" in html and "uutilsynet.no" in html


def test_footer_links_both_statements_on_every_page(client, municipality):
    html = client.get("/").content.decode()
    assert 'href="/personvern/"' in html and 'href="/tilgjengelighet/"' in html


@pytest.mark.parametrize("url", ["/kontakt/"])
def test_forms_asking_personal_data_link_the_privacy_statement(client, municipality, url):
    html = client.get(url).content.decode()
    note = html.index("Slik behandler vi personopplysninger")
    assert note < html.index('<form method="post" class="form-grid"')


def test_administration_edits_and_resets_the_statement(client, municipality, make_staff):
    admin = make_staff(Role.ADMINISTRATION, municipality)
    client.force_login(admin)
    url = reverse("portal:privacy-edit")
    page = client.get(url)
    assert page.status_code == 200 and "behandlingsansvarlig" in page.context["form"].initial["text"]
    response = client.post(
        url, {"text": "## Vårt personvern\n\nVi lagrer lite.", "contact": "pvo@fjordvik.no"}
    )
    assert response.status_code == 302
    html = client.get("/personvern/").content.decode()
    assert '<h2 class="ds-heading" data-size="sm">Vårt personvern</h2>' in html
    assert "Vi lagrer lite." in html and 'href="mailto:pvo@fjordvik.no"' in html
    assert "behandlingsansvarlig" not in html
    # An empty text is refused on the field; nothing changes.
    response = client.post(url, {"text": "  ", "contact": ""})
    assert response.status_code == 400 and "text" in response.context["form"].errors
    assert Statement.objects.get().text == "## Vårt personvern\n\nVi lagrer lite."
    client.post(url, {"reset": "1"})
    assert not Statement.objects.exists()
    assert "behandlingsansvarlig" in client.get("/personvern/").content.decode()


def test_only_the_administration_edits(client, municipality, other_municipality, make_staff):
    desk = make_staff(Role.DESK_WORKER, municipality)
    client.force_login(desk)
    assert client.get(reverse("portal:accessibility-edit")).status_code == 403
    outsider = make_staff(Role.ADMINISTRATION, other_municipality)
    client.force_login(outsider)
    client.post("/kommune/", {"number": municipality.number})  # the portal shows Fjordvik
    assert client.post(reverse("portal:privacy-edit"), {"text": "Hei"}).status_code == 403
    assert not Statement.objects.exists()
    with pytest.raises(PermissionDenied):
        services.save_statement(municipality, "privacy", text="Hei", contact="", user=desk)
    services.save_statement(municipality, "privacy", text="Systemets tekst", contact="", user=SYSTEM)
    assert services.shown_statement(municipality, "privacy").blocks == [("p", "Systemets tekst")]


def test_statements_in_english_and_nynorsk(client, municipality):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Fjordvik municipality is responsible" in client.get("/personvern/").content.decode()
    client.post("/i18n/setlang/", {"language": "nn", "next": "/"})
    assert "Personvernerklæring" in client.get("/personvern/").content.decode()
