from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "pollwatch.collection"
    label = "collection"
