from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "pollwatch.incidents"
    label = "incidents"

    def ready(self) -> None:
        # Subscribe to "reports stored": an incident form's report becomes an incident.
        from pollwatch.collection.derivation import register_deriver
        from pollwatch.incidents.services import derive_incidents

        register_deriver("incidents", derive_incidents, order=20)

        # Retention: the observers' PII, and any phone number or e-mail, in incident texts and triage notes.
        from pollwatch.incidents.models import Incident, IncidentEvent
        from pollwatch.incidents.services import scrub_contacts
        from pollwatch.missions.retention import register_text_fields

        register_text_fields("incident_texts", lambda m: Incident.objects.for_mission(m), ["description", "location"],
                             also=scrub_contacts)
        register_text_fields("incident_notes", lambda m: IncidentEvent.objects.filter(incident__mission=m), ["note"],
                             also=scrub_contacts)
