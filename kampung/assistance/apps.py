from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "kampung.assistance"
    label = "assistance"
    verbose_name = "Program bantuan"

    def ready(self) -> None:
        from kampung.assistance import wiring

        wiring.register()
