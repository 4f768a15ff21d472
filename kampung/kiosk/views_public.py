"""The public transparency pages (``/publik/``, no login) and the content they share with the
kiosk's information pages.

Developer notes
---------------

Routes (namespace ``public``, all GET/HEAD only; any other method answers 405):

==========================================  =====================  =========================
path                                        name                   for
==========================================  =====================  =========================
``/publik/``                                ``home``               redirect to the one served
                                                                   regency (a list if several,
                                                                   a friendly page if none)
``/publik/pengumuman/<pk>/``                ``announcement``       one announcement in force
``/publik/<code>/``                         ``region``             regency, district or village
``/publik/<code>/desa/``                    ``villages``           regency, district (``q``,
                                                                   ``kecamatan``, ``page``)
``/publik/<code>/penduduk/``                ``population``         village
``/publik/<code>/apbdes/``                  ``budget``             desa only (``tahun``)
``/publik/<code>/pembangunan/``             ``projects``           desa only (``tahun``)
``/publik/<code>/bantuan/``                 ``programmes``         village (``tahun``)
``/publik/<code>/bantuan/<pk>/penerima/``   ``beneficiaries``      village, programme with
                                                                   ``publish_names`` on
``/publik/<code>/layanan/``                 ``services``           any level (a village: its
                                                                   own catalogue)
``/publik/<code>/pengumuman/``              ``announcements``      any level (``page``)
==========================================  =====================  =========================

A code outside the regencies this installation serves, an unknown code, or a page that does
not apply (a kelurahan's APBDes or projects, a district's population page) is 404.

Content and the kiosk: each page's body is a *fragment* (``kiosk/public/_<page>.html``) made
by :func:`content_fragment` ``(region, page, kiosk=..., params=...)``. With ``kiosk=True``
its links point at the kiosk's ``kiosk:info_home``/``kiosk:info`` pages and lists are big
touch buttons; the kiosk views (:mod:`.views_kiosk_info`) put the same fragment in the
kiosk's frame. The page slugs are those of :data:`PAGE_LABELS` (``profil``, ``penduduk``,
``apbdes``, ``pembangunan``, ``bantuan``, ``penerima``, ``layanan``, ``pengumuman``,
``desa``).

Caching, two layers, both keyed with :func:`public_cache._version` (an announcement change
calls ``public_cache_bump()`` and every key changes):

- whole public pages: :func:`public_cache.public_page` keeps the rendered bytes by path,
  query and language for ``KAMPUNG_PUBLIC_CACHE_SECONDS`` and sends
  ``Cache-Control: public, max-age=...``. They are rendered without the request
  (:func:`public_cache.render_public`): no user, no CSRF token, no cookie.
- fragments: kept in Django's cache as long, by region, page, kiosk flag, the page's own
  query values and language. The kiosk pages are rendered with the request (the kiosk frame
  holds a CSRF form), so only their fragment is cached.

Figures come from the monitoring roll-ups (population, finance realisation, projects,
programmes, letters), finance's public APBDes summary and the letter catalogue: a fixed,
small number of queries whatever the number of villages (see ``tests/test_public_queries``).

What is never shown: NIK, KK numbers, addresses of residents, birth dates, executors' or
applicants' names. Beneficiaries' names appear only when the regency switched on
``Programme.publish_names`` for that programme (off by default), and then only name, hamlet
(dusun) and stage, for the current year's decided cases. Announcement bodies are plain text
(escaped, line breaks kept).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from kampung.core.formatting import rupiah
from kampung.kiosk import selectors_public as sel
from kampung.kiosk.public_cache import _version, cache_seconds, public_page, render_public
from kampung.kiosk.site import served_regency_codes, served_region_or_404, site_context
from kampung.monitoring import charts
from kampung.regions.models import Level, Region

PAGE_LABELS: dict[str, str] = {
    "profil": "Profil",
    "penduduk": "Penduduk",
    "apbdes": "APBDes",
    "pembangunan": "Pembangunan",
    "bantuan": "Bantuan sosial",
    "penerima": "Penerima bantuan",
    "layanan": "Layanan surat",
    "pengumuman": "Pengumuman",
    "desa": "Desa dan kelurahan",
}
PUBLIC_ROUTES: dict[str, str] = {
    "profil": "public:region",
    "penduduk": "public:population",
    "apbdes": "public:budget",
    "pembangunan": "public:projects",
    "bantuan": "public:programmes",
    "layanan": "public:services",
    "pengumuman": "public:announcements",
    "desa": "public:villages",
}
# The query values each page reads (everything else is ignored, also in the cache key).
PARAMS: tuple[str, ...] = ("page", "tahun", "q", "kecamatan", "program")
KIOSK_PER_PAGE = 12


def menu_pages(region: Region) -> list[str]:
    """The pages a region has, in menu order."""
    if region.level == Level.VILLAGE:
        pages = ["profil", "penduduk"]
        if region.keeps_apbdes:
            pages += ["apbdes", "pembangunan"]
        return [*pages, "bantuan", "layanan", "pengumuman"]
    return ["profil", "desa", "layanan", "pengumuman"]


def applies(region: Region, page: str) -> bool:
    if page == "penerima":
        return region.level == Level.VILLAGE
    return page in menu_pages(region)


def page_url(code: str, page: str, *, kiosk: bool) -> str:
    if kiosk:
        if page == "profil":
            return reverse("kiosk:info_home", kwargs={"code": code})
        return reverse("kiosk:info", kwargs={"code": code, "page": page})
    return reverse(PUBLIC_ROUTES[page], kwargs={"code": code})


def menu(region: Region, *, kiosk: bool) -> list[dict[str, str]]:
    return [
        {"page": p, "label": PAGE_LABELS[p], "url": page_url(region.code, p, kiosk=kiosk)}
        for p in menu_pages(region)
    ]


def page_title(region: Region, page: str) -> str:
    return str(region) if page == "profil" else f"{PAGE_LABELS[page]} · {region}"


def params_of(query: Mapping[str, Any]) -> dict[str, str]:
    """The page's own query values, cleaned (no NUL, bounded length)."""
    return {k: sel.clean_text(query.get(k), 100) for k in PARAMS if query.get(k)}


