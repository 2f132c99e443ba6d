"""The ranking API: published runs and results for anyone, staff create and publish with an
Idempotency-Key, tenant isolation."""

import pytest
from django.urls import reverse

from servicetorg.benchmarking.ranking.models import RankingRun, RankingRunState

from .ranking_world import build_world, method_and_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _post(client, url, data=None, key="k-1"):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, data or {}, content_type="application/json", headers=headers)


def test_anonymous_reads_published_runs_and_results_only(client, world):
    _m, draft = method_and_run(world, draws=10)
    _m2, published = method_and_run(world, publish=True, draws=10)
    listing = client.get(reverse("benchmarking_api:ranking-list")).json()
    ids = [r["id"] for r in listing["results"]]
    assert ids == [published.pk]
    assert client.get(reverse("benchmarking_api:ranking-detail", args=[draft.pk])).status_code == 404
    detail = client.get(reverse("benchmarking_api:ranking-detail", args=[published.pk])).json()
    assert detail["results_hash"] == published.results_hash and detail["indicator_weights"]
    results = client.get(reverse("benchmarking_api:ranking-results", args=[published.pk])).json()["results"]
    assert results[0]["rank"] == 1 and results[-1]["ranked"] is False
    vestland = client.get(reverse("benchmarking_api:ranking-results", args=[published.pk]), {"fylke": "46"})
    assert {r["region_code"] for r in vestland.json()["results"]} == {"4601", "4602"}
    bad = client.get(reverse("benchmarking_api:ranking-results", args=[published.pk]), {"fylke": "x'"})
    assert bad.status_code == 400
    assert (
        client.get(reverse("benchmarking_api:ranking-detail", args=["99999999999999999999"])).status_code
        == 404
    )


def test_staff_create_and_publish_once_per_key(client, world):
    method, _draft = method_and_run(world, draws=10)
    client.force_login(world["admin"])
    url = reverse("benchmarking_api:ranking-list")
    assert _post(client, url, {"method": method.pk}, key="").status_code == 400
    assert _post(client, url, {"method": method.pk}, key="   ").status_code == 400
    too_long = _post(client, url, {"method": method.pk}, key="x" * 241)
    assert too_long.status_code == 400 and "240" in too_long.json()["Idempotency-Key"][0]
    assert RankingRun.objects.filter(method=method).count() == 1  # only the draft: nothing ran
    first = _post(client, url, {"method": method.pk}, key="a")
    assert first.status_code == 201
    again = _post(client, url, {"method": method.pk}, key="a")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert RankingRun.objects.filter(method=method).count() == 2
    assert _post(client, url, {"method": method.pk + 1000}, key="a").status_code == 422
    assert _post(client, url, {"method": method.pk}, key="y" * 240).status_code == 201
    run_id = first.json()["id"]
    publish = reverse("benchmarking_api:ranking-publish", args=[run_id])
    assert _post(client, publish, key="p").status_code == 200
    assert RankingRun.objects.get(pk=run_id).state == RankingRunState.PUBLISHED
    assert _post(client, publish, key="p")["Idempotent-Replayed"] == "true"
    assert _post(client, publish, key="p2").status_code == 400  # already published


def test_staff_api_is_tenant_isolated(client, world):
    method, draft = method_and_run(world, draws=10)
    client.force_login(world["other_admin"])
    assert _post(client, reverse("benchmarking_api:ranking-list"), {"method": method.pk}).status_code == 400
    assert _post(client, reverse("benchmarking_api:ranking-publish", args=[draft.pk])).status_code == 404
    assert client.get(reverse("benchmarking_api:ranking-detail", args=[draft.pk])).status_code == 404
    client.force_login(world["desk"])
    assert _post(client, reverse("benchmarking_api:ranking-list"), {"method": method.pk}).status_code == 403
    client.logout()
    assert _post(client, reverse("benchmarking_api:ranking-list"), {"method": method.pk}).status_code in (
        401,
        403,
    )
    draft.refresh_from_db()
    assert draft.state == RankingRunState.DRAFT
