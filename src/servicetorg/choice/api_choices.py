"""The choices API (/api/choice/choices/): choose or switch a user's provider on her behalf, the
effective date computed by the scheme's notice rule returned; the choices of one decision. For the
ordering unit (``choice.order`` on the decision's unit), every read of a decision logged.

A POST may carry an ``Idempotency-Key``: the platform's one mechanism (inquiries'
``services.idempotency``: one claim per user, client and key, the first response kept and replayed),
its keys namespaced ``choice:`` so they never meet an inquiry's.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from servicetorg.core.permissions import Perm
from servicetorg.core.security import BoundedJSONParser
from servicetorg.core.tenancy import HasStaffRole
from servicetorg.core.validators import is_digits
from servicetorg.inquiries.api_once import respond_once

from . import choices, decision_selectors
from .models import Choice, Provider, SwitchReason

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Repeating a POST with the same key returns the first response and makes no second choice.",
)
KEY_PREFIX = "choice:"


class ChooseSerializer(serializers.Serializer):
    decision = serializers.IntegerField(min_value=1, max_value=2**62)
    provider = serializers.IntegerField(min_value=1, max_value=2**62)
    next_provider = serializers.IntegerField(min_value=1, max_value=2**62, required=False, allow_null=True)
    reason = serializers.ChoiceField(
        choices=[(r.value, SwitchReason(r).label) for r in choices.USER_REASONS],
        required=False,
        allow_blank=True,
    )
    reason_text = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ChoiceSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Choice
        fields = [
            "id",
            "decision",
            "provider",
            "provider_name",
            "how",
            "state",
            "reason",
            "next_provider",
            "effective_from",
            "effective_until",
            "chosen_at",
        ]
        read_only_fields = fields


class OutcomeSerializer(serializers.Serializer):
    decision = serializers.IntegerField()
    effective_from = serializers.DateField(allow_null=True)
    choice = ChoiceSerializer(allow_null=True)
    waiting_provider = serializers.IntegerField(allow_null=True)
    waiting_position = serializers.IntegerField(allow_null=True)


class ChoiceViewSet(viewsets.GenericViewSet):
    """``GET ?decision=<id>``: the decision's choices, oldest first. ``POST``: choose or switch."""

    permission_classes = [HasStaffRole]
    scope_perm = Perm.CHOICE_ORDER
    serializer_class = ChoiceSerializer
    queryset = Choice.objects.none()
    pagination_class = None

    def get_parsers(self):
        if getattr(self, "action", None) == "create":
            return [BoundedJSONParser()]
        return super().get_parsers()

    def _decision(self, pk, where):
        try:
            return decision_selectors.read_decision(pk, where=where, user=self.request.user)
        except Http404 as exc:
            raise NotFound from exc

    @extend_schema(
        parameters=[OpenApiParameter("decision", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True)],
        responses={200: ChoiceSerializer(many=True)},
    )
    def list(self, request):
        raw = request.query_params.get("decision", "")
        if not is_digits(raw) or len(raw) > 18:
            raise ValidationError({"decision": [_("Give the decision's id.")]})
        decision = self._decision(int(raw), "api:choices")
        qs = (
            Choice.objects.filter(decision=decision)
            .select_related("provider")
            .order_by("effective_from", "pk")
        )
        return Response(ChoiceSerializer(qs, many=True).data)

    @extend_schema(
        request=ChooseSerializer, responses={201: OutcomeSerializer}, parameters=[IDEMPOTENCY_HEADER]
    )
    def create(self, request):
        return respond_once(
            request, prefix=KEY_PREFIX, work=lambda: self._create(request), required=False, bind_path=False
        )

    def _create(self, request):
        body = ChooseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        decision = self._decision(data["decision"], "api:choose")
        providers = Provider.objects.filter(municipality_id=decision.municipality_id)
        provider = providers.filter(pk=data["provider"]).first()
        if provider is None:
            raise ValidationError({"provider": [_("This provider is not approved in the scheme.")]})
        next_provider = None
        if data.get("next_provider"):
            next_provider = providers.filter(pk=data["next_provider"]).first()
            if next_provider is None:
                raise ValidationError(
                    {"next_provider": [_("The next choice must be another approved provider.")]}
                )
        try:
            outcome = choices.choose(
                decision,
                provider,
                user=request.user,
                reason=data.get("reason") or "",
                reason_text=data.get("reason_text") or "",
                next_provider=next_provider,
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            raise ValidationError(detail) from exc
        result = {
            "decision": decision.pk,
            "effective_from": outcome.effective_from,
            "choice": ChoiceSerializer(outcome.choice).data if outcome.choice else None,
            "waiting_provider": outcome.waiting.provider_id if outcome.waiting else None,
            "waiting_position": outcome.position,
        }
        return Response(result, status=status.HTTP_201_CREATED)
