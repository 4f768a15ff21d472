from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "kampung.regions"
    label = "regions"
    verbose_name = "Wilayah"
