from django.contrib import admin

from pollwatch.pvt.models import PvtSample, PvtSampleStation


@admin.register(PvtSample)
class PvtSampleAdmin(admin.ModelAdmin):
    list_display = ("name", "mission", "size", "strata", "seed", "published_at")
    list_filter = ("mission",)


@admin.register(PvtSampleStation)
class PvtSampleStationAdmin(admin.ModelAdmin):
    list_display = ("sample", "station", "stratum", "is_reserve", "position")
    list_filter = ("sample", "is_reserve")
    raw_id_fields = ("station",)
