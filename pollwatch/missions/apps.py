from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "pollwatch.missions"
    label = "missions"

    def ready(self) -> None:
        # Register this app's importers with the importer framework (``pollwatch import <kind>``).
        from pollwatch.imports.registry import register
        from pollwatch.missions.importers import ObserverImporter

        register("observers", ObserverImporter, "mission")
