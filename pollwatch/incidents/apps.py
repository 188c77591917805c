from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "pollwatch.incidents"
    label = "incidents"

    def ready(self) -> None:
        # Subscribe to "reports stored": an incident form's report becomes an incident.
        from pollwatch.collection.derivation import register_deriver
        from pollwatch.incidents.services import derive_incidents

        register_deriver("incidents", derive_incidents, order=20)
