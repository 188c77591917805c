from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "pollwatch.geography"
    label = "geography"
