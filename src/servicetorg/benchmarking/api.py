"""The public, read-only API of the register and the official statistics (/api/statistikk/).

Public statistics (no personal data, no tenant): anonymous read.

* ``regioner/`` — the register: every code with its validity and the code changes to and from it
  (filters ``kind``, ``county``, ``current=true``, ``q``); ``regioner/<code>/`` one region.
* ``indikatorer/`` — the KOSTRA catalogue with direction, sector, unit, merge rule (filter ``sector``).
* ``verdier/`` — official values (paged; filters ``indicator`` (code, repeatable or comma
  separated), ``region``, ``year``, ``from``/``to``). ``since=<ISO time>``: the change feed — values
  changed after that time, oldest change first, and ``deleted``: the tombstones since then; the
  answer's ``until`` is the ``since`` of the next call. Every answer has an ``ETag``; a request with
  ``If-None-Match`` of an unchanged answer gets 304. ``?format=json-stat2``: the selection as one
  JSON-stat 2 dataset (region × ContentsCode × Tid; symbols in ``status``), not paged, bounded by
  ``JSONSTAT_MAX_CELLS``.
* ``serier/<code>/?indicator=<code>`` — the series of a current code across reforms: each point
  with the codes that fed it (``fed_by``), its symbol and note, and the lineage with its breaks.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from servicetorg.indicators.models import Indicator, Sector

from . import selectors, series
from .models import CodeChange, OfficialValue, OfficialValueDeletion, Region, RegionKind

SOURCE = selectors.SOURCE
MAX_FILTER_ITEMS = 400


class JsonStat2Renderer(JSONRenderer):
    """``?format=json-stat2``: the view answers a JSON-stat 2 dataset."""

    format = "json-stat2"
    media_type = "application/json"


def _list_param(request, name: str) -> list[str]:
    out = []
    for raw in request.query_params.getlist(name):
        out.extend(part.strip() for part in raw.split(",") if part.strip())
    if len(out) > MAX_FILTER_ITEMS:
        raise ValidationError({name: _("At most %(n)s values.") % {"n": MAX_FILTER_ITEMS}})
    return out


def _years(request) -> list[int] | None:
    raw = _list_param(request, "year")
    low, high = request.query_params.get("from"), request.query_params.get("to")
    try:
        years = [int(y) for y in raw]
        if low or high:
            first, last = int(low or 1990), int(high or 2100)
            if last - first > 200:
                raise ValueError
            years = [y for y in (years or range(first, last + 1)) if first <= y <= last]
    except ValueError as exc:
        raise ValidationError({"year": _("A year is a whole number.")}) from exc
    if any(not 1900 <= y <= 2200 for y in years):
        raise ValidationError({"year": _("A year is a whole number.")})
    return years if (raw or low or high) else None


# --- regions --------------------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    current = serializers.BooleanField(source="is_current", read_only=True)
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = [
            "code",
            "name",
            "kind",
            "county_code",
            "county_name",
            "valid_from",
            "valid_to",
            "current",
            "fictional",
            "changes",
        ]
        read_only_fields = fields

    def get_changes(self, region) -> list[dict]:
        """The code changes to and from this code (from the change table, read once per request)."""
        table = self.context["changes"]
        return [
            {
                "old_code": c.old_code,
                "old_name": c.old_name,
                "new_code": c.new_code,
                "new_name": c.new_name,
                "occurred": c.occurred.isoformat(),
                "kind": c.kind,
            }
            for c in table.get(region.code, ())
        ]


def _changes_by_code(codes) -> dict[str, list]:
    out: dict[str, list] = {}
    codes = list(codes)
    rows = CodeChange.objects.filter(old_code__in=codes) | CodeChange.objects.filter(new_code__in=codes)
    for change in rows.order_by("occurred", "old_code", "new_code"):
        if change.old_code == change.new_code and change.kind == "name":
            out.setdefault(change.old_code, []).append(change)
            continue
        for code in {change.old_code, change.new_code}:
            out.setdefault(code, []).append(change)
    return out


@extend_schema(
    parameters=[
        OpenApiParameter("kind", OpenApiTypes.STR, enum=RegionKind.values),
        OpenApiParameter("county", OpenApiTypes.STR, description="two digits, e.g. 39"),
        OpenApiParameter("current", OpenApiTypes.BOOL),
        OpenApiParameter("q", OpenApiTypes.STR, description="name or the start of the code"),
    ]
)
class RegionList(ListAPIView):
    """The register of municipalities (SSB's classification 131) with validity and code changes."""

    permission_classes = [AllowAny]
    serializer_class = RegionSerializer

    def get_queryset(self):
        qs = Region.objects.order_by("code")
        params = self.request.query_params
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("county"):
            qs = qs.filter(county_code=params["county"][:2])
        if params.get("current") in ("true", "1"):
            qs = qs.filter(valid_to__isnull=True)
        if params.get("q"):
            qs = selectors.search_regions(qs, params["q"][:100])
        return qs

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "changes": _changes_by_code(r.code for r in page)}
        return self.get_paginated_response(RegionSerializer(page, many=True, context=context).data)


