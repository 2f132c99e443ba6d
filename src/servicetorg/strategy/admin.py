"""Admin: content of an adopted strategy is read-only here too (changes only through a new revision)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ConsultationComment,
    ElectionPeriod,
    FocusArea,
    FollowUpReport,
    Goal,
    GoalIndicator,
    GoalNote,
    Instrument,
    Measure,
    Milestone,
    ReportState,
    StatusSection,
    Strategy,
    Target,
)


def _editable(strategy) -> bool:
    return strategy is None or strategy.is_editable


class StrategyContentAdmin(SimpleHistoryAdmin):
    strategy_path: tuple[str, ...] = ()

    def strategy_of(self, obj):
        for part in self.strategy_path:
            obj = getattr(obj, part)
        return obj

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or _editable(self.strategy_of(obj))
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or _editable(self.strategy_of(obj))
        )


@admin.register(ElectionPeriod)
class ElectionPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "municipality"]
    list_filter = ["municipality"]


@admin.register(Strategy)
class StrategyAdmin(StrategyContentAdmin):
    list_display = ["title", "municipality", "period", "revision", "state", "adopted_on"]
    list_filter = ["state", "municipality"]
    readonly_fields = ["state", "adopted_on", "case_reference", "published_at", "previous", "revision"]
    search_fields = ["title"]


@admin.register(FocusArea)
class FocusAreaAdmin(StrategyContentAdmin):
    strategy_path = ("strategy",)
    list_display = ["title", "strategy", "position"]


class GoalIndicatorInline(admin.TabularInline):
    model = GoalIndicator
    extra = 0


@admin.register(Goal)
class GoalAdmin(StrategyContentAdmin):
    strategy_path = ("focus_area", "strategy")
    list_display = ["title", "focus_area", "kind", "perspective"]
    list_filter = ["kind", "perspective"]
    inlines = [GoalIndicatorInline]


@admin.register(Target)
class TargetAdmin(StrategyContentAdmin):
    strategy_path = ("goal_indicator", "goal", "focus_area", "strategy")
    list_display = ["goal_indicator", "year", "value", "original_value"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Measure)
class MeasureAdmin(StrategyContentAdmin):
    strategy_path = ("focus_area", "strategy")
    list_display = ["title", "focus_area", "responsible_unit", "due_date", "status"]
    list_filter = ["status"]
    inlines = [MilestoneInline]


@admin.register(Instrument)
class InstrumentAdmin(StrategyContentAdmin):
    strategy_path = ("strategy",)
    list_display = ["kind", "strategy"]


@admin.register(StatusSection)
class StatusSectionAdmin(StrategyContentAdmin):
    strategy_path = ("strategy",)
    list_display = ["service_area", "strategy"]


@admin.register(ConsultationComment)
class ConsultationCommentAdmin(admin.ModelAdmin):
    list_display = ["name", "strategy", "role", "moderation", "created_at"]
    list_filter = ["moderation", "role"]
    search_fields = ["name", "text"]


class GoalNoteInline(admin.TabularInline):
    model = GoalNote
    extra = 0


@admin.register(FollowUpReport)
class FollowUpReportAdmin(SimpleHistoryAdmin):
    list_display = ["title", "strategy", "as_of_year", "state"]
    list_filter = ["state"]
    readonly_fields = ["state", "adopted_on", "case_reference", "published_at"]
    inlines = [GoalNoteInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.state == ReportState.DRAFT)
