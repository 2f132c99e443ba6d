from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from servicetorg.core.admin import ReadOnlyAdmin

from .models import PrivacyLog, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["municipality", "kind", "days", "updated_at"]
    list_filter = ["municipality", "kind"]


@admin.register(PrivacyLog)
class PrivacyLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "municipality", "action", "actor", "counts"]
    list_filter = ["action", "municipality"]
    date_hierarchy = "created_at"
