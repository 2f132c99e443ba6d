"""REST API of the indicator store (staff). Tenancy: national indicators + the user's municipalities."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from servicetorg.core.models import Municipality, Unit
from servicetorg.core.permissions import Perm, can
from servicetorg.core.tenancy import HasStaffRole, scope

from . import selectors, services
from .models import MAX_YEAR, MIN_YEAR, Indicator, IndicatorValue, Source


class IndicatorSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "municipality",
            "code",
            "name",
            "description",
            "unit_of_measure",
            "direction",
            "source",
            "aspect",
            "kostra_table",
            "kostra_code",
        ]
        read_only_fields = fields


class ValueSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="number", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = ["id", "indicator", "municipality", "unit", "year", "value", "source", "note", "updated_at"]
        read_only_fields = fields


class ValueWriteSerializer(serializers.Serializer):
    municipality = serializers.SlugRelatedField(slug_field="number", queryset=Municipality.objects.all())
    unit = serializers.CharField(
        max_length=80, required=False, allow_blank=True, help_text="Unit short name."
    )
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    value = serializers.DecimalField(max_digits=16, decimal_places=4)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.OWN)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasStaffRole]
    scope_perm = Perm.INDICATOR_READ
    serializer_class = IndicatorSerializer
    filterset_fields = ["source", "direction", "aspect", "code"]

    def get_queryset(self):
        return selectors.visible_indicators(self.request.user).order_by("pk")

    @extend_schema(
        request=ValueWriteSerializer, responses={200: ValueSerializer(many=True), 201: ValueSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def values(self, request, pk=None):
        """GET: the indicator's values in your municipalities. POST: record (upsert) one value."""
        indicator = self.get_object()
        if request.method == "GET":
            qs = scope(
                indicator.values.select_related("municipality", "unit", "indicator"),
                request.user,
                Perm.INDICATOR_READ,
            )
            page = self.paginate_queryset(qs.order_by("municipality_id", "year", "pk"))
            return self.get_paginated_response(ValueSerializer(page, many=True).data)
        write = ValueWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        municipality = data.pop("municipality")
        if not can(request.user, Perm.INDICATOR_EDIT, municipality.pk, unit_bound=False):
            raise PermissionDenied
        unit_slug = data.pop("unit", "")
        unit = None
        if unit_slug:
            unit = Unit.objects.filter(municipality=municipality, slug=unit_slug).first()
            if unit is None:
                raise serializers.ValidationError({"unit": ["Ukjent enhet. / Unknown unit."]})
        try:
            value = services.record_value(
                indicator=indicator, municipality=municipality, unit=unit, **data, user=request.user
            )
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return Response(ValueSerializer(value).data, status=status.HTTP_201_CREATED)


class ValueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """All indicator values of your municipalities (filter by indicator code, year)."""

    permission_classes = [HasStaffRole]
    scope_perm = Perm.INDICATOR_READ
    serializer_class = ValueSerializer
    filterset_fields = ["year", "indicator__code", "source"]

    def get_queryset(self):
        qs = IndicatorValue.objects.select_related("indicator", "municipality", "unit")
        return scope(qs, self.request.user, Perm.INDICATOR_READ).order_by("pk")
