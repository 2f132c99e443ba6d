"""Published rankings as open data (through the open-data registry)."""

import csv
import io
import json

import pytest

from servicetorg.benchmarking.ranking import open_data
from servicetorg.core.opendata import get_registry

from .ranking_world import build_world, method_and_run

pytestmark = pytest.mark.django_db


def test_registered_in_the_open_data_registry():
    registry = get_registry()
    dataset = registry.distribution("kommunerangering.csv")[0]
    assert dataset.key == "kommunerangering"
    assert registry.distribution("kommunerangering.json")[0].key == "kommunerangering"
    assert "kommunerangering" in {c.key for c in registry.concepts}


def test_only_published_runs_of_the_municipality_are_in_the_files():
    world = build_world()
    _m, draft = method_and_run(world, draws=10)
    assert open_data.csv_text(world["tenant"]).splitlines() == [",".join(open_data.CSV_COLUMNS)]
    _m2, published = method_and_run(world, publish=True, draws=10)
    assert open_data.csv_text(world["other"]).splitlines() == [",".join(open_data.CSV_COLUMNS)]
    rows = list(csv.DictReader(io.StringIO(open_data.csv_text(world["tenant"]))))
    assert len(rows) == 8
    assert rows[0]["plass"] == "1" and rows[0]["rangert"] == "ja"
    assert rows[-1]["kommunenummer"] == "4602" and rows[-1]["rangert"] == "nei" and rows[-1]["plass"] == ""
    assert {r["resultat_sha256"] for r in rows} == {published.results_hash}
    document = json.loads(open_data.json_text(world["tenant"]))
    [entry] = document["rangeringer"]
    assert entry["indikatorvekter"] == published.indicator_weights
    assert entry["data_sha256"] == published.data_hash and entry["syntetiske_demotall"] is True
    assert len(entry["kommuner"]) == 8


def test_a_method_name_a_spreadsheet_would_run_is_quoted():
    world = build_world()
    _method, run = method_and_run(world, publish=True, draws=10)
    type(run).objects.filter(pk=run.pk).update(name='=HYPERLINK("http://x.example","klikk")')
    rows = list(csv.DictReader(io.StringIO(open_data.csv_text(world["tenant"]))))
    assert rows and all(r["rangering"].startswith("'=") for r in rows)
    assert json.loads(open_data.json_text(world["tenant"]))["rangeringer"][0]["rangering"].startswith("=")
