"""URLs of the population register (resident accounts), under /penduduk/akun-warga/."""

from django.urls import path

from kampung.population import views_accounts

urlpatterns = [
    path("akun-warga/", views_accounts.account_list, name="account_list"),
    path("akun-warga/<int:pk>/", views_accounts.account_detail, name="account_detail"),
    path("akun-warga/<int:pk>/aktifkan/", views_accounts.account_activate, name="account_activate"),
    path("akun-warga/<int:pk>/atur-ulang-pin/", views_accounts.account_pin_reset, name="account_pin_reset"),
    path("akun-warga/<int:pk>/nonaktifkan/", views_accounts.account_deactivate, name="account_deactivate"),
    path("akun-warga/<int:pk>/slip-pin/", views_accounts.account_slip, name="account_slip"),
]
