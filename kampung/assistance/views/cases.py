"""(being written: each view below is replaced by its owner)"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def village_programme(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def case_register(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def ranking(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def deliberation(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def family_search(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def case_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def survey(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def photo_upload(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def case_cancel(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def photo_file(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")


def photo_delete(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404("Halaman belum tersedia.")