def _query(params: dict[str, str], **changes: Any) -> str:
    """The query string for a link that keeps ``params`` but for ``changes``."""
    merged = {**params, **{k: str(v) for k, v in changes.items() if v not in (None, "")}}
    for k, v in changes.items():
        if v in (None, ""):
            merged.pop(k, None)
    return "?" + urlencode(sorted(merged.items())) if merged else "?"


# -- the fragments ---------------------------------------------------------------------------

Built = tuple[str, dict[str, Any]]


def _profile(region: Region, params: dict[str, str], kiosk: bool) -> Built:
    found = sel.profile(region)
    for child in found.children:
        child.url = page_url(child.code, "profil", kiosk=kiosk)
    latest = list(sel.announcements_in_force(region)[:3])
    return "kiosk/public/_profile.html", {"p": found, "announcements": latest}


def _villages(region: Region, params: dict[str, str], kiosk: bool) -> Built:
    found = sel.villages(region, q=params.get("q", ""), district=params.get("kecamatan", ""))
    page_obj = sel.paginate(found.rows, params.get("page"), KIOSK_PER_PAGE if kiosk else sel.PER_PAGE)
    for row in page_obj.object_list:
        row.url = page_url(row.code, "profil", kiosk=kiosk)
    kept = {k: v for k, v in (("q", found.q), ("kecamatan", found.district)) if v}
    return "kiosk/public/_villages.html", {
        "found": found,
        "page_obj": page_obj,
        "pager": _pager(page_obj, kept),
        "district_links": [
            {
                "code": code,
                "name": name,
                "url": _query(kept, kecamatan=code),
                "current": code == found.district,
            }
            for code, name in found.districts
        ],
        "all_url": _query(kept, kecamatan=None),
    }


