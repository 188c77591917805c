from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "pollwatch.collection"
    label = "collection"

    def ready(self) -> None:
        # Web entry and the API store their reports as JSON: collection reads them through this reader, registered
        # as any app registers its own (the XForm instance's reader is registered where the receive path is).
        from pollwatch.collection.payloads import API_JSON, WEB_JSON, read_json_payload
        from pollwatch.collection.submissions import register_payload_reader

        register_payload_reader(API_JSON, read_json_payload, transport="api")
        register_payload_reader(WEB_JSON, read_json_payload, transport="web")

        # Retention: the observers' PII in raw payloads and values, their device logins, their photos' metadata.
        from pollwatch.collection import retention
        from pollwatch.missions.retention import register_eraser, register_login_names, register_text_fields

        register_login_names(retention.device_login_names)
        register_eraser("attachments", retention.erase_attachment_metadata)  # first: it renames files reports name
        register_text_fields("submissions", retention.submissions, ["raw", "values", "review_reason", "derive_error"])
        register_eraser("device_logins", retention.erase_device_logins)
