from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "kampung.monitoring"
    label = "monitoring"
    verbose_name = "Pemantauan"

    def ready(self) -> None:
        from kampung.monitoring import marks

        marks.connect()
