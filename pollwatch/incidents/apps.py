from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "pollwatch.incidents"
    label = "incidents"
