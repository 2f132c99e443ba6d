from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Promise, Service, ServiceArea, ServiceDescription, VersionState


@admin.register(ServiceArea)
class ServiceAreaAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "position"]
    list_filter = ["municipality"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class PromiseInline(admin.TabularInline):
    model = Promise
    extra = 0


@admin.register(ServiceDescription)
class ServiceDescriptionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "service", "version", "state", "published_at"]
    list_filter = ["state", "service__municipality"]
    search_fields = ["name", "service__slug"]
    readonly_fields = ["state", "published_at", "published_by", "created_by"]
    inlines = [PromiseInline]
    actions = ["publish_drafts"]

    def has_change_permission(self, request, obj=None):
        # Published and archived versions are history: only drafts can be changed.
        return super().has_change_permission(request, obj) and (
            obj is None or obj.state == VersionState.DRAFT
        )

    @admin.action(description=_("Publish the selected drafts"))
    def publish_drafts(self, request, queryset):
        for draft in queryset.filter(state=VersionState.DRAFT):
            try:
                services.publish(draft, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{draft}: {' '.join(error.messages)}", messages.ERROR)


class DescriptionInline(admin.TabularInline):
    model = ServiceDescription
    fields = ["version", "name", "state", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "municipality",
        "area",
        "responsible_unit",
        "ladder_level",
        "state",
        "review_due",
    ]
    list_filter = ["municipality", "state", "area", "ladder_level", "asks_location"]
    search_fields = ["name", "slug"]
    readonly_fields = ["state", "name", "summary"]
    inlines = [DescriptionInline]
    actions = ["withdraw_services", "start_drafts"]

    @admin.action(description=_("Withdraw the selected services from the portal"))
    def withdraw_services(self, request, queryset):
        for service in queryset:
            try:
                services.withdraw(service, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{service}: {' '.join(error.messages)}", messages.WARNING)

    @admin.action(description=_("Start a new draft for the selected services"))
    def start_drafts(self, request, queryset):
        for service in queryset:
            services.ensure_draft(service, user=request.user)
