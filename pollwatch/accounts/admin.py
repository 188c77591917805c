from django.contrib import admin

from pollwatch.accounts.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, written by the services, never added to, edited or deleted here."""

    list_display = ("at", "action", "username", "mission_slug", "object_type", "object_id")
    list_filter = ("action", "mission_slug")
    date_hierarchy = "at"
    actions = None  # not even "delete selected"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
