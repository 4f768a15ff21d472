"""The kiosk's information pages: the public pages' content in the kiosk's touch frame.

``/anjungan/<code>/info/`` is the region's profile, ``/anjungan/<code>/info/<page>/`` one of
its pages (``penduduk``, ``apbdes``, ``pembangunan``, ``bantuan``, ``penerima``, ``layanan``,
``pengumuman``, ``desa``, ``profil``). The body is the same cached fragment as the public
page's (:func:`kampung.kiosk.views_public.content_fragment` with ``kiosk=True``: links lead
to these pages and lists are big buttons); the frame is rendered with the request because it
holds the kiosk's CSRF reset form, so only the fragment is cached.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kampung.kiosk.site import served_region_or_404, site_context
from kampung.kiosk.views_public import PAGE_LABELS, applies, content_fragment, menu, page_title


def _info(request: HttpRequest, code: str, page: str) -> HttpResponse:
    region = served_region_or_404(code)
    if page not in PAGE_LABELS or not applies(region, page):
        raise Http404("Halaman tidak ditemukan.")
    fragment = content_fragment(region, page, kiosk=True, params=request.GET.dict())
    return render(
        request,
        "kiosk/kiosk/info.html",
        {
            **site_context(region),
            "content": fragment,
            "pages": menu(region, kiosk=True),
            "page": page,
            "title": page_title(region, page),
        },
    )


@require_safe
def info_home(request: HttpRequest, code: str) -> HttpResponse:
    return _info(request, code, "profil")


@require_safe
def info_page(request: HttpRequest, code: str, page: str) -> HttpResponse:
    return _info(request, code, page)
