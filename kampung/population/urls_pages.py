"""URLs of the population register (pages)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
