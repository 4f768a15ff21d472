from django.urls import path

from kampung.accounts import views_admin

urlpatterns = [
    path("", views_admin.user_list, name="user_list"),
]
