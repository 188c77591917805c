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
