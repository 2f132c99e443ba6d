"""Issue 24 §9: the staff menu leads no role to a 403 (each entry names the permission its page
checks); the favicon exists and is linked; every page has a meta description (the service page its
summary)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from servicetorg.core.choices import Role
from tests.factories import UnitFactory, make_service, make_staff

NAV = re.compile(r"<nav[^>]*>(.*?)</nav>", re.S)


@pytest.mark.parametrize(
    "role",
    [Role.DESK_WORKER, Role.CASE_OFFICER, Role.UNIT_LEADER, Role.ADMINISTRATION, Role.ADMIN, Role.COUNCIL],
)
def test_walking_the_staff_menu_meets_no_403(client, municipality, role):
    unit = UnitFactory(municipality=municipality, slug="oppvekst")
    user = make_staff(role, municipality, unit if role in (Role.CASE_OFFICER, Role.UNIT_LEADER) else None)
    client.force_login(user)
    home = client.get(reverse("core:staff-home")).content.decode()
    links = set()
    for nav in NAV.findall(home):
        links |= set(re.findall(r'href="(/staff/[^"#?]*)"', nav))
    links |= set(re.findall(r'<li class="ds-card"><a class="ds-link" href="(/staff/[^"#?]*)"', home))
    assert links, home
    refused = {link: client.get(link).status_code for link in sorted(links)}
    assert {link: code for link, code in refused.items() if code in (403, 404)} == {}, refused


def test_desk_is_offered_the_lookup_and_not_the_dashboard(client, municipality):
    client.force_login(make_staff(Role.DESK_WORKER, municipality))
    home = client.get(reverse("core:staff-home")).content.decode()
    assert reverse("inquiries:lookup") in home and reverse("inquiries:dashboard") not in home


def test_favicon_is_in_static_and_linked(client, municipality):
    assert finders.find("favicon.svg")
    page = client.get(reverse("portal:home")).content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', page)


def test_meta_description_default_and_per_service(client, municipality):
    home = client.get(reverse("portal:home")).content.decode()
    assert re.search(r'<meta name="description" content="[^"]{20,}">', home)
    service = make_service(municipality, slug="barnehageplass", summary="Søk om plass i barnehage.")
    page = client.get(reverse("portal:service-detail", args=[service.slug])).content.decode()
    assert '<meta name="description" content="Søk om plass i barnehage.">' in page


def test_staff_menu_puts_the_daily_work_first_and_administration_last():
    from django.contrib.auth import get_user_model

    from servicetorg.core.menus import menu

    admin = get_user_model()(username="root", is_superuser=True)
    names = [item["url"] for item in menu("staff_menu", actor=admin)]
    assert names[0] == reverse("inquiries:queue")
    assert names.index(reverse("citizens:relations")) > names.index(reverse("strategy:strategy-list"))
    assert names[-1] == reverse("privacy:retention")
