from django.contrib import admin

from .models import Statement


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ("municipality", "kind", "updated_at")
    list_filter = ("kind", "municipality")
