"""URL patterns of the finance reference data (included by kampung/finance/urls.py, namespace "finance")."""

from django.urls import path

from kampung.finance.views import ref as v

urlpatterns = [
    path("referensi/", v.ref_home, name="ref_home"),
    path("referensi/rekening/", v.ref_accounts, name="ref_accounts"),
    path("referensi/kegiatan/", v.ref_activities, name="ref_activities"),
    path("referensi/lokal/", v.ref_local, name="ref_local"),
    path("referensi/lokal/rekening/", v.ref_local_account_save, name="ref_local_account_add"),
    path("referensi/lokal/rekening/<int:pk>/", v.ref_local_account_save, name="ref_local_account_edit"),
    path("referensi/lokal/kegiatan/", v.ref_local_activity_save, name="ref_local_activity_add"),
    path("referensi/lokal/kegiatan/<int:pk>/", v.ref_local_activity_save, name="ref_local_activity_edit"),
    path("referensi/lokal/<slug:kind>/<int:pk>/aktif/", v.ref_local_toggle, name="ref_local_toggle"),
    path("referensi/lokal/contoh/", v.ref_local_example, name="ref_local_example"),
    path("ssh/", v.ssh_list, name="ssh_list"),
    path("ssh/cari/", v.ssh_search, name="ssh_search"),
    path("ssh/baru/", v.ssh_create, name="ssh_create"),
    path("ssh/<int:pk>/ubah/", v.ssh_edit, name="ssh_edit"),
    path("ssh/<int:pk>/aktif/", v.ssh_toggle, name="ssh_toggle"),
    path("ssh/templat.xlsx", v.ssh_template, name="ssh_template"),
    path("ssh/ekspor.xlsx", v.ssh_export, name="ssh_export"),
    path("ssh/unggah/", v.ssh_import, name="ssh_import"),
    path("ssh/salin/", v.ssh_copy, name="ssh_copy"),
    path("jadwal/", v.calendar_page, name="calendar_page"),
    path("pagu/", v.ceiling_list, name="ceiling_list"),
    path("pagu/templat.xlsx", v.ceiling_template, name="ceiling_template"),
    path("pagu/ekspor.xlsx", v.ceiling_export, name="ceiling_export"),
    path("pagu/unggah/", v.ceiling_import, name="ceiling_import"),
    path("pagu/<str:code>/", v.ceiling_edit, name="ceiling_edit"),
    path("desa/<str:code>/pagu/", v.ceiling_village, name="ceiling_village"),
    path("ketentuan-dd/", v.earmark_list, name="earmark_list"),
    path("ketentuan-dd/baru/", v.earmark_create, name="earmark_create"),
    path("ketentuan-dd/<int:pk>/ubah/", v.earmark_edit, name="earmark_edit"),
    path("ketentuan-dd/<int:pk>/hapus/", v.earmark_delete, name="earmark_delete"),
    path("ketentuan-dd/salin/", v.earmark_copy, name="earmark_copy"),
]
