"""(being written: each view below is replaced by its owner)"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def programme_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def programme_create(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def programme_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def criteria(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def criterion_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def programme_year(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def aid_history(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")
