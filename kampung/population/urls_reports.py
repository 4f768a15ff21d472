"""URLs of the population register (reports)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
