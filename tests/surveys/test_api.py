"""The surveys API: tenant isolation, results with anonymity, crosstab and import."""

import io

import pytest

from servicetorg.core.permissions import SYSTEM
from servicetorg.surveys import services
from servicetorg.surveys.models import Response

from .conftest import answer, make_survey


def _fill(survey, n=6):
    for i in range(n):
        answer(survey, {"q1": str(1 + i % 6), "q2": str(1 + (i + 2) % 6), "kjonn": str(1 + i % 2)})


def test_list_scoped_and_bounded(
    client, municipality, other_municipality, desk_worker, django_assert_max_num_queries
):
    for i in range(4):
        make_survey(municipality, title=f"Egen {i}")
    make_survey(other_municipality, title="Fremmed")
    client.force_login(desk_worker)
    with django_assert_max_num_queries(8):
        data = client.get("/api/surveys/surveys/").json()
    titles = {s["title"] for s in data["results"]}
    assert titles == {f"Egen {i}" for i in range(4)}


@pytest.mark.parametrize("suffix", ["", "results/", "correlations/", "crosstab/?question=q1&by=kjonn"])
def test_other_tenant_404(client, survey, other_staff, suffix):
    client.force_login(other_staff)
    assert client.get(f"/api/surveys/surveys/{survey.pk}/{suffix}").status_code == 404


def test_no_role_403_and_anonymous_refused(client, survey, db):
    assert client.get("/api/surveys/surveys/").status_code in (401, 403)
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/api/surveys/surveys/").status_code == 403


def test_detail_and_results(client, survey, desk_worker):
    _fill(survey, 6)
    client.force_login(desk_worker)
    detail = client.get(f"/api/surveys/surveys/{survey.pk}/").json()
    assert [q["code"] for q in detail["questions"]][:2] == ["q1", "q2"]
    results = client.get(f"/api/surveys/surveys/{survey.pk}/results/").json()
    # Live: the first five were released together at the threshold; the sixth waits for four more.
    assert results["responses"] == 5 and results["waiting"] == 1
    services.close(survey, user=SYSTEM)  # closing releases it
    results = client.get(f"/api/surveys/surveys/{survey.pk}/results/").json()
    assert results["responses"] == 6 and results["waiting"] == 0 and not results["suppressed"]
    q1 = results["questions"][0]
    # Each alternative chosen once: the group of six is at the threshold, so every count is shown.
    assert q1["valid"] == 6 and q1["sum_percent"] is not None
    assert all(not f["hidden"] and f["count"] == 1 for f in q1["frequencies"] if not f["excluded"])
    assert q1["summary"]["mean"] == pytest.approx(3.5)


def test_results_suppressed_below_threshold(client, survey, desk_worker):
    _fill(survey, 2)
    client.force_login(desk_worker)
    results = client.get(f"/api/surveys/surveys/{survey.pk}/results/").json()
    assert results["suppressed"] and results["questions"] == []


def test_crosstab_and_bad_params(client, survey, desk_worker, administration):
    _fill(survey, 60)
    client.force_login(desk_worker)  # breakdowns are for the survey's editors
    assert client.get(f"/api/surveys/surveys/{survey.pk}/crosstab/?question=q1&by=kjonn").status_code == 403
    client.force_login(administration)
    ok = client.get(f"/api/surveys/surveys/{survey.pk}/crosstab/?question=q1&by=kjonn").json()
    assert ok["columns"] == ["Mann", "Kvinne"] and sum(ok["column_totals"]) == 60
    bad = client.get(f"/api/surveys/surveys/{survey.pk}/crosstab/?question=nope&by=bedre")
    assert bad.status_code == 400 and {"question", "by"} <= set(bad.json())


def test_correlations(client, survey, desk_worker):
    _fill(survey, 8)
    client.force_login(desk_worker)
    pairs = client.get(f"/api/surveys/surveys/{survey.pk}/correlations/").json()["pairs"]
    assert {(p["x"], p["y"]) for p in pairs} >= {("q1", "q2")}


def test_import(client, survey, administration, desk_worker):
    client.force_login(desk_worker)
    upload = io.BytesIO(b"q1;kjonn\n4;1\n")
    upload.name = "a.csv"
    assert client.post(f"/api/surveys/surveys/{survey.pk}/import/", {"file": upload}).status_code == 403
    client.force_login(administration)
    upload = io.BytesIO(b"q1;kjonn\n4;1\n9;3\n")
    upload.name = "a.csv"
    response = client.post(f"/api/surveys/surveys/{survey.pk}/import/", {"file": upload})
    assert response.status_code == 400
    assert response.json()["errors"][0]["line"] == 3
    assert Response.objects.count() == 0
    assert client.post(f"/api/surveys/surveys/{survey.pk}/import/", {}).status_code == 400


def test_schema_builds(client, administration):
    client.force_login(administration)
    response = client.get("/api/schema/")
    assert response.status_code == 200 and b"/api/surveys/surveys/{id}/results/" in response.content


def test_fuzz_never_500(client, survey, administration):
    """Arbitrary query strings and upload bytes give 2xx/4xx, never a server error."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client.force_login(administration)
    _fill(survey, 6)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        question=st.text(max_size=20),
        by=st.text(max_size=20),
        content=st.binary(max_size=300),
        skip=st.sampled_from(["true", "false", "x", ""]),
        state=st.text(max_size=10),
    )
    def run(question, by, content, skip, state):
        base = f"/api/surveys/surveys/{survey.pk}/"
        assert client.get(base + "crosstab/", {"question": question, "by": by}).status_code < 500
        assert client.get("/api/surveys/surveys/", {"state": state, "limit": "x"}).status_code < 500
        upload = io.BytesIO(content)
        upload.name = "fuzz.csv"
        assert client.post(base + "import/", {"file": upload, "skip_bad_rows": skip}).status_code < 500

    run()
