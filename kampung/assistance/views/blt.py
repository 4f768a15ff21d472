"""(being written: each view below is replaced by its owner)"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def months(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def month(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")
