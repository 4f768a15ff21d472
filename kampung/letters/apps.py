from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "kampung.letters"
    label = "letters"
    verbose_name = "Layanan surat"
