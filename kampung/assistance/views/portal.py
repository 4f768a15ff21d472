"""(being written: each view below is replaced by its owner)"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def portal_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def portal_apply(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def portal_case(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")
