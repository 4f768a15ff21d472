from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kampung.accounts"
    label = "accounts"
    verbose_name = "Akun"
