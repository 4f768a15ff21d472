from django.urls import path

from kampung.authority import views

app_name = "authority"
urlpatterns = [
    path("", views.register_list, name="register"),
    path("instrumen/baru/", views.instrument_create, name="instrument_create"),
    path("instrumen/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("instrumen/<int:pk>/berkas/", views.instrument_file, name="instrument_file"),
    path("instrumen/<int:pk>/pelimpahan/baru/", views.delegation_create, name="delegation_create"),
    path("pelimpahan/<int:pk>/", views.delegation_detail, name="delegation_detail"),
    path("pelimpahan/<int:pk>/cabut/", views.delegation_revoke, name="delegation_revoke"),
    path("berakhir/", views.expiring, name="expiring"),
    path("peta/", views.village_powers, name="village_powers"),
    path("saya/", views.my_powers, name="my_powers"),
    path("antrean/", views.matter_queue, name="matter_queue"),
    path("antrean/<int:pk>/putuskan/", views.matter_decide, name="matter_decide"),
    path("diteruskan/", views.matter_sent, name="matter_sent"),
    path("desa/<str:code>/mandat/", views.village_mandates, name="village_mandates"),
    path("desa/<str:code>/mandat/baru/", views.village_mandate_create, name="village_mandate_create"),
    path(
        "desa/<str:code>/mandat/<int:pk>/cabut/", views.village_mandate_revoke, name="village_mandate_revoke"
    ),
]
