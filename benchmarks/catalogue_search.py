"""Portal search and list with 5 000 published services in one municipality.

Target (issue 2): search page < 50 ms median; list page a constant number of queries.
Run: .venv/bin/python benchmarks/catalogue_search.py [--sqlite] [--services 5000] [--requests 200]
"""

import argparse
import random
import statistics
import time

from _setup import percentile, setup

WORDS = (
    "barnehage plass søknad bygg tillatelse skole skyss sfo bistand hjem renovasjon avfall lån bolig "
    "avgift vann avløp feiing grav skjenke salg servering kultur bibliotek idrett fritid helse stasjon "
    "lege sykehjem trygghet alarm parkering kort støtte sosial hjelp eiendom skatt oppmåling seksjon "
    "adresse navn vigsel næring fond veiledning"
).split()
QUERIES = [
    "barnehage",
    "byggesøknad",
    "skoleskyss",
    "renovasjon",
    "lån bolig",
    "parkering",
    "helse",
    "kultur",
]


def build(count: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from servicetorg.catalogue import services as services_module
    from servicetorg.catalogue.models import Promise, Service, ServiceArea, ServiceDescription
    from servicetorg.core.models import Municipality

    municipality, _ = Municipality.objects.get_or_create(
        number="9901", defaults={"name": "Benchvik", "organization_number": "921000006"}
    )
    if Service.objects.filter(municipality=municipality, state="published").count() == count:
        return
    rng = random.Random(5000)
    with transaction.atomic():
        Service.objects.filter(municipality=municipality).update(published_version=None)
        ServiceDescription.objects.filter(service__municipality=municipality).delete()
        Service.objects.filter(municipality=municipality).delete()
        ServiceArea.objects.filter(municipality=municipality).delete()
        areas = ServiceArea.objects.bulk_create(
            ServiceArea(municipality=municipality, name=f"Område {i}", slug=f"omrade-{i}", position=i)
            for i in range(10)
        )
        services, descriptions = [], []
        for i in range(count):
            words = rng.sample(WORDS, 6)
            name = f"{words[0].capitalize()}{words[1]} {i}"
            summary = " ".join(rng.choices(WORDS, k=30))
            services.append(
                Service(
                    municipality=municipality,
                    area=areas[i % 10],
                    slug=f"tjeneste-{i}",
                    state="published",
                    name=name,
                    summary=summary,
                    search_text=f"{name} {summary}".lower(),
                    channels=["web_form"],
                    review_due=timezone.localdate(),
                )
            )
        Service.objects.bulk_create(services, batch_size=1000)
        now = timezone.now()
        for service in services:
            descriptions.append(
                ServiceDescription(
                    service=service,
                    version=1,
                    state="published",
                    name=service.name,
                    summary=service.summary,
                    content=" ".join(rng.choices(WORDS, k=80)),
                    published_at=now,
                )
            )
        ServiceDescription.objects.bulk_create(descriptions, batch_size=1000)
        Promise.objects.bulk_create(
            (Promise(description=d, kind="reply", limit_value=2) for d in descriptions), batch_size=1000
        )
        for service, description in zip(services, descriptions, strict=True):
            service.published_version = description
        Service.objects.bulk_update(services, ["published_version"], batch_size=1000)
        # PostgreSQL: the stored vector as the catalogue builds it (SQLite: the FTS5 triggers did).
        services_module.refresh_search_vectors(Service.objects.filter(municipality=municipality))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE catalogue_service")


def measure(requests: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    session = client.session
    session["portal_municipality"] = "9901"
    session.save()
    for q in QUERIES:  # warm up
        client.get("/tjenester/", {"q": q})
    timings, hits = [], []
    for i in range(requests):
        q = QUERIES[i % len(QUERIES)]
        started = time.perf_counter()
        response = client.get("/tjenester/", {"q": q})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        hits.append(response.content.count(b'<li class="ds-card">'))
    print(
        f"search page: {requests} requests, median {statistics.median(timings):.1f} ms, "
        f"p95 {percentile(timings, 95):.1f} ms, max {max(timings):.1f} ms "
        f"(mean hits shown {statistics.mean(hits):.0f}, capped at 100)"
    )
    with CaptureQueriesContext(connection) as list_queries:
        started = time.perf_counter()
        client.get("/tjenester/")
        list_ms = (time.perf_counter() - started) * 1000
    print(
        f"list page (all services rendered): {len(list_queries.captured_queries)} queries, {list_ms:.0f} ms"
    )
    with CaptureQueriesContext(connection) as search_queries:
        client.get("/tjenester/", {"q": "barnehage"})
    print(f"search page: {len(search_queries.captured_queries)} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup("bench_catalogue", sqlite=args.sqlite)
    from django.db import connection

    started = time.perf_counter()
    build(args.services)
    print(
        f"database: {connection.vendor}; {args.services} published services ready in "
        f"{time.perf_counter() - started:.1f} s"
    )
    measure(args.requests)


if __name__ == "__main__":
    main()
