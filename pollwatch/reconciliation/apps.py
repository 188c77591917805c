from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "pollwatch.reconciliation"
    label = "reconciliation"
    verbose_name = "Protocol reconciliation"
