from django.urls import path

from kampung.kiosk import views_lounge as views

app_name = "lounge"
urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.region, name="region"),
]
