"""The resident's own pages under /warga/ (login with NIK and PIN)."""

from django.urls import path

from kampung.population import views_portal

app_name = "portal"
urlpatterns = [
    path("", views_portal.portal_home, name="home"),
    path("masuk/", views_portal.portal_login, name="login"),
    path("ganti-pin/", views_portal.portal_pin_change, name="pin_change"),
    path("keluar/", views_portal.portal_logout, name="logout"),
]
