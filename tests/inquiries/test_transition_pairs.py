"""Every (state, action) pair through the services: allowed ones move the inquiry, others leave it as it was.

The inquiry is brought to each state by the real operations (register, route, take, ask, reply,
resolve), so rollups, history and the message log stay consistent.
"""

from datetime import timedelta

import pytest

from servicetorg.core.choices import Channel
from servicetorg.core.permissions import CITIZEN
from servicetorg.core.workflow import TransitionRefused
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry, InquiryMessage, State
from servicetorg.inquiries.workflow import WORKFLOW, Action


def _bring_to(state, *, municipality, service, unit, desk_worker, case_officer):
    inquiry = services.register(
        municipality=municipality, channel=Channel.PHONE, subject="Plass", service=service, user=desk_worker
    ).inquiry
    if state == State.ROUTED:
        services.route(inquiry, unit=unit, user=desk_worker)
    elif state == State.IN_PROGRESS:
        services.take(inquiry, user=case_officer)
    elif state == State.WAITING:
        services.take(inquiry, user=case_officer)
        services.ask_citizen(inquiry, text="Hvilken barnehage?", user=case_officer)
    elif state == State.REPLIED:
        services.reply(inquiry, text="Svar", user=case_officer)
    elif state == State.CLOSED:
        services.resolve(inquiry, user=desk_worker)
    inquiry.refresh_from_db()
    assert inquiry.state == state
    return inquiry


def _act(action, inquiry, *, unit, case_officer):
    user = case_officer
    if action == Action.RESOLVE_AT_DESK:
        return services.resolve(inquiry, user=user)
    if action == Action.ROUTE:
        return services.route(inquiry, unit=unit, user=user)
    if action == Action.TAKE:
        return services.take(inquiry, user=user)
    if action == Action.PRELIMINARY_REPLY:
        later = inquiry.reply_deadline + timedelta(days=10)
        return services.preliminary_reply(inquiry, reason="Mange saker", expected_date=later, user=user)
    if action == Action.ASK_CITIZEN:
        return services.ask_citizen(inquiry, text="Spørsmål", user=user)
    if action == Action.CITIZEN_MESSAGE:
        return services.citizen_message(inquiry, text="Her er svaret mitt", user=CITIZEN)
    if action == Action.REPLY:
        return services.reply(inquiry, text="Svar", user=user)
    if action == Action.CLOSE:
        return services.close(inquiry, user=user)
    if action == Action.REOPEN:
        return services.reopen(inquiry, user=user)
    if action == Action.CHANGE_CONTACT_PERSON:
        return services.change_contact_person(inquiry, contact_person=case_officer, user=user)
    raise AssertionError(f"no service for {action}")


@pytest.mark.parametrize(("state", "action"), WORKFLOW.pairs())
def test_every_pair_through_the_services(
    state, action, municipality, service, unit, desk_worker, case_officer
):
    inquiry = _bring_to(
        state,
        municipality=municipality,
        service=service,
        unit=unit,
        desk_worker=desk_worker,
        case_officer=case_officer,
    )
    messages = InquiryMessage.objects.filter(inquiry=inquiry).count()
    if WORKFLOW.allows(state, action):
        _act(action, inquiry, unit=unit, case_officer=case_officer)
        inquiry.refresh_from_db()
        assert inquiry.state == WORKFLOW.table[(state, action)]
        assert InquiryMessage.objects.filter(inquiry=inquiry).count() == messages + 1
    else:
        with pytest.raises(TransitionRefused) as refused:
            _act(action, inquiry, unit=unit, case_officer=case_officer)
        assert refused.value.code == "transition_refused"
        assert Inquiry.objects.get(pk=inquiry.pk).state == state
        assert InquiryMessage.objects.filter(inquiry=inquiry).count() == messages


def test_contact_person_cannot_change_after_the_reply(municipality, service, unit, desk_worker, case_officer):
    inquiry = _bring_to(
        State.REPLIED,
        municipality=municipality,
        service=service,
        unit=unit,
        desk_worker=desk_worker,
        case_officer=case_officer,
    )
    owner = inquiry.contact_person
    other = case_officer if owner != case_officer else desk_worker
    with pytest.raises(TransitionRefused):
        services.change_contact_person(inquiry, contact_person=other, user=case_officer)
    inquiry.refresh_from_db()
    assert inquiry.contact_person == owner
