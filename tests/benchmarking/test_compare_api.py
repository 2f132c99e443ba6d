"""The compare part's API: side by side and «lignende kommuner» (anonymous read)."""

import pytest
from django.urls import reverse

from servicetorg.indicators.models import Direction, Sector

from . import compare_world as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w.register()
    school = w.indicator("poeng")
    folk = w.indicator("folk", direction=Direction.NEUTRAL, sector=Sector.CONTEXT)
    for code, number in {"3901": 1, "3903": 2, "3905": 3, "3907": 4, "3909": 2.2, "3911": 9}.items():
        w.value(folk, code, 2024, number)
        w.value(school, code, 2024, 40 + number)
    w.value(school, "0301", 2024, symbol="..")
    return school


def test_compare_endpoint(client, world):
    url = reverse("benchmarking_api:compare")
    data = client.get(url + "?k=3909&k=0301&k=0000").json()
    assert [m["code"] for m in data["municipalities"]] == ["3909", "0301"]
    assert data["unknown"] == ["0000"]
    poeng = next(i for i in data["indicators"] if i["code"] == "poeng")
    assert poeng["values"][0] == {
        "municipality": "3909",
        "value": 42.2,
        "symbol": "",
        "fed_by": ["3909"],
        "note": "",
    }
    assert poeng["values"][1]["value"] is None and poeng["values"][1]["symbol"] == ".."
    assert poeng["n"] == 6  # Oslo's ".." is not a 0
    assert "Statistisk sentralbyrå" in data["source"]
    many = "&".join(f"k={c}" for c in list(w.CURRENT) + ["3805"])
    assert client.get(url + "?" + many).status_code == 400


def test_similar_endpoint(client, world):
    url = reverse("benchmarking_api:similar", args=["3909"])
    data = client.get(url + "?antall=2").json()
    assert [n["code"] for n in data["neighbours"]] == ["3903", "3905"]
    assert data["weights"] == {"folk": 1.0}
    assert data["largest_differences"][0]["indicator"] == "folk"
    assert (
        client.get(reverse("benchmarking_api:similar", args=["0301"])).status_code == 400
    )  # no context figure
    assert client.get(reverse("benchmarking_api:similar", args=["9999"])).status_code == 404
    assert client.get(url + "?kontekst=poeng").status_code == 400
