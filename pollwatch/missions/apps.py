from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "pollwatch.missions"
    label = "missions"

    def ready(self) -> None:
        # Register this app's importers with the importer framework (``pollwatch import <kind>``).
        from pollwatch.imports.registry import register
        from pollwatch.missions.importers import ObserverImporter

        register("observers", ObserverImporter, "mission")

        # Coordinators and admins of a mission that requires a second factor (or of any, under the site setting).
        from pollwatch.accounts.two_factor import register_requirement
        from pollwatch.missions.queries import must_use_totp

        register_requirement(must_use_totp)
