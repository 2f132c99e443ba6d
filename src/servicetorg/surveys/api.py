"""REST API of surveys (staff): questionnaires, results, correlations, crosstabs and CSV import.

Read access for every staff role of the survey's municipality; import for editors. Results apply
the same anonymity threshold as the pages.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from servicetorg.core.permissions import Perm
from servicetorg.core.tenancy import HasStaffRole, scope
from servicetorg.core.validators import validate_upload_size

from . import permissions, selectors, services
from .models import Option, Question, Survey


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["value", "label", "excluded"]


class QuestionSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, read_only=True)
    section = serializers.CharField(source="section.title", default=None, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "code",
            "section",
            "text",
            "kind",
            "background",
            "required",
            "min_value",
            "max_value",
            "options",
        ]


class SurveySerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "municipality",
            "title",
            "kind",
            "service",
            "unit",
            "access",
            "state",
            "opens_on",
            "closes_on",
            "previous_round",
            "anonymity_threshold",
            "public_id",
        ]
        read_only_fields = fields


class SurveyDetailSerializer(SurveySerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "introduction", "questions"]
        read_only_fields = fields


def _float(value):
    return None if value is None else float(value)


def _summary(s):
    if s is None or s.mean is None:
        return None
    return {"n": s.n, "mean": s.mean, "sd": s.sd, "ci95_low": s.ci_low, "ci95_high": s.ci_high}


def _result(r: selectors.QuestionResult) -> dict:
    data = {
        "code": r.question.code,
        "text": r.question.text,
        "kind": r.question.kind,
        "respondents": r.respondents,
    }
    if r.suppressed:
        data["suppressed"] = True
        return data
    if r.table:
        data["frequencies"] = [
            {
                "value": row.key,
                "label": row.label,
                "count": row.count,
                "percent": _float(row.percent),
                "excluded": row.excluded,
                "hidden": row.suppressed,
            }
            for row in r.table.rows
        ]
        data["valid"] = r.table.valid
        data["excluded"] = r.table.excluded
        data["sum_percent"] = _float(r.table.sum_percent)
    if r.summary:
        data["summary"] = _summary(r.summary)
    return data


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(validators=[validate_upload_size])
    skip_bad_rows = serializers.BooleanField(default=False)


class SurveyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasStaffRole]
    scope_perm = Perm.SURVEY_READ
    filterset_fields = ["state", "kind", "access"]

    def get_queryset(self):
        qs = scope(
            Survey.objects.select_related("municipality"), self.request.user, Perm.SURVEY_READ
        ).order_by("-opens_on", "id")
        if self.action == "retrieve":
            qs = qs.prefetch_related("questions__options", "questions__section")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return SurveyDetailSerializer
        if self.action == "import_csv":
            return ImportSerializer
        return SurveySerializer

    @extend_schema(
        responses=inline_serializer(
            "SurveyResults",
            {
                "responses": serializers.IntegerField(),
                "waiting": serializers.IntegerField(),
                "suppressed": serializers.BooleanField(),
                "questions": serializers.ListField(),
            },
        )
    )
    @action(detail=True)
    def results(self, request, pk=None):
        survey = self.get_object()
        result = selectors.survey_results(survey)
        return Response(
            {
                "responses": result.responses,
                "waiting": result.waiting,
                "suppressed": result.suppressed,
                "anonymity_threshold": survey.anonymity_threshold,
                "questions": [] if result.suppressed else [_result(r) for r in result.questions],
            }
        )

    @extend_schema(
        responses=inline_serializer(
            "SurveyCorrelations",
            {"pairs": serializers.ListField()},
        )
    )
    @action(detail=True)
    def correlations(self, request, pk=None):
        survey = self.get_object()
        questions, matrix = selectors.correlations(survey)
        pairs = []
        for i, a in enumerate(questions):
            for b in questions[i + 1 :]:
                c = matrix.get((a.pk, b.pk))
                if c is not None:
                    pairs.append({"x": a.code, "y": b.code, "n": c.n, "r": c.r, "p_value": c.p_value})
        return Response({"pairs": pairs})

    @extend_schema(
        parameters=[
            OpenApiParameter("question", str, description="Code of the question"),
            OpenApiParameter("by", str, description="Code of the background question"),
        ],
        responses=inline_serializer("SurveyCrosstab", {"rows": serializers.ListField()}),
    )
    @action(detail=True)
    def crosstab(self, request, pk=None):
        survey = self.get_object()
        if not permissions.can_break_down(request.user, survey):
            raise PermissionDenied
        codes = {q.code: q for q in services.questions_of(survey)}
        question = codes.get(request.query_params.get("question", ""))
        by = codes.get(request.query_params.get("by", ""))
        errors = {}
        if question is None or not question.is_choice:
            errors["question"] = [
                "Ukjent spørsmål med svaralternativer. / Unknown question with alternatives."
            ]
        if by is None or not by.is_choice:
            errors["by"] = ["Ukjent bakgrunnsspørsmål. / Unknown background question."]
        if errors:
            raise DRFValidationError(errors)
        table = selectors.crosstab(question, by)
        return Response(
            {
                "columns": table.column_labels,
                "rows": [
                    {
                        "label": label,
                        "counts": [c for c, _p in cells],
                        "percent": [_float(p) for _c, p in cells],
                    }
                    for label, cells in table.rows_for_display
                ],
                "column_totals": table.column_totals,
                "hidden_cells": table.hidden_cells,
                "suppressed": table.suppressed,
                "chi2": table.chi2,
                "p_value": table.p_value,
            }
        )

    @extend_schema(
        request={"multipart/form-data": ImportSerializer},
        responses=inline_serializer(
            "SurveyImportReport", {"imported": serializers.IntegerField(), "errors": serializers.ListField()}
        ),
    )
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_csv(self, request, pk=None):
        survey = self.get_object()
        if not permissions.can_edit(request.user, survey):
            raise PermissionDenied
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = services.import_responses_csv(
                survey,
                serializer.validated_data["file"].read(),
                skip_bad_rows=serializer.validated_data["skip_bad_rows"],
                user=request.user,
            )
        except ValidationError as error:  # pragma: no cover - services report rows, not raise
            raise DRFValidationError(error.messages) from error
        body = {
            "imported": report.imported,
            "errors": [{"line": line, "message": m} for line, m in report.errors],
        }
        return Response(body, status=200 if report.ok or report.imported else 400)
