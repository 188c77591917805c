from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from pollwatch.accounts.models import AuditEntry
from pollwatch.accounts.two_factor import do_reset_totp


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


# TOTP devices: listed, and removed only as an audited reset (a user who lost their phone); never added or edited
# here — a user enrols their own device from /account/two-factor/, where its secret is shown to them alone.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields
    actions = ["reset_devices"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Reset the second factor of the selected devices' users (audited)")
    def reset_devices(self, request, queryset):
        users = {device.user for device in queryset.select_related("user")}
        for user in users:
            do_reset_totp(user, by=request.user, reason="reset by an admin")
        self.message_user(request, f"Reset the second factor of {len(users)} user(s).")

    def delete_model(self, request, obj):
        do_reset_totp(obj.user, by=request.user, reason="reset by an admin")
