from django.urls import path

from kampung.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.outbox_list, name="outbox_list"),
    path("<int:pk>/ulang/", views.message_retry, name="message_retry"),
    path("<int:pk>/batal/", views.message_cancel, name="message_cancel"),
]
