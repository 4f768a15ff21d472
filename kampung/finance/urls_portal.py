"""Residents' own finance pages under /warga/usulan/ (namespace "finance_portal")."""

from django.urls import path  # noqa: F401

app_name = "finance_portal"

urlpatterns: list = []
