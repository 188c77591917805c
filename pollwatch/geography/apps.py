from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "pollwatch.geography"
    label = "geography"

    def ready(self) -> None:
        # Register this app's importers with the importer framework (``pollwatch import <kind>``).
        from pollwatch.geography.importers import GeographyImporter, StationImporter
        from pollwatch.imports.registry import register

        register("geography", GeographyImporter, "election")
        register("stations", StationImporter, "election")
