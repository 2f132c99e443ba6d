"""The ranking in the API (/api/statistikk/rangeringer/, namespace ``benchmarking_api``).

- ``GET rangeringer/``, ``GET rangeringer/<id>/``: published runs (anyone), with the frozen method
  (every weight, version, year, seed, draws) and both SHA-256 hashes; a benchmark editor also sees
  her municipalities' drafts. ``GET rangeringer/<id>/resultater/?fylke=39``: the results per
  municipality (grade, place and interval, coverage, what is missing, sector and indicator grades,
  lifting and lowering).
- ``POST rangeringer/`` ``{"method": <id>}``: a new draft run with the method as it is now;
  ``POST rangeringer/<id>/publisering/``: publish it. ``Perm.BENCHMARK_EDIT``, by session or API key;
  each POST needs an ``Idempotency-Key`` (the platform's one mechanism, keys namespaced
  ``ranking:``): a repeat gets the first response back (``Idempotent-Replayed: true``), the same key
  with another request 422. Another municipality's method or run is 404.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.security import BoundedJSONParser
from servicetorg.core.tenancy import HasStaffRole
from servicetorg.core.validators import is_digits, small_int
from servicetorg.inquiries.api_once import respond_once

from . import selectors, services
from .models import RankingMethod, RankingResult, RankingRun, RankingRunState

KEY_PREFIX = "ranking:"
ID_MAX = 2**63 - 1
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="Required. Repeating the POST with the same key returns the first response and does "
    "nothing again.",
)


class RunSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.number", read_only=True)
    method = serializers.IntegerField(source="method_id", read_only=True)

    class Meta:
        model = RankingRun
        fields = [
            "id",
            "municipality",
            "method",
            "name",
            "state",
            "method_version",
            "year",
            "indicator_weights",
            "sector_weights",
            "seed",
            "draws",
            "min_coverage",
            "data_hash",
            "results_hash",
            "indicator_stats",
            "synthetic",
            "regions",
            "ranked",
            "created_at",
            "published_at",
        ]
        read_only_fields = fields


class ResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = RankingResult
        fields = [
            "region_code",
            "name",
            "county_code",
            "county_name",
            "total",
            "ranked",
            "rank",
            "rank_low",
            "rank_high",
            "coverage",
            "missing",
            "sector_grades",
            "indicator_grades",
            "lifting",
            "lowering",
        ]
        read_only_fields = fields


class RunInSerializer(serializers.Serializer):
    method = serializers.IntegerField(min_value=1, max_value=ID_MAX)


def _positive_id(raw) -> int:
    value = small_int(raw)
    if not value:
        raise NotFound
    return value


class RankingViewSet(viewsets.GenericViewSet):
    serializer_class = RunSerializer
    filter_backends: list = []
    STAFF_ACTIONS = ("create", "publish")

    def get_permissions(self):
        if getattr(self, "action", None) in self.STAFF_ACTIONS:
            return [HasStaffRole()]
        return [AllowAny()]

    @property
    def scope_perm(self):  # read by HasStaffRole
        return Perm.BENCHMARK_EDIT

    def get_parsers(self):
        if getattr(self, "action", None) in self.STAFF_ACTIONS:
            return [BoundedJSONParser()]
        return super().get_parsers()

    def get_renderers(self):
        if getattr(self, "action", None) in self.STAFF_ACTIONS:
            return [JSONRenderer()]
        return super().get_renderers()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RankingRun.objects.none()
        visible = Q(state=RankingRunState.PUBLISHED)
        user = self.request.user
        if user.is_authenticated:
            ids = municipality_ids(user, Perm.BENCHMARK_EDIT)
            visible |= Q() if ids is None else Q(municipality_id__in=sorted(ids))
        return (
            RankingRun.objects.filter(visible)
            .select_related("municipality")
            .defer("inputs")
            .order_by("-published_at", "-created_at", "-pk")
        )

    def _one(self, pk) -> RankingRun:
        found = self.get_queryset().filter(pk=_positive_id(pk)).first()
        if found is None:
            raise NotFound
        return found

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RunSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(RunSerializer(self._one(pk)).data)

    @extend_schema(
        parameters=[OpenApiParameter("fylke", OpenApiTypes.STR, description="County number, e.g. 39.")],
        responses={200: ResultSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="resultater", url_name="results")
    def results(self, request, pk=None):
        """Every municipality's result in the run: the ranked by place, then the not ranked."""
        ranking = self._one(pk)
        county = (request.query_params.get("fylke") or "").strip()
        if county and (not is_digits(county) or len(county) != 2):
            raise ValidationError({"fylke": [_("Give a county number of two digits, e.g. 39.")]})
        page = self.paginate_queryset(selectors.results(ranking, county))
        return self.get_paginated_response(ResultSerializer(page, many=True).data)

    # Changing ----------------------------------------------------------------------------------

    def _idempotent(self, request, work):
        return respond_once(request, prefix=KEY_PREFIX, work=work, required=True)

    def _staff_run(self, pk) -> RankingRun:
        ids = municipality_ids(self.request.user, Perm.BENCHMARK_EDIT)
        qs = RankingRun.objects.defer("inputs")
        if ids is not None:
            qs = qs.filter(municipality_id__in=sorted(ids))
        found = qs.filter(pk=_positive_id(pk)).first()
        if found is None:
            raise NotFound
        return found

    @extend_schema(request=RunInSerializer, responses={201: RunSerializer}, parameters=[IDEMPOTENCY_HEADER])
    def create(self, request):
        """Compute a draft run with the method's weights as they are now."""

        def work():
            body = RunInSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            ids = municipality_ids(request.user, Perm.BENCHMARK_EDIT)
            methods = RankingMethod.objects.all()
            if ids is not None:
                methods = methods.filter(municipality_id__in=sorted(ids))
            method = methods.filter(pk=body.validated_data["method"]).first()
            if method is None:
                raise ValidationError({"method": [_("You have no ranking method with this id.")]})
            ranking = services.run(method, user=request.user)
            return Response(RunSerializer(self._staff_run(ranking.pk)).data, status=status.HTTP_201_CREATED)

        return self._idempotent(request, work)

    @extend_schema(request=None, responses={200: RunSerializer}, parameters=[IDEMPOTENCY_HEADER])
    @action(detail=True, methods=["post"], url_path="publisering", url_name="publish")
    def publish(self, request, pk=None):
        """Publish a draft run: it appears on /statistikk/rangering/ and in the open data."""
        ranking = self._staff_run(pk)

        def work():
            services.publish(ranking, user=request.user)
            return Response(RunSerializer(self._staff_run(ranking.pk)).data)

        return self._idempotent(request, work)
