from django.apps import AppConfig


class AuthorityConfig(AppConfig):
    name = "kampung.authority"
    label = "authority"
    verbose_name = "Kewenangan"
