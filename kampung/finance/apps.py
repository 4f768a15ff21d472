from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "kampung.finance"
    label = "finance"
    verbose_name = "Keuangan desa"
