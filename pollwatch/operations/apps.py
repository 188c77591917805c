from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "pollwatch.operations"
    label = "operations"
