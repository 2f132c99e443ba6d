"""REST API (DRF): inquiries with idempotent intake, actions, and the dashboard figures."""

import hashlib
import json
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils import json as drf_json
from rest_framework.views import APIView

from servicetorg.catalogue.models import Service
from servicetorg.core.api import CopiedFieldsMixin
from servicetorg.core.choices import Channel
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.permissions import Perm, can, municipality_ids
from servicetorg.core.security import BoundedJSONParser
from servicetorg.core.tenancy import HasStaffRole

from . import deadlines, permissions, selectors, services
from .authentication import ApiKeyAuthentication
from .models import ApiClient, Attachment, Handling, Inquiry

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Repeating a POST with the same key returns the first response and creates no new inquiry.",
)


class InquirySerializer(CopiedFieldsMixin, serializers.ModelSerializer):
    """Read-only. Its fields are built from the model once per process, not for every instance."""

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "reference",
            "municipality",
            "channel",
            "service",
            "subject",
            "latitude",
            "longitude",
            "address",
            "state",
            "handling",
            "unit",
            "contact_person",
            "assigned_to",
            "received_at",
            "first_deadline",
            "reply_deadline",
            "deadline_source",
            "preliminary_reply_at",
            "replied_at",
            "closed_at",
            "breached",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    """An attachment's metadata (the file itself: the staff download page, for a logged-in user)."""

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "source", "media_url", "created_at"]
        read_only_fields = fields


class InquiryDetailSerializer(InquirySerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(InquirySerializer.Meta):
        fields = [*InquirySerializer.Meta.fields, "attachments"]
        read_only_fields = fields


class IntakeSerializer(CopiedFieldsMixin, serializers.Serializer):
    # Ids, read by the validate_* methods after the tenant check (other tenants' ids are refused
    # without a query): the municipality with its channel rules (already read with an API key, else
    # one statement), the service with its reply promise (one query).
    municipality = serializers.IntegerField(min_value=1)
    channel = serializers.ChoiceField(choices=Channel.choices)
    service = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    contact_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    national_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=13)
    # Where it is: checked by services.clean_location (in Norway, both coordinates or neither).
    latitude = serializers.DecimalField(
        max_digits=None, decimal_places=None, required=False, allow_null=True, default=None
    )
    longitude = serializers.DecimalField(
        max_digits=None, decimal_places=None, required=False, allow_null=True, default=None
    )
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    resolve_at_desk = serializers.BooleanField(required=False, default=False)

    does_not_exist = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]

    def validate_municipality(self, pk):
        # context: the user registering, and the API client when the request came with an API key.
        # The same permission the service checks (services.register: inquiries.register).
        client = self.context.get("client")
        if not can(self.context["user"], Perm.INQUIRY_REGISTER, pk, unit_bound=False) or (
            client is not None and client.municipality_id != pk
        ):
            raise serializers.ValidationError(_("You cannot register inquiries for this municipality."))
        # An API client's municipality was read with the key, channel rules and all (authentication).
        municipality = client.municipality if client is not None else deadlines.municipality_with_rules(pk)
        if municipality is None:
            raise serializers.ValidationError(self.does_not_exist.format(pk_value=pk))
        return municipality

    def validate_service(self, pk):
        if pk is None:
            return None
        service = deadlines.with_reply_promise(Service.objects.all()).filter(pk=pk).first()
        if service is None:
            raise serializers.ValidationError(self.does_not_exist.format(pk_value=pk))
        return service


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10000)


class RouteSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    handling = serializers.ChoiceField(choices=[Handling.PARTLY_HANDLED, Handling.FORWARDED])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


def _request_hash(data) -> str:
    canonical = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


_representation = None


def represent(inquiry) -> dict:
    """InquirySerializer(inquiry).data without building a serializer per request (read-only fields,
    no state per call: one shared instance is safe across threads)."""
    global _representation  # noqa: PLW0603
    if _representation is None:
        _representation = InquirySerializer()
        _representation.fields  # noqa: B018 (build the fields once)
    return _representation.to_representation(inquiry)


