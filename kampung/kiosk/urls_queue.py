from django.urls import path

from kampung.kiosk import views_queue

app_name = "queue"
urlpatterns = [
    path("<str:code>/ambil/", views_queue.take, name="take"),
    path("<str:code>/tiket/<int:pk>/", views_queue.ticket, name="ticket"),
    path("<str:code>/layar/", views_queue.display, name="display"),
    path("<str:code>/layar/data/", views_queue.display_data, name="display_data"),
    path("<str:code>/loket/", views_queue.desk, name="desk"),
    path("<str:code>/loket/aksi/", views_queue.desk_action, name="desk_action"),
    path("<str:code>/layanan/", views_queue.services, name="services"),
]
