"""URL patterns of the APBDes pages (included by kampung/finance/urls.py, namespace "finance")."""

from django.urls import path

from kampung.finance.views import apbdes as v

urlpatterns: list = [
    path("desa/<str:code>/", v.village, name="village"),
    path("desa/<str:code>/apbdes/buat/", v.apbdes_create, name="apbdes_create"),
    path("apbdes/<int:pk>/", v.apbdes_detail, name="apbdes_detail"),
    path("apbdes/<int:pk>/tindakan/<slug:act>/", v.apbdes_act, name="apbdes_act"),
    path("apbdes/<int:pk>/pendapatan/", v.apbdes_revenue_save, name="apbdes_revenue_save"),
    path(
        "apbdes/<int:pk>/pendapatan/<int:line_pk>/hapus/",
        v.apbdes_revenue_delete,
        name="apbdes_revenue_delete",
    ),
    path("apbdes/<int:pk>/pembiayaan/", v.apbdes_financing_save, name="apbdes_financing_save"),
    path(
        "apbdes/<int:pk>/pembiayaan/<int:line_pk>/hapus/",
        v.apbdes_financing_delete,
        name="apbdes_financing_delete",
    ),
    path("apbdes/<int:pk>/kegiatan/", v.apbdes_activity_add, name="apbdes_activity_add"),
    path("apbdes/kegiatan/<int:pk>/", v.apbdes_activity, name="apbdes_activity"),
    path("apbdes/kegiatan/<int:pk>/ubah/", v.apbdes_activity_edit, name="apbdes_activity_edit"),
    path("apbdes/kegiatan/<int:pk>/hapus/", v.apbdes_activity_delete, name="apbdes_activity_delete"),
    path("apbdes/rincian/<int:pk>/hapus/", v.apbdes_line_delete, name="apbdes_line_delete"),
    path("evaluasi/", v.evaluation_queue, name="evaluation_queue"),
]