class RegionDetail(RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = RegionSerializer
    lookup_field = "code"
    queryset = Region.objects.all()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "changes": _changes_by_code([self.kwargs["code"]])}


# --- indicators -----------------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit_of_measure")
    numerator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    denominator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    table = serializers.CharField(source="kostra_table")
    contents_code = serializers.CharField(source="kostra_code")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "sector",
            "direction",
            "aspect",
            "merge_rule",
            "numerator",
            "denominator",
            "scale",
            "table",
            "contents_code",
        ]
        read_only_fields = fields


@extend_schema(parameters=[OpenApiParameter("sector", OpenApiTypes.STR, enum=Sector.values)])
class IndicatorList(ListAPIView):
    """The KOSTRA catalogue: national indicators with direction (higher/lower/neutral), sector, unit."""

    permission_classes = [AllowAny]
    serializer_class = IndicatorSerializer

    def get_queryset(self):
        qs = selectors.catalogue_indicators().select_related("numerator", "denominator")
        if self.request.query_params.get("sector"):
            qs = qs.filter(sector=self.request.query_params["sector"])
        return qs


# --- values ---------------------------------------------------------------------------------------


class ValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    region = serializers.CharField(source="region_code")
    synthetic = serializers.SerializerMethodField()
    run = serializers.IntegerField(source="run_id")

    class Meta:
        model = OfficialValue
        fields = [
            "indicator",
            "region",
            "year",
            "value",
            "symbol",
            "preliminary",
            "synthetic",
            "run",
            "changed_at",
        ]
        read_only_fields = fields

    def get_synthetic(self, value) -> bool:
        return value.run_id in self.context["demo_runs"]


def _since(request) -> dt.datetime | None:
    raw = request.query_params.get("since")
    if not raw:
        return None
    try:  # parse_* answer None for the wrong shape and raise ValueError for 2020-02-30 or T25:00
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            moment = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError({"since": _("A time in ISO 8601, e.g. 2025-06-15T06:00:00Z.")})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    try:  # in UTC: PostgreSQL takes offsets up to ±15:59, Python up to ±23:59
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise ValidationError({"since": _("A time in ISO 8601, e.g. 2025-06-15T06:00:00Z.")}) from exc


@extend_schema(
    parameters=[
        OpenApiParameter("indicator", OpenApiTypes.STR, description="indicator code(s), comma separated"),
        OpenApiParameter("region", OpenApiTypes.STR, description="region code(s) as published"),
        OpenApiParameter("year", OpenApiTypes.INT),
        OpenApiParameter("from", OpenApiTypes.INT),
        OpenApiParameter("to", OpenApiTypes.INT),
        OpenApiParameter("since", OpenApiTypes.DATETIME, description="change feed: values changed after"),
    ]
)
class ValueList(ListAPIView):
    """Official values under the code that published them; symbols are never numbers."""

    permission_classes = [AllowAny]
    serializer_class = ValueSerializer
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, JsonStat2Renderer]

    def get_queryset(self):
        request = self.request
        qs = OfficialValue.objects.select_related("indicator")
        codes = _list_param(request, "indicator")
        if codes:
            qs = qs.filter(indicator__code__in=codes, indicator__municipality__isnull=True)
        regions = _list_param(request, "region")
        if regions:
            qs = qs.filter(region_code__in=[r.upper() for r in regions])
        years = _years(request)
        if years is not None:
            qs = qs.filter(year__in=years)
        self.since = _since(request)
        if self.since is not None:
            return qs.filter(changed_at__gt=self.since).order_by("changed_at", "id")
        return qs.order_by("indicator__code", "region_code", "year")

    def _etag(self, qs, demo_runs) -> str:
        summary = qs.order_by().aggregate(n=Count("id"), last=Max("changed_at"))
        deleted = OfficialValueDeletion.objects.aggregate(n=Count("id"), last=Max("id"))
        text = "|".join(
            str(x)
            for x in (
                summary["n"],
                summary["last"],
                deleted["n"],
                deleted["last"],
                self.request.get_full_path(),
                len(demo_runs),
            )
        )
        return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'

    def list(self, request, *args, **kwargs):
        qs = self.get_queryset()
        demo_runs = selectors.demo_run_ids()
        etag = self._etag(qs, demo_runs)
        matches = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
        if etag in matches or "*" in matches:
            response = Response(status=304)
            response["ETag"] = etag
            return response
        if (
            getattr(request, "accepted_renderer", None) is not None
            and request.accepted_renderer.format == "json-stat2"
        ):
            response = Response(jsonstat_dataset(qs))
        else:
            until = timezone.now()
            page = self.paginate_queryset(qs)
            context = {**self.get_serializer_context(), "demo_runs": demo_runs}
            response = self.get_paginated_response(ValueSerializer(page, many=True, context=context).data)
            response.data["source"] = SOURCE
            if self.since is not None:
                response.data["until"] = until.isoformat()
                deleted = OfficialValueDeletion.objects.filter(deleted_at__gt=self.since).select_related(
                    "indicator"
                )
                if request.query_params.get("indicator"):
                    deleted = deleted.filter(indicator__code__in=_list_param(request, "indicator"))
                response.data["deleted"] = [
                    {
                        "indicator": d.indicator.code,
                        "region": d.region_code,
                        "year": d.year,
                        "deleted_at": d.deleted_at.isoformat(),
                    }
                    for d in deleted.order_by("deleted_at", "id")[:5000]
                ]
        response["ETag"] = etag
        return response


