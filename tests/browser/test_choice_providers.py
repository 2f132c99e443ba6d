"""Providers in Chromium, at 390 and 1280 px: a provider applies on the public form (a bad
organisation number first), the administration approves it from the queue, the provider's user
keeps her profile and adds a supplementary service, and the citizen compares the providers and
reads a profile — every page axe-clean and within the width."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from servicetorg.choice.models import Application, ApplicationState, ProviderMember
from servicetorg.core.choices import Role

from ..choice.conftest import build_scheme
from ..choice.provider_helpers import ORGNRS, approved_provider, local, make_decision, visit
from ..factories import make_staff
from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_approve_keep_the_profile_and_compare(sized_page, municipality):
    page = sized_page
    scheme = build_scheme(municipality, adopt=True, supplementary_services=True)
    other = approved_provider(scheme, orgnr=ORGNRS[1], name="Fjordvik Hjemmehjelp AS", districts="Øst, Vest")
    decision = make_decision(scheme)
    for day in range(1, 6):
        visit(other, decision, local(timezone.localdate() - timedelta(days=day)), f"h{day % 2}")
    page.goto(f"/brukervalg/{scheme.pk}/sok/")
    check_page(page)
    page.fill("#id_organization_number", "987654300")
    page.fill("#id_name", "Omsorg Nord AS")
    page.fill("#id_email", "post@omsorg.example")
    page.click("#main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(".ds-error-summary")).to_have_count(1)
    check_page(page)
    page.fill("#id_organization_number", ORGNRS[0])
    page.fill("#id_districts", "Nord")
    page.click("#main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    assert "/sok/kvittering/" in page.url
    check_page(page)
    application = Application.objects.get(provider__organization_number=ORGNRS[0])

    make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    login(page, "radmann")
    page.goto("/staff/brukervalg/soknader/")
    check_page(page)
    page.goto(f"/staff/brukervalg/soknader/{application.pk}/")
    check_page(page)
    page.click("form:has(input[value=approve]) button[type=submit]")
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    page.goto(f"/staff/brukervalg/leverandorer/{application.provider_id}/")
    check_page(page)

    user = make_staff(Role.PROVIDER, municipality, username="leverandor")
    ProviderMember.objects.create(provider=application.provider, user=user)
    page.context.clear_cookies()
    login(page, "leverandor")
    page.goto("/staff/brukervalg/leverandor/")
    check_page(page)
    page.goto(f"/staff/brukervalg/leverandor/{application.provider_id}/profil/")
    check_page(page)
    page.fill("#id_capacity_users", "25")
    page.fill("#id_languages", "norsk, somali")
    page.click("#main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/staff/brukervalg/leverandor/{application.provider_id}/tilleggstjenester/ny/")
    check_page(page)
    page.fill("#id_name", "Vindusvask")
    page.fill("#id_price", "450 kr per gang")
    page.click("#main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    check_page(page)

    page.context.clear_cookies()
    page.goto(f"/brukervalg/{scheme.pk}/leverandorer/")
    check_page(page)
    expect(page.locator("text=Omsorg Nord AS").first).to_be_attached()
    page.select_option("#id_bydel", "Øst")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("text=Omsorg Nord AS")).to_have_count(0)
    check_page(page)
    page.goto(f"/brukervalg/{scheme.pk}/leverandorer/{application.provider_id}/")
    expect(page.locator("#h-supplementary")).to_have_count(1)
    check_page(page)
