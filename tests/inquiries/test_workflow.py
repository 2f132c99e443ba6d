"""Registration, routing, replies, deadlines, breaches and compensation, through services.py."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from servicetorg.core.choices import Channel
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.core.workdays import add_working_days
from servicetorg.inquiries import services
from servicetorg.inquiries.models import (
    ChannelRule,
    Compensation,
    DeadlineSource,
    Handling,
    InquiryMessage,
    MessageKind,
    State,
)
from servicetorg.inquiries.workflow import TransitionRefused

OSLO = ZoneInfo("Europe/Oslo")
pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=OSLO)


def test_register_uses_service_promise(municipality, service, desk_worker):
    # Thursday 2026-04-02 is Maundy Thursday; Good Friday, Easter Monday are holidays too.
    reg = services.register(
        municipality=municipality,
        channel=Channel.PHONE,
        subject="Plass i barnehage",
        service=service,
        user=desk_worker,
        received_at=at(2026, 4, 1),
    )
    inquiry = reg.inquiry
    assert inquiry.deadline_source == DeadlineSource.SERVICE
    # 2 working days after Wed 1 April: Thu 2 (holiday), Fri 3 (holiday), Mon 6 (holiday) -> Tue 7, Wed 8.
    assert inquiry.reply_deadline == date(2026, 4, 8)
    assert inquiry.contact_person == desk_worker
    assert inquiry.check_token(reg.token)
    assert not inquiry.check_token("wrong")


def test_register_falls_back_to_channel_rule(municipality, plain_service, desk_worker):
    ChannelRule.objects.create(municipality=municipality, channel=Channel.LETTER, working_days=10)
    reg = services.register(
        municipality=municipality,
        channel=Channel.LETTER,
        subject="Brev",
        service=plain_service,
        user=desk_worker,
        received_at=at(2026, 5, 15),
    )
    assert reg.inquiry.deadline_source == DeadlineSource.CHANNEL_RULE
    assert reg.inquiry.reply_deadline == add_working_days(date(2026, 5, 15), 10)


def test_unknown_service_uses_default_email_rule(municipality, desk_worker):
    reg = services.register(
        municipality=municipality,
        channel=Channel.EMAIL,
        subject="?",
        user=desk_worker,
        received_at=at(2026, 5, 15),
    )
    # Friday 15 May + 1 working day: Sunday 17 May is a holiday anyway, Monday 18 May.
    assert reg.inquiry.reply_deadline == date(2026, 5, 18)
    assert reg.inquiry.service is None


def test_national_id_only_when_service_needs_it(municipality, service, desk_worker):
    with pytest.raises(ValidationError) as err:
        services.register(
            municipality=municipality,
            channel=Channel.PHONE,
            subject="x",
            service=service,
            national_id="01010112345",
            user=desk_worker,
        )
    assert "national_id" in err.value.message_dict
    service.requires_national_id = True
    service.save()
    with pytest.raises(ValidationError) as err:
        services.register(
            municipality=municipality,
            channel=Channel.PHONE,
            subject="x",
            service=service,
            national_id="01010112345",
            user=desk_worker,
        )
    assert "national_id" in err.value.message_dict  # invalid check digits
    reg = services.register(
        municipality=municipality,
        channel=Channel.PHONE,
        subject="x",
        service=service,
        national_id="15076500565",
        user=desk_worker,
    )
    assert reg.inquiry.masked_national_id() != "15076500565"
    assert reg.inquiry.masked_national_id().startswith("150765")


def test_resolve_at_desk_closes(municipality, service, desk_worker):
    reg = services.register(
        municipality=municipality,
        channel=Channel.COUNTER,
        subject="Åpningstider",
        service=service,
        user=desk_worker,
        resolve_at_desk=True,
    )
    inquiry = reg.inquiry
    assert inquiry.state == State.CLOSED
    assert inquiry.handling == Handling.RESOLVED_AT_DESK
    assert inquiry.replied_at and not inquiry.breached


def test_route_keeps_contact_person_and_reply_closes(municipality, service, desk_worker, unit, case_officer):
    inquiry = services.register(
        municipality=municipality, channel=Channel.PHONE, subject="Søknad", service=service, user=desk_worker
    ).inquiry
    services.route(inquiry, unit=unit, handling=Handling.PARTLY_HANDLED, user=desk_worker)
    inquiry.refresh_from_db()
    assert inquiry.state == State.ROUTED and inquiry.unit == unit
    services.take(inquiry, user=case_officer)
    services.reply(inquiry, text="Du har fått plass.", user=case_officer)
    inquiry.refresh_from_db()
    assert inquiry.state == State.REPLIED
    assert inquiry.contact_person == desk_worker  # one case, one contact person
    assert inquiry.assigned_to == case_officer
    assert inquiry.handling == Handling.PARTLY_HANDLED
    services.close(inquiry, user=case_officer)
    inquiry.refresh_from_db()
    assert inquiry.state == State.CLOSED
    kinds = list(InquiryMessage.objects.filter(inquiry=inquiry).values_list("kind", flat=True))
    assert MessageKind.REPLY in kinds
    assert inquiry.history.count() >= 4


def test_route_to_other_municipalitys_unit_refused(municipality, service, desk_worker, other_unit):
    inquiry = services.register(
        municipality=municipality, channel=Channel.PHONE, subject="x", service=service, user=desk_worker
    ).inquiry
    with pytest.raises(ValidationError):
        services.route(inquiry, unit=other_unit, user=desk_worker)


def test_other_municipality_staff_cannot_act(municipality, service, desk_worker, other_staff):
    inquiry = services.register(
        municipality=municipality, channel=Channel.PHONE, subject="x", service=service, user=desk_worker
    ).inquiry
    with pytest.raises(PermissionDenied):
        services.reply(inquiry, text="hei", user=other_staff)
    with pytest.raises(PermissionDenied):
        services.register(municipality=municipality, channel=Channel.PHONE, subject="x", user=other_staff)


def test_refused_transition_is_validation_error(municipality, service, desk_worker):
    inquiry = services.register(
        municipality=municipality,
        channel=Channel.PHONE,
        subject="x",
        service=service,
        user=desk_worker,
        resolve_at_desk=True,
    ).inquiry
    with pytest.raises(TransitionRefused):
        services.reply(inquiry, text="igjen", user=desk_worker)
    with pytest.raises(TransitionRefused):
        services.citizen_message(inquiry, text="hallo", user=CITIZEN)


def test_preliminary_reply_moves_deadline(municipality, service, desk_worker, time_machine_today):
    inquiry = services.register(
        municipality=municipality,
        channel=Channel.LETTER,
        subject="x",
        service=service,
        user=desk_worker,
        received_at=at(2026, 3, 2),
    ).inquiry
    time_machine_today(date(2026, 3, 3))
    with pytest.raises(ValidationError):
        services.preliminary_reply(
            inquiry, reason="Mange søknader", expected_date=inquiry.reply_deadline, user=desk_worker
        )
    services.preliminary_reply(
        inquiry, reason="Mange søknader", expected_date=date(2026, 3, 20), user=desk_worker
    )
    inquiry.refresh_from_db()
    assert inquiry.reply_deadline == date(2026, 3, 20)
    assert inquiry.first_deadline == date(2026, 3, 4)
    assert inquiry.deadline_source == DeadlineSource.PRELIMINARY
    assert not inquiry.breached


def test_late_reply_breaches_and_compensates(
    municipality, service, desk_worker, time_machine_today, django_capture_on_commit_callbacks
):
    inquiry = services.register(
        municipality=municipality,
        channel=Channel.EMAIL,
        subject="x",
        service=service,
        user=desk_worker,
        contact_email="innbygger@example.no",
        received_at=at(2026, 3, 2),
    ).inquiry
    time_machine_today(date(2026, 3, 10))
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(inquiry, text="Beklager sent svar", user=desk_worker)
    inquiry.refresh_from_db()
    assert inquiry.breached
    compensation = Compensation.objects.get(inquiry=inquiry)
    assert str(compensation.amount) == "500.00"
    assert any("innbygger@example.no" in m.to for m in mail.outbox)


def test_no_compensation_without_guarantee(municipality, plain_service, desk_worker):
    inquiry = services.register(
        municipality=municipality,
        channel=Channel.EMAIL,
        subject="x",
        service=plain_service,
        user=desk_worker,
        received_at=at(2026, 3, 2),
    ).inquiry
    assert services.mark_breaches(date(2026, 3, 10), user=SYSTEM) == 1
    inquiry.refresh_from_db()
    assert inquiry.breached
    assert not Compensation.objects.filter(inquiry=inquiry).exists()


def test_mark_breaches_and_warnings(
    municipality, service, desk_worker, case_officer, unit, django_capture_on_commit_callbacks
):
    inquiry = services.register(
        municipality=municipality,
        channel=Channel.PHONE,
        subject="Frist",
        service=service,
        user=desk_worker,
        received_at=at(2026, 3, 2),
    ).inquiry
    # Deadline Wed 4 March: warning goes out on Tue 3 March, once.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_warnings(date(2026, 3, 2), user=SYSTEM) == 0
        assert services.send_warnings(date(2026, 3, 3), user=SYSTEM) == 1
        assert services.send_warnings(date(2026, 3, 3), user=SYSTEM) == 0
    assert len(mail.outbox) == 1 and mail.outbox[-1].to == [desk_worker.email]
    assert "Late" not in mail.outbox[-1].subject
    assert services.mark_breaches(date(2026, 3, 4), user=SYSTEM) == 0
    assert services.mark_breaches(date(2026, 3, 5), user=SYSTEM) == 1
    inquiry.refresh_from_db()
    assert inquiry.breached
    assert Compensation.objects.filter(inquiry=inquiry, amount=500).exists()


def test_settle_compensation(municipality, service, desk_worker, administration):
    inquiry = services.register(
        municipality=municipality,
        channel=Channel.PHONE,
        subject="x",
        service=service,
        user=desk_worker,
        received_at=at(2026, 3, 2),
    ).inquiry
    services.mark_breaches(date(2026, 3, 10), user=SYSTEM)
    comp = Compensation.objects.get(inquiry=inquiry)
    with pytest.raises(PermissionDenied):
        services.settle_compensation(comp, state="paid", user=desk_worker)
    with pytest.raises(ValidationError):
        services.settle_compensation(comp, state="rejected", note="", user=administration)
    services.settle_compensation(comp, state="paid", user=administration)
    comp.refresh_from_db()
    assert comp.state == "paid" and comp.settled_by == administration
    with pytest.raises(ValidationError):
        services.settle_compensation(comp, state="paid", user=administration)


def test_change_contact_person(municipality, service, desk_worker, case_officer, other_staff):
    inquiry = services.register(
        municipality=municipality, channel=Channel.PHONE, subject="x", service=service, user=desk_worker
    ).inquiry
    with pytest.raises(ValidationError):
        services.change_contact_person(inquiry, contact_person=other_staff, user=desk_worker)
    services.change_contact_person(inquiry, contact_person=case_officer, user=desk_worker)
    inquiry.refresh_from_db()
    assert inquiry.contact_person == case_officer


def test_channel_rule_needs_administration(municipality, desk_worker, administration):
    with pytest.raises(PermissionDenied):
        services.set_channel_rule(
            municipality=municipality, channel="email", working_days=2, user=desk_worker
        )
    with pytest.raises(ValidationError):
        services.set_channel_rule(
            municipality=municipality, channel="email", working_days=0, user=administration
        )
    rule = services.set_channel_rule(
        municipality=municipality, channel="email", working_days=2, user=administration
    )
    assert rule.working_days == 2
    services.set_channel_rule(municipality=municipality, channel="email", working_days=3, user=administration)
    assert ChannelRule.objects.get(municipality=municipality, channel="email").working_days == 3


def test_references_are_readable_and_use_every_letter():
    """Four and four letters of the phone-friendly alphabet, each position drawing from all 32."""
    import re

    from servicetorg.inquiries.models import REFERENCE_ALPHABET, new_reference

    references = [new_reference() for _ in range(3000)]
    pattern = re.compile(f"[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}")
    assert all(pattern.fullmatch(reference) for reference in references)
    for position in (0, 3, 5, 8):
        assert {reference[position] for reference in references} == set(REFERENCE_ALPHABET)
    assert len(set(references)) == len(references)


def test_missed_warning_is_sent_late_at_the_next_run(
    municipality, service, desk_worker, django_capture_on_commit_callbacks
):
    """The worker was down on Tue 3 March: Wednesday's run still warns about Wednesday's deadline."""
    inquiry = services.register(
        municipality=municipality,
        channel=Channel.PHONE,
        subject="Frist",
        service=service,
        user=desk_worker,
        received_at=at(2026, 3, 2),
    ).inquiry
    assert inquiry.reply_deadline == date(2026, 3, 4)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.warn_due(date(2026, 3, 4), user=SYSTEM) == {"warned": 1, "late": 1, "no_recipient": 0}
        assert services.warn_due(date(2026, 3, 4), user=SYSTEM) == {"warned": 0, "late": 0, "no_recipient": 0}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith(("Late warning", "Forsinket varsel"))
    # A deadline already passed is a breach, not a warning.
    assert services.warn_due(date(2026, 3, 5), user=SYSTEM) == {"warned": 0, "late": 0, "no_recipient": 0}
