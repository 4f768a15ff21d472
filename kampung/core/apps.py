from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kampung.core"
    label = "core"
