from django.apps import AppConfig


class KioskConfig(AppConfig):
    name = "kampung.kiosk"
    label = "kiosk"
    verbose_name = "Anjungan dan halaman publik"
