"""URLs of the population register (import), under /penduduk/impor/."""

from django.urls import path, re_path

from kampung.population import views_import

urlpatterns = [
    path("impor/", views_import.import_page, name="import"),
    path("impor/jalankan/", views_import.import_run, name="import_run"),
    re_path(r"^impor/templat\.(?P<fmt>xlsx|csv)$", views_import.import_template, name="import_template"),
]
