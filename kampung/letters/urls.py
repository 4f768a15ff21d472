"""The letters service: catalogue, templates, requests and work queues (/surat/)."""

from django.urls import URLPattern, path

from kampung.letters import views

app_name = "letters"
urlpatterns: list[URLPattern] = [
    path("katalog/", views.catalogue_list, name="catalogue"),
    path("katalog/<slug:slug>/", views.type_edit, name="type_edit"),
    path("katalog/<slug:slug>/templat/", views.template_edit, name="template_edit"),
    path("katalog/<slug:slug>/templat/pratinjau/", views.template_preview, name="template_preview"),
    path("katalog/<slug:slug>/templat/contoh.pdf", views.template_pdf, name="template_pdf"),
    path("desa/<str:code>/layanan/", views.village_settings, name="village_settings"),
    path("desa/<str:code>/layanan/<slug:slug>/", views.village_setting_save, name="village_setting_save"),
]
