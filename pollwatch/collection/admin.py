from django.contrib import admin

from pollwatch.collection.models import ObservationForm, Submission


@admin.register(ObservationForm)
class ObservationFormAdmin(admin.ModelAdmin):
    list_display = ("title", "form_id", "version", "kind", "mission", "is_active")
    list_filter = ("mission", "kind")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("received_at", "transport", "mission", "form", "observer", "station", "needs_review")
    list_filter = ("mission", "transport", "needs_review")
    raw_id_fields = ("observer", "station", "form", "entered_by")
    date_hierarchy = "received_at"
