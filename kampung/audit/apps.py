from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kampung.audit"
    label = "audit"
    verbose_name = "Jejak audit"
