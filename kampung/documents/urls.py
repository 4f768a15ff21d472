"""Public verification of issued documents (/cek/) and the document registers."""

from django.urls import path

from kampung.documents import views, views_series

app_name = "documents"
urlpatterns = [
    path("cek/", views.verify_code, name="verify_code"),
    path("cek/<str:token>", views.verify_token, name="verify_token"),
    path("kunci-publik/", views.public_keys, name="public_keys"),
    path("desa/<str:code>/keluar/", views.outgoing_list, name="outgoing_list"),
    path("desa/<str:code>/penomoran/", views_series.series_list, name="series_list"),
    path("desa/<str:code>/keluar/<int:pk>/", views.outgoing_detail, name="outgoing_detail"),
    path("desa/<str:code>/keluar/<int:pk>/pdf/", views.outgoing_pdf, name="outgoing_pdf"),
    path("desa/<str:code>/masuk/", views.incoming_list, name="incoming_list"),
    path("desa/<str:code>/masuk/tambah/", views.incoming_add, name="incoming_add"),
    path("desa/<str:code>/masuk/<int:pk>/ubah/", views.incoming_edit, name="incoming_edit"),
    path("desa/<str:code>/masuk/<int:pk>/hapus/", views.incoming_delete, name="incoming_delete"),
    path("desa/<str:code>/masuk/<int:pk>/berkas/", views.incoming_scan, name="incoming_scan"),
]
