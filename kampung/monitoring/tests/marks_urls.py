"""A test URLconf: one view that records an audited change, as every service does."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kampung.audit.services import audit_record


def change(request: HttpRequest, code: str) -> HttpResponse:
    audit_record(actor=None, act="finance.test.change", region=code, object_type="finance.Spp", object_id="1")
    return HttpResponse("ok")


urlpatterns = [path("ubah/<str:code>/", change)]
