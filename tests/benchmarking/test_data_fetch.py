"""fetch_kostra against a local stub of SSB's PxWebApi v2: batches under the cell limit, the rate
limit, back-off on 429 (Retry-After). CI never calls SSB."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from servicetorg.benchmarking import catalogue, fetch
from servicetorg.benchmarking.models import OfficialValue
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators.models import ImportRun

pytestmark = pytest.mark.django_db

REGIONS = ["EAK", "3909", "3907", "3999"]
CONTENTS = ["KOSandel120000", "KOSsaksbehtid0000", "KOSkorrbrutto0000"]
YEARS = ["2022", "2023", "2024"]


def metadata():
    return {
        "version": "2.0",
        "class": "dataset",
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [len(REGIONS), len(CONTENTS), len(YEARS)],
        "role": {"geo": ["KOKkommuneregion0000"], "metric": ["ContentsCode"], "time": ["Tid"]},
        "dimension": {
            "KOKkommuneregion0000": {"category": {"index": {r: i for i, r in enumerate(REGIONS)}}},
            "ContentsCode": {"category": {"index": {c: i for i, c in enumerate(CONTENTS)}}},
            "Tid": {"category": {"index": {t: i for i, t in enumerate(YEARS)}}},
        },
    }


def data(contents, years):
    values = [
        float(REGIONS.index(r) * 100 + CONTENTS.index(c) * 10 + YEARS.index(t))
        for r in REGIONS
        for c in contents
        for t in years
    ]
    return {
        **metadata(),
        "size": [len(REGIONS), len(contents), len(years)],
        "updated": "2025-06-15T06:00:00Z",
        "extension": {"px": {"tableid": "12362"}},
        "dimension": {
            "KOKkommuneregion0000": {"category": {"index": {r: i for i, r in enumerate(REGIONS)}}},
            "ContentsCode": {"category": {"index": {c: i for i, c in enumerate(contents)}}},
            "Tid": {"category": {"index": {t: i for i, t in enumerate(years)}}},
        },
        "value": values,
    }


@pytest.fixture
def stub(settings):
    calls = []
    state = {"throttled": 0}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            calls.append((url.path, query))
            if url.path.endswith("/metadata"):
                body = metadata()
            elif url.path.endswith("/data"):
                if state["throttled"] == 0:  # the first data request is refused once
                    state["throttled"] += 1
                    self.send_response(429)
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    return
                assert query["valueCodes[KOKkommuneregion0000]"] == "*"
                assert query["outputFormat"] == "json-stat2" and query["lang"] == "no"
                body = data(query["valueCodes[ContentsCode]"].split(","), query["valueCodes[Tid]"].split(","))
            else:
                self.send_response(404)
                self.end_headers()
                return
            raw = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SSB_API_URL = f"http://127.0.0.1:{server.server_address[1]}/api/pxwebapi/v2"
    yield calls
    server.shutdown()
    server.server_close()


def test_fetch_in_batches_with_back_off(stub, settings):
    catalogue.load_catalogue()
    settings.SSB_MAX_CELLS_PER_REQUEST = 4 * 2 * 3  # two content codes × three years per request
    sleeps = []
    client = fetch.Client(per_minute=30, sleep=sleeps.append)
    result = fetch.fetch_table("12362", user=SYSTEM, contents=CONTENTS, client=client)
    data_calls = [q for path, q in stub if path.endswith("/data")]
    assert stub[0][0] == "/api/pxwebapi/v2/tables/12362/metadata"
    assert [q["valueCodes[ContentsCode]"] for q in data_calls] == [
        "KOSandel120000,KOSsaksbehtid0000",
        "KOSandel120000,KOSsaksbehtid0000",  # again after the 429
        "KOSkorrbrutto0000",
    ]
    assert all(
        len(q["valueCodes[ContentsCode]"].split(",")) * len(q["valueCodes[Tid]"].split(",")) * 4 <= 24
        for q in data_calls
    )
    assert (result.requests, result.retries) == (4, 1)
    assert 0.0 in sleeps  # Retry-After: 0 was honoured
    # spaced for 30 a minute: every wait between requests is at most two seconds and some were needed
    assert all(s <= 2.0 for s in sleeps) and any(s > 1.0 for s in sleeps)
    assert result.created == len(REGIONS) * len(CONTENTS) * len(YEARS)
    assert (
        OfficialValue.objects.get(
            region_code="3907", indicator__kostra_code="KOSsaksbehtid0000", year=2023
        ).value
        == 211
    )
    assert set(ImportRun.objects.values_list("kind", flat=True)) == {ImportRun.Kind.FETCH}


def test_year_batches_and_the_command(stub, settings, capsys):
    catalogue.load_catalogue()
    settings.SSB_MAX_CELLS_PER_REQUEST = 4 * 2  # one content code × two years per request
    settings.SSB_REQUESTS_PER_MINUTE = 60_000
    call_command(
        "fetch_kostra", "--table", "12362", "--contents", "KOSandel120000", "--years", "2022,2023,2024"
    )
    data_calls = [q for path, q in stub if path.endswith("/data")]
    assert [q["valueCodes[Tid]"] for q in data_calls[1:]] == ["2022,2023", "2024"]
    assert "new" in capsys.readouterr().out
    assert OfficialValue.objects.count() == 4 * 3


def test_too_many_429_stops(stub, settings):
    catalogue.load_catalogue()
    client = fetch.Client(per_minute=60_000, sleep=lambda s: None)
    fetch.MAX_RETRIES, saved = 0, fetch.MAX_RETRIES
    try:
        with pytest.raises(fetch.FetchFailed):
            fetch.fetch_table("12362", user=SYSTEM, contents=CONTENTS, client=client)
    finally:
        fetch.MAX_RETRIES = saved
    assert not OfficialValue.objects.exists()
