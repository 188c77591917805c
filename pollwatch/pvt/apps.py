from django.apps import AppConfig


class PvtConfig(AppConfig):
    name = "pollwatch.pvt"
    label = "pvt"
    verbose_name = "Quick count (PVT)"
