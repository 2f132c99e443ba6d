"""Deadline warnings for inquiries with no contact person (issue 18 §3.1): every Open311 request and
every general web inquiry was marked warned and never warned. They reach the unit's leaders, or
without a unit the administration; with no one at all the warning is an error and not marked sent."""

import pytest
from django.core import mail
from django.utils import timezone

from servicetorg.core.choices import Channel, Role
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.core.workdays import add_working_days
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def due_tomorrow(inquiry) -> Inquiry:
    Inquiry.objects.filter(pk=inquiry.pk).update(reply_deadline=add_working_days(timezone.localdate(), 1))
    return Inquiry.objects.get(pk=inquiry.pk)


def web_inquiry(municipality, service=None):
    inquiry = services.register(
        municipality=municipality,
        channel=Channel.WEB_FORM,
        subject="Hull i veien",
        service=service,
        user=CITIZEN,
    ).inquiry
    assert inquiry.contact_person_id is None and inquiry.assigned_to_id is None
    return due_tomorrow(inquiry)


def test_a_web_inquiry_without_a_contact_person_reaches_the_unit_leader(
    municipality, service, unit, django_capture_on_commit_callbacks
):
    unit.email = ""
    unit.save()
    leader = make_staff(Role.UNIT_LEADER, municipality, unit, username="leder")
    leader.email = "leder@fjordvik.kommune.no"
    leader.save()
    inquiry = web_inquiry(municipality, service)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.warn_due(user=SYSTEM)
    assert result["warned"] == 1 and result["no_recipient"] == 0
    assert [m.to for m in mail.outbox] == [["leder@fjordvik.kommune.no"]]
    assert inquiry.reference in mail.outbox[0].body


def test_without_a_unit_the_administration_is_warned(municipality, django_capture_on_commit_callbacks):
    admin = make_staff(Role.ADMINISTRATION, municipality, username="kontorsjef")
    admin.email = "kontorsjef@fjordvik.kommune.no"
    admin.save()
    web_inquiry(municipality)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.warn_due(user=SYSTEM)
    assert [m.to for m in mail.outbox] == [["kontorsjef@fjordvik.kommune.no"]]


def test_a_warning_with_no_recipient_is_an_error_and_not_marked_sent(municipality, caplog):
    inquiry = web_inquiry(municipality)  # no unit, no contact person, nobody with an address
    result = services.warn_due(user=SYSTEM)
    assert result == {"warned": 0, "late": 0, "no_recipient": 1}
    assert Inquiry.objects.get(pk=inquiry.pk).warning_sent_for is None  # the next run tries again
    assert any(r.levelname == "ERROR" and inquiry.reference in r.getMessage() for r in caplog.records)
