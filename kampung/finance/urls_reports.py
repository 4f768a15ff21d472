"""URL patterns of the execution pages: reports (included by kampung/finance/urls.py, namespace "finance")."""

from django.urls import path

from kampung.finance.views import reports as views

PREFIX = "desa/<str:code>/pelaksanaan/<int:year>/laporan/"

urlpatterns: list = [
    path(PREFIX, views.reports_index, name="reports_index"),
    path(PREFIX + "lra/", views.report_lra, name="report_lra"),
    path(PREFIX + "kegiatan/", views.report_activities, name="report_activities"),
    path(PREFIX + "kegiatan/<int:activity_id>/kemajuan/", views.progress_list, name="progress_list"),
    path(PREFIX + "kemajuan/<int:pk>/foto/", views.progress_photo, name="progress_photo"),
    path(PREFIX + "lpj/", views.report_lpj, name="report_lpj"),
    path(PREFIX + "lpj/silpa/", views.silpa_carry, name="silpa_carry"),
    path(PREFIX + "kirim/<str:kind>/", views.report_submit, name="report_submit"),
    path("realisasi/", views.regency_realisation, name="regency_realisation"),
]