def _population(region: Region, params: dict[str, str], kiosk: bool) -> Built:
    found = sel.population(region)
    rows = [(band, m, f, m + f) for band, m, f in found.pyramid]
    chart = charts.pyramid(found.pyramid, title=f"Piramida penduduk {region} menurut umur dan jenis kelamin")
    events = [(sel.EVENT_NAMES[k], n) for k, n in found.total.events.items() if k in sel.EVENT_NAMES]
    return "kiosk/public/_population.html", {
        "found": found,
        "rows": rows,
        "chart": chart,
        "events": events,
        "year": found.period.year,
    }


def _budget(region: Region, params: dict[str, str], kiosk: bool) -> Built:
    year = sel.year_from(params.get("tahun"), sel.today().year)
    found = sel.budget(region, year)
    context: dict[str, Any] = {"found": found, "year": year, "years": _years(found.years, year, params)}
    if found.summary is not None:
        summary = found.summary
        context["revenue_chart"] = charts.hbars(
            [(s["name"], float(s["amount"]), rupiah(s["amount"])) for s in summary["revenue"]["by_source"]],
            title=f"Pendapatan APBDes {year} menurut sumber dana",
        )
        context["spending_chart"] = charts.hbars(
            [(b["name"], float(b["amount"]), rupiah(b["amount"])) for b in summary["spending"]["by_bidang"]],
            title=f"Belanja APBDes {year} menurut bidang",
        )
        context["absorption_chart"] = charts.hbars(
            [(r.name, (r.rate or 0) * 100, r.rate_text) for r in found.spending],
            title=f"Realisasi belanja {year} menurut bidang (persen dari anggaran)",
        )
    return "kiosk/public/_budget.html", context


def _years(years: list[int], current: int, params: dict[str, str]) -> list[dict[str, Any]]:
    return [{"year": y, "url": _query(params, tahun=y, page=None), "current": y == current} for y in years]


def _projects(region: Region, params: dict[str, str], kiosk: bool) -> Built:
    day = sel.today()
    year = sel.year_from(params.get("tahun"), day.year)
    rows = sel.projects(region, year)
    return "kiosk/public/_projects.html", {
        "rows": rows,
        "year": year,
        "years": _years(sel.project_years(region, day.year), year, params),
        "budget": sum((r.budget for r in rows), sel.ZERO),
        "spent": sum((r.spent for r in rows), sel.ZERO),
    }


def _programmes(region: Region, params: dict[str, str], kiosk: bool) -> Built:
    year = sel.year_from(params.get("tahun"), sel.today().year)
    rows = sel.programmes(region, year)
    for row in rows:
        if row.publish_names and row.pk is not None:
            if kiosk:
                row.link = page_url(region.code, "penerima", kiosk=True) + f"?program={row.pk}"
            else:
                row.link = reverse(
                    "public:beneficiaries", kwargs={"code": region.code, "programme_pk": row.pk}
                )
    return "kiosk/public/_programmes.html", {"rows": rows, "year": year}


def _beneficiaries(region: Region, params: dict[str, str], kiosk: bool) -> Built:
    raw = params.get("program", "")
    programme = (
        sel.published_programme(region, int(raw))
        if raw.isascii() and raw.isdigit() and len(raw) < 10
        else None
    )
    if programme is None:
        raise Http404("Daftar penerima program ini tidak diumumkan.")
    year = sel.today().year
    page_obj = sel.paginate(sel.beneficiaries(region, programme, year), params.get("page"), 25)
    back = page_url(region.code, "bantuan", kiosk=kiosk)
    return "kiosk/public/_beneficiaries.html", {
        "programme": programme,
        "year": year,
        "page_obj": page_obj,
        "pager": _pager(page_obj, {"program": raw} if kiosk else {}),
        "back": back,
        "status_names": dict(sel.CaseStatus.choices),
    }


def _services(region: Region, params: dict[str, str], kiosk: bool) -> Built:
    return "kiosk/public/_services.html", {"rows": sel.services(region)}


def _announcements(region: Region, params: dict[str, str], kiosk: bool) -> Built:
    page_obj = sel.paginate(sel.announcements_in_force(region), params.get("page"), 10)
    return "kiosk/public/_announcements.html", {"page_obj": page_obj, "pager": _pager(page_obj, {})}


