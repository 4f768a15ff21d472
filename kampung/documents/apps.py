from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "kampung.documents"
    label = "documents"
    verbose_name = "Dokumen"
