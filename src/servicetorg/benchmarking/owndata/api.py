"""API of the own figures at /api/statistikk/egne-tall/ (public, like the pages): published values by
municipality and the peer statistics under the rule of three; an unpublished value never appears."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from servicetorg.core.validators import small_int

from . import selectors, services


def _indicator(indicator) -> dict:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit_of_measure": indicator.unit_of_measure,
        "direction": indicator.direction,
        "source": indicator.source,
    }


def _stats(stats: selectors.PeerStats) -> dict:
    return {
        "n": stats.n,
        "median": stats.median,
        "lower_quartile": stats.lower_quartile,
        "upper_quartile": stats.upper_quartile,
        "withheld": stats.withheld,
        "quartiles_hidden": stats.quartiles_hidden,
    }


class OwnFigureList(APIView):
    """The installation's shared own figures, each with its latest year's peer statistics."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(
            {
                "min_unpublished": selectors.MIN_UNPUBLISHED,
                "min_for_quartiles": selectors.MIN_FOR_QUARTILES,
                "results": [
                    {
                        **_indicator(s.indicator),
                        "year": s.year,
                        "published": s.published,
                        "statistics": _stats(s.stats),
                        "synthetic": s.synthetic,
                    }
                    for s in selectors.overview()
                ],
            }
        )


class OwnFigureDetail(APIView):
    """One shared figure in one year: the published values by municipality, and the peer statistics."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="The year (default: the latest).")
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, code: str):
        indicator = services.shared_indicators().filter(code=code).first()
        if indicator is None:
            raise NotFound
        figure = selectors.figure_year(indicator, small_int(request.query_params.get("year"), max_digits=4))
        return Response(
            {
                **_indicator(indicator),
                "year": figure.year,
                "years": figure.years,
                "published": [
                    {"municipality": r.municipality.name, "number": r.municipality.number, "value": r.value}
                    for r in figure.published
                ],
                "statistics": _stats(figure.stats),
                "synthetic": figure.synthetic,
            }
        )
