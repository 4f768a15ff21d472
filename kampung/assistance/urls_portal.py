"""A resident's own applications, under /warga/bantuan/ (namespace "assistance_portal")."""

from django.urls import path

from kampung.assistance.views import portal as views

app_name = "assistance_portal"

urlpatterns: list = [
    path("", views.portal_list, name="list"),
    path("ajukan/<slug:programme>/", views.portal_apply, name="apply"),
    path("<int:pk>/", views.portal_case, name="case"),
]
