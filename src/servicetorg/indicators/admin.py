from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ImportRun, Indicator, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "municipality", "source", "direction", "unit_of_measure"]
    list_filter = ["source", "direction", "aspect", "municipality"]
    search_fields = ["name", "code", "kostra_code"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "municipality", "unit", "year", "value", "source"]
    list_filter = ["source", "year", "municipality"]
    search_fields = ["indicator__name", "indicator__code"]
    list_select_related = ["indicator", "municipality", "unit"]
    raw_id_fields = ["indicator", "unit"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["kind", "file_name", "municipality", "created", "updated", "skipped", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "file_name", "municipality", "created", "updated", "skipped", "created_by"]
