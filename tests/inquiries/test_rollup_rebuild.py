"""Rollup rebuild: repairs drift by adding the difference, and runs beside live intake without
deadlocks or double counts (the rollups equal COUNT(*) afterwards)."""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum

from servicetorg.inquiries import rollups, selectors
from servicetorg.inquiries.models import BacklogStat, DailyServiceStat, DailyStat, Inquiry, ReplyTimeStat
from tests.inquiries.conftest import keyed

URL = "/api/inquiries/inquiries/"


def body(municipality, n=0):
    return {"municipality": municipality.pk, "channel": ("phone", "email")[n % 2], "subject": f"Spørsmål {n}"}


def assert_consistent(municipality):
    assert rollups.current(municipality.pk) == _nonzero(rollups.expected(municipality.pk), municipality)
    total = Inquiry.objects.filter(municipality=municipality).count()
    assert DailyStat.objects.aggregate(n=Sum("received"))["n"] == total
    assert DailyServiceStat.objects.aggregate(n=Sum("received"))["n"] == total
    assert BacklogStat.objects.aggregate(n=Sum("open_count"))["n"] == total  # all open


def _nonzero(expected, municipality):
    """current() also lists keys whose stripes sum to zero; expected() does not."""
    have = rollups.current(municipality.pk)
    for table, rows in have.items():
        for key, counts in rows.items():
            if not any(counts.values()):
                expected[table].setdefault(key, counts)
    return expected


@pytest.mark.django_db
def test_rebuild_repairs_drift_and_is_idempotent(client_key, municipality):
    for n in range(5):
        keyed(client_key).post(URL, body(municipality, n), format="json")
    assert rollups.rebuild(municipality.pk) == 0
    # Drift: counts lost, a bogus count, a stripe gone.
    DailyStat.objects.filter(channel="phone").delete()
    BacklogStat.objects.update(open_count=99)
    ReplyTimeStat.objects.create(
        municipality=municipality, day="2026-01-05", channel="phone", bucket=3, count=4
    )
    assert rollups.rebuild(municipality.pk) > 0
    assert_consistent(municipality)
    assert rollups.rebuild(municipality.pk) == 0
    board = selectors.dashboard(municipality.pk, *selectors.default_period())
    assert board.total == 5 and board.backlog_total == 5


@pytest.mark.django_db(transaction=True)
def test_rebuild_beside_live_intake_neither_deadlocks_nor_double_counts(client_key, municipality):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    writers, per_writer = 4, 25
    statuses, errors = [], []
    done = threading.Event()

    def intake(w):
        try:
            client = keyed(client_key)
            for n in range(per_writer):
                statuses.append(client.post(URL, body(municipality, w * 100 + n), format="json").status_code)
        finally:
            connections.close_all()

    runs = []

    def rebuilder():
        try:
            while not done.is_set():
                runs.append(rollups.rebuild(municipality.pk))
        except Exception as exc:  # a deadlock would surface here
            errors.append(exc)
        finally:
            connections.close_all()

    # Drift to repair while intake runs.
    for n in range(6):
        keyed(client_key).post(URL, body(municipality, n), format="json")
    DailyStat.objects.filter(channel="phone").delete()
    BacklogStat.objects.update(open_count=0)

    threads = [threading.Thread(target=intake, args=(w,)) for w in range(writers)]
    rebuild_thread = threading.Thread(target=rebuilder)
    rebuild_thread.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    rebuild_thread.join(timeout=120)
    assert errors == []
    assert statuses == [201] * (writers * per_writer)
    assert len(runs) >= 2 and runs[0] > 0  # rebuilt (and repaired) while intake ran
    assert_consistent(municipality)
