"""Field monitoring, alerts and settings (namespace "monitoring"). The fixed prefixes come
before the ``<code>/...`` patterns; the dashboards' ``urls_dashboard`` is included after."""

from django.urls import path

from kampung.monitoring.views import alerts, field, settings

K = "desa/<str:village_code>/kegiatan/<int:year>/<str:activity_code>/"

urlpatterns: list = [
    path("peringatan/", alerts.my_alerts, name="alerts"),
    path("pengaturan/", settings.settings_edit, name="settings"),
    path("foto-kunjungan/<int:pk>/", field.visit_photo, name="visit_photo"),
    path(K, field.project, name="project"),
    path(K + "kunjungan/", field.visit_add, name="visit_add"),
    path("<str:code>/lapangan/", field.projects, name="projects"),
    path("<str:code>/peringatan/", alerts.region_alerts, name="region_alerts"),
]
