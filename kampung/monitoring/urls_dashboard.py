"""The dashboards (namespace "monitoring", mounted at /pemantauan/)."""

from django.urls import path

from kampung.monitoring.views import dashboard as views

urlpatterns: list = [
    path("", views.home, name="home"),
    path("<str:code>/", views.region, name="region"),
    path("<str:code>/keuangan/", views.finance, name="finance"),
    path("<str:code>/layanan/", views.letters, name="letters"),
    path("<str:code>/program/", views.programmes, name="programmes"),
    path("<str:code>/penduduk/", views.population, name="population"),
]