_json = JSONRenderer()
# A JSON escape of a C0 control character other than tab, LF and CR, or of a UTF-16 surrogate (a lone
# one cannot be stored): the direct path leaves such a body to the viewset's parser, which refuses it
# precisely (the escape of a pair of surrogates, a valid emoji, goes that way too).
UNSAFE_JSON_ESCAPE = re.compile(rb"\\u(?:00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])|[dD][89a-fA-F])")


@sensitive_variables("body", "data", "intake", "fields")
def direct_intake(request) -> HttpResponse | None:
    """The intake API's common case without the request cycle of Django and DRF (about a fifth of
    the request's cost): a system with an API key posts JSON for a new inquiry. Called by
    :class:`~servicetorg.inquiries.middleware.DirectIntakeMiddleware`.

    Every other case answers None, and the viewset answers it: errors of any kind, a repeated
    Idempotency-Key, session or basic authentication, form data, resolving at the desk. Nothing has
    been written then. What this path does answer is what the viewset would answer: the same
    authentication, validation (IntakeSerializer), domain checks (services.prepare) and response
    (represent); the key claim, the inquiry and its counts are written in one statement.
    """
    if request.content_type != "application/json" or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    if request.content_params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
        return None
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        key = key.strip()
        if not key or len(key) > 255:
            return None
    try:
        found = ApiKeyAuthentication().authenticate(request)
        body = request.body
        if UNSAFE_JSON_ESCAPE.search(body):  # control characters or lone surrogates: the viewset says so
            return None
        data = drf_json.loads(body.decode(), parse_constant=drf_json.strict_constant)
    except (AuthenticationFailed, ValueError, RecursionError):  # not UTF-8, not JSON, nested too deep
        return None
    if found is None or not isinstance(data, dict) or data.get("resolve_at_desk", False) is not False:
        return None
    user, client = found
    intake = IntakeSerializer(data=data, context={"user": user, "client": client})
    if not intake.is_valid():
        return None
    fields = dict(intake.validated_data)
    del fields["resolve_at_desk"]
    try:
        inquiry = services.prepare(user=user, **fields).inquiry
    except (DjangoValidationError, DjangoPermissionDenied):
        return None
    body = represent(inquiry)
    claim = None
    if key is not None:
        claim = services.IdempotencyClaim(user.pk, key, _request_hash(data), body, client_scope=client.pk)
    try:
        if not services.insert(inquiry, user=user, claim=claim):
            return None  # the key is taken: the viewset answers with the kept response
    except IntegrityError:  # the rare reference collision (one statement in autocommit: nothing written)
        return None
    body["id"] = inquiry.pk
    return HttpResponse(_json.render(body), status=201, content_type="application/json")


class InquiryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Inquiries of the municipalities where the user works."""

    serializer_class = InquirySerializer
    permission_classes = [HasStaffRole]
    scope_perm = Perm.INQUIRY_READ  # council members: the dashboard only
    filterset_fields = ["state", "channel", "handling", "unit", "service", "breached"]

    def get_renderers(self):
        if self.action == "create":  # machine clients: JSON only, no browsable API on the hot path
            return [JSONRenderer()]
        return super().get_renderers()

    def get_parsers(self):
        if getattr(self, "action", None) == "create":
            return [BoundedJSONParser(), FormParser()]
        return super().get_parsers()

    def get_queryset(self):
        queryset = permissions.visible(Inquiry.objects.all(), self.request.user).order_by(
            "-received_at", "-pk"
        )
        if getattr(self, "action", None) == "retrieve":
            queryset = queryset.prefetch_related("attachments")
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return IntakeSerializer
        if self.action in ("reply",):
            return TextSerializer
        if self.action == "route":
            return RouteSerializer
        if self.action == "retrieve":
            return InquiryDetailSerializer
        return InquirySerializer

    @extend_schema(
        request=IntakeSerializer, responses={201: InquirySerializer}, parameters=[IDEMPOTENCY_HEADER]
    )
    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return self._create(request)
        key = key.strip()
        if not key or len(key) > 255:
            raise ValidationError({"Idempotency-Key": [_("Give a key of 1 to 255 characters.")]})
        digest = _request_hash(request.data)
        client_scope = request.auth.pk if isinstance(request.auth, ApiClient) else 0
        with transaction.atomic():
            mine = {"user_id": request.user.pk, "client_scope": client_scope, "key": key}
            record_id = services.idempotency.claim(**mine, request_hash=digest)
            if record_id is None:
                existing = services.idempotency.kept(**mine)
                if existing.request_hash != digest:
                    return Response(
                        {"detail": _("This Idempotency-Key was used with a different request.")},
                        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                    )
                return Response(
                    existing.response, status=existing.status_code, headers={"Idempotent-Replayed": "true"}
                )
            response = self._create(
                request, in_transaction=True
            )  # a 400 rolls back the claim too: the key stays free
            services.idempotency.keep(
                record_id,
                status_code=response.status_code,
                response=response.data,
                inquiry_id=response.data["id"],
            )
            return response

    @method_decorator(sensitive_variables("intake", "fields", "data"))
    def _create(self, request, in_transaction=False):
        client = request.auth if isinstance(request.auth, ApiClient) else None
        intake = IntakeSerializer(data=request.data, context={"user": request.user, "client": client})
        intake.is_valid(raise_exception=True)
        registered = services.register(
            user=request.user, savepoint=not in_transaction, **intake.validated_data
        )
        return Response(represent(registered.inquiry), status=status.HTTP_201_CREATED)

    def _writable(self):
        inquiry = self.get_object()
        if not permissions.can_work(self.request.user, inquiry):
            raise PermissionDenied
        return inquiry

    @extend_schema(request=TextSerializer, responses={200: InquirySerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        inquiry = self._writable()
        body = TextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        inquiry = services.reply(inquiry, text=body.validated_data["text"], user=request.user)
        return Response(InquirySerializer(inquiry).data)

    @extend_schema(request=RouteSerializer, responses={200: InquirySerializer})
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        inquiry = self._writable()
        body = RouteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        inquiry = services.route(inquiry, user=request.user, **body.validated_data)
        return Response(InquirySerializer(inquiry).data)


class DashboardQuerySerializer(serializers.Serializer):
    municipality = serializers.IntegerField(required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class DashboardSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    total = serializers.IntegerField()
    replied = serializers.IntegerField()
    in_time = serializers.IntegerField()
    breached = serializers.IntegerField()
    in_time_share = serializers.FloatField(allow_null=True)
    median_hours = serializers.FloatField(allow_null=True)
    p90_hours = serializers.FloatField(allow_null=True)
    by_channel = serializers.DictField(child=serializers.IntegerField())
    by_handling = serializers.DictField(child=serializers.IntegerField())
    by_week = serializers.SerializerMethodField()
    backlog_total = serializers.IntegerField()

    def get_by_week(self, board) -> list[dict]:
        return [{"week_start": w.isoformat(), "count": n} for w, n in board.by_week]


class DashboardView(APIView):
    """Dashboard figures from the rollup tables (unit leaders, administration, council)."""

    permission_classes = [HasStaffRole]
    scope_perm = Perm.INQUIRY_DASHBOARD

    @extend_schema(parameters=[DashboardQuerySerializer], responses={200: DashboardSerializer})
    def get(self, request):
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        allowed = municipality_ids(request.user, Perm.INQUIRY_DASHBOARD)
        wanted = query.validated_data.get("municipality")
        if wanted is None:
            candidates = (
                sorted(allowed)
                if allowed is not None
                else list(Municipality.objects.order_by("pk").values_list("pk", flat=True)[:1])
            )
            if not candidates:
                raise PermissionDenied
            wanted = candidates[0]
        elif allowed is not None and wanted not in allowed:
            raise PermissionDenied
        start, end = selectors.default_period()
        start = query.validated_data.get("start", start)
        end = query.validated_data.get("end", end)
        selectors.check_period(start, end)  # a Django ValidationError: the handler makes it a 400
        board = selectors.dashboard(wanted, start, end, channel=query.validated_data.get("channel", ""))
        return Response(DashboardSerializer(board).data)
