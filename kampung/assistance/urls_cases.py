"""Registration, survey, ranking and Musdes (included by urls.py, namespace "assistance")."""

from django.urls import path

from kampung.assistance.views import cases as views

V = "desa/<str:code>/<slug:programme>/<int:year>/"

urlpatterns: list = [
    path(V, views.village_programme, name="village"),
    path(V + "daftar/", views.case_register, name="case_register"),
    path(V + "peringkat/", views.ranking, name="ranking"),
    path(V + "musdes/", views.deliberation, name="deliberation"),
    path("cari-keluarga/<str:code>/", views.family_search, name="family_search"),
    path("kasus/<int:pk>/", views.case_detail, name="case"),
    path("kasus/<int:pk>/survei/", views.survey, name="survey"),
    path("kasus/<int:pk>/foto/", views.photo_upload, name="photo_upload"),
    path("kasus/<int:pk>/batal/", views.case_cancel, name="case_cancel"),
    path("foto/<int:pk>/", views.photo_file, name="photo"),
    path("foto/<int:pk>/hapus/", views.photo_delete, name="photo_delete"),
]
