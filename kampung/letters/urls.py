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

# Requests (permohonan): counter, queues, a request's page and actions; the resident's own.
from kampung.letters import views_requests  # noqa: E402

urlpatterns += [
    path("permohonan/", views_requests.queue, name="queue"),
    path("permohonan/baru/", views_requests.counter_start, name="counter_start"),
    path("permohonan/baru/<int:resident_pk>/", views_requests.counter_type, name="counter_type"),
    path("permohonan/baru/<int:resident_pk>/<slug:slug>/", views_requests.counter_form, name="counter_form"),
    path("permohonan/<str:code>/", views_requests.request_detail, name="request_detail"),
    path("permohonan/<str:code>/surat.pdf", views_requests.request_pdf, name="request_pdf"),
    path(
        "permohonan/<str:code>/berkas/<int:pk>/", views_requests.request_attachment, name="request_attachment"
    ),
    path("permohonan/<str:code>/<slug:act>/", views_requests.request_act, name="request_act"),
    path("warga/", views_requests.portal_list, name="portal_list"),
    path("warga/baru/", views_requests.portal_type, name="portal_type"),
    path("warga/baru/<slug:slug>/", views_requests.portal_form, name="portal_form"),
    path("warga/<str:code>/", views_requests.portal_detail, name="portal_detail"),
    path("warga/<str:code>/batalkan/", views_requests.portal_cancel, name="portal_cancel"),
    path("warga/<str:code>/surat.pdf", views_requests.portal_pdf, name="portal_pdf"),
    path("warga/<str:code>/berkas/<int:pk>/", views_requests.portal_attachment, name="portal_attachment"),
]
