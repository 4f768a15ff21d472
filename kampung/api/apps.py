from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kampung.api"
    label = "api"
    verbose_name = "API"
