from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Invitation, Option, Question, Response, ResponseDraft, Section, Survey


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    raw_id_fields = ["unit", "service"]


@admin.register(Survey)
class SurveyAdmin(SimpleHistoryAdmin):
    list_display = ["title", "municipality", "kind", "access", "state", "opens_on", "closes_on"]
    list_filter = ["municipality", "kind", "access", "state"]
    search_fields = ["title"]
    raw_id_fields = ["service", "unit", "previous_round"]
    inlines = [SectionInline]
    readonly_fields = ["public_id", "template_key"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "kind", "background", "required", "survey"]
    list_filter = ["kind", "background", "survey__municipality"]
    search_fields = ["code", "text", "survey__title"]
    raw_id_fields = ["survey", "section"]
    inlines = [OptionInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Codes exist here only as hashes; they are handed out once, from the survey page."""

    list_display = ["survey", "batch", "used"]
    list_filter = ["used", "survey__municipality"]
    raw_id_fields = ["survey"]
    readonly_fields = ["code_hash"]

    def has_add_permission(self, request):
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["id", "survey", "submitted_on", "source"]
    list_filter = ["source", "survey__municipality"]
    raw_id_fields = ["survey"]
    date_hierarchy = "submitted_on"

    def has_change_permission(self, request, obj=None):
        return False  # answers are evidence: import or delete, never edit


@admin.register(ResponseDraft)
class ResponseDraftAdmin(admin.ModelAdmin):
    list_display = ["survey", "updated_at"]
    raw_id_fields = ["survey"]
    readonly_fields = ["key_hash", "data"]
