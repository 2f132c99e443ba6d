"""The kommunetest's evidence in the retention registry: blanked after the period, scores kept."""

from datetime import timedelta

import pytest
from django.utils import timezone

from servicetorg.core.permissions import SYSTEM
from servicetorg.privacy import retention
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
    assert _evidence(round_) == {"evidence": [], "history": 0, "excerpts": 0, "notes": 0}
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
