from django.contrib import admin

from pollwatch.accounts.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "user", "mission", "object_type", "object_id")
    list_filter = ("action", "mission")
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):  # the trail is append-only
        return False
