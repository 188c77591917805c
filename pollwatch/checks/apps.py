from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "pollwatch.checks"
    label = "checks"

    def ready(self) -> None:
        # Subscribe to "reports stored": rules are evaluated on each report (before the master records that
        # operations rebuilds, whose own results it asks checks for).
        from pollwatch.checks.services import derive_check_results
        from pollwatch.collection.derivation import register_deriver

        register_deriver("checks", derive_check_results, order=10)
