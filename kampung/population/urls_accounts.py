"""URLs of the population register (accounts)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
