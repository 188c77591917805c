from django.contrib import admin

from pollwatch.missions.models import Deployment, Membership, Mission, Observer


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "election", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    # Changed on the mission's Forms page only: audited there, and turning it off revokes every login URL.
    readonly_fields = ("allow_device_tokens",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "mission", "role")
    list_filter = ("mission", "role")


@admin.register(Observer)
class ObserverAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "mission", "phone", "languages")
    list_filter = ("mission",)
    search_fields = ("code", "name", "phone")


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ("observer", "station", "area", "team", "shift_start", "shift_end", "mission")
    list_filter = ("mission",)
    raw_id_fields = ("observer", "station", "area")
