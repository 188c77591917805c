from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "pollwatch.operations"
    label = "operations"

    def ready(self) -> None:
        # Subscribe to "reports stored": master records, expected-report statuses and the dashboard counters.
        from pollwatch.collection.derivation import register_deriver
        from pollwatch.operations.derive import derive_election_day

        register_deriver("election-day", derive_election_day, order=30)
        # Quality checks are evaluated on master records too; a new rule reads them through this reader.
        from pollwatch.checks.services import register_checked_records
        from pollwatch.operations.queries import master_values_of_form

        register_checked_records("master", master_values_of_form)
        # The dashboard's flags "failing" and "conflicts" on rows with a report (incidents, submissions).
        from pollwatch.missions.filters import register_report_flag
        from pollwatch.operations.filters import conflicting_station_q, failing_report_q

        register_report_flag("failing", failing_report_q)
        register_report_flag("conflicts", conflicting_station_q)

        # Retention: strings in master records and conflict resolutions (a comment naming an observer); numbers stay.
        from pollwatch.missions.retention import register_text_fields
        from pollwatch.operations.models import ConflictResolution, MasterRecord

        register_text_fields("master_records", lambda m: MasterRecord.objects.filter(mission=m), ["values", "conflicts"])
        register_text_fields("conflict_resolutions", lambda m: ConflictResolution.objects.filter(master__mission=m),
                             ["value", "reason", "candidates"])
