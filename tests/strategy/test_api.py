"""Strategy API: tenant isolation, transitions, roll, report figures."""

from datetime import date

import pytest

from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from servicetorg.strategy import services, workflow
from servicetorg.strategy.models import Strategy


@pytest.fixture
def report(published_strategy):
    return services.create_report(published_strategy, as_of_year=2025, user=SYSTEM)


def test_list_and_detail_scoped(
    client, administration, other_staff, published_strategy, report, django_assert_max_num_queries
):
    client.force_login(administration)
    with django_assert_max_num_queries(15):
        data = client.get("/api/strategy/strategies/").json()
    assert data["count"] == 1
    goals = data["results"][0]["focus_areas"][0]["goals"]
    assert goals[0]["indicators"][0]["targets"][0] == {
        "year": 2024,
        "value": "60.0000",
        "peers": "",
        "peer_statistic": "",
        "original_value": None,
        "change_reason": "",
    }
    client.force_login(other_staff)
    assert client.get("/api/strategy/strategies/").json()["count"] == 0
    assert client.get(f"/api/strategy/strategies/{published_strategy.pk}/").status_code == 404
    assert client.get(f"/api/strategy/reports/{report.pk}/").status_code == 404
    assert client.get(f"/api/strategy/reports/{report.pk}/figures/").status_code == 404
    response = client.post(f"/api/strategy/strategies/{published_strategy.pk}/roll/")
    assert response.status_code == 404


def test_transitions_through_api(client, administration, draft_strategy, municipality, make_staff):
    url = f"/api/strategy/strategies/{draft_strategy.pk}/transition/"
    council = make_staff(Role.COUNCIL, municipality)
    client.force_login(council)
    assert client.post(url, {"action": "start_consultation"}).status_code == 403
    client.force_login(administration)
    assert client.post(url, {"action": "publish"}).status_code == 400
    assert client.post(url, {"action": "fly"}).status_code == 400
    missing = client.post(url, {"action": "start_consultation"})
    assert missing.status_code == 400 and "consultation_deadline" in missing.json()
    started = client.post(
        url, {"action": "start_consultation", "consultation_deadline": "2099-01-15T12:00:00+01:00"}
    )
    assert started.json()["state"] == "consultation"
    assert started.json()["consultation_deadline"].startswith("2099-01-15T")
    refused = client.post(url, {"action": "adopt"})
    assert refused.status_code == 400 and "case_reference" in refused.json()
    adopted = client.post(url, {"action": "adopt", "adopted_on": "2024-06-01", "case_reference": "PS 1/24"})
    assert adopted.json()["state"] == "adopted"
    rolled = client.post(f"/api/strategy/strategies/{draft_strategy.pk}/roll/", {"revision_note": "2025"})
    assert rolled.status_code == 201 and rolled.json()["revision"] == 2
    assert Strategy.objects.count() == 2


def test_report_figures(client, administration, report):
    client.force_login(administration)
    data = client.get(f"/api/strategy/reports/{report.pk}/figures/").json()
    assert data["as_of_year"] == 2025
    goal = data["focus_areas"][0]["goals"][0]
    assert goal["status"] in {"on_track", "at_risk", "missed", "no_data"} and goal["explanation"]
    assert data["focus_areas"][0]["measures_done"] == ["Felles innboks"]


def test_schema_includes_strategy(client, administration):
    client.force_login(administration)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert (
        b"/api/strategy/strategies/" in response.content
        and b"/api/indicators/indicators/" in response.content
    )


def test_report_adopt_dates(published_strategy):
    report = services.create_report(published_strategy, as_of_year=2024, user=SYSTEM)
    report = services.report_transition(
        report, workflow.ADOPT, adopted_on=date(2025, 3, 1), case_reference="PS 2/25", user=SYSTEM
    )
    assert report.adopted_on == date(2025, 3, 1)
