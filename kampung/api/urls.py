from django.urls import path

from kampung.api.api import api

urlpatterns = [path("v1/", api.urls)]
