"""REST API of the service strategy (staff). Thin: serializers validate, services.py changes."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from servicetorg.core.permissions import Perm
from servicetorg.core.tenancy import HasStaffRole, scope

from . import selectors, services, workflow
from .models import FocusArea, FollowUpReport, Goal, GoalIndicator, Measure, Milestone, Strategy, Target


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = ["year", "value", "peers", "peer_statistic", "original_value", "change_reason"]


class GoalIndicatorSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = GoalIndicator
        fields = ["id", "indicator", "baseline_year", "baseline_value", "targets"]


class GoalSerializer(serializers.ModelSerializer):
    indicators = GoalIndicatorSerializer(source="goal_indicators", many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "title", "description", "kind", "perspective", "responsible_unit", "indicators"]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "reached_on"]


class MeasureSerializer(serializers.ModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)
    instrument = serializers.CharField(source="instrument.kind", default=None, read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "title",
            "description",
            "goal",
            "instrument",
            "responsible_unit",
            "start_date",
            "due_date",
            "status",
            "completed_on",
            "milestones",
        ]


class FocusAreaSerializer(serializers.ModelSerializer):
    goals = GoalSerializer(many=True, read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = FocusArea
        fields = ["id", "position", "title", "description", "goals", "measures"]


class StrategySerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="number", read_only=True)
    period = serializers.CharField(read_only=True)
    focus_areas = FocusAreaSerializer(many=True, read_only=True)

    class Meta:
        model = Strategy
        fields = [
            "id",
            "municipality",
            "period",
            "revision",
            "previous",
            "title",
            "introduction",
            "short_version",
            "revision_note",
            "state",
            "consultation_deadline",
            "adopted_on",
            "case_reference",
            "published_at",
            "focus_areas",
        ]
        read_only_fields = fields


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[workflow.START_CONSULTATION, workflow.BACK_TO_DRAFT, workflow.ADOPT, workflow.PUBLISH]
    )
    adopted_on = serializers.DateField(required=False, allow_null=True, default=None)
    case_reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    consultation_deadline = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When commenting closes (ISO 8601; needed to start the consultation).",
    )


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpReport
        fields = [
            "id",
            "strategy",
            "as_of_year",
            "final",
            "title",
            "summary",
            "short_version",
            "changes",
            "state",
            "adopted_on",
            "case_reference",
            "published_at",
        ]
        read_only_fields = fields


class StrategyViewSet(viewsets.ReadOnlyModelViewSet):
    """Strategies (every revision) of your municipalities, with focus areas, goals, targets and measures."""

    permission_classes = [HasStaffRole]
    scope_perm = Perm.STRATEGY_READ
    serializer_class = StrategySerializer
    filterset_fields = ["state", "revision"]

    def get_queryset(self):
        return selectors.strategy_tree(
            scope(Strategy.objects.all(), self.request.user, Perm.STRATEGY_READ)
        ).order_by("pk")

    @extend_schema(request=TransitionSerializer, responses={200: StrategySerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        strategy = self.get_object()
        if not services.can_edit(request.user, strategy.municipality_id):
            raise PermissionDenied
        incoming = TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        # Domain errors: core.api.exception_handler (400 by field; PermissionDenied is a 403).
        services.transition(strategy, user=request.user, **incoming.validated_data)
        return Response(StrategySerializer(self.get_queryset().get(pk=strategy.pk)).data)

    @extend_schema(request=None, responses={201: StrategySerializer})
    @action(detail=True, methods=["post"])
    def roll(self, request, pk=None):
        strategy = self.get_object()
        new = services.roll(
            strategy, user=request.user, revision_note=str(request.data.get("revision_note", ""))
        )
        return Response(StrategySerializer(self.get_queryset().get(pk=new.pk)).data, status=201)


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Follow-up reports of your municipalities; ``figures`` gives each goal's status per year."""

    permission_classes = [HasStaffRole]
    scope_perm = Perm.STRATEGY_READ
    serializer_class = ReportSerializer
    filterset_fields = ["state", "strategy"]

    def get_queryset(self):
        return scope(
            FollowUpReport.objects.defer("adopted_body", "adopted_pdf"),
            self.request.user,
            Perm.STRATEGY_READ,
            field="strategy__municipality",
        ).order_by("pk")

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        report = self.get_object()
        figures = selectors.report_figures(report, with_charts=False)
        return Response(
            {
                "as_of_year": figures.as_of_year,
                "counts": figures.counts,
                "focus_areas": [
                    {
                        "title": block.area.title,
                        "measures_done": [m.title for m in block.measures_done],
                        "measures_not_done": [m.title for m in block.measures_open],
                        "goals": [
                            {
                                "id": row.goal.pk,
                                "title": row.goal.title,
                                "status": row.status.code,
                                "explanation": row.status.explanation,
                                "note": row.note,
                                "indicators": [
                                    {
                                        "indicator": ind.indicator.code,
                                        "status": ind.current.code,
                                        "explanation": ind.current.explanation,
                                        "years": [
                                            {
                                                "year": c.year,
                                                "target": c.target,
                                                "relative": c.relative,
                                                "actual": c.actual,
                                                "status": c.status.code,
                                            }
                                            for c in ind.cells
                                        ],
                                        "peer_comparison": [
                                            {
                                                "year": p.year,
                                                "peers": p.kind,
                                                "group": p.group,
                                                "own_code": p.own_code,
                                                "own_value": p.own_value,
                                                "median": p.median,
                                                "lower_quartile": p.lower_quartile,
                                                "upper_quartile": p.upper_quartile,
                                                "n": p.n,
                                                "synthetic": p.synthetic,
                                            }
                                            for p in ind.comparisons
                                        ],
                                    }
                                    for ind in row.rows
                                ],
                            }
                            for row in block.goals
                        ],
                    }
                    for block in figures.areas
                ],
            }
        )
