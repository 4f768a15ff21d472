"""Home, district/regency overview and programme settings (namespace "assistance")."""

from django.urls import path

from kampung.assistance.views import overview as views
from kampung.assistance.views import programmes as prog_views

urlpatterns: list = [
    path("", views.home, name="home"),
    path("ringkasan/delegasi/<int:year>/", views.delegated, name="delegated"),
    path("ringkasan/<slug:programme>/<int:year>/", views.overview, name="overview"),
    path("ringkasan/<slug:programme>/<int:year>/macet/", views.stalled, name="stalled"),
    path("program/", prog_views.programme_list, name="programmes"),
    path("program/baru/", prog_views.programme_create, name="programme_create"),
    path("program/<slug:programme>/", prog_views.programme_edit, name="programme"),
    path("program/<slug:programme>/kriteria/", prog_views.criteria, name="criteria"),
    path("program/<slug:programme>/kriteria/<int:pk>/", prog_views.criterion_edit, name="criterion"),
    path("program/<slug:programme>/tahun/<int:year>/", prog_views.programme_year, name="programme_year"),
    path("riwayat-bantuan/", prog_views.aid_history, name="aid_history"),
]
