from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "pollwatch.checks"
    label = "checks"
