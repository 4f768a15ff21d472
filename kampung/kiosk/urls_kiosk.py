from django.urls import path

from kampung.kiosk import views_kiosk, views_kiosk_info

app_name = "kiosk"
urlpatterns = [
    path("", views_kiosk.root, name="root"),
    path("<str:code>/", views_kiosk.home, name="home"),
    path("<str:code>/selesai/", views_kiosk.reset, name="reset"),
    # The letter request (village kiosks): NIK + PIN, type, form, confirmation, slip.
    path("<str:code>/surat/", views_kiosk.request_start, name="request_start"),
    path("<str:code>/surat/jenis/", views_kiosk.request_type, name="request_type"),
    path("<str:code>/surat/selesai/<str:tracking>/", views_kiosk.request_done, name="request_done"),
    path("<str:code>/surat/<slug:slug>/", views_kiosk.request_form, name="request_form"),
    path("<str:code>/surat/<slug:slug>/periksa/", views_kiosk.request_confirm, name="request_confirm"),
    path("<str:code>/status/", views_kiosk.status, name="status"),
    path("<str:code>/cek/", views_kiosk.verify, name="verify"),
    # Information pages (the public pages' content in the kiosk's frame): views_kiosk_info.
    path("<str:code>/info/", views_kiosk_info.info_home, name="info_home"),
    path("<str:code>/info/<slug:page>/", views_kiosk_info.info_page, name="info"),
]
