"""The public transparency pages (no login): see :mod:`kampung.kiosk.views_public`."""

from django.urls import path

from kampung.kiosk import views_public as v

app_name = "public"
urlpatterns = [
    path("", v.home, name="home"),
    path("pengumuman/<int:pk>/", v.announcement, name="announcement"),
    path("<str:code>/", v.region, name="region"),
    path("<str:code>/desa/", v.villages, name="villages"),
    path("<str:code>/penduduk/", v.population, name="population"),
    path("<str:code>/apbdes/", v.budget, name="budget"),
    path("<str:code>/pembangunan/", v.projects, name="projects"),
    path("<str:code>/bantuan/", v.programmes, name="programmes"),
    path("<str:code>/bantuan/<int:programme_pk>/penerima/", v.beneficiaries, name="beneficiaries"),
    path("<str:code>/layanan/", v.services, name="services"),
    path("<str:code>/pengumuman/", v.announcements, name="announcements"),
]
