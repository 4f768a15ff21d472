"""URLs of the population register (pages): search and list, records, life events, export."""

from django.urls import path

from kampung.population import views

urlpatterns = [
    path("", views.resident_list, name="resident_list"),
    path("ekspor.xlsx", views.resident_export, name="resident_export"),
    path("pindah-datang/", views.move_in, name="move_in"),
    path("<int:pk>/", views.resident_detail, name="resident_detail"),
    path("<int:pk>/pembetulan/", views.resident_correct, name="resident_correct"),
    path("<int:pk>/kematian/", views.death_record, name="death_record"),
    path("<int:pk>/pindah-keluar/", views.move_out, name="move_out"),
    path("<int:pk>/ganti-keluarga/", views.family_change, name="family_change"),
    path("keluarga/baru/", views.family_create, name="family_create"),
    path("keluarga/<int:pk>/", views.family_detail, name="family_detail"),
    path("keluarga/<int:pk>/lahir/", views.birth_record, name="birth_record"),
    path("keluarga/<int:pk>/anggota-baru/", views.resident_create, name="resident_create"),
]
