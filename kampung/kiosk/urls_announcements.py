from django.urls import path

from kampung.kiosk import views_announcements as views

app_name = "announcements"
urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("tambah/", views.announcement_add, name="add"),
    path("<int:pk>/ubah/", views.announcement_edit, name="edit"),
    path("<int:pk>/hapus/", views.announcement_delete, name="delete"),
]
