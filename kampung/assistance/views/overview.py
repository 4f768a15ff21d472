"""(being written: each view below is replaced by its owner)"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def home(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def overview(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def stalled(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def delegated(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")
