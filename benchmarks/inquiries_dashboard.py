# ruff: noqa: E501
"""Dashboard timing at 10 thousand and 10 million inquiries (PostgreSQL, rows made with generate_series).

    .venv/bin/python benchmarks/inquiries_dashboard.py [--big 10000000]

The inquiry rows and the rollup rows are generated in SQL; the dashboard selector reads only the
rollups, so its time should not grow with the number of inquiries. Prints median/p95 of 20 runs.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicetorg.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_inquiries")


def ensure_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main():
    big = int(sys.argv[sys.argv.index("--big") + 1]) if "--big" in sys.argv else 10_000_000
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from servicetorg.core.models import Municipality
    from servicetorg.inquiries import selectors

    results = {}
    for label, number, count, years in (("10k", "9101", 10_000, 1), ("big", "9102", big, 10)):
        municipality, _ = Municipality.objects.get_or_create(
            number=number, defaults={"name": f"Bench {label}", "organization_number": f"9{number}0000"[:9]}
        )
        populate(connection, municipality.pk, count, years)
        start, end = selectors.default_period()
        timings = []
        for _ in range(20):
            t0 = time.perf_counter()
            board = selectors.dashboard(municipality.pk, start, end)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        results[label] = (
            count,
            statistics.median(timings),
            timings[int(len(timings) * 0.95) - 1],
            board.total,
        )
    for label, (count, median, p95, total) in results.items():
        print(
            f"dashboard {label:>4}: {count:>10,} inquiries  median {median:7.1f} ms  p95 {p95:7.1f} ms  (last-year total {total:,})"
        )
    ratio = results["big"][1] / results["10k"][1]
    print(f"ratio big/10k (median): {ratio:.2f}x  target < 2x and < 200 ms")


def populate(connection, municipality_id, count, years):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inquiries_inquiry WHERE municipality_id = %s", [municipality_id])
        if cursor.fetchone()[0] >= count:
            return
        t0 = time.perf_counter()
        cursor.execute("DELETE FROM inquiries_dailystat WHERE municipality_id = %s", [municipality_id])
        cursor.execute("DELETE FROM inquiries_dailyservicestat WHERE municipality_id = %s", [municipality_id])
        cursor.execute("DELETE FROM inquiries_replytimestat WHERE municipality_id = %s", [municipality_id])
        cursor.execute("DELETE FROM inquiries_backlogstat WHERE municipality_id = %s", [municipality_id])
        cursor.execute("DELETE FROM inquiries_inquiry WHERE municipality_id = %s", [municipality_id])
        # Secondary indexes are dropped during the bulk insert and rebuilt afterwards (much faster).
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'inquiries_inquiry' "
            "AND indexname NOT LIKE '%%pkey'"
        )
        indexes = cursor.fetchall()
        constraints = []
        for name, _definition in indexes:
            cursor.execute("SELECT conname FROM pg_constraint WHERE conname = %s", [name])
            if cursor.fetchone():
                constraints.append(name)
                cursor.execute(f'ALTER TABLE inquiries_inquiry DROP CONSTRAINT "{name}"')
            else:
                cursor.execute(f'DROP INDEX "{name}"')
        # Inquiries spread over `years` years up to now, in 1M-row chunks.
        chunk = 1_000_000
        for offset in range(0, count, chunk):
            n = min(chunk, count - offset)
            cursor.execute(
                """
                INSERT INTO inquiries_inquiry (municipality_id, reference, token_hash, channel, subject, body,
                    contact_name, contact_email, contact_phone, national_id, national_id_digest, state, handling, received_at,
                    first_deadline, reply_deadline, deadline_source, replied_at, breached, updated_at)
                SELECT %s, 'B' || %s || '-' || g, '',
                    (ARRAY['phone','counter','email','web_form','letter','social_media'])[1 + g %% 6],
                    'Benchmark', '', '', '', '', '', '', 'closed',
                    (ARRAY['resolved_at_desk','partly_handled','forwarded'])[1 + g %% 3],
                    now() - make_interval(secs => (g::float8 / %s) * %s * 365 * 86400),
                    (now() - make_interval(secs => (g::float8 / %s) * %s * 365 * 86400))::date + 2,
                    (now() - make_interval(secs => (g::float8 / %s) * %s * 365 * 86400))::date + 2,
                    'channel_rule',
                    now() - make_interval(secs => (g::float8 / %s) * %s * 365 * 86400) + make_interval(hours => g %% 72),
                    g %% 13 = 0, now()
                FROM generate_series(%s, %s) AS g
                """,
                [municipality_id, municipality_id, count, years, count, years, count, years, count, years,
                 offset + 1, offset + n],
            )  # fmt: skip
        for name, definition in indexes:
            if name in constraints:
                cursor.execute(f'ALTER TABLE inquiries_inquiry ADD CONSTRAINT "{name}" UNIQUE (reference)')
            else:
                cursor.execute(definition)
        print(f"  inquiries inserted and indexed in {time.perf_counter() - t0:.0f} s", flush=True)
        # Rollups straight from the inquiry rows, in SQL (what rollups.rebuild does, at this scale).
        day = "(received_at AT TIME ZONE 'Europe/Oslo')::date"
        cursor.execute(
            f"""
            INSERT INTO inquiries_dailystat (municipality_id, day, channel, handling, received, replied, in_time, breached)
            SELECT municipality_id, {day}, channel, handling, count(*), count(replied_at),
                   count(*) FILTER (WHERE replied_at IS NOT NULL AND NOT breached), count(*) FILTER (WHERE breached)
            FROM inquiries_inquiry WHERE municipality_id = %s GROUP BY 1, 2, 3, 4
            """,  # noqa: S608
            [municipality_id],
        )
        cursor.execute(
            f"""
            INSERT INTO inquiries_dailyservicestat (municipality_id, day, service_key, received, replied, in_time)
            SELECT municipality_id, {day}, (id %% 40) + 1, count(*), count(replied_at),
                   count(*) FILTER (WHERE replied_at IS NOT NULL AND NOT breached)
            FROM inquiries_inquiry WHERE municipality_id = %s GROUP BY 1, 2, 3
            """,  # noqa: S608
            [municipality_id],
        )
        cursor.execute(
            f"""
            INSERT INTO inquiries_replytimestat (municipality_id, day, channel, bucket, count)
            SELECT municipality_id, {day}, channel,
                   LEAST(19, width_bucket(extract(epoch FROM replied_at - received_at) / 3600,
                         ARRAY[0.25, 0.5, 1, 2, 4, 8, 16, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720, 1440]::float8[])),
                   count(*)
            FROM inquiries_inquiry WHERE municipality_id = %s AND replied_at IS NOT NULL GROUP BY 1, 2, 3, 4
            """,  # noqa: S608
            [municipality_id],
        )
        cursor.execute(
            "INSERT INTO inquiries_backlogstat (municipality_id, unit_key, open_count) VALUES (%s, 0, 0)",
            [municipality_id],
        )
        cursor.execute("ANALYZE")
        print(
            f"generated {count:,} inquiries and their rollups in {time.perf_counter() - t0:.0f} s", flush=True
        )


if __name__ == "__main__":
    main()
