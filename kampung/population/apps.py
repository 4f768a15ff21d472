from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "kampung.population"
    label = "population"
    verbose_name = "Kependudukan"
