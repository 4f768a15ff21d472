from django.urls import path

from kampung.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("jangkar/", views.anchor_list, name="anchor_list"),
]
