"""The public, read-only API of providers (/api/choice/providers/): the providers a user may choose
in the user-choice schemes in force today, filtered by municipality, service and district. Public
data (what the comparison page shows), so no log-in; never a provider's supplementary services
(they are bought directly from the provider and listed only on its profile page)."""

import re

from django.db.models import Prefetch, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from . import provider_selectors
from .models import Application, ApplicationState, Provider, Scheme, SchemeState


def schemes_in_force(day=None):
    """Schemes in force on ``day`` (today) in every municipality (as ``selectors.public_schemes``)."""
    day = day or timezone.localdate()
    return Scheme.objects.filter(
        state__in=[SchemeState.ADOPTED, SchemeState.ENDED], valid_from__lte=day
    ).exclude(valid_until__lt=day)


class SchemeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="scheme.id")
    name = serializers.CharField(source="scheme.name")
    service = serializers.CharField(source="scheme.service.slug")


class ProviderSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.number", read_only=True)
    municipal = serializers.BooleanField(source="is_municipal", read_only=True)
    languages = serializers.SerializerMethodField()
    districts = serializers.SerializerMethodField()
    users = serializers.IntegerField(source="n_users", read_only=True)
    waiting = serializers.IntegerField(source="n_waiting", read_only=True)
    takes_new_users = serializers.SerializerMethodField()
    schemes = SchemeRefSerializer(source="approved_in", many=True, read_only=True)

    class Meta:
        model = Provider
        fields = [
            "id",
            "municipality",
            "name",
            "organization_number",
            "municipal",
            "profile",
            "languages",
            "districts",
            "fixed_helper",
            "capacity_users",
            "users",
            "waiting",
            "takes_new_users",
            "email",
            "phone",
            "website",
            "schemes",
        ]
        read_only_fields = fields

    def get_languages(self, provider) -> list[str]:
        return provider_selectors.split(provider.languages)

    def get_districts(self, provider) -> list[str]:
        """Empty: the whole municipality."""
        return provider_selectors.split(provider.districts)

    def get_takes_new_users(self, provider) -> bool:
        return provider_selectors.capacity_of(provider).takes_new


FILTERS = [
    OpenApiParameter("municipality", OpenApiTypes.STR, description="Kommunenummer, e.g. 3999."),
    OpenApiParameter("service", OpenApiTypes.STR, description="The service's slug (its page's address)."),
    OpenApiParameter(
        "district",
        OpenApiTypes.STR,
        description="Providers serving this district (or the whole municipality).",
    ),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS), retrieve=extend_schema(parameters=FILTERS))
class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    """Providers a user may choose today: approved in a scheme in force (not suspended or withdrawn),
    or a scheme's default provider."""

    serializer_class = ProviderSerializer
    permission_classes = [AllowAny]
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        schemes = schemes_in_force()
        municipality = (params.get("municipality") or "").strip()[:4]
        if municipality:
            schemes = schemes.filter(municipality__number=municipality)
        service = (params.get("service") or "").strip()[:100]
        if service:
            schemes = schemes.filter(service__slug=service)
        approved = Application.objects.filter(state=ApplicationState.APPROVED, scheme__in=schemes)
        qs = Provider.objects.filter(
            Q(pk__in=approved.values("provider_id")) | Q(pk__in=schemes.values("default_provider_id"))
        )
        district = (params.get("district") or "").strip()[:100]
        if district and not district.isprintable():
            return Provider.objects.none()  # no district is named so
        if district:
            qs = qs.filter(Q(districts="") | Q(districts__iregex=rf"(^|,)\s*{re.escape(district)}\s*(,|$)"))
        return (
            provider_selectors.with_capacity(qs)
            .select_related("municipality")
            .prefetch_related(
                Prefetch(
                    "applications",
                    queryset=approved.select_related("scheme__service").order_by("scheme__name"),
                    to_attr="approved_in",
                )
            )
            .order_by("municipality__number", "name", "pk")
        )
