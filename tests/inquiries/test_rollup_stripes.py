"""Rollup stripes (models.CONCURRENT_INTAKE): each connection counts in its own row of a key, readers
sum the stripes, and concurrent intakes lose no count."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.db.models import Sum

from servicetorg.inquiries import selectors
from servicetorg.inquiries.models import BacklogStat, DailyServiceStat, DailyStat, Inquiry
from tests.factories import UnitFactory
from tests.inquiries.conftest import keyed

pytestmark = pytest.mark.django_db

URL = "/api/inquiries/inquiries/"


def body(municipality):
    return {"municipality": municipality.pk, "channel": "phone", "subject": "Spørsmål"}


def test_dashboard_sums_the_stripes(municipality):
    day = date(2026, 3, 2)
    unit = UnitFactory(municipality=municipality, name="Teknisk", slug="teknisk")
    for stripe, received in ((0, 3), (7, 2)):
        DailyStat.objects.create(
            municipality=municipality, day=day, channel="phone", handling="pending",
            stripe=stripe, received=received,
        )  # fmt: skip
    # Opened in one stripe, closed in another: a stripe alone may be negative.
    BacklogStat.objects.create(municipality=municipality, unit_key=unit.pk, stripe=2, open_count=3)
    BacklogStat.objects.create(municipality=municipality, unit_key=unit.pk, stripe=9, open_count=-1)
    BacklogStat.objects.create(municipality=municipality, unit_key=0, stripe=1, open_count=1)
    BacklogStat.objects.create(municipality=municipality, unit_key=0, stripe=4, open_count=-1)
    board = selectors.dashboard(municipality.pk, day, day)
    assert board.total == 5 and board.by_channel == {"phone": 5}
    assert board.backlog == [("Teknisk", 2)] and board.backlog_total == 2


def test_intake_counts_in_its_connections_stripe(client_key, municipality):
    keyed(client_key).post(URL, body(municipality), format="json")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT mod(pg_backend_pid(), 16)")
            (expected,) = cursor.fetchone()
    else:
        expected = 0
    assert DailyStat.objects.get().stripe == expected
    assert DailyServiceStat.objects.get().stripe == expected
    assert BacklogStat.objects.get().stripe == expected


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_lose_no_count(client_key, municipality):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    barrier = threading.Barrier(6)
    statuses = []

    def fire():
        from django.db import connections

        barrier.wait()
        try:
            client = keyed(client_key)
            statuses.extend(client.post(URL, body(municipality), format="json").status_code for _ in range(5))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 30
    assert Inquiry.objects.count() == 30
    assert DailyStat.objects.aggregate(n=Sum("received"))["n"] == 30
    assert BacklogStat.objects.aggregate(n=Sum("open_count"))["n"] == 30
    board = selectors.dashboard(municipality.pk, *selectors.default_period())
    assert board.total == 30 and board.backlog_total == 30
