"""A provider holds no staff pages: her menu has the pages of her rights, and leads to no 403."""

from django.urls import reverse

from .conftest import build_scheme
from .provider_helpers import approved_provider, provider_user


def test_a_provider_menu_names_her_pages_only(client, municipality, administration):
    scheme = build_scheme(municipality, adopt=True)
    client.force_login(provider_user(approved_provider(scheme)))
    page = client.get(reverse("choice:portal-home"), follow=True).content.decode()
    for name in ("choice:portal-home", "choice:provider-users", "choice:visit-list"):
        assert f'href="{reverse(name)}"' in page
    for name in ("catalogue:service-list", "core:staff-home", "choice:decision-list", "surveys:survey-list"):
        assert f'href="{reverse(name)}"' not in page
    client.force_login(administration)
    page = client.get(reverse("choice:scheme-list")).content.decode()
    assert (
        f'href="{reverse("catalogue:service-list")}"' in page
        and f'href="{reverse("choice:visit-list")}"' not in page
    )
