"""URLs of the population register (reports): statistics, the village registers, the monthly
report and the Buku Penduduk Sementara."""

from django.urls import URLPattern, path

from kampung.population import views_reports as v

urlpatterns: list[URLPattern] = [
    path("statistik/", v.statistics_page, name="statistics"),
    path("statistik/unduh/", v.statistics_export, name="statistics_export"),
    path("buku/", v.register_index, name="register_index"),
    path("buku/<str:code>/induk/", v.register_induk, name="register_induk"),
    path("buku/<str:code>/induk/pdf/", v.register_induk_pdf, name="register_induk_pdf"),
    path("buku/<str:code>/induk/excel/", v.register_induk_xlsx, name="register_induk_xlsx"),
    path("buku/<str:code>/mutasi/", v.register_mutasi, name="register_mutasi"),
    path("buku/<str:code>/mutasi/pdf/", v.register_mutasi_pdf, name="register_mutasi_pdf"),
    path("buku/<str:code>/mutasi/excel/", v.register_mutasi_xlsx, name="register_mutasi_xlsx"),
    path("buku/<str:code>/rekapitulasi/", v.register_rekap, name="register_rekap"),
    path("buku/<str:code>/rekapitulasi/pdf/", v.register_rekap_pdf, name="register_rekap_pdf"),
    path("buku/<str:code>/rekapitulasi/excel/", v.register_rekap_xlsx, name="register_rekap_xlsx"),
    path("buku/<str:code>/sementara/pdf/", v.register_temporary_pdf, name="register_temporary_pdf"),
    path("buku/<str:code>/sementara/excel/", v.register_temporary_xlsx, name="register_temporary_xlsx"),
    path("laporan-bulanan/", v.monthly_report, name="monthly_report"),
    path("laporan-bulanan/pdf/", v.monthly_pdf, name="monthly_pdf"),
    path("laporan-bulanan/excel/", v.monthly_xlsx, name="monthly_xlsx"),
    path("sementara/<str:code>/", v.temporary_list, name="temporary_list"),
    path("sementara/<str:code>/tambah/", v.temporary_add, name="temporary_add"),
    path("sementara/<str:code>/<int:pk>/ubah/", v.temporary_edit, name="temporary_edit"),
    path("sementara/<str:code>/<int:pk>/pergi/", v.temporary_depart, name="temporary_depart"),
]
