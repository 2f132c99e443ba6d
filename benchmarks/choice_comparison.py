# ruff: noqa: E501, S608
"""The public comparison of a user-choice scheme's providers: 50 providers and 100 000 visits behind
the staff-continuity figure (PostgreSQL; visits made with generate_series).

    .venv/bin/python benchmarks/choice_comparison.py [--providers 50] [--visits 100000] [--rebuild]

``--rebuild`` drops the benchmark's database first (the data is made once and kept).

Builds municipality 9903 with an adopted home-help scheme, ``--providers`` approved providers (with
districts, languages and capacities), 2 000 care decisions each with a current choice, and
``--visits`` visits spread over the last 12 weeks (a few helpers per provider, so that the continuity
figure has distinct helpers to count). Times the comparison page (view + template through Django's
test client; median and p95) and the continuity query alone, and prints the number of queries.

Target: the comparison page < 200 ms on PostgreSQL.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import percentile, setup  # noqa: E402

NUMBER = "9903"
USERS = 2000


def build(providers: int, visits: int) -> None:
    from django.db import connection, transaction

    from servicetorg.catalogue import services as catalogue_services
    from servicetorg.catalogue.models import ServiceArea
    from servicetorg.choice import providers as provider_services
    from servicetorg.choice import services as scheme_services
    from servicetorg.choice.models import (
        Band,
        Choice,
        ChoiceHow,
        Decision,
        PriceModel,
    )
    from servicetorg.core.models import Municipality
    from servicetorg.core.permissions import SYSTEM

    with transaction.atomic():
        municipality = Municipality.objects.create(
            number=NUMBER, name="Benkvik", organization_number="940192226"
        )
        area = ServiceArea.objects.filter(municipality=municipality).first() or ServiceArea.objects.create(
            municipality=municipality, slug="helse", name="Helse"
        )
        service = catalogue_services.create_service(
            municipality=municipality,
            area=area,
            slug="praktisk-bistand",
            description={"name": "Praktisk bistand", "summary": "Hjelp i hjemmet."},
            user=SYSTEM,
        )
        scheme = scheme_services.create_scheme(
            municipality=municipality,
            service=service,
            name="Brukervalg i praktisk bistand",
            price_model=PriceModel.HOURLY,
            user=SYSTEM,
        )
        rate = {
            "amount": 612,
            "minimum_minutes": 30,
            "running_costs": 468,
            "capital_costs": 24,
            "common_costs": 120,
        }
        scheme = scheme_services.update_scheme(
            scheme, valid_from=datetime.date(2026, 1, 1), rates={Band.DAY: rate}, user=SYSTEM
        )
        scheme = scheme_services.adopt(
            scheme, decision_date=datetime.date(2025, 12, 11), case_reference="PS 1/25", user=SYSTEM
        )
        districts = ["Nord", "Sør", "Øst", "Vest", "Sentrum"]
        made = []
        base = 98000000
        while len(made) < providers:
            base += 1
            for digit in "0123456789":
                from stdnum.no import orgnr

                number = f"{base}{digit}"
                if orgnr.is_valid(number):
                    break
            else:
                continue
            i = len(made)
            application = provider_services.apply(
                scheme,
                user=SYSTEM,
                provider=provider_services.create_provider(
                    municipality=municipality,
                    user=SYSTEM,
                    name=f"Leverandør {i + 1:02d} AS",
                    organization_number=number,
                    profile="Hjemmehjelp med faste folk.",
                    languages="norsk, engelsk" + (", polsk" if i % 3 == 0 else ""),
                    districts=", ".join(districts[j % 5] for j in range(i, i + 1 + i % 3)),
                    fixed_helper=i % 2 == 0,
                    capacity_users=40 + i % 20,
                ),
            )
            provider_services.approve(application, user=SYSTEM)
            made.append(application.provider_id)
        decisions = Decision.objects.bulk_create(
            [
                Decision(
                    municipality=municipality,
                    scheme=scheme,
                    national_id="15076500565",
                    name=f"Bruker {n}",
                    decided_on=datetime.date(2026, 1, 5),
                    valid_from=datetime.date(2026, 1, 5),
                )
                for n in range(USERS)
            ]
        )
        Choice.objects.bulk_create(
            [
                Choice(
                    decision=d,
                    provider_id=made[n % len(made)],
                    how=ChoiceHow.ACTIVE,
                    effective_from=datetime.date(2026, 1, 5),
                )
                for n, d in enumerate(decisions)
            ]
        )
        ids = [d.pk for d in decisions]
        with connection.cursor() as cur:
            # Each visit: a user (decision) and her provider (as chosen), a start in the last 84 days,
            # one of six helpers of the provider.
            cur.execute(
                """INSERT INTO choice_visit (provider_id, decision_id, starts_at, ends_at, band, minutes,
                       staff_pseudonym, source, external_id, state, proof, attested_by, deviation_approved,
                       registered_at)
                SELECT c.provider_id, c.decision_id, s.t, s.t + interval '1 hour', 'day', 60,
                       'H' || c.provider_id || '-' || (1 + floor(random() * 6))::int, 'registered', '',
                       'registered', '', '', FALSE, now()
                FROM (SELECT g, (now() - interval '84 days' + random() * interval '83 days') AS t,
                             (%s::int[])[1 + (g %% %s)] AS decision_id
                      FROM generate_series(1, %s) g) s
                JOIN choice_choice c ON c.decision_id = s.decision_id""",
                [ids, len(ids), visits],
            )
            if connection.vendor == "postgresql":
                cur.execute("ANALYZE choice_visit")
                cur.execute("ANALYZE choice_choice")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--providers", type=int, default=50)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild and not args.sqlite and "DATABASE_URL" not in os.environ:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "bench_choice_comparison"')
    setup("bench_choice_comparison", sqlite=args.sqlite)

    from django.db import connection
    from django.test import Client

    from servicetorg.choice import provider_selectors
    from servicetorg.choice.models import Scheme, Visit

    scheme = Scheme.objects.filter(municipality__number=NUMBER).first()
    if scheme is None:
        t0 = time.perf_counter()
        build(args.providers, args.visits)
        scheme = Scheme.objects.get(municipality__number=NUMBER)
        print(f"generated in {time.perf_counter() - t0:.1f} s")
    visits = Visit.objects.filter(provider__municipality=scheme.municipality).count()
    providers = provider_selectors.public_providers(scheme).count()
    print(f"{connection.vendor}: {providers} providers, {visits} visits, {USERS} users")

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    session = client.session
    session["portal_municipality"] = NUMBER
    session.save()
    url = f"/brukervalg/{scheme.pk}/leverandorer/"

    def page():
        response = client.get(url, secure=True)
        assert response.status_code == 200, response.status_code

    def district_page():
        assert client.get(url, {"bydel": "Øst"}, secure=True).status_code == 200

    def figure():
        provider_selectors.continuity(
            provider_selectors.public_providers(scheme).values_list("pk", flat=True)
        )

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        page()
    print(f"load average before timing: {os.getloadavg()[0]:.1f} (2 cores shared)")
    print(f"{'what':36} {'median ms':>10} {'p95 ms':>10}")
    for label, fn in (
        ("comparison page", page),
        ("comparison page, one district", district_page),
        ("continuity query alone", figure),
    ):
        fn()  # warm-up
        timings = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - t0) * 1000)
        print(f"{label:36} {statistics.median(timings):10.1f} {percentile(timings, 95):10.1f}")
    print(f"queries of the comparison page: {len(executed)} (target: page < 200 ms)")


if __name__ == "__main__":
    main()
