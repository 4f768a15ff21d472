from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kampung.demo"
    label = "demo"
    verbose_name = "Demo"
