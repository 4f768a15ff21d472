"""Residents' own finance pages under /warga/usulan/ (namespace "finance_portal")."""

from django.urls import path

from kampung.finance.views import portal

app_name = "finance_portal"

urlpatterns = [
    path("", portal.portal_list, name="list"),
    path("baru/", portal.portal_new, name="new"),
    path("<int:pk>/", portal.portal_detail, name="detail"),
]
