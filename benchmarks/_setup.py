"""Shared set-up for benchmark scripts: Django on a dedicated database, migrated.

Each script calls ``setup("bench_<name>")`` before importing models. Without DATABASE_URL it uses
PostgreSQL on 127.0.0.1 (database created when missing); ``--sqlite`` uses a file under var/.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup(database: str, *, sqlite: bool = False) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicetorg.settings")
    os.environ["DEBUG"] = "0"
    # Production settings refuse a short key and a missing portal address.
    os.environ["SECRET_KEY"] = "benchmark-only-" + "x7Kq2pL9mZ4vR8tN3wB6yH1cJ5dF0gS" * 2
    os.environ.setdefault("PORTAL_BASE_URL", "http://127.0.0.1:8000")
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleSE=")
    os.environ.setdefault("NATIONAL_ID_HASH_KEY", "bench-only-national-id-hash-key-32+")
    os.environ["LOG_LEVEL"] = "WARNING"
    if sqlite:
        (ROOT / "var").mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / (database + '.sqlite3')}"
    elif "DATABASE_URL" not in os.environ:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{database}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)  # production static storage (DEBUG off)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]
