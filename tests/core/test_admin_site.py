"""The Django admin is for superusers only (issue 11): a staff account, even one with every model
permission, gets no admin page and no data."""

import pytest
from django.contrib.auth.models import Permission

from servicetorg.core.choices import Channel, Role
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import services
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db

PAGES = ["/admin/", "/admin/inquiries/inquiry/", "/admin/core/municipality/", "/admin/auth/user/"]


@pytest.fixture
def inquiry(municipality):
    return services.register(
        municipality=municipality, channel=Channel.WEB_FORM, subject="Hemmelig sak", user=CITIZEN
    ).inquiry


def test_staff_with_every_permission_gets_no_admin_page(client, municipality, inquiry):
    staff = make_staff(Role.ADMINISTRATION, municipality, is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    client.force_login(staff)
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), page
    detail = client.get(f"/admin/inquiries/inquiry/{inquiry.pk}/change/", follow=True)
    html = detail.content.decode()
    assert "Hemmelig sak" not in html and inquiry.reference not in html
    assert detail.redirect_chain[-1][0].startswith("/admin/login/")


def test_superuser_gets_the_admin(client, inquiry):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    assert "Hemmelig sak" in client.get("/admin/inquiries/inquiry/").content.decode()


def test_superuser_needs_the_second_factor_when_required(client, settings, inquiry):
    from servicetorg.core.admin_site import SuperuserAdminSite

    settings.MFA_REQUIRED = True
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.get("/admin/inquiries/inquiry/")
    assert response.status_code == 302 and "Hemmelig sak" not in response.content.decode()
    request = response.wsgi_request
    request.user.is_verified = lambda: False
    assert SuperuserAdminSite().has_permission(request) is False
    request.user.is_verified = lambda: True
    assert SuperuserAdminSite().has_permission(request) is True