def _pager(page_obj: Any, kept: dict[str, str]) -> dict[str, str]:
    """Links to the previous and next page that keep the other query values."""
    links = {}
    if page_obj.has_previous():
        links["previous"] = _query(kept, page=page_obj.previous_page_number())
    if page_obj.has_next():
        links["next"] = _query(kept, page=page_obj.next_page_number())
    return links


BUILDERS: dict[str, Callable[[Region, dict[str, str], bool], Built]] = {
    "profil": _profile,
    "desa": _villages,
    "penduduk": _population,
    "apbdes": _budget,
    "pembangunan": _projects,
    "bantuan": _programmes,
    "penerima": _beneficiaries,
    "layanan": _services,
    "pengumuman": _announcements,
}


def fragment_key(region: Region, page: str, *, kiosk: bool, params: dict[str, str]) -> str:
    raw = f"{region.code}|{page}|{int(kiosk)}|{sorted(params.items())!r}|{translation.get_language()}"
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return f"public:{_version()}:fragment:{digest}"


def content_fragment(
    region: Region, page: str, *, kiosk: bool, params: Mapping[str, Any] | None = None
) -> SafeString:
    """The body of ``page`` of ``region`` (from the cache when it is there). Raises Http404
    for a page the region does not have."""
    if page not in BUILDERS or not applies(region, page):
        raise Http404("Halaman tidak ditemukan.")
    values = params_of(params or {})
    key = fragment_key(region, page, kiosk=kiosk, params=values)
    hit = cache.get(key)
    if hit is not None:
        return mark_safe(hit)  # noqa: S308 - our own rendered template output
    template, context = BUILDERS[page](region, values, kiosk)
    html = render_to_string(
        template,
        {**context, "region": region, "kiosk": kiosk, "params": values, "urls": _urls(region, kiosk)},
    )
    cache.set(key, html, cache_seconds())
    return mark_safe(html)  # noqa: S308 - rendered by the template engine (escaped)


def _urls(region: Region, kiosk: bool) -> dict[str, str]:
    return {p: page_url(region.code, p, kiosk=kiosk) for p in menu_pages(region)}


# -- the public views ------------------------------------------------------------------------


def _public(request: HttpRequest, code: str, page: str, **extra: str) -> HttpResponse:
    region = served_region_or_404(code)
    content = content_fragment(region, page, kiosk=False, params={**request.GET.dict(), **extra})
    return render_public(
        "kiosk/public/page.html",
        {
            **site_context(region),
            "content": content,
            "title": page_title(region, page),
            "page": page,
            "sub": "" if page == "profil" else PAGE_LABELS[page],
            "menu": menu(region, kiosk=False),
        },
    )


@public_page
def home(request: HttpRequest) -> HttpResponse:
    codes = served_regency_codes()
    if len(codes) == 1:
        return HttpResponseRedirect(reverse("public:region", kwargs={"code": codes[0]}))
    regencies = list(Region.objects.filter(code__in=codes).order_by("name"))
    return render_public("kiosk/public/home.html", {"regencies": regencies})


def _route(page: str) -> Callable[..., HttpResponse]:
    """The cached public view of one page of a region."""

    @public_page
    def view(request: HttpRequest, code: str) -> HttpResponse:
        return _public(request, code, page)

    view.__name__ = view.__qualname__ = f"public_{page}"
    return view


region = _route("profil")
villages = _route("desa")
population = _route("penduduk")
budget = _route("apbdes")
projects = _route("pembangunan")
programmes = _route("bantuan")
services = _route("layanan")
announcements = _route("pengumuman")


@public_page
def beneficiaries(request: HttpRequest, code: str, programme_pk: int) -> HttpResponse:
    return _public(request, code, "penerima", program=str(programme_pk))


@public_page
def announcement(request: HttpRequest, pk: int) -> HttpResponse:
    found = sel.announcement_in_force(pk, served_regency_codes())
    if found is None:
        raise Http404("Pengumuman tidak ditemukan atau sudah tidak berlaku.")
    return render_public(
        "kiosk/public/announcement.html",
        {**site_context(found.region), "announcement": found, "sub": "Pengumuman"},
    )
