from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "kampung.letters"
    label = "letters"
    verbose_name = "Layanan surat"

    def ready(self) -> None:
        # Letter types signed above the village: the sign act's holder follows the catalogue,
        # and the authority queue hands decided requests back (kampung.letters.routing).
        from kampung.letters import routing

        routing.register()
