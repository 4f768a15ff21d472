"""BLT Dana Desa monthly payments (included by urls.py, namespace "assistance")."""

from django.urls import path

from kampung.assistance.views import blt as views

V = "desa/<str:code>/<slug:programme>/<int:year>/"

urlpatterns: list = [
    path(V + "bulanan/", views.months, name="months"),
    path(V + "bulanan/<int:month>/", views.month, name="month"),
]
