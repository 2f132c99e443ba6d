from django.contrib import admin
from django.utils.translation import gettext_lazy as _
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
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "number",
                    "organization_number",
                    "website",
                    "email",
                    "phone",
                    "address",
                    "portal_host",
                    "open_data_license",
                ]
            },
        ),
        (_("Maps"), {"fields": ["center_latitude", "center_longitude"]}),
    ]


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: retention periods are set on the staff page (bounds checked, logged),
    and the privacy log is written only by the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
