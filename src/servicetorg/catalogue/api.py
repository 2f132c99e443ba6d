"""REST API of the catalogue (staff). Serializers validate; services.py changes; tenancy scopes."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from servicetorg.core.choices import Channel
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.permissions import Perm, can
from servicetorg.core.tenancy import HasStaffRole, scope

from . import selectors, services
from .models import Promise, Service, ServiceArea, ServiceDescription, VersionState
from .permissions import can_edit_service, editable_municipality_ids


class PromiseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Promise
        fields = ["kind", "limit_value", "limit_unit", "text", "guarantee", "compensation_amount"]


class DescriptionSerializer(serializers.ModelSerializer):
    promises = PromiseSerializer(many=True, required=False)

    class Meta:
        model = ServiceDescription
        fields = ["version", "state", "published_at", *services.DESCRIPTION_FIELDS, "promises"]
        read_only_fields = ["version", "state", "published_at"]


class ServiceAreaSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = ServiceArea
        fields = ["id", "municipality", "slug", "name", "name_en", "position"]


class ServiceSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="number", read_only=True)
    area = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    published = DescriptionSerializer(source="published_version", read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "municipality",
            "slug",
            "area",
            "responsible_unit",
            "ladder_level",
            "channels",
            "requires_national_id",
            "asks_location",
            "sensitive",
            "search_words",
            "search_words_en",
            "state",
            "review_due",
            "name",
            "summary",
            "published",
        ]
        read_only_fields = fields


class ServiceWriteSerializer(serializers.Serializer):
    """Create a service (with its first draft) or change its settings."""

    municipality = serializers.SlugRelatedField(slug_field="number", queryset=Municipality.objects.all())
    area = serializers.CharField(max_length=80, help_text="Slug of a service area of the municipality.")
    slug = serializers.SlugField(max_length=100)
    responsible_unit = serializers.IntegerField(required=False, allow_null=True)
    ladder_level = serializers.IntegerField(min_value=1, max_value=6, default=2)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), default=list)
    requires_national_id = serializers.BooleanField(default=False)
    asks_location = serializers.BooleanField(default=False)
    sensitive = serializers.BooleanField(default=False)
    review_due = serializers.DateField(required=False, allow_null=True)
    search_words = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Comma-separated search words (bokmål)."
    )
    search_words_en = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Comma-separated search words in English.",
    )
    description = DescriptionSerializer(required=False)

    def validate(self, attrs):
        municipality = attrs.get("municipality") or self.context["service"].municipality
        area = ServiceArea.objects.filter(municipality=municipality, slug=attrs.get("area")).first()
        if attrs.get("area") is not None and area is None:
            raise serializers.ValidationError({"area": _("Unknown service area in this municipality.")})
        attrs["area"] = area
        unit_id = attrs.get("responsible_unit")
        if unit_id is not None:
            unit = Unit.objects.filter(municipality=municipality, pk=unit_id).first()
            if unit is None:
                raise serializers.ValidationError(
                    {"responsible_unit": _("Unknown unit in this municipality.")}
                )
            attrs["responsible_unit"] = unit
        return attrs


class SearchParamsSerializer(serializers.Serializer):
    municipality = serializers.SlugRelatedField(slug_field="number", queryset=Municipality.objects.all())
    q = serializers.CharField(max_length=200, help_text="What the citizen typed.")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class SearchResultSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Service
        fields = ["id", "slug", "name", "summary", "area", "search_words", "search_words_en"]
        read_only_fields = fields


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Services of the municipalities the user works in."""

    permission_classes = [HasStaffRole]
    scope_perm = Perm.CATALOGUE_READ
    serializer_class = ServiceSerializer
    filterset_fields = ["state", "ladder_level", "area__slug", "responsible_unit"]

    def get_queryset(self):
        qs = Service.objects.select_related("municipality", "area", "published_version").prefetch_related(
            "published_version__promises"
        )
        return scope(qs, self.request.user, Perm.CATALOGUE_READ).order_by("pk")

    @extend_schema(parameters=[SearchParamsSerializer], responses={200: SearchResultSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def search(self, request):
        """The portal's search: a municipality's published services matching ``q``, best first."""
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        municipality = params.validated_data["municipality"]
        if not can(request.user, Perm.CATALOGUE_READ, municipality.pk, unit_bound=False):
            raise PermissionDenied
        found = selectors.search_published(
            municipality, params.validated_data["q"], limit=params.validated_data["limit"]
        )
        return Response(SearchResultSerializer(found, many=True).data)

    def _check_edit(self, service):
        if not can_edit_service(self.request.user, service):
            raise PermissionDenied

    @extend_schema(request=ServiceWriteSerializer, responses={201: ServiceSerializer})
    def create(self, request):
        write = ServiceWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        municipality = data.pop("municipality")
        editable = editable_municipality_ids(request.user)
        if editable is not None and municipality.pk not in editable:
            raise PermissionDenied
        description = data.pop("description", None)
        if not description:
            raise serializers.ValidationError({"description": _("A new service needs a description.")})
        promises = description.pop("promises", [])
        # A domain ValidationError becomes a field-level 400 in core.api.exception_handler.
        service = services.create_service(
            municipality=municipality, description=description, promises=promises, user=request.user, **data
        )
        return Response(ServiceSerializer(service).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DescriptionSerializer, responses={200: DescriptionSerializer})
    @action(detail=True, methods=["put"])
    def draft(self, request, pk=None):
        """Write the service's draft (created from the newest version when there is none)."""
        service = self.get_object()
        self._check_edit(service)
        incoming = DescriptionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        promises = data.pop("promises", None)
        draft = services.ensure_draft(service, user=request.user)
        services.save_draft(draft, description=data, promises=promises, user=request.user)
        return Response(DescriptionSerializer(draft).data)

    @extend_schema(request=None, responses={200: ServiceSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        service = self.get_object()
        self._check_edit(service)
        draft = service.versions.filter(state=VersionState.DRAFT).first()
        if draft is None:
            raise serializers.ValidationError({"detail": _("There is no draft to publish.")})
        services.publish(draft, user=request.user)
        service.refresh_from_db()
        return Response(ServiceSerializer(service).data)

    @extend_schema(request=None, responses={200: ServiceSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        service = self.get_object()
        self._check_edit(service)
        services.withdraw(service, user=request.user)
        service.refresh_from_db()
        return Response(ServiceSerializer(service).data)


class ServiceAreaViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasStaffRole]
    scope_perm = Perm.CATALOGUE_READ
    serializer_class = ServiceAreaSerializer

    def get_queryset(self):
        return scope(
            ServiceArea.objects.select_related("municipality"), self.request.user, Perm.CATALOGUE_READ
        ).order_by("pk")
