from django.urls import path

from kampung.accounts import views_admin, views_two_factor

urlpatterns = [
    path("", views_admin.user_list, name="user_list"),
    path("ekspor/", views_admin.user_export, name="user_export"),
    path("baru/", views_admin.user_create, name="user_create"),
    path("impor/", views_admin.user_import, name="user_import"),
    path("impor/templat/", views_admin.user_import_template, name="user_import_template"),
    path("<int:pk>/", views_admin.user_detail, name="user_detail"),
    path("<int:pk>/ubah/", views_admin.user_edit, name="user_edit"),
    path("<int:pk>/status/", views_admin.user_set_active, name="user_set_active"),
    path("<int:pk>/reset-sandi/", views_admin.user_reset_password, name="user_reset_password"),
    path("<int:pk>/reset-dua-langkah/", views_two_factor.user_two_factor_reset, name="user_two_factor_reset"),
    path("<int:pk>/penugasan/", views_admin.assignment_add, name="assignment_add"),
    path("<int:pk>/penugasan/<int:assignment_pk>/akhiri/", views_admin.assignment_end, name="assignment_end"),
]
