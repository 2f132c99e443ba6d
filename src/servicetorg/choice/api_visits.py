"""The API of visits and settlements (/api/choice/besok/, /api/choice/oppgjor/).

Visits: a provider's system lists its own visits and posts new ones; a POST with an
``Idempotency-Key`` is claimed in the same table as the inquiries' intake (inquiries.services.
idempotency, the one mechanism; the key is kept as ``choice.visit:<key>`` so it cannot collide with an
inquiry's), and a repeat gets the first response back (``Idempotent-Replayed: true``), a different
request with the same key 422. Settlements: read by the settlement office and by the provider each
is for, per period (``?month=yyyy-mm``). Everything goes through the same services as the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.security import BoundedJSONParser
from servicetorg.inquiries.api_once import respond_once

from . import access, visits
from . import settlement as settlements
from .models import Decision, Provider, Settlement, SettlementLine, Visit, VisitSource
from .visit_forms import MonthField

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A repeated POST with the same key returns the first response; no second visit.",
)
KEY_PREFIX = "choice.visit:"


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = [
            "id",
            "provider",
            "decision",
            "starts_at",
            "ends_at",
            "band",
            "minutes",
            "staff_pseudonym",
            "external_id",
            "source",
            "state",
            "attested_at",
            "attested_by",
            "deviation_approved",
        ]
        read_only_fields = fields


class VisitInSerializer(serializers.Serializer):
    provider = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="Needed only by one who works for several.",
    )
    decision = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    staff_pseudonym = serializers.CharField(max_length=40)
    external_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class VisitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The visits of the providers the user works for (none else exist for her)."""

    serializer_class = VisitSerializer

    def get_parsers(self):
        if getattr(self, "action", None) == "create":
            return [BoundedJSONParser()]
        return super().get_parsers()

    def get_renderers(self):
        if getattr(self, "action", None) == "create":
            return [JSONRenderer()]
        return super().get_renderers()

    def _providers(self) -> set[int]:
        ids = access.all_provider_ids(self.request.user)
        if not ids:
            raise PermissionDenied
        return ids

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Visit.objects.none()
        return Visit.objects.filter(provider_id__in=self._providers()).order_by("-starts_at", "-pk")

    @extend_schema(
        request=VisitInSerializer, responses={201: VisitSerializer}, parameters=[IDEMPOTENCY_HEADER]
    )
    def create(self, request, *args, **kwargs):
        mine = self._providers()
        return respond_once(
            request,
            prefix=KEY_PREFIX,
            work=lambda: self._create(request, mine),
            required=False,
            bind_path=False,
        )

    def _create(self, request, mine: set[int]) -> Response:
        body = VisitInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        provider_id = data.pop("provider", None)
        if provider_id is None:
            if len(mine) > 1:
                raise ValidationError({"provider": [_("You work for several providers: name the provider.")]})
            provider_id = next(iter(mine))
        provider = Provider.objects.filter(pk=provider_id, pk__in=mine).first()
        if provider is None:
            raise ValidationError({"provider": [_("Not a provider you work for.")]})
        decision = Decision.objects.filter(
            pk=data.pop("decision"), municipality_id=provider.municipality_id
        ).first()
        try:
            if decision is None:
                raise DjangoPermissionDenied
            with transaction.atomic():
                made = visits.register_visit(
                    provider=provider, decision=decision, source=VisitSource.API, user=request.user, **data
                )
        except DjangoPermissionDenied as exc:
            raise ValidationError({"decision": [_("Not one of your users.")]}) from exc
        return Response(VisitSerializer(made).data, status=status.HTTP_201_CREATED)


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = SettlementLine
        fields = [
            "decision",
            "band",
            "decided_minutes",
            "performed_minutes",
            "paid_minutes",
            "days",
            "rate",
            "amount",
            "capped",
        ]
        read_only_fields = fields


class SettlementSerializer(serializers.ModelSerializer):
    lines = LineSerializer(many=True, read_only=True)

    class Meta:
        model = Settlement
        fields = [
            "id",
            "scheme",
            "provider",
            "month",
            "state",
            "total",
            "computed_at",
            "approved_at",
            "paid_at",
            "lines",
        ]
        read_only_fields = fields


@extend_schema(parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="The period: yyyy-mm.")])
class SettlementViewSet(viewsets.ReadOnlyModelViewSet):
    """Monthly statements: the settlement office's municipalities, and the user's own provider's."""

    serializer_class = SettlementSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Settlement.objects.none()
        user = self.request.user
        if municipality_ids(user, Perm.CHOICE_SETTLE) == set() and not access.all_provider_ids(user):
            raise PermissionDenied
        qs = settlements.settlements_for(user).prefetch_related("lines").order_by("-month", "pk")
        month = self.request.query_params.get("month")
        if month:
            try:
                first = MonthField().clean(month)
            except Exception as exc:  # a form's ValidationError: the API's own
                raise ValidationError({"month": [_("Give the month as yyyy-mm.")]}) from exc
            qs = qs.filter(month=first)
        return qs
