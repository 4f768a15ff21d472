"""URLs of the population register (import)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
