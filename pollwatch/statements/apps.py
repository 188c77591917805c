from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "pollwatch.statements"
    label = "statements"
    verbose_name = "Statements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pollwatch.statements.builtin_sources import register_builtin_sources

        register_builtin_sources()