def jsonstat_dataset(qs) -> dict:
    """The values as a JSON-stat 2 dataset: region × ContentsCode (indicator code) × Tid."""
    rows = list(
        qs.order_by().values_list(
            "region_code", "indicator__code", "indicator__name", "year", "value", "symbol"
        )
    )
    regions = sorted({r[0] for r in rows})
    contents = sorted({r[1] for r in rows})
    names = {r[1]: r[2] for r in rows}
    years = sorted({r[3] for r in rows})
    cells = len(regions) * len(contents) * len(years)
    if cells > settings.JSONSTAT_MAX_CELLS:
        raise ValidationError({"format": _("Too many cells; choose fewer indicators, regions or years.")})
    region_names = dict(Region.objects.filter(code__in=regions).values_list("code", "name"))
    ri = {c: i for i, c in enumerate(regions)}
    ci = {c: i for i, c in enumerate(contents)}
    ti = {y: i for i, y in enumerate(years)}
    values: list = [None] * cells
    status: dict[str, str] = {}
    for region, code, _name, year, value, symbol in rows:
        index = (ri[region] * len(contents) + ci[code]) * len(years) + ti[year]
        values[index] = value
        if symbol:
            status[str(index)] = symbol
    for index, value in enumerate(values):
        if value is None and str(index) not in status:
            status[str(index)] = ".."  # nothing published for this cell
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "Servicetorg: official statistics",
        "source": SOURCE,
        "updated": timezone.now().isoformat(),
        "id": ["Region", "ContentsCode", "Tid"],
        "size": [len(regions), len(contents), len(years)],
        "role": {"geo": ["Region"], "metric": ["ContentsCode"], "time": ["Tid"]},
        "dimension": {
            "Region": {
                "label": "region",
                "category": {
                    "index": ri,
                    "label": {c: region_names.get(c, c) for c in regions},
                },
            },
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {"index": ci, "label": {c: names[c] for c in contents}},
            },
            "Tid": {
                "label": "år",
                "category": {
                    "index": {str(y): i for y, i in ti.items()},
                    "label": {str(y): str(y) for y in years},
                },
            },
        },
        "status": status,
        "value": values,
    }


# --- series ---------------------------------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter("indicator", OpenApiTypes.STR, required=True),
        OpenApiParameter("from", OpenApiTypes.INT),
        OpenApiParameter("to", OpenApiTypes.INT),
    ]
)
class SeriesView(APIView):
    """A current code's series across reforms: which codes fed each point, symbols, breaks."""

    permission_classes = [AllowAny]

    def get(self, request, code: str):
        region = Region.objects.filter(code=code.upper()).first()
        if region is None:
            raise Http404
        indicator = Indicator.objects.filter(
            municipality__isnull=True, code=request.query_params.get("indicator", "")
        ).first()
        if indicator is None:
            raise ValidationError({"indicator": _("Unknown indicator.")})
        try:
            first = int(request.query_params.get("from", 2015))
            last = int(request.query_params.get("to", timezone.localdate().year))
        except ValueError as exc:
            raise ValidationError({"from": _("A year is a whole number.")}) from exc
        if not 1990 <= first <= last <= 2100 or last - first > 60:
            raise ValidationError({"from": _("A year is a whole number.")})
        graph = series.Graph.load()
        points = series.read(indicator, [region.code], range(first, last + 1), graph=graph)[region.code]
        lineage = series.lineage(region.code, graph=graph)
        fed = {c for p in points for c in p.fed_by}
        synthetic = selectors.synthetic_notice(
            OfficialValue.objects.filter(indicator=indicator, region_code__in=fed, year__range=(first, last))
        )
        return Response(
            {
                "region": region.code,
                "name": region.name,
                "indicator": indicator.code,
                "unit": indicator.unit_of_measure,
                "merge_rule": indicator.merge_rule,
                "source": SOURCE,
                "synthetic": synthetic,
                "lineage": [
                    {
                        "codes": list(s.codes),
                        "first_year": s.first_year,
                        "last_year": s.last_year,
                        "became": s.became,
                        "break_reason": s.break_reason,
                        "break_year": s.break_year,
                    }
                    for s in lineage
                ],
                "points": [
                    {
                        "year": p.year,
                        "value": p.value,
                        "symbol": p.symbol,
                        "kind": p.kind,
                        "fed_by": list(p.fed_by),
                        "preliminary": p.preliminary,
                        "note": str(p.note),
                        "parts": [{"code": c, "value": v, "symbol": s} for c, v, s in p.parts],
                    }
                    for p in points
                ],
            }
        )
