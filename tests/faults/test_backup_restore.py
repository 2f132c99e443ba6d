"""The backup procedure of docs/operations.md: pg_dump in custom format, pg_restore into a fresh
database, and the restored copy is complete (same rows, migrations applied, rollups consistent)."""

import subprocess

import pytest

from tests.faults.conftest import api_client, manage

pytestmark = pytest.mark.faults

TABLES = ("inquiries_inquiry", "inquiries_idempotencyrecord", "core_outboxmessage", "inquiries_dailystat")


def test_dump_and_restore_round_trip(cluster, tmp_path):
    api_client(cluster, 99)  # at least one municipality, user and API client
    manage(cluster, "shell", "-c", RECORDS)
    dump = tmp_path / "servicetorg.dump"
    subprocess.run(
        [cluster.bindir / "pg_dump", "--format=custom", "--no-owner", f"--file={dump}", cluster.url()],
        check=True,
        timeout=300,
    )
    cluster.sql("DROP DATABASE IF EXISTS restore_test", db="postgres")
    cluster.sql("CREATE DATABASE restore_test", db="postgres")
    subprocess.run(
        [cluster.bindir / "pg_restore", "--no-owner", f"--dbname={cluster.url('restore_test')}", dump],
        check=True,
        timeout=300,
    )
    for table in TABLES:
        query = f"SELECT count(*) FROM {table}"  # noqa: S608 (names from the list above)
        assert cluster.sql(query) == cluster.sql(query, db="restore_test"), table
    assert cluster.sql("SELECT count(*) FROM inquiries_inquiry", db="restore_test")[0][0] > 0
    restored = {"DATABASE_URL": cluster.url("restore_test")}
    manage(cluster, "migrate", "--check", **restored)
    assert "0 rollup rows corrected" in manage(cluster, "rebuild_inquiry_rollups", **restored)


RECORDS = """
from servicetorg.core.choices import Channel
from servicetorg.core.models import Municipality
from servicetorg.core import outbox
from servicetorg.core.permissions import SYSTEM
from servicetorg.inquiries import services
from django.db import transaction
m = Municipality.objects.get(number="3999")
with transaction.atomic():
    for n in range(5):
        r = services.register(municipality=m, channel=Channel.PHONE, subject=f"Backup {n}", user=SYSTEM)
        i = r.inquiry
        outbox.enqueue_email(municipality=m, to="a@example.no", subject="s", body="b", key=f"backup:{i.pk}")
"""
