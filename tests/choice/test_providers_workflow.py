"""Every (state, action) pair of the application's table, walked through the service functions."""

import pytest
from django.core.exceptions import PermissionDenied

from servicetorg.choice import providers, workflow
from servicetorg.choice.models import Application, ApplicationState
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import SYSTEM
from servicetorg.core.workflow import TransitionRefused

from .conftest import build_scheme
from .provider_helpers import apply_public

pytestmark = pytest.mark.django_db

EXPECTED = {
    (ApplicationState.SUBMITTED, workflow.APPROVE): ApplicationState.APPROVED,
    (ApplicationState.SUBMITTED, workflow.REJECT): ApplicationState.REJECTED,
    (ApplicationState.APPROVED, workflow.SUSPEND): ApplicationState.SUSPENDED,
    (ApplicationState.SUSPENDED, workflow.REINSTATE): ApplicationState.APPROVED,
}
#: Withdrawal (it moves the provider's users) is the decisions' service; the table allows it here.
WITHDRAWABLE = {ApplicationState.SUBMITTED, ApplicationState.APPROVED, ApplicationState.SUSPENDED}


@pytest.fixture
def application(municipality):
    return apply_public(build_scheme(municipality, adopt=True))


def _in_state(application, state):
    Application.objects.filter(pk=application.pk).update(state=state)
    application.refresh_from_db()
    return application


@pytest.mark.parametrize(("state", "action"), workflow.APPLICATION_WORKFLOW.pairs())
def test_every_pair_of_the_table(application, state, action):
    application = _in_state(application, state)
    if action == workflow.WITHDRAW:
        assert workflow.APPLICATION_WORKFLOW.allows(state, action) is (state in WITHDRAWABLE)
        assert action not in providers.ACTIONS
        return
    expected = EXPECTED.get((state, action))
    service = providers.ACTIONS[action]
    before = OutboxMessage.objects.count()
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            service(application, user=SYSTEM, reason="Grunn")
        assert refused.value.code == "transition_refused"
        application.refresh_from_db()
        assert application.state == state
        assert OutboxMessage.objects.count() == before
    else:
        result = service(application, user=SYSTEM, reason="Grunn")
        assert result.state == expected
        application.refresh_from_db()
        assert application.state == expected
        message = OutboxMessage.objects.order_by("-pk").first()
        assert OutboxMessage.objects.count() == before + 1
        assert message.recipients == ["post@omsorg.example"]


@pytest.mark.parametrize("action", list(providers.ACTIONS))
def test_a_reader_is_refused_before_the_table(application, action, make_staff, municipality):
    from servicetorg.core.choices import Role

    reader = make_staff(Role.COUNCIL, municipality)
    for state in ApplicationState.values:
        application = _in_state(application, state)
        with pytest.raises(PermissionDenied):
            providers.ACTIONS[action](application, user=reader, reason="x")
        application.refresh_from_db()
        assert application.state == state


def test_suspend_and_reinstate_are_repeatable_and_each_told_once(application):
    providers.approve(application, user=SYSTEM)
    for _ in range(2):
        providers.suspend(application, user=SYSTEM, reason="Avvik i tilsyn")
        providers.reinstate(application, user=SYSTEM)
    keys = list(OutboxMessage.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 6  # receipt, approval, 2 × (suspension, reinstatement)
