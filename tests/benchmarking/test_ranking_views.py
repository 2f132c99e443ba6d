"""The ranking's staff and public pages: who may act, tenant isolation, what the pages show, the
number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from servicetorg.benchmarking.ranking import services
from servicetorg.benchmarking.ranking.models import RankingMethod, RankingRun, RankingRunState

from .ranking_world import build_world, method_and_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_staff_create_method_edit_weights_run_publish_verify(client, world):
    client.force_login(world["admin"])
    response = client.get(reverse("benchmarking:ranking-methods"))
    assert response.status_code == 200
    response = client.post(reverse("benchmarking:ranking-methods"), {"name": "Barometer", "description": ""})
    assert response.status_code == 302
    method = RankingMethod.objects.get(name="Barometer")
    assert method.municipality == world["tenant"]
    page = client.get(reverse("benchmarking:ranking-method", args=[method.pk]))
    assert page.status_code == 200 and b'id="weight-sums"' in page.content
    data = {"name": "Barometer", "description": "Vår metode", "year": ""}
    for code in method.indicator_weights:
        data[f"weight__{code}"] = "2" if code == "skole-frafall" else "1"
    for sector in method.sector_weights:
        data[f"sector__{sector}"] = "1"
    response = client.post(reverse("benchmarking:ranking-method", args=[method.pk]), data)
    assert response.status_code == 302
    method.refresh_from_db()
    assert method.version == 2 and method.indicator_weights["skole-frafall"] == 2
    response = client.post(reverse("benchmarking:ranking-method-run", args=[method.pk]))
    ranking = RankingRun.objects.get(method=method)
    assert response.status_code == 302 and response["Location"].endswith(f"/kjoring/{ranking.pk}/")
    page = client.get(reverse("benchmarking:ranking-run", args=[ranking.pk]))
    assert page.status_code == 200 and b'id="publish-run"' in page.content
    assert b'id="synthetic-notice"' in page.content
    client.post(reverse("benchmarking:ranking-run-publish", args=[ranking.pk]))
    ranking.refresh_from_db()
    assert ranking.state == RankingRunState.PUBLISHED
    with translation.override("en"):
        response = client.post(reverse("benchmarking:ranking-run-verify", args=[ranking.pk]), follow=True)
    assert "resultatene er identiske" in response.content.decode()


def test_bad_weights_show_a_message(client, world):
    method, _ranking = method_and_run(world, draws=10)
    client.force_login(world["admin"])
    data = {"name": "X", "description": "", "year": ""}
    for code in method.indicator_weights:
        data[f"weight__{code}"] = "0"
    response = client.post(reverse("benchmarking:ranking-method", args=[method.pk]), data)
    assert response.status_code == 400
    data[next(iter(method.indicator_weights))] = "1000"
    response = client.post(reverse("benchmarking:ranking-method", args=[method.pk]), data)
    assert response.status_code == 400


def test_staff_pages_are_tenant_isolated_and_need_benchmark_edit(client, world):
    method, ranking = method_and_run(world, draws=10)
    urls = [
        ("get", reverse("benchmarking:ranking-method", args=[method.pk])),
        ("post", reverse("benchmarking:ranking-method-run", args=[method.pk])),
        ("get", reverse("benchmarking:ranking-run", args=[ranking.pk])),
        ("post", reverse("benchmarking:ranking-run-publish", args=[ranking.pk])),
        ("post", reverse("benchmarking:ranking-run-verify", args=[ranking.pk])),
    ]
    for user in (world["other_admin"], world["desk"]):
        client.force_login(user)
        for verb, url in urls:
            assert getattr(client, verb)(url).status_code == 404, (user, url)
    client.force_login(world["desk"])
    assert client.get(reverse("benchmarking:ranking-methods")).status_code == 403
    client.force_login(world["other_admin"])
    page = client.get(reverse("benchmarking:ranking-methods"))
    assert page.status_code == 200 and method.name.encode() not in page.content
    ranking.refresh_from_db()
    assert ranking.state == RankingRunState.DRAFT


def test_public_pages_show_only_published_runs(client, world):
    _method, draft = method_and_run(world, draws=10)
    assert client.get(reverse("benchmarking_public:ranking-run", args=[draft.pk])).status_code == 404
    assert (
        client.get(reverse("benchmarking_public:ranking-result", args=[draft.pk, "3901"])).status_code == 404
    )
    home = client.get(reverse("benchmarking_public:ranking"))
    assert home.status_code == 200 and b'id="ranking-results"' not in home.content
    services.publish(draft, user=world["admin"])
    with translation.override("en"):
        home = client.get(reverse("benchmarking_public:ranking"))
    content = home.content.decode()
    assert 'id="ranking-results"' in content and 'id="ranking-weights"' in content
    assert 'id="synthetic-notice"' in content and "Statistisk sentralbyrå (CC BY 4.0)" in content
    assert "ikke rangert: " in content and "Grunnskolepoeng" in content  # Kinn
    first = draft.results.get(rank=1)
    assert f"{first.rank} ({first.rank_low}–{first.rank_high})" in content
    filtered = client.get(reverse("benchmarking_public:ranking-run", args=[draft.pk]), {"fylke": "46"})
    assert b"result-4601" in filtered.content and b"result-3901" not in filtered.content
    page = client.get(reverse("benchmarking_public:ranking-result", args=[draft.pk, first.region_code]))
    assert page.status_code == 200 and b'id="indicator-grades"' in page.content
    assert (
        client.get(reverse("benchmarking_public:ranking-result", args=[draft.pk, "9999"])).status_code == 404
    )


def test_public_page_queries_do_not_grow_with_the_municipalities(client, world):
    _method, ranking = method_and_run(world, publish=True, draws=10)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("benchmarking_public:ranking"))
    assert response.status_code == 200
    assert len(queries) <= 12, [q["sql"] for q in queries]


def test_a_user_of_two_municipalities_chooses_where_the_method_is_made(client, world):
    """No "first municipality by name": with two, the form asks; a third municipality's id is refused."""
    from tests.factories import MembershipFactory, MunicipalityFactory

    admin = world["admin"]
    MembershipFactory(user=admin, municipality=world["other"], role="administration")
    stranger = MunicipalityFactory(name="Fremmedvik", number="3997", organization_number="974760673")
    client.force_login(admin)
    url = reverse("benchmarking:ranking-methods")
    assert b'name="municipality"' in client.get(url).content
    response = client.post(url, {"name": "Uten kommune"})
    assert response.status_code == 400 and not RankingMethod.objects.filter(name="Uten kommune").exists()
    response = client.post(url, {"name": "Fremmed", "municipality": stranger.pk})
    assert response.status_code == 400 and not RankingMethod.objects.filter(name="Fremmed").exists()
    response = client.post(url, {"name": "Nabo", "municipality": world["other"].pk})
    assert response.status_code == 302
    assert RankingMethod.objects.get(name="Nabo").municipality == world["other"]
    client.force_login(world["other_admin"])  # one municipality: no field, the method is hers
    assert b'name="municipality"' not in client.get(url).content
