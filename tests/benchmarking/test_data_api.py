"""The public API of the register and the official statistics: every filter, the since= feed with
tombstones, ETag/304, json-stat2 (validated and round-tripped through pyjstat), series."""

import json
import warnings

import pandas as pd
import pytest
from django.urls import reverse
from django.utils import timezone

from servicetorg.benchmarking import catalogue, imports
from servicetorg.benchmarking.models import OfficialValue
from servicetorg.benchmarking.registry import load_registry
from servicetorg.core.permissions import SYSTEM

from .test_data_imports import dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    load_registry()
    catalogue.load_catalogue()
    # Larvik 2023 under 3805, 2024 under 3909; the country both years; a symbol
    imports.import_jsonstat(
        dataset(
            regions=("EAK", "3805", "3909"),
            values=[80.0, 81.0, 20, 21, 70.0, None, 30, None, None, 72.0, None, 33],
            status={"5": "."},
        ),
        user=SYSTEM,
    )


def get(client, name, *args, **params):
    return client.get(reverse(f"benchmarking_api:{name}", args=args), params)


def test_regions_with_validity_and_changes(client, loaded):
    body = get(client, "region-list", kind="municipality", current="true", limit=500).json()
    assert body["count"] == 357
    body = get(client, "region-list", county="39", current="true", kind="municipality").json()
    assert {r["code"] for r in body["results"]} >= {"3909", "3907"}
    assert all(r["county_code"] == "39" for r in body["results"])
    larvik = get(client, "region-list", q="Larvik").json()["results"]
    assert {r["code"] for r in larvik} >= {"0709", "0712", "3805", "3909"}
    detail = get(client, "region-detail", "3909").json()
    assert detail["valid_to"] is None and detail["current"] is True
    assert any(c["old_code"] == "3805" and c["new_code"] == "3909" for c in detail["changes"])
    old = get(client, "region-detail", "3805").json()
    assert old["valid_to"] == "2023-12-31" and not old["current"]
    assert get(client, "region-detail", "XX").status_code == 404
    counties = get(client, "region-list", kind="county", current="true").json()
    assert counties["count"] == 15


def test_indicators_catalogue(client, loaded):
    body = get(client, "indicator-list", limit=500).json()
    assert body["count"] == len(catalogue.entries())
    coverage = next(i for i in body["results"] if i["code"] == "barnehagedekning")
    assert coverage["direction"] == "higher" and coverage["sector"] == "kindergarten"
    assert coverage["numerator"] == "barn-1-5-i-barnehage" and coverage["unit"] == "%"
    context = get(client, "indicator-list", sector="context", limit=500).json()
    assert {i["direction"] for i in context["results"]} == {"neutral"}


def test_values_filters(client, loaded, django_assert_max_num_queries):
    everything = get(client, "value-list", limit=500).json()
    assert everything["count"] == 12 and everything["source"].startswith("Statistisk sentralbyrå")
    assert get(client, "value-list", indicator="barnehagedekning").json()["count"] == 6
    assert (
        get(client, "value-list", indicator="barnehagedekning,byggesak-saksbehandlingstid").json()["count"]
        == 12
    )
    assert get(client, "value-list", region="3805").json()["count"] == 4
    assert get(client, "value-list", year=2024).json()["count"] == 6
    assert get(client, "value-list", **{"from": 2024, "to": 2024}).json()["count"] == 6
    one = get(client, "value-list", indicator="barnehagedekning", region="3805", year=2024).json()["results"]
    assert one == [
        {
            "indicator": "barnehagedekning",
            "region": "3805",
            "year": 2024,
            "value": None,
            "symbol": ".",
            "preliminary": False,
            "synthetic": False,
            "run": one[0]["run"],
            "changed_at": one[0]["changed_at"],
        }
    ]
    assert get(client, "value-list", year="x").status_code == 400
    assert get(client, "value-list", since="yesterday").status_code == 400
    with django_assert_max_num_queries(8):
        assert get(client, "value-list", limit=500).status_code == 200


def test_since_feed_with_tombstones(client, loaded):
    before = timezone.now()
    assert get(client, "value-list", since=before.isoformat()).json()["count"] == 0
    changed = imports.import_jsonstat(dataset(regions=("EAK",), values=[80.5, 81.0, 20, 21]), user=SYSTEM)
    feed = get(client, "value-list", since=before.isoformat()).json()
    assert [(v["region"], v["year"], v["value"]) for v in feed["results"]] == [("EAK", 2023, 80.5)]
    assert feed["deleted"] == [] and feed["until"]
    imports.delete_run(changed.run, user=SYSTEM)
    feed = get(client, "value-list", since=before.isoformat()).json()
    assert feed["count"] == 0
    assert feed["deleted"] == [
        {
            "indicator": "barnehagedekning",
            "region": "EAK",
            "year": 2023,
            "deleted_at": feed["deleted"][0]["deleted_at"],
        }
    ]
    later = get(client, "value-list", since=feed["until"]).json()
    assert later["deleted"] == [] and later["count"] == 0


def test_etag_and_304(client, loaded):
    first = get(client, "value-list", indicator="barnehagedekning")
    etag = first["ETag"]
    assert etag
    again = client.get(
        reverse("benchmarking_api:value-list"), {"indicator": "barnehagedekning"}, HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 304 and again["ETag"] == etag
    imports.import_jsonstat(dataset(regions=("EAK",), values=[80.5, 81.0, 20, 21]), user=SYSTEM)
    changed = client.get(
        reverse("benchmarking_api:value-list"), {"indicator": "barnehagedekning"}, HTTP_IF_NONE_MATCH=etag
    )
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_json_stat2_validates_and_round_trips_through_pyjstat(client, loaded):
    from pyjstat import pyjstat

    response = get(client, "value-list", format="json-stat2")
    assert response.status_code == 200
    text = response.content.decode()
    document = json.loads(text)
    cube = imports.validate_jsonstat(text)  # our own validator accepts it
    assert cube.cells == 3 * 2 * 2 and document["source"].startswith("Statistisk sentralbyrå")
    assert document["status"]["1"] == "."  # 3805 coverage 2024: the symbol, not a number
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        frame = pyjstat.Dataset.read(text).write("dataframe", naming="id")
        stored = {
            (v.region_code, v.indicator.code, str(v.year)): v.value
            for v in OfficialValue.objects.select_related("indicator")
        }
        read = {
            (r.Region, r.ContentsCode, r.Tid): (None if pd.isna(r.value) else r.value)
            for r in frame.itertuples()
        }
        assert read == stored
        again = json.loads(pyjstat.Dataset.read(frame).write())
    assert again["value"] == document["value"]


def test_series_follows_the_code_history(client, loaded):
    body = get(
        client, "series", "3909", indicator="byggesak-saksbehandlingstid", **{"from": 2023, "to": 2024}
    ).json()
    points = {p["year"]: p for p in body["points"]}
    assert points[2023]["fed_by"] == ["3805"] and points[2023]["value"] == 30
    assert points[2024]["fed_by"] == ["3909"] and points[2024]["value"] == 33
    assert body["lineage"][0]["codes"] == ["3909"]
    assert not body["synthetic"]
    assert get(client, "series", "3909", indicator="nope").status_code == 400
    assert get(client, "series", "XXXX", indicator="grunnskolepoeng").status_code == 404
    ålesund = get(client, "series", "1508", indicator="grunnskolepoeng", **{"from": 2020, "to": 2024}).json()
    assert ålesund["lineage"][-1]["break_reason"]
