from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Membership, Municipality, Unit


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "unit"]


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "number", "organization_number", "portal_host", "open_data_license"]
    search_fields = ["name", "number", "organization_number"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "kind", "email", "phone"]
    list_filter = ["municipality", "kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "municipality", "unit", "role"]
    list_filter = ["municipality", "role"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user", "unit"]
