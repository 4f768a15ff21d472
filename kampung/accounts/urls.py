from django.contrib.auth import views as auth_views
from django.urls import include, path

from kampung.accounts import views, views_two_factor

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("dua-langkah/", views_two_factor.two_factor, name="two_factor"),
    path("dua-langkah/pengaturan/", views_two_factor.two_factor_settings, name="two_factor_settings"),
    path("ganti-sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path("beranda/", views.home, name="home"),
    path("pengguna/", include("kampung.accounts.urls_admin")),
]
