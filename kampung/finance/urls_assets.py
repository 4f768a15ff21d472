"""URL patterns of the execution pages: assets, Dana Desa tranches and the regency's execution
settings and tax rates (included by kampung/finance/urls.py, namespace "finance")."""

from django.urls import path

from kampung.finance.views import assets as a
from kampung.finance.views import tranches as t

urlpatterns = [
    path("desa/<str:code>/aset/", a.asset_list, name="asset_list"),
    path("desa/<str:code>/aset/ekspor.xlsx", a.asset_export, name="asset_export"),
    path("desa/<str:code>/aset/baru/", a.asset_create, name="asset_create"),
    path("desa/<str:code>/aset/<int:pk>/ubah/", a.asset_edit, name="asset_edit"),
    path("desa/<str:code>/aset/<int:pk>/hapus/", a.asset_remove, name="asset_remove"),
    path("desa/<str:code>/aset/belanja-modal/<int:year>/", a.asset_capital, name="asset_capital"),
    path("desa/<str:code>/aset/laporan/<int:year>/", a.asset_report, name="asset_report"),
    path("desa/<str:code>/aset/laporan/<int:year>/<str:fmt>/", a.asset_report_file, name="asset_report_file"),
    path("desa/<str:code>/dana-desa/<int:year>/", t.tranche_village, name="tranche_village"),
    path("dana-desa/tahap/", t.tranche_rules, name="tranche_rules"),
    path("dana-desa/tahap/<int:year>/<str:part>/", t.tranche_part_edit, name="tranche_part_edit"),
    path("dana-desa/tahap/salin/", t.tranche_copy, name="tranche_copy"),
    path("dana-desa/status/", t.tranche_status, name="tranche_status"),
    path("dana-desa/status/templat.xlsx", t.tranche_status_template, name="tranche_status_template"),
    path("dana-desa/status/unggah/", t.tranche_status_import, name="tranche_status_import"),
    path("dana-desa/kesiapan/", t.tranche_readiness_list, name="tranche_readiness"),
    path("dana-desa/kesiapan/ekspor.xlsx", t.tranche_readiness_export, name="tranche_readiness_export"),
    path("pengaturan/pelaksanaan/", t.exec_settings, name="exec_settings"),
    path("pengaturan/pajak/", t.tax_rate_list, name="tax_rate_list"),
    path("pengaturan/pajak/baru/", t.tax_rate_add, name="tax_rate_add"),
    path("pengaturan/pajak/<int:pk>/ubah/", t.tax_rate_change, name="tax_rate_change"),
    path("pengaturan/pajak/<int:pk>/akhiri/", t.tax_rate_end, name="tax_rate_end"),
]
