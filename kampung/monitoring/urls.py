from django.urls import include, path

app_name = "monitoring"

urlpatterns = [
    path("", include("kampung.monitoring.urls_field")),
    path("", include("kampung.monitoring.urls_dashboard")),
]
