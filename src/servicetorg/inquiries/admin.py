from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    ApiClient,
    Attachment,
    ChannelRule,
    Compensation,
    IdempotencyRecord,
    Inquiry,
    InquiryMessage,
)


class MessageInline(admin.TabularInline):
    model = InquiryMessage
    extra = 0
    fields = ("kind", "text", "author", "created_at")
    readonly_fields = ("created_at",)


class AttachmentInline(admin.TabularInline):
    """Read only: files come through the forms that check them; the file itself is served by the
    staff download page, not by a storage URL. Deleting a row deletes its file."""

    model = Attachment
    extra = 0
    fields = ("name", "content_type", "size", "source", "media_url", "author", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inquiry)
class InquiryAdmin(SimpleHistoryAdmin):
    list_display = (
        "reference",
        "subject",
        "municipality",
        "channel",
        "service",
        "state",
        "reply_deadline",
        "breached",
    )
    list_filter = ("municipality", "state", "channel", "handling", "breached")
    search_fields = ("reference", "subject")
    list_select_related = ("municipality", "service")
    raw_id_fields = ("service", "unit", "contact_person", "assigned_to", "registered_by")
    readonly_fields = ("reference", "received_at", "first_deadline", "replied_at", "closed_at")
    exclude = ("national_id",)
    inlines = [MessageInline, AttachmentInline]


@admin.register(ChannelRule)
class ChannelRuleAdmin(SimpleHistoryAdmin):
    list_display = ("municipality", "channel", "working_days")
    list_filter = ("municipality",)


@admin.action(description=_("Mark as paid"))
def mark_paid(modeladmin, request, queryset):
    for compensation in queryset.filter(state="open"):
        services.settle_compensation(compensation, state="paid", user=request.user)


@admin.register(Compensation)
class CompensationAdmin(SimpleHistoryAdmin):
    list_display = ("inquiry", "municipality", "amount", "state", "settled_at")
    list_filter = ("municipality", "state")
    raw_id_fields = ("inquiry", "settled_by")
    actions = [mark_paid]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "channel", "user", "active", "created_at")
    list_filter = ("municipality", "channel", "active")
    readonly_fields = ("created_at",)
    raw_id_fields = ("user",)

    def save_model(self, request, obj, form, change):
        if not change:
            import hashlib
            import secrets

            key = secrets.token_urlsafe(32)
            obj.key_hash = hashlib.sha256(key.encode()).hexdigest()
            messages.warning(request, _("The API key is shown only now: %(key)s") % {"key": key})
        super().save_model(request, obj, form, change)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("key", "user", "status_code", "created_at")
    raw_id_fields = ("user", "inquiry")
