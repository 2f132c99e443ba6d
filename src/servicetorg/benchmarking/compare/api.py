"""The compare part's API (anonymous read): municipalities side by side, and «lignende kommuner».

* ``GET /api/statistikk/sammenlign/?k=3909&k=0301`` — up to 10 of today's municipalities, per
  indicator the value (or SSB's symbol, never 0), the code that fed it, and the median of all
  municipalities; unknown codes are named in ``unknown``; more than 10 → 400.
* ``GET /api/statistikk/kommuner/<code>/lignende/?antall=10&kontekst=…&vekt_<code>=…&ar=`` — the
  nearest neighbours with their distances, the weights used and the three largest differences.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors as benchmarking_selectors
from . import pages, peers, selectors

SOURCE = "Kilde: " + benchmarking_selectors.SOURCE


class CompareView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("k", OpenApiTypes.STR, many=True, description="Municipality number (up to 10)"),
            OpenApiParameter("ar", OpenApiTypes.INT, description="Year (default: the newest)"),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        result = pages.compare(
            request.query_params.getlist("k")[:50],
            year=benchmarking_selectors.year_param(request.query_params),
        )
        if result.too_many:
            return Response(
                {
                    "detail": f"At most {pages.MAX_COMPARE} municipalities "
                    f"(høyst {pages.MAX_COMPARE} kommuner)."
                },
                status=400,
            )
        return Response(
            {
                "year": result.year,
                "municipalities": [{"code": m.code, "name": m.name} for m in result.municipalities],
                "unknown": result.unknown,
                "synthetic": result.demo,
                "source": SOURCE,
                "indicators": [
                    {
                        "code": row.indicator.code,
                        "name": row.indicator.name,
                        "unit": row.indicator.unit_of_measure,
                        "direction": row.indicator.direction,
                        "national_median": row.median,
                        "n": row.n,
                        "values": [
                            {
                                "municipality": code,
                                "value": point.value,
                                "symbol": point.symbol,
                                "fed_by": list(point.fed_by),
                                "note": point.note,
                            }
                            for code, point in zip(result.codes, row.points, strict=True)
                        ],
                    }
                    for row in result.rows
                ],
            }
        )


class SimilarView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "antall", OpenApiTypes.INT, description="How many neighbours (1–50, default 10)"
            ),
            OpenApiParameter("kontekst", OpenApiTypes.STR, many=True, description="Context indicator codes"),
            OpenApiParameter("ar", OpenApiTypes.INT, description="Year (default: the newest)"),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, code):
        names = selectors.municipality_map()
        if code not in names:
            return Response({"detail": "Unknown municipality."}, status=404)
        choice = pages.PeerChoice.from_query(request.query_params)
        year = benchmarking_selectors.year_param(request.query_params) or selectors.latest_year(
            peers.context_indicators()
        )
        if year is None:
            return Response({"detail": "No context figures."}, status=400)
        try:
            found = peers.similar(
                code, year, context_codes=choice.context or None, weights=choice.weights, k=choice.k
            )
        except peers.PeerError as exc:
            return Response({"detail": str(exc)}, status=400)
        return Response(
            {
                "municipality": code,
                "year": year,
                "weights": found.weights,
                "candidates": found.candidates,
                "neighbours": [
                    {"code": c, "name": names[c].name if c in names else c, "distance": d}
                    for c, d in found.neighbours
                ],
                "largest_differences": [
                    {
                        "indicator": d.code,
                        "name": d.name,
                        "unit": d.unit,
                        "value": d.value,
                        "neighbours_median": d.peers,
                    }
                    for d in found.largest_differences
                ],
                "source": SOURCE,
            }
        )
