from django.urls import path

from kampung.api import views_admin

app_name = "api_clients"

urlpatterns = [
    path("", views_admin.client_list, name="list"),
    path("baru/", views_admin.client_create, name="create"),
    path("<int:pk>/", views_admin.client_detail, name="detail"),
    path("<int:pk>/ubah/", views_admin.client_edit, name="edit"),
    path("<int:pk>/status/", views_admin.client_set_active, name="set_active"),
    path("<int:pk>/token/", views_admin.token_create, name="token_create"),
    path("<int:pk>/token/<int:token_pk>/cabut/", views_admin.token_revoke, name="token_revoke"),
]
