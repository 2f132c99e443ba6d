"""The rounds of school choice in the API (/api/skolevalg/runder/).

- ``GET runder/``, ``GET runder/<id>/``: the rounds whose rules are published (open and after),
  with the fields anyone may read — the rules, the schools and their seats, the seed's hash once
  committed and the seed itself once the placements are published. Staff who read school choice
  (``SCHOOL_READ``) also see their municipalities' drafts. Filters: ``municipality`` (kommunenummer),
  ``school_year``, ``state``.
- ``POST runder/``: a new round, in draft (``rounds.create_round``); ``POST runder/<id>/kjoring/``:
  the main allocation (``allocate.run_main``); ``POST runder/<id>/publisering/``: publish the
  placements (``rounds.publish``). The school office (``SCHOOL_ADMINISTER``), by session or API key.
  Each POST needs an ``Idempotency-Key`` (the platform's one mechanism: inquiries'
  ``services.idempotency``, keys namespaced ``schools:``): a repeat gets the first response back
  (``Idempotent-Replayed: true``), the same key with another request 422.
- ``GET runder/<id>/forklaringer/?soknad=<id>``: why an applicant got her placement (``explain.py``),
  in the current run or ``kjoring=<run id>``; the school office only (it holds the children's data).
- ``GET runder/<id>/grenser/``: the published cutoff per school (``published.py``), public for a
  published round; a special-needs priority is never named.

A round of another municipality is 404 to staff acting on it; rules are checked by the services.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.security import BoundedJSONParser
from servicetorg.core.tenancy import HasStaffRole
from servicetorg.core.validators import is_digits, small_int
from servicetorg.inquiries.api_once import respond_once
from servicetorg.inquiries.models import ApiClient

from . import allocate, explain, published, rounds
from .models import (
    AllocationRun,
    Intake,
    Placement,
    Priority,
    Round,
    RoundSchool,
    RoundState,
    School,
    SchoolApplication,
    TieBreak,
)

KEY_PREFIX = "schools:"
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="Required. Repeating the POST with the same key returns the first response and does "
    "nothing again.",
)
ID_MAX = 2**63 - 1


# --- Serializers --------------------------------------------------------------------------------


class RoundSchoolSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = RoundSchool
        fields = ["school", "name", "seats", "class_size"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.number", read_only=True)
    priority_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    priorities = serializers.ListField(child=serializers.CharField(), read_only=True)
    seed_hash = serializers.SerializerMethodField()
    seed = serializers.SerializerMethodField()
    schools = RoundSchoolSerializer(many=True, read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "municipality",
            "name",
            "school_year",
            "intake",
            "grade",
            "opens_on",
            "closes_on",
            "answer_within_days",
            "wishes",
            "priorities",
            "priority_labels",
            "tie_break",
            "guarantee",
            "state",
            "seed_hash",
            "seed",
            "published_at",
            "schools",
        ]
        read_only_fields = fields

    def get_seed_hash(self, round_) -> str | None:
        """SHA-256 of the lottery seed, from when applications closed."""
        return round_.seed_hash or None

    def get_seed(self, round_) -> str | None:
        """The lottery seed itself, revealed when the placements are published."""
        return round_.seed if rounds.seed_is_public(round_) and round_.seed else None


class SeatInSerializer(serializers.Serializer):
    school = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    seats = serializers.IntegerField(min_value=0, max_value=2000)
    class_size = serializers.IntegerField(min_value=1, max_value=40, required=False)


PRIORITY_CHOICES = [(p.value, p.label) for p in Priority if p != Priority.OTHER]


class RoundInSerializer(serializers.Serializer):
    municipality = serializers.CharField(
        max_length=4,
        required=False,
        help_text="Kommunenummer; needed only by one who administers school choice in several.",
    )
    name = serializers.CharField(max_length=200)
    school_year = serializers.IntegerField(min_value=2000, max_value=2100)
    intake = serializers.ChoiceField(choices=Intake.choices, default=Intake.FIRST_GRADE)
    grade = serializers.IntegerField(min_value=1, max_value=10, default=1)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    answer_within_days = serializers.IntegerField(min_value=1, max_value=60, default=14)
    wishes = serializers.IntegerField(min_value=1, max_value=10, default=3)
    priorities = serializers.ListField(
        child=serializers.ChoiceField(choices=PRIORITY_CHOICES), max_length=3, default=list
    )
    tie_break = serializers.ChoiceField(choices=TieBreak.choices, default=TieBreak.SINGLE)
    guarantee = serializers.BooleanField(default=True)
    seats = SeatInSerializer(many=True, required=False, max_length=300)


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = AllocationRun
        fields = [
            "id",
            "round",
            "kind",
            "label",
            "current",
            "seed_hash",
            "input_hash",
            "certificate",
            "milliseconds",
            "created_at",
        ]
        read_only_fields = fields


class PublishedSerializer(serializers.Serializer):
    round = RoundSerializer()
    told = serializers.IntegerField(help_text="Applications whose guardians were sent a message.")


class PlacementOutSerializer(serializers.Serializer):
    school = serializers.IntegerField(source="school_id", allow_null=True)
    school_name = serializers.SerializerMethodField()
    wish_rank = serializers.IntegerField(allow_null=True, help_text="0: the guaranteed catchment school.")
    guaranteed = serializers.BooleanField()
    lottery = serializers.IntegerField()
    state = serializers.CharField()

    def get_school_name(self, placement) -> str | None:
        return placement.school.name if placement.school_id else None


class WishOutSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    school = serializers.IntegerField(source="school.pk")
    school_name = serializers.CharField(source="school.name")
    full = serializers.BooleanField()
    last_group = serializers.CharField(allow_null=True)
    last_lottery = serializers.IntegerField(allow_null=True)
    her_group = serializers.CharField()
    her_lottery = serializers.IntegerField()
    text = serializers.SerializerMethodField()

    def get_text(self, item) -> str:
        return item.text()


class ExplanationSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    run = serializers.IntegerField()
    placement = PlacementOutSerializer(allow_null=True)
    wishes = WishOutSerializer(many=True)
    transport = serializers.CharField(allow_null=True)


class CutoffSerializer(serializers.Serializer):
    school = serializers.IntegerField(source="school_id")
    school_name = serializers.CharField()
    seats = serializers.IntegerField()
    placed = serializers.IntegerField()
    first_wishes = serializers.IntegerField()
    full = serializers.BooleanField()
    last_group = serializers.CharField(allow_null=True)
    last_group_label = serializers.CharField()
    last_lottery = serializers.IntegerField(allow_null=True)


class CutoffsSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    run = serializers.IntegerField(allow_null=True)
    cutoffs = CutoffSerializer(many=True)


# --- The view set -------------------------------------------------------------------------------


def _positive_id(raw: str | None, field: str, *, path: bool = False) -> int:
    """A query parameter's (or, ``path``, the address's) id: a bad one is 400 (404 in the path)."""
    value = small_int(raw)
    if not value:
        if path:
            raise NotFound
        raise ValidationError({field: [_("Give a whole number above 0.")]})
    return value


LIST_FILTERS = [
    OpenApiParameter("municipality", OpenApiTypes.STR, description="Kommunenummer, e.g. 3999."),
    OpenApiParameter("school_year", OpenApiTypes.INT, description="The autumn the school year starts."),
    OpenApiParameter("state", OpenApiTypes.STR, enum=RoundState.values),
]


@extend_schema_view(list=extend_schema(parameters=LIST_FILTERS))
class RoundViewSet(viewsets.GenericViewSet):
    serializer_class = RoundSerializer
    filter_backends: list = []

    STAFF_ACTIONS = ("create", "run", "publish", "explanations")

    def get_permissions(self):
        if getattr(self, "action", None) in self.STAFF_ACTIONS:
            return [HasStaffRole()]
        return [AllowAny()]

    @property
    def scope_perm(self):  # read by HasStaffRole
        return Perm.SCHOOL_ADMINISTER

    def get_parsers(self):
        if getattr(self, "action", None) in ("create", "run", "publish"):
            return [BoundedJSONParser()]
        return super().get_parsers()

    def get_renderers(self):
        if getattr(self, "action", None) in ("create", "run", "publish"):
            return [JSONRenderer()]
        return super().get_renderers()

    # Reading -----------------------------------------------------------------------------------

    def _readable(self):
        """Rounds whose rules are published, and the drafts of the reader's municipalities."""
        visible = ~Q(state=RoundState.DRAFT)
        user = self.request.user
        if user.is_authenticated:
            ids = municipality_ids(user, Perm.SCHOOL_READ)
            visible |= Q() if ids is None else Q(municipality_id__in=sorted(ids))
        return Round.objects.filter(visible)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Round.objects.none()
        qs = self._readable()
        params = self.request.query_params
        number = (params.get("municipality") or "").strip()
        if number:
            qs = qs.filter(municipality__number=number[:4])
        year = (params.get("school_year") or "").strip()
        if year:
            if not is_digits(year) or len(year) > 4:
                raise ValidationError({"school_year": [_("Give a year, e.g. 2027.")]})
            qs = qs.filter(school_year=int(year))
        state = (params.get("state") or "").strip()
        if state:
            if state not in RoundState.values:
                raise ValidationError({"state": [_("Not a state of a round.")]})
            qs = qs.filter(state=state)
        return (
            qs.select_related("municipality")
            .prefetch_related(Prefetch("schools", queryset=RoundSchool.objects.select_related("school")))
            .order_by("-school_year", "grade", "name", "pk")
        )

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RoundSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        round_ = get_object_or_404(self.get_queryset(), pk=_positive_id(pk, "id", path=True))
        return Response(RoundSerializer(round_).data)

    @extend_schema(responses={200: CutoffsSerializer})
    @action(detail=True, methods=["get"], url_path="grenser", url_name="cutoffs")
    def cutoffs(self, request, pk=None):
        """The published cutoff per school (a published or finished round)."""
        qs = Round.objects.filter(pk=_positive_id(pk, "id", path=True), state__in=published.PUBLIC_STATES)
        round_ = qs.first()
        if round_ is None:
            raise NotFound(_("No published round has this id."))
        rows = published.public_cutoffs(qs)
        return Response(
            {
                "round": round_.pk,
                "run": rows[0].run_id if rows else None,
                "cutoffs": CutoffSerializer(rows, many=True).data,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("soknad", OpenApiTypes.INT, required=True, description="The application's id."),
            OpenApiParameter(
                "kjoring", OpenApiTypes.INT, description="A run of the round (default: the current)."
            ),
        ],
        responses={200: ExplanationSerializer},
    )
    @action(detail=True, methods=["get"], url_path="forklaringer", url_name="explanations")
    def explanations(self, request, pk=None):
        """Why the applicant got her placement: per wish above it, the school's last seat and hers."""
        round_ = self._staff_round(pk)
        allocate.check_access(request.user, round_, Perm.SCHOOL_ADMINISTER)
        application_id = _positive_id(request.query_params.get("soknad"), "soknad")
        application = SchoolApplication.objects.filter(round=round_, pk=application_id).first()
        if application is None:
            raise NotFound(_("The round has no application with this id."))
        runs = AllocationRun.objects.filter(round=round_)
        raw_run = request.query_params.get("kjoring")
        run = (
            runs.filter(pk=_positive_id(raw_run, "kjoring")).first()
            if raw_run
            else runs.filter(current=True).first()
        )
        if run is None:
            raise NotFound(_("The round has no such run."))
        placement = (
            Placement.objects.filter(run=run, application=application).select_related("school").first()
        )
        items = explain.explain(application, run, placement=placement) if placement else []
        note = None
        if placement is not None:
            placement.application = application
            found = explain.transport(placement, round_)
            note = found.text() if found else None
        return Response(
            {
                "application": application.pk,
                "run": run.pk,
                "placement": PlacementOutSerializer(placement).data if placement else None,
                "wishes": WishOutSerializer(items, many=True).data,
                "transport": note,
            }
        )

    # Changing ----------------------------------------------------------------------------------

    def _staff_round(self, pk) -> Round:
        """The round, among those of the municipalities where the user reads school choice (404
        otherwise, whatever its state)."""
        ids = municipality_ids(self.request.user, Perm.SCHOOL_READ)
        qs = Round.objects.all() if ids is None else Round.objects.filter(municipality_id__in=sorted(ids))
        round_ = qs.filter(pk=_positive_id(pk, "id", path=True)).first()
        if round_ is None:
            raise NotFound
        return round_

    def _idempotent(self, request, work):
        return respond_once(request, prefix=KEY_PREFIX, work=work, required=True)

    def _municipality(self, number: str | None) -> Municipality:
        ids = municipality_ids(self.request.user, Perm.SCHOOL_ADMINISTER)
        allowed = (
            Municipality.objects.all() if ids is None else Municipality.objects.filter(pk__in=sorted(ids))
        )
        if number:
            found = allowed.filter(number=number.strip()).first()
            if found is None:
                raise ValidationError({"municipality": [_("You do not administer school choice there.")]})
            return found
        if isinstance(self.request.auth, ApiClient):
            found = allowed.filter(pk=self.request.auth.municipality_id).first()
            if found is not None:
                return found
        candidates = list(allowed[:2])
        if len(candidates) != 1:
            raise ValidationError({"municipality": [_("Give the municipality's number (kommunenummer).")]})
        return candidates[0]

    @extend_schema(
        request=RoundInSerializer, responses={201: RoundSerializer}, parameters=[IDEMPOTENCY_HEADER]
    )
    def create(self, request):
        """A new round, in draft, with its schools' seats."""
        return self._idempotent(request, lambda: self._create(request))

    def _create(self, request):
        body = RoundInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        municipality = self._municipality(data.pop("municipality", None))
        seat_rows = data.pop("seats", None) or []
        schools = School.objects.in_bulk([row["school"] for row in seat_rows])
        seats = {}
        errors = []
        for row in seat_rows:
            school = schools.get(row["school"])
            if school is None or school.municipality_id != municipality.pk:
                errors.append(_("No school of the municipality has the id %(id)s.") % {"id": row["school"]})
                continue
            if school in seats:
                errors.append(_("%(school)s is given twice.") % {"school": school.name})
                continue
            seats[school] = (row["seats"], row.get("class_size"))
        if errors:
            raise ValidationError({"seats": errors})
        round_ = rounds.create_round(municipality=municipality, user=request.user, seats=seats, **data)
        round_ = self.get_queryset().get(pk=round_.pk)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: RunSerializer}, parameters=[IDEMPOTENCY_HEADER])
    @action(detail=True, methods=["post"], url_path="kjoring", url_name="run")
    def run(self, request, pk=None):
        """Run the main allocation (a closed round, or an allocated one before publishing): the same
        seed gives the same placements. Returns the run with its certificate."""
        round_ = self._staff_round(pk)

        def work():
            run = allocate.run_main(round_, user=request.user)
            return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)

        return self._idempotent(request, work)

    @extend_schema(request=None, responses={200: PublishedSerializer}, parameters=[IDEMPOTENCY_HEADER])
    @action(detail=True, methods=["post"], url_path="publisering", url_name="publish")
    def publish(self, request, pk=None):
        """Publish the current run's placements: the families see them on Min side and are told; the
        lottery seed is revealed."""
        round_ = self._staff_round(pk)

        def work():
            told = rounds.publish(round_, user=request.user)
            fresh = self.get_queryset().get(pk=round_.pk)
            return Response({"round": RoundSerializer(fresh).data, "told": told})

        return self._idempotent(request, work)
