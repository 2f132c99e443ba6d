"""Fetch a KOSTRA table from Statistics Norway's PxWebApi v2 (``manage.py fetch_kostra``), for
installations that are online. CI never calls SSB: the base URL is the setting ``SSB_API_URL`` and
the tests run a local stub server.

1. ``GET {SSB_API_URL}/tables/{id}/metadata?lang=no&outputFormat=json-stat2`` — the table's
   dimensions (regions, content codes, years);
2. the request is cut into batches of content codes and years so that regions × codes × years stays
   under the cell limit (``SSB_MAX_CELLS_PER_REQUEST``, SSB's 800 000, and ``JSONSTAT_MAX_CELLS``);
3. ``GET {SSB_API_URL}/tables/{id}/data?lang=no&outputFormat=json-stat2&valueCodes[ContentsCode]=…
   &valueCodes[Tid]=…&valueCodes[<region>]=*`` for each batch, at most ``SSB_REQUESTS_PER_MINUTE``
   (30) a minute; a 429 waits ``Retry-After`` seconds (or 2, 4, 8 … without it) and tries again, at
   most ``MAX_RETRIES`` times; any other error stops the fetch;
4. each answer goes through the same import as an uploaded file (run of kind ``fetch``).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from servicetorg.indicators.models import ImportRun, Indicator

from . import imports

MAX_RETRIES = 5
TIMEOUT = 120
REGION_DIMENSIONS = imports.REGION_DIMENSIONS


class FetchFailed(Exception):
    pass


@dataclass
class FetchResult:
    requests: int = 0
    retries: int = 0
    results: list = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(r.created for r in self.results)

    @property
    def updated(self) -> int:
        return sum(r.updated for r in self.results)

    @property
    def unchanged(self) -> int:
        return sum(r.unchanged for r in self.results)


class Client:
    """HTTP GETs to the PxWebApi, spaced to stay within the rate limit, with back-off on 429."""

    def __init__(
        self, base_url: str | None = None, *, per_minute: int | None = None, sleep: Callable = time.sleep
    ):
        self.base_url = (base_url or settings.SSB_API_URL).rstrip("/")
        self.interval = 60.0 / max(1, per_minute or settings.SSB_REQUESTS_PER_MINUTE)
        self.sleep = sleep
        self.last: float | None = None
        self.requests = 0
        self.retries = 0

    def get(self, path: str, params: list[tuple[str, str]]) -> bytes:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params, safe='[]*,')}"
        if not url.startswith(("http://", "https://")):
            raise FetchFailed(f"not an http(s) URL: {url[:100]}")
        for attempt in range(MAX_RETRIES + 1):
            if self.last is not None:
                wait = self.interval - (time.monotonic() - self.last)
                if wait > 0:
                    self.sleep(wait)
            self.last = time.monotonic()
            self.requests += 1
            headers = {"Accept": "application/json", "User-Agent": "Servicetorg"}
            request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http(s) checked above)
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                    return response.read(settings.OFFICIAL_IMPORT_MAX_BYTES + 1)
            except urllib.error.HTTPError as error:
                if error.code == 429 and attempt < MAX_RETRIES:
                    self.retries += 1
                    self.sleep(_retry_after(error.headers.get("Retry-After"), attempt))
                    continue
                raise FetchFailed(f"{error.code} from {url[:200]}") from error
            except (urllib.error.URLError, TimeoutError) as error:
                raise FetchFailed(f"{url[:200]}: {error}") from error
        raise FetchFailed(f"too many 429 answers from {url[:200]}")


def _retry_after(header: str | None, attempt: int) -> float:
    try:
        return min(max(float(header), 0.0), 300.0)
    except (TypeError, ValueError):
        return float(2 ** (attempt + 1))


@dataclass
class Plan:
    region_dimension: str
    contents: list[str]
    years: list[str]
    batches: list[tuple[list[str], list[str]]]
    regions: int


def plan(metadata: dict, *, contents: list[str] | None, years: list[str] | None, max_cells: int) -> Plan:
    dims = metadata.get("dimension") or {}
    region_dim = next((d for d in (metadata.get("role") or {}).get("geo", []) if d in dims), None) or next(
        (d for d in REGION_DIMENSIONS if d in dims), None
    )
    if region_dim is None or "ContentsCode" not in dims or "Tid" not in dims:
        raise FetchFailed("the table has no region, ContentsCode or Tid dimension")

    def codes(dim):
        index = ((dims.get(dim) or {}).get("category") or {}).get("index") or {}
        return [str(c) for c in (index if isinstance(index, list) else sorted(index, key=index.get))]

    available_contents, available_years = codes("ContentsCode"), codes("Tid")
    regions = len(codes(region_dim)) or 1
    chosen_contents = [c for c in (contents or available_contents) if c in available_contents]
    chosen_years = [y for y in (years or available_years) if y in available_years]
    if not chosen_contents or not chosen_years:
        raise FetchFailed("nothing to fetch: no such content codes or years in the table")
    if regions > max_cells:
        raise FetchFailed("the table has more regions than the cell limit")
    # as many years per request as fit with one content code, then as many codes as fit
    years_per = max(1, min(len(chosen_years), max_cells // regions))
    year_batches = [chosen_years[i : i + years_per] for i in range(0, len(chosen_years), years_per)]
    batches = []
    for year_batch in year_batches:
        per = max(1, max_cells // (regions * len(year_batch)))
        for i in range(0, len(chosen_contents), per):
            batches.append((chosen_contents[i : i + per], year_batch))
    return Plan(region_dim, chosen_contents, chosen_years, batches, regions)


def fetch_table(
    table: str,
    *,
    user,
    contents: list[str] | None = None,
    years: list[str] | None = None,
    municipality=None,
    preliminary: bool = False,
    client: Client | None = None,
) -> FetchResult:
    """Fetch ``table`` (all content codes of the catalogue for it unless ``contents``; every year
    unless ``years``) for every region, in batches, and import each answer."""
    imports._authorize(user, municipality)
    client = client or Client()
    if not table.isdigit() or len(table) > 6:
        raise FetchFailed("a table is a number, e.g. 12362")
    if contents is None:
        contents = list(
            Indicator.objects.filter(municipality__isnull=True, kostra_table=table)
            .exclude(kostra_code="")
            .values_list("kostra_code", flat=True)
        )
    metadata = json.loads(
        client.get(f"/tables/{table}/metadata", [("lang", "no"), ("outputFormat", "json-stat2")])
    )
    max_cells = min(settings.SSB_MAX_CELLS_PER_REQUEST, settings.JSONSTAT_MAX_CELLS)
    the_plan = plan(metadata, contents=contents, years=years, max_cells=max_cells)
    result = FetchResult()
    for batch_contents, batch_years in the_plan.batches:
        params = [
            ("lang", "no"),
            ("outputFormat", "json-stat2"),
            ("valueCodes[ContentsCode]", ",".join(batch_contents)),
            ("valueCodes[Tid]", ",".join(batch_years)),
            (f"valueCodes[{the_plan.region_dimension}]", "*"),
        ]
        data = client.get(f"/tables/{table}/data", params)
        name = f"{table} {batch_contents[0]}…{batch_contents[-1]} {batch_years[0]}–{batch_years[-1]}"
        result.results.append(
            imports.import_jsonstat(
                data,
                user=user,
                municipality=municipality,
                file_name=name[:200],
                preliminary=preliminary,
                kind=ImportRun.Kind.FETCH,
            )
        )
    result.requests, result.retries = client.requests, client.retries
    return result
