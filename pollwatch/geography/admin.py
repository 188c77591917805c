from django.contrib import admin

from pollwatch.geography.models import AdministrativeUnit, PollingStation


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "election")
    list_filter = ("election", "level")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(PollingStation)
class PollingStationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "registered_voters", "setting")
    list_filter = ("election", "setting")
    search_fields = ("code", "name", "address")
    raw_id_fields = ("unit",)
