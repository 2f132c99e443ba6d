"""The kommunetest's two tables, every (state, action) pair, through the services."""

import pytest

from servicetorg.core.permissions import SYSTEM
from servicetorg.core.workflow import TransitionRefused
from servicetorg.servicetest import services, workflow
from servicetorg.servicetest.models import Item, ItemChannel, ItemState, Round, RoundState

from .helpers import SENT, at, build_world, item_of

pytestmark = pytest.mark.django_db

ROUND_EXPECTED = {
    (RoundState.DRAFT, workflow.START): RoundState.RUNNING,
    (RoundState.RUNNING, workflow.CLOSE): RoundState.REVIEW,
    (RoundState.REVIEW, workflow.REOPEN): RoundState.RUNNING,
    (RoundState.REVIEW, workflow.PUBLISH): RoundState.PUBLISHED,
}
ROUND_ACT = {
    workflow.START: services.start_round,
    workflow.CLOSE: services.close_round,
    workflow.REOPEN: services.reopen_round,
    workflow.PUBLISH: services.publish_round,
}


@pytest.mark.parametrize(("state", "action"), workflow.ROUND_WORKFLOW.pairs())
def test_every_pair_of_the_round_table(state, action):
    world = build_world()
    round_ = world.round
    if state != RoundState.DRAFT:
        services.start_round(round_, user=SYSTEM)  # items exist, all approved below if needed
        Item.objects.filter(round=round_).update(state=ItemState.APPROVED, score=50)
    Round.objects.filter(pk=round_.pk).update(state=state)
    round_.refresh_from_db()
    expected = ROUND_EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(TransitionRefused):
            ROUND_ACT[action](round_, user=SYSTEM)
        round_.refresh_from_db()
        assert round_.state == state
    else:
        assert ROUND_ACT[action](round_, user=SYSTEM).state == expected


ITEM_EXPECTED = {
    (ItemState.OPEN, workflow.RECORD): ItemState.RECORDED,
    (ItemState.RECORDED, workflow.RECORD): ItemState.RECORDED,
    (ItemState.RECORDED, workflow.APPROVE): ItemState.APPROVED,
    (ItemState.RECORDED, workflow.SEND_BACK): ItemState.OPEN,
    (ItemState.APPROVED, workflow.SEND_BACK): ItemState.OPEN,
}


def _item_act(item, action, world):
    if action == workflow.RECORD:
        return services.record_email(
            item,
            user=item.tester,
            sent_at=SENT,
            replies=[{"kind": "answer", "at": at(3)}],
            criteria_met=[True],
        )
    if action == workflow.APPROVE:
        return services.approve_item(item, user=world.coordinator)
    return services.send_back_item(item, user=world.coordinator)


@pytest.mark.parametrize(("state", "action"), workflow.ITEM_WORKFLOW.pairs())
def test_every_pair_of_the_item_table(state, action):
    world = build_world(start=True)
    item = item_of(world, "3909", ItemChannel.EMAIL)
    Item.objects.filter(pk=item.pk).update(state=state)
    item.refresh_from_db()
    expected = ITEM_EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(TransitionRefused):
            _item_act(item, action, world)
        item.refresh_from_db()
        assert item.state == state
    else:
        assert _item_act(item, action, world).state == expected
