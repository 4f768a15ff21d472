"""Mounted at /wilayah/<code>/perangkat/ (namespace "regions:officials"); every view gets ``code``."""

from django.urls import path

from kampung.accounts import views_officials

app_name = "officials"
urlpatterns = [
    path("", views_officials.official_list, name="list"),
    path("tambah/", views_officials.official_add, name="add"),
    path("<int:pk>/ubah/", views_officials.official_edit, name="edit"),
]
