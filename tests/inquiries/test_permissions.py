"""Which inquiries each role reads: the list filter and the single-inquiry check agree, and the
rules of issue 11 hold (council none, desk unrouted, units their own, sensitive walled to the unit)."""

import pytest

from servicetorg.core.choices import Channel, Role
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.inquiries import permissions, services
from servicetorg.inquiries.models import Inquiry
from tests.factories import UnitFactory, make_service, make_staff


@pytest.fixture
def setup(municipality, other_municipality):
    oppvekst = UnitFactory(municipality=municipality, slug="oppvekst")
    helse = UnitFactory(municipality=municipality, slug="helse")
    barnehage = make_service(municipality, unit=oppvekst, slug="barnehage")
    legevakt = make_service(municipality, unit=helse, slug="legevakt")
    legevakt.sensitive = True
    legevakt.save(update_fields=["sensitive"])
    users = {
        "desk": make_staff(Role.DESK_WORKER, municipality),
        "officer": make_staff(Role.CASE_OFFICER, municipality, oppvekst),
        "health_officer": make_staff(Role.CASE_OFFICER, municipality, helse),
        "leader": make_staff(Role.UNIT_LEADER, municipality, oppvekst),
        "admin": make_staff(Role.ADMINISTRATION, municipality),
        "council": make_staff(Role.COUNCIL, municipality),
        "other": make_staff(Role.ADMINISTRATION, other_municipality),
    }

    def new(service, user=CITIZEN, route_to=None):
        return services.register(
            municipality=municipality,
            channel=Channel.PHONE if user is not CITIZEN else Channel.WEB_FORM,
            subject="Sak",
            service=service,
            user=user,
            route_to=route_to,
        ).inquiry

    inquiries = {
        "desk": new(None),
        "barnehage_unrouted": new(barnehage),
        "barnehage_routed": new(barnehage, route_to=oppvekst, user=SYSTEM),
        "health_unrouted": new(legevakt),
        "health_routed": new(legevakt, route_to=helse, user=SYSTEM),
        "health_by_desk": new(legevakt, user=users["desk"]),
    }
    return users, inquiries


EXPECTED = {
    "desk": {"desk", "barnehage_unrouted", "health_by_desk"},
    "officer": {"barnehage_unrouted", "barnehage_routed"},
    "health_officer": {"health_unrouted", "health_routed", "health_by_desk"},
    "leader": {"barnehage_unrouted", "barnehage_routed"},
    "admin": {"desk", "barnehage_unrouted", "barnehage_routed"},
    "council": set(),
    "other": set(),
}


def test_each_role_reads_what_its_work_needs(setup):
    users, inquiries = setup
    for role, user in users.items():
        listed = set(permissions.visible(Inquiry.objects.all(), user).values_list("pk", flat=True))
        names = {name for name, inquiry in inquiries.items() if inquiry.pk in listed}
        assert names == EXPECTED[role], role
        for name, inquiry in inquiries.items():
            fresh = Inquiry.objects.select_related("service").get(pk=inquiry.pk)
            assert permissions.can_read(user, fresh) == (name in EXPECTED[role]), (role, name)


def test_routing_keeps_the_desk_as_contact(setup):
    users, inquiries = setup
    desk = users["desk"]
    inquiry = inquiries["barnehage_unrouted"]
    services.route(inquiry, unit=inquiry.service.responsible_unit, user=desk)
    inquiry.refresh_from_db()
    assert permissions.can_read(desk, inquiry)  # she routed it: she is its contact person


def test_services_refuse_what_the_actor_may_not_work_on(setup):
    from django.core.exceptions import PermissionDenied

    users, inquiries = setup
    with pytest.raises(PermissionDenied):
        services.take(inquiries["health_routed"], user=users["admin"])
    with pytest.raises(PermissionDenied):
        services.reply(inquiries["barnehage_routed"], text="Hei", user=users["council"])
    services.take(inquiries["health_routed"], user=users["health_officer"])
