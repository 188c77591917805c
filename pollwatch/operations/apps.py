from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "pollwatch.operations"
    label = "operations"

    def ready(self) -> None:
        # Subscribe to "reports stored": master records, expected-report statuses and the dashboard counters.
        from pollwatch.collection.derivation import register_deriver
        from pollwatch.operations.derive import derive_election_day

        register_deriver("election-day", derive_election_day, order=30)
