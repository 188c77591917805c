from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "pollwatch.collection"
    label = "collection"

    def ready(self) -> None:
        # Retention: the observers' PII in raw payloads and values, their device logins, their photos' metadata.
        from pollwatch.collection import retention
        from pollwatch.missions.retention import register_eraser, register_login_names, register_text_fields

        register_login_names(retention.device_login_names)
        register_eraser("attachments", retention.erase_attachment_metadata)  # first: it renames files reports name
        register_text_fields("submissions", retention.submissions, ["raw", "values", "review_reason", "derive_error"])
        register_eraser("device_logins", retention.erase_device_logins)
