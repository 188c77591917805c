from django.contrib import admin

from pollwatch.collection.models import ObservationForm, Submission


@admin.register(ObservationForm)
class ObservationFormAdmin(admin.ModelAdmin):
    list_display = ("title", "form_id", "version", "kind", "mission", "is_active", "sms_prefix")
    list_filter = ("mission", "kind")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("received_at", "transport", "mission", "form", "observer", "station", "needs_review",
                    "derive_state")
    # "Derive state: failed" lists the reports whose derivation raised, with the reason on each report's page;
    # `pollwatch derive --retry-failed` (or the action below) queues them again once the cause is fixed.
    list_filter = ("mission", "transport", "payload_type", "needs_review", "derive_state")
    raw_id_fields = ("observer", "station", "form", "entered_by", "deprecates")
    readonly_fields = ("derive_error",)
    date_hierarchy = "received_at"
    actions = ["derive_again"]

    @admin.action(description="Queue the selected reports for derivation again")
    def derive_again(self, request, queryset):
        from pollwatch.collection.derivation import do_queue_for_derivation

        n = do_queue_for_derivation(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{n} reports queued for derivation.")
