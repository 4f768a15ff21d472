"""URL patterns of the execution pages: payments (included by kampung/finance/urls.py, namespace "finance")."""

from django.urls import path

from kampung.finance.views import payments as views

urlpatterns: list = [
    path("desa/<str:code>/pelaksanaan/<int:year>/spp/", views.spp_list, name="spp_list"),
    path("desa/<str:code>/pelaksanaan/<int:year>/spp/baru/", views.spp_create, name="spp_create"),
    path("desa/<str:code>/pelaksanaan/<int:year>/panjar/", views.spp_advances, name="spp_advances"),
    path("spp/<int:pk>/", views.spp_detail, name="spp_detail"),
    path("spp/<int:pk>/ubah/", views.spp_edit, name="spp_edit"),
    path("spp/<int:pk>/ajukan/", views.spp_submit, name="spp_submit"),
    path("spp/<int:pk>/batalkan/", views.spp_cancel, name="spp_cancel"),
    path("spp/<int:pk>/verifikasi/", views.spp_verify, name="spp_verify"),
    path("spp/<int:pk>/kembalikan/", views.spp_reject, name="spp_reject"),
    path("spp/<int:pk>/setujui/", views.spp_approve, name="spp_approve"),
    path("spp/<int:pk>/bayar/", views.spp_pay, name="spp_pay"),
    path("spp/<int:pk>/spj/", views.spp_spj, name="spp_spj"),
    path("spp/<int:pk>/sisa-panjar/", views.spp_return, name="spp_return"),
    path("spp/<int:pk>/dokumen/", views.spp_attach, name="spp_attach"),
    path("spp/<int:pk>/dokumen/<int:att>/", views.spp_attachment, name="spp_attachment"),
    path("spp/<int:pk>/dokumen/<int:att>/hapus/", views.spp_detach, name="spp_detach"),
    path("spp/<int:pk>/cetak.pdf", views.spp_print, name="spp_print"),
]
