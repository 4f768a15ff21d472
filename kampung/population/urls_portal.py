"""The resident's own pages under /warga/ (login with NIK and PIN)."""

from django.urls import URLPattern

app_name = "portal"
urlpatterns: list[URLPattern] = []
