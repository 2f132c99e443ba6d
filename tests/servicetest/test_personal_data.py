"""The kommunetest's evidence in the retention registry: blanked after the period, scores kept."""

from datetime import timedelta

import pytest
from django.utils import timezone

from servicetorg.core.permissions import SYSTEM
from servicetorg.privacy import retention
from servicetorg.servicetest import services
from servicetorg.servicetest.models import Call, Item, ItemChannel, Reply, RoundRegion

from .helpers import build_world, publish, record_everything

pytestmark = pytest.mark.django_db


def _evidence(round_):
    items = Item.objects.filter(round=round_)
    return {
        "evidence": sorted(items.exclude(evidence="").values_list("pk", flat=True)),
        "history": Item.history.filter(round=round_).exclude(evidence="").count(),
        "excerpts": Reply.objects.filter(item__round=round_).exclude(excerpt="").count(),
        "notes": Call.objects.filter(item__round=round_).exclude(note="").count(),
        "reply_history": Reply.history.filter(item__round=round_).exclude(excerpt="").count(),
        "call_history": Call.history.filter(item__round=round_).exclude(note="").count(),
    }


def test_evidence_is_blanked_after_the_period_and_the_scores_stay():
    world = build_world(start=True)
    round_ = publish(world)
    email = Item.objects.filter(round=round_, channel=ItemChannel.EMAIL).first()
    Reply.objects.filter(item=email).update(excerpt="Hilsen Kari Saksbehandler")
    phone = Item.objects.filter(round=round_, channel=ItemChannel.PHONE).first()
    Call.objects.filter(item=phone).update(note="Ola i sentralbordet")
    before = _evidence(round_)
    assert before["evidence"] and before["history"] and before["excerpts"] and before["notes"]
    scores = sorted(RoundRegion.objects.filter(round=round_).values_list("code", "total", "by_channel"))
    kind = retention.kind("servicetest.evidence")
    assert kind.default_days == 3 * 365

    # Within the period: nothing goes.
    soon = retention.purge(user=SYSTEM, municipality=world.organiser, now=timezone.now() + timedelta(days=30))
    assert not [line for line in soon if line.kind.key == kind.key and line.purged]
    assert _evidence(round_) == before

    later = timezone.now() + timedelta(days=3 * 365 + 1)
    lines = retention.purge(user=SYSTEM, municipality=world.organiser, now=later)
    expected = len(set(before["evidence"]) | {email.pk, phone.pk})
    assert [line.purged for line in lines if line.kind.key == kind.key] == [expected]
    assert _evidence(round_) == {
        "evidence": [],
        "history": 0,
        "excerpts": 0,
        "notes": 0,
        "reply_history": 0,
        "call_history": 0,
    }
    assert (
        sorted(RoundRegion.objects.filter(round=round_).values_list("code", "total", "by_channel")) == scores
    )
    again = retention.purge(user=SYSTEM, municipality=world.organiser, now=later)
    assert not [line for line in again if line.kind.key == kind.key and line.purged]


def test_an_unpublished_round_keeps_its_evidence():
    world = build_world(start=True)

    record_everything(world)
    before = _evidence(world.round)
    retention.purge(user=SYSTEM, municipality=world.organiser, now=timezone.now() + timedelta(days=20 * 365))
    assert _evidence(world.round) == before


def test_evidence_cleared_since_but_kept_in_history_is_blanked_too():
    world = build_world(start=True)
    round_ = publish(world)
    for item in Item.objects.filter(round=round_).exclude(evidence=""):
        item.evidence = ""
        item.save()  # a new history row; the older ones keep the text
    assert Item.history.filter(round=round_).exclude(evidence="").exists()
    later = timezone.now() + timedelta(days=3 * 365 + 1)
    retention.purge(user=SYSTEM, municipality=world.organiser, now=later)
    assert not Item.history.filter(round=round_).exclude(evidence="").exists()


def test_a_re_record_keeps_the_earlier_replies_and_calls_in_history_until_the_purge():
    """Recording an item again replaces its replies and calls; their history keeps what was recorded
    before and who replaced it, and the purge blanks the quoted text there too."""
    from .helpers import SENT, at

    world = build_world(start=True)
    email = Item.objects.filter(round=world.round, channel=ItemChannel.EMAIL).first()
    phone = Item.objects.filter(round=world.round, channel=ItemChannel.PHONE).first()
    first = [{"kind": "answer", "at": at(3, 12), "excerpt": "Hilsen Kari Saksbehandler"}]
    services.record_email(email, user=email.tester, sent_at=SENT, replies=first, criteria_met=[True] * 3)
    second = [{"kind": "answer", "at": at(4, 9), "excerpt": "Rettet svar"}]
    services.record_email(email, user=email.tester, sent_at=SENT, replies=second, criteria_met=[True] * 3)
    calls = [{"at": at(4, 10), "wait_seconds": 45, "answered": True, "note": "Ola i sentralbordet"}]
    services.record_phone(phone, user=phone.tester, calls=calls, criteria_met=[True, True])
    quiet = [{**calls[0], "note": ""}]
    services.record_phone(phone, user=phone.tester, calls=quiet, criteria_met=[True, True])

    assert list(email.replies.values_list("excerpt", flat=True)) == ["Rettet svar"]
    removed = Reply.history.get(item_id=email.pk, history_type="-")
    assert removed.excerpt == "Hilsen Kari Saksbehandler" and removed.history_user == email.tester
    assert Call.history.filter(item_id=phone.pk, history_type="-", note="Ola i sentralbordet").exists()

    round_ = publish(world)  # every item recorded (these two again), then published
    later = timezone.now() + timedelta(days=3 * 365 + 1)
    retention.purge(user=SYSTEM, municipality=world.organiser, now=later)
    assert not Reply.history.filter(item__round=round_).exclude(excerpt="").exists()
    assert not Call.history.filter(item__round=round_).exclude(note="").exists()
