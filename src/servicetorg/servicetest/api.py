"""The kommunetest's API (/api/kommunetest/): the published results, read-only, for anyone.

- ``GET resultater/``: the published rounds, newest first, each with its method (protocol version,
  channel weights, κ of the web testers, the sampling note) and every tested region's score, per
  channel and per area, and whether it passed («godkjent» at 67 or more). Filter ``code`` (a region
  code: only rounds that tested it) and ``version`` (a protocol version: results compare only within
  one).
- ``GET resultater/<id>/``: one published round.

A round that is not published does not exist here (404), whoever asks: blinding.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from . import access, scoring
from .models import Round, RoundRegion


class RegionResultSerializer(serializers.ModelSerializer):
    godkjent = serializers.BooleanField(source="approved")
    poeng = serializers.FloatField(source="total", allow_null=True)
    per_kanal = serializers.JSONField(source="by_channel")
    per_omrade = serializers.JSONField(source="by_area")
    kode = serializers.CharField(source="code")
    navn = serializers.CharField(source="name")
    innbyggere = serializers.IntegerField(source="population", allow_null=True)
    storrelsesgruppe = serializers.CharField(source="band")

    class Meta:
        model = RoundRegion
        fields = [
            "kode",
            "navn",
            "innbyggere",
            "storrelsesgruppe",
            "poeng",
            "godkjent",
            "per_kanal",
            "per_omrade",
        ]


class RoundResultSerializer(serializers.ModelSerializer):
    arrangor = serializers.CharField(source="municipality.name")
    protokollversjon = serializers.CharField(source="protocol_version")
    vekter = serializers.JSONField(source="weights")
    kappa = serializers.FloatField(allow_null=True)
    utvalg = serializers.CharField(source="sampling_note")
    publisert = serializers.DateTimeField(source="published_at")
    grense_godkjent = serializers.SerializerMethodField()
    regioner = RegionResultSerializer(source="regions", many=True)
    navn = serializers.CharField(source="name")

    class Meta:
        model = Round
        fields = [
            "id",
            "navn",
            "arrangor",
            "protokollversjon",
            "vekter",
            "kappa",
            "utvalg",
            "publisert",
            "grense_godkjent",
            "regioner",
        ]

    def get_grense_godkjent(self, obj) -> int:
        return scoring.PASS_MARK


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "code", OpenApiTypes.STR, description="Only rounds that tested this region code."
            ),
            OpenApiParameter("version", OpenApiTypes.STR, description="Only this protocol version."),
        ]
    )
)
class ResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Published kommunetest results."""

    serializer_class = RoundResultSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        qs = access.published_rounds().prefetch_related("regions").order_by("-published_at", "-pk")
        code = self.request.query_params.get("code", "")[:12]
        if code:
            qs = qs.filter(regions__code=code).distinct()
        version = self.request.query_params.get("version", "")[:20]
        if version:
            qs = qs.filter(protocol_version=version)
        return qs
