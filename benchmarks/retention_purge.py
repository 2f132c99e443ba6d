# ruff: noqa: E501
"""The nightly purge of closed inquiries: rows per second, and the dashboard unchanged (PostgreSQL).

    .venv/bin/python benchmarks/retention_purge.py [--n 20000] [--sqlite]

Makes ``n`` closed inquiries (each with two messages and a history row) closed three years ago in a
fresh municipality, counts them into the rollups, then times the dry run and the purge (batches of
privacy.retention.BATCH_SIZE, one transaction each) and checks that the dashboard and a rebuild of the
rollups are unchanged afterwards.
"""

import sys
import time
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup  # noqa: E402


def main() -> None:
    n = int(sys.argv[sys.argv.index("--n") + 1]) if "--n" in sys.argv else 20_000
    setup("bench_retention", sqlite="--sqlite" in sys.argv)
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from servicetorg.core.models import Municipality
    from servicetorg.core.permissions import SYSTEM
    from servicetorg.inquiries import rollups, selectors
    from servicetorg.inquiries.models import Inquiry, InquiryMessage, MessageKind, new_reference
    from servicetorg.privacy import retention

    number = f"{time.time_ns() % 9000 + 1000}"
    municipality = Municipality.objects.create(
        name=f"Bench {number}", number=number, organization_number=f"9{number}0000"[:9]
    )
    closed = timezone.now() - timedelta(days=3 * 365)
    made = time.perf_counter()
    inquiries = [
        Inquiry(
            municipality=municipality,
            reference=new_reference(),
            channel=("phone", "email", "web_form")[i % 3],
            subject=f"Spørsmål {i}",
            body="Hei, jeg lurer på noe.",
            contact_name="Kari Nordmann",
            contact_email=f"kari{i}@example.no",
            state="closed",
            handling="resolved_at_desk",
            received_at=closed - timedelta(days=2, minutes=i % 1440),
            first_deadline=(closed - timedelta(days=1)).date(),
            reply_deadline=(closed - timedelta(days=1)).date(),
            deadline_source="service",
            replied_at=closed - timedelta(days=1),
            closed_at=closed,
        )
        for i in range(n)
    ]
    bulk_create_with_history(inquiries, Inquiry, batch_size=2000)
    ids = list(Inquiry.objects.filter(municipality=municipality).values_list("pk", flat=True))
    InquiryMessage.objects.bulk_create(
        [
            InquiryMessage(inquiry_id=pk, kind=kind, text="Tekst")
            for pk in ids
            for kind in (MessageKind.CITIZEN, MessageKind.REPLY)
        ],
        batch_size=5000,
    )
    rollups.rebuild(municipality.pk)
    print(
        f"made {n} closed inquiries with {2 * n} messages and {n} history rows in {time.perf_counter() - made:.1f} s"
    )

    start, end = date.today() - timedelta(days=4 * 365), date.today()
    before = (rollups.current(municipality.pk), asdict(selectors.dashboard(municipality.pk, start, end)))
    t = time.perf_counter()
    report = retention.purge(user=SYSTEM, municipality=municipality, dry_run=True)
    dry = time.perf_counter() - t
    due = next(line.due for line in report if line.kind.key == "inquiries.closed")
    t = time.perf_counter()
    lines = retention.purge(user=SYSTEM, municipality=municipality, kind_keys=["inquiries.closed"])
    took = time.perf_counter() - t
    purged = lines[0].purged
    after = (rollups.current(municipality.pk), asdict(selectors.dashboard(municipality.pk, start, end)))
    left = (
        InquiryMessage.objects.filter(inquiry__municipality=municipality).count(),
        Inquiry.history.filter(municipality_id=municipality.pk).count(),
    )
    print(f"dry run: {due} due, {dry * 1000:.0f} ms")
    print(
        f"purge: {purged} inquiries anonymised in {took:.1f} s ({purged / took:.0f} per second, batches of {retention.BATCH_SIZE})"
    )
    print(f"messages and history rows left: {left[0]}, {left[1]}")
    print(
        f"dashboard and rollups unchanged: {before == after}; rows a rebuild corrects: {rollups.rebuild(municipality.pk)}"
    )


if __name__ == "__main__":
    main()
