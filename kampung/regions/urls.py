from django.urls import include, path

from kampung.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.village_list, name="village_list"),
    path("kalender/", views.holiday_list, name="holiday_list"),
    path("kalender/<int:pk>/hapus/", views.holiday_delete, name="holiday_delete"),
    path("<str:code>/", views.village_detail, name="village_detail"),
    path("<str:code>/profil/", views.village_profile_edit, name="village_profile_edit"),
    path("<str:code>/perangkat/", include("kampung.accounts.urls_officials")),
]
