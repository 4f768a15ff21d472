"""URL patterns of the execution pages: payments (included by kampung/finance/urls.py, namespace "finance")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
