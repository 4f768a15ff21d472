"""Statistics, the village's population registers, the monthly report and the Buku Penduduk
Sementara: pages, PDF (WeasyPrint) and Excel.

Every page reads through the scope: a village, district or regency outside the user's scope
is "not found". NIK and KK numbers are shown whole only to the village's own staff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.scope import (
    get_in_scope_or_404,
    region_in_scope_or_404,
    scope_for,
    villages_in_scope,
)
from kampung.audit.services import audit_view
from kampung.core.errors import KampungError
from kampung.core.formatting import number_id
from kampung.core.pdf import PDF_CONTENT_TYPE, pdf_filename, render_pdf
from kampung.population import registers, services_temporary, statistics
from kampung.population.forms_reports import (
    DepartureForm,
    MonthForm,
    PeriodForm,
    TemporaryResidentForm,
)
from kampung.population.models import TemporaryResident
from kampung.population.selectors import READER_ROLES, sees_full_numbers
from kampung.population.services import WRITER_ROLES
from kampung.regions.models import Level, Region

NAV = "population"
PAGE_SIZE = 50


# -- helpers ------------------------------------------------------------------------------


def _village_or_404(request: HttpRequest, code: str, *roles: str) -> Region:
    village = region_in_scope_or_404(request.user, code, *(roles or READER_ROLES))
    if not village.is_village:
        raise Http404("Wilayah tidak ditemukan.")
    return village


def _default_region_code(request: HttpRequest) -> str | None:
    grants = [g for g in scope_for(request.user).grants if g.role in READER_ROLES]
    if not grants:
        return None
    return min(grants, key=lambda g: (g.level, g.region_code)).region_code


def _chosen_region(request: HttpRequest) -> Region:
    code = (request.GET.get("wilayah") or "").strip()[:13] or _default_region_code(request)
    if not code:
        raise Http404("Wilayah tidak ditemukan.")
    return region_in_scope_or_404(request.user, code, *READER_ROLES)


@dataclass(frozen=True)
class RegionOption:
    code: str
    label: str


def _region_options(request: HttpRequest) -> list[RegionOption]:
    """The regions the picker offers: each region the user reads at and everything under it."""
    options: dict[str, RegionOption] = {}
    grants = sorted(
        (g for g in scope_for(request.user).grants if g.role in READER_ROLES), key=lambda g: g.region_code
    )
    for grant in grants:
        if grant.level == Level.VILLAGE:
            regions = Region.objects.filter(code=grant.region_code)
        else:
            regions = Region.objects.filter(code=grant.region_code) | Region.objects.filter(
                code__startswith=grant.region_code + ".", level__in=[Level.DISTRICT, Level.VILLAGE]
            )
        for region in regions.order_by("code"):
            indent = "— " * max(0, region.level - grant.level)
            options.setdefault(region.code, RegionOption(region.code, f"{indent}{region}"))
    return sorted(options.values(), key=lambda o: o.code)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=registers.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _audit_export(request: HttpRequest, village: Region, what: str) -> None:
    audit_view(
        actor=request.user,
        object_type="population.Register",
        object_id=village.code,
        region=village,
        what=what,
    )


def _too_long(what: str, advice: str) -> str:
    return f"Terlalu panjang untuk satu PDF (lebih dari {number_id(registers.PDF_MAX_ROWS)} {what}). {advice}"


def _print_context(village: Region, title: str, subtitle: str, **extra: Any) -> dict[str, Any]:
    return {
        "kop": registers.village_kop(village),
        "title": title,
        "subtitle": subtitle,
        "paper": "F4",
        "orientation": "landscape",
        "footer_left": f"{title} — {village} — dicetak {timezone.localtime():%d-%m-%Y %H.%M}",
        "village": village,
        **extra,
    }


# -- charts (inline SVG geometry; the templates only draw) --------------------------------

CHART_WIDTH = 640
ROW_HEIGHT = 22
LABEL_WIDTH = 215
LABEL_CHARS = 30


@dataclass(frozen=True)
class PyramidRow:
    label: str
    y: float
    text_y: float
    male: int
    female: int
    male_x: float
    male_w: float
    female_x: float
    female_w: float


def pyramid_chart(bands: tuple[statistics.SexCount, ...]) -> dict[str, Any]:
    """Bars for men to the left of the axis, women to the right, oldest band on top."""
    half = (CHART_WIDTH - 80) / 2
    centre = 40 + half
    peak = max([max(b.male, b.female) for b in bands] + [1])
    rows = []
    for i, band in enumerate(reversed(bands)):
        y = 24 + i * ROW_HEIGHT
        male_w = round(half * band.male / peak, 1)
        female_w = round(half * band.female / peak, 1)
        rows.append(
            PyramidRow(
                band.label,
                y,
                y + ROW_HEIGHT * 0.68,
                band.male,
                band.female,
                round(centre - male_w, 1),
                male_w,
                centre,
                female_w,
            )
        )
    return {
        "width": CHART_WIDTH,
        "height": 24 + len(rows) * ROW_HEIGHT + 8,
        "centre": centre,
        "rows": rows,
        "bar_height": ROW_HEIGHT - 4,
        "label_left": 40 + half / 2,
        "label_right": centre + half / 2,
    }


@dataclass(frozen=True)
class BarRow:
    label: str
    y: float
    text_y: float
    male: int
    female: int
    total: int
    male_w: float
    female_x: float
    female_w: float
    total_x: float


def bar_chart(rows: tuple[statistics.SexCount, ...]) -> dict[str, Any]:
    """Horizontal bars, one per category, men and women stacked."""
    room = CHART_WIDTH - LABEL_WIDTH - 70
    peak = max([r.total for r in rows] + [1])
    out = []
    for i, row in enumerate(rows):
        y = 8 + i * ROW_HEIGHT
        male_w = round(room * row.male / peak, 1)
        female_w = round(room * row.female / peak, 1)
        out.append(
            BarRow(
                row.label if len(row.label) <= LABEL_CHARS else row.label[: LABEL_CHARS - 1] + "…",
                y,
                y + ROW_HEIGHT * 0.68,
                row.male,
                row.female,
                row.total,
                male_w,
                LABEL_WIDTH + male_w,
                female_w,
                LABEL_WIDTH + male_w + female_w + 4,
            )
        )
    return {
        "width": CHART_WIDTH,
        "height": 16 + len(out) * ROW_HEIGHT,
        "label_x": LABEL_WIDTH - 6,
        "bar_x": LABEL_WIDTH,
        "rows": out,
        "bar_height": ROW_HEIGHT - 6,
    }


# -- statistics ---------------------------------------------------------------------------


@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    region = _chosen_region(request)
    stats = statistics.population_statistics_cached(region)
    charts = [
        {
            "id": dist.key,
            "title": dist.title,
            "distribution": dist,
            "chart": bar_chart(dist.top(10) if dist.key == "occupation" else dist.rows),
        }
        for dist in stats.distributions
    ]
    return render(
        request,
        "population/stats.html",
        {
            "region": region,
            "stats": stats,
            "cache_above": statistics.CACHE_ABOVE_VILLAGES,
            "options": _region_options(request),
            "pyramid": pyramid_chart(stats.pyramid),
            "charts": charts,
            "nav_active": NAV,
        },
    )


@login_required
def statistics_export(request: HttpRequest) -> HttpResponse:
    region = _chosen_region(request)
    stats = statistics.population_statistics_cached(region)
    content = registers.statistics_xlsx(stats)
    return _xlsx_response(content, f"statistik-penduduk-{region.code.replace('.', '')}.xlsx")


# -- registers: index ---------------------------------------------------------------------


@login_required
def register_index(request: HttpRequest) -> HttpResponse:
    villages = villages_in_scope(request.user, *READER_ROLES).order_by("code")
    if not villages.exists():
        # Residents and the BPD do not read the registers: "not found", like every page here.
        raise Http404("Halaman tidak ditemukan.")
    q = (request.GET.get("q") or "").strip()[:60]
    if q:
        villages = villages.filter(name__icontains=q)
    if not q and villages.count() == 1:
        only = villages.first()
        assert only is not None
        return redirect("population:register_induk", code=only.code)
    page = Paginator(villages, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "population/register_index.html",
        {
            "page_obj": page,
            "q": q,
            "querystring_base": urlencode({"q": q}) + "&" if q else "",
            "nav_active": NAV,
        },
    )


# -- Buku Induk ---------------------------------------------------------------------------


def _include_left(request: HttpRequest) -> bool:
    return request.GET.get("status") == "semua"


@login_required
def register_induk(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    include_left = _include_left(request)
    qs = registers.induk_queryset(village, include_left=include_left)
    paginator = Paginator(qs.values("pk"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    first = page.start_index() if paginator.count else 1
    rows = list(
        registers.induk_rows(
            qs[first - 1 : first - 1 + PAGE_SIZE],
            first_number=first,
            full_numbers=sees_full_numbers(request.user, village.code),
        )
    )
    status = "semua" if include_left else ""
    parts = registers.pdf_parts(paginator.count)
    return render(
        request,
        "population/register_induk.html",
        {
            "village": village,
            "rows": rows,
            "page_obj": page,
            "parts": parts,
            "part_rows": parts[0].rows if len(parts) > 1 else registers.PDF_PART_ROWS,
            "status": status,
            "status_query": f"&status={status}" if status else "",
            "querystring_base": "status=semua&" if status else "",
            "tab": "induk",
            "nav_active": NAV,
        },
    )


@login_required
def register_induk_pdf(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    include_left = _include_left(request)
    qs = registers.induk_queryset(village, include_left=include_left)
    total = qs.count()
    parts = registers.pdf_parts(total)
    try:
        number = int(request.GET.get("bagian") or 1)
    except ValueError:
        number = 1
    part = next((p for p in parts if p.number == number), None)
    if part is None and total:
        raise Http404("Bagian tidak ditemukan.")
    rows = (
        list(
            registers.induk_rows(
                qs[part.first - 1 : part.last],
                first_number=part.first,
                full_numbers=sees_full_numbers(request.user, village.code),
            )
        )
        if part
        else []
    )
    subtitle = f"Keadaan {timezone.localdate():%d-%m-%Y}"
    if part and len(parts) > 1:
        subtitle += f" — bagian {part.number} dari {len(parts)} (nomor {part.first}–{part.last} dari {total})"
    pdf = render_pdf(
        "population/register_induk_print.html",
        _print_context(village, "Buku Induk Penduduk", subtitle, rows=rows),
    )
    _audit_export(request, village, f"Buku Induk Penduduk (PDF, bagian {number})")
    return _pdf_response(pdf.content, pdf_filename("buku induk", village.compact_code, f"bagian {number}"))


@login_required
def register_induk_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    qs = registers.induk_queryset(village, include_left=_include_left(request))
    rows = registers.induk_rows(
        qs, first_number=1, full_numbers=sees_full_numbers(request.user, village.code)
    )
    content = registers.rows_xlsx(
        title="Buku Induk Penduduk",
        heading=[f"Buku Induk Penduduk — {village}"],
        columns=registers.INDUK_COLUMNS,
        rows=(registers.induk_cells(r) for r in rows),
    )
    _audit_export(request, village, "Buku Induk Penduduk (Excel)")
    return _xlsx_response(content, f"buku-induk-{village.compact_code}.xlsx")


# -- Buku Mutasi --------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date]:
    form = PeriodForm(request.GET if {"dari", "sampai"} & set(request.GET) else None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["dari"], form.cleaned_data["sampai"]
    blank = PeriodForm({})
    blank.is_valid()
    first, last = blank.cleaned_data["dari"], blank.cleaned_data["sampai"]
    if not form.is_bound:
        form = PeriodForm(initial={"dari": first, "sampai": last})
    return form, first, last


@login_required
def register_mutasi(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    form, first, last = _period(request)
    qs = registers.mutation_queryset(village, first, last)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(
        registers.mutation_rows(
            page.object_list,
            first_number=page.start_index() or 1,
            full_numbers=sees_full_numbers(request.user, village.code),
        )
    )
    period_query = urlencode({"dari": first.isoformat(), "sampai": last.isoformat()})
    return render(
        request,
        "population/register_mutasi.html",
        {
            "village": village,
            "form": form,
            "first": first,
            "last": last,
            "rows": rows,
            "page_obj": page,
            "period_query": period_query,
            "querystring_base": period_query + "&",
            "tab": "mutasi",
            "nav_active": NAV,
        },
    )


def _mutation_rows(request: HttpRequest, village: Region, first: dt.date, last: dt.date) -> Any:
    return registers.mutation_rows(
        registers.mutation_queryset(village, first, last).iterator(chunk_size=1000),
        first_number=1,
        full_numbers=sees_full_numbers(request.user, village.code),
    )


@login_required
def register_mutasi_pdf(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    _form, first, last = _period(request)
    if registers.mutation_queryset(village, first, last).count() > registers.PDF_MAX_ROWS:
        messages.error(request, _too_long("peristiwa", "Pilih periode yang lebih pendek."))
        url = reverse("population:register_mutasi", kwargs={"code": village.code})
        return redirect(f"{url}?{urlencode({'dari': first.isoformat(), 'sampai': last.isoformat()})}")
    rows = list(_mutation_rows(request, village, first, last))
    pdf = render_pdf(
        "population/register_mutasi_print.html",
        _print_context(
            village, "Buku Mutasi Penduduk", f"Periode {first:%d-%m-%Y} s.d. {last:%d-%m-%Y}", rows=rows
        ),
    )
    _audit_export(request, village, "Buku Mutasi Penduduk (PDF)")
    return _pdf_response(pdf.content, pdf_filename("buku mutasi", village.compact_code, first.isoformat()))


@login_required
def register_mutasi_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    _form, first, last = _period(request)
    content = registers.rows_xlsx(
        title="Buku Mutasi Penduduk",
        heading=[f"Buku Mutasi Penduduk — {village}", f"Periode {first:%d-%m-%Y} s.d. {last:%d-%m-%Y}"],
        columns=registers.MUTATION_COLUMNS,
        rows=(registers.mutation_cells(r) for r in _mutation_rows(request, village, first, last)),
    )
    _audit_export(request, village, "Buku Mutasi Penduduk (Excel)")
    return _xlsx_response(content, f"buku-mutasi-{village.compact_code}-{first:%Y%m%d}.xlsx")


# -- monthly figures: Buku Rekapitulasi and the monthly report ----------------------------


def _month(request: HttpRequest) -> tuple[MonthForm, int, int]:
    form = MonthForm(request.GET if "bulan" in request.GET else None)
    if form.is_bound and form.is_valid():
        year, month = form.cleaned_data["bulan"]
        return form, year, month
    blank = MonthForm({})
    blank.is_valid()
    year, month = blank.cleaned_data["bulan"]
    if not form.is_bound:
        form = MonthForm(initial={"bulan": f"{year}-{month:02d}"})
    return form, year, month


def _rekap(request: HttpRequest, code: str) -> tuple[Region, MonthForm, statistics.MonthlyReport]:
    village = _village_or_404(request, code)
    form, year, month = _month(request)
    report = statistics.monthly_figures([village.code], year, month, by_dusun=True)
    return village, form, report


def _dusun_labels(report: statistics.MonthlyReport) -> dict[str, str]:
    return {row.key: f"Dusun {row.key}" if row.key else "(tanpa dusun)" for row in report.rows}


def _table_rows(
    report: statistics.MonthlyReport, labels: dict[str, str]
) -> list[tuple[str, statistics.MonthlyFigures]]:
    return [(labels.get(row.key, row.key or "(tanpa dusun)"), row) for row in report.rows]


@login_required
def register_rekap(request: HttpRequest, code: str) -> HttpResponse:
    village, form, report = _rekap(request, code)
    return render(
        request,
        "population/register_rekap.html",
        {
            "village": village,
            "form": form,
            "report": report,
            "table_rows": _table_rows(report, _dusun_labels(report)),
            "month_label": registers.month_name(report.year, report.month),
            "month_query": f"bulan={report.year}-{report.month:02d}",
            "tab": "rekap",
            "nav_active": NAV,
        },
    )


@login_required
def register_rekap_pdf(request: HttpRequest, code: str) -> HttpResponse:
    village, _form, report = _rekap(request, code)
    pdf = render_pdf(
        "population/register_rekap_print.html",
        _print_context(
            village,
            "Buku Rekapitulasi Jumlah Penduduk",
            f"Bulan {registers.month_name(report.year, report.month)}",
            report=report,
            table_rows=_table_rows(report, _dusun_labels(report)),
        ),
    )
    name = pdf_filename("buku rekapitulasi", village.compact_code, f"{report.year}-{report.month:02d}")
    return _pdf_response(pdf.content, name)


@login_required
def register_rekap_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    village, _form, report = _rekap(request, code)
    content = registers.monthly_xlsx(
        heading=[
            f"Buku Rekapitulasi Jumlah Penduduk — {village}",
            f"Bulan {registers.month_name(report.year, report.month)}",
        ],
        report=report,
        labels=_dusun_labels(report),
    )
    return _xlsx_response(
        content, f"buku-rekapitulasi-{village.compact_code}-{report.year}{report.month:02d}.xlsx"
    )


def _monthly(request: HttpRequest) -> tuple[Region, MonthForm, statistics.MonthlyReport, dict[str, str]]:
    region = _chosen_region(request)
    form, year, month = _month(request)
    codes = statistics.village_codes_under(region)
    report = statistics.monthly_figures(codes, year, month)
    labels = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return region, form, report, labels


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    region, form, report, labels = _monthly(request)
    return render(
        request,
        "population/monthly.html",
        {
            "region": region,
            "form": form,
            "report": report,
            "table_rows": _table_rows(report, labels),
            "options": _region_options(request),
            "month_label": registers.month_name(report.year, report.month),
            "query": urlencode({"wilayah": region.code, "bulan": f"{report.year}-{report.month:02d}"}),
            "summary": not region.is_village,
            "nav_active": NAV,
        },
    )


@login_required
def monthly_pdf(request: HttpRequest) -> HttpResponse:
    region, _form, report, labels = _monthly(request)
    month_label = registers.month_name(report.year, report.month)
    context = {
        "title": "Laporan Bulanan Penduduk",
        "subtitle": f"{region} — bulan {month_label}",
        "paper": "F4",
        "orientation": "landscape",
        "footer_left": f"Laporan bulanan penduduk — {region} — {month_label}",
        "report": report,
        "table_rows": _table_rows(report, labels),
        "region": region,
        "summary": not region.is_village,
        "kop": registers.village_kop(region) if region.is_village else None,
    }
    pdf = render_pdf("population/monthly_print.html", context)
    name = pdf_filename("laporan bulanan", region.code.replace(".", ""), f"{report.year}-{report.month:02d}")
    return _pdf_response(pdf.content, name)


@login_required
def monthly_xlsx(request: HttpRequest) -> HttpResponse:
    region, _form, report, labels = _monthly(request)
    content = registers.monthly_xlsx(
        heading=[
            f"Laporan Bulanan Penduduk — {region}",
            f"Bulan {registers.month_name(report.year, report.month)}",
        ],
        report=report,
        labels=labels,
    )
    name = f"laporan-bulanan-{region.code.replace('.', '')}-{report.year}{report.month:02d}.xlsx"
    return _xlsx_response(content, name)


# -- Buku Penduduk Sementara --------------------------------------------------------------


def _temporary_rows(request: HttpRequest, village: Region, people: Any, first: int) -> list[Any]:
    return list(
        registers.temporary_rows(
            people, first_number=first, full_numbers=sees_full_numbers(request.user, village.code)
        )
    )


@login_required
def temporary_list(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    present = request.GET.get("status") != "semua"
    q = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(registers.temporary_queryset(village, present_only=present, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = {k: v for k, v in (("q", q), ("status", "" if present else "semua")) if v}
    return render(
        request,
        "population/temporary_list.html",
        {
            "village": village,
            "rows": _temporary_rows(request, village, page.object_list, page.start_index() or 1),
            "page_obj": page,
            "q": q,
            "present": present,
            "status_query": urlencode(query),
            "querystring_base": urlencode(query) + "&" if query else "",
            "can_edit": scope_for(request.user).covers(village.code, *WRITER_ROLES),
            "tab": "sementara",
            "nav_active": NAV,
        },
    )


@login_required
def register_temporary_pdf(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    present = request.GET.get("status") != "semua"
    if registers.temporary_queryset(village, present_only=present).count() > registers.PDF_MAX_ROWS:
        messages.error(request, _too_long("orang", "Cetak yang masih tinggal saja, atau unduh Excel."))
        return redirect("population:temporary_list", code=village.code)
    people = registers.temporary_queryset(village, present_only=present).iterator(chunk_size=1000)
    rows = _temporary_rows(request, village, people, 1)
    subtitle = "Yang masih tinggal" if present else "Semua yang pernah dicatat"
    pdf = render_pdf(
        "population/register_temporary_print.html",
        _print_context(village, "Buku Penduduk Sementara", subtitle, rows=rows),
    )
    _audit_export(request, village, "Buku Penduduk Sementara (PDF)")
    return _pdf_response(pdf.content, pdf_filename("buku penduduk sementara", village.compact_code))


@login_required
def register_temporary_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    present = request.GET.get("status") != "semua"
    people = registers.temporary_queryset(village, present_only=present).iterator(chunk_size=1000)
    content = registers.rows_xlsx(
        title="Buku Penduduk Sementara",
        heading=[f"Buku Penduduk Sementara — {village}"],
        columns=registers.TEMPORARY_COLUMNS,
        rows=(registers.temporary_cells(r) for r in _temporary_rows(request, village, people, 1)),
    )
    _audit_export(request, village, "Buku Penduduk Sementara (Excel)")
    return _xlsx_response(content, f"buku-penduduk-sementara-{village.compact_code}.xlsx")


def _temporary_or_404(request: HttpRequest, village: Region, pk: int) -> TemporaryResident:
    return get_in_scope_or_404(
        TemporaryResident.objects.filter(village=village), request.user, roles=WRITER_ROLES, pk=pk
    )


def _form_values(form: TemporaryResidentForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    for name in ("nik", "birth_place", "host", "dusun", "rw", "rt", "notes"):
        data[name] = data.get(name) or ""
    return data


@login_required
def temporary_add(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code, *WRITER_ROLES)
    form = TemporaryResidentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services_temporary.temporary_resident_create(
                actor=request.user, village=village, values=_form_values(form)
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Penduduk sementara dicatat.")
            return redirect("population:temporary_list", code=village.code)
    return render(
        request,
        "population/temporary_form.html",
        {"village": village, "form": form, "person": None, "tab": "sementara", "nav_active": NAV},
    )


@login_required
def temporary_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village_or_404(request, code, *WRITER_ROLES)
    person = _temporary_or_404(request, village, pk)
    form = TemporaryResidentForm(
        request.POST if request.method == "POST" else None, initial=TemporaryResidentForm.initial_for(person)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_temporary.temporary_resident_update(
                actor=request.user, person=person, changes=_form_values(form)
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Data penduduk sementara disimpan.")
            return redirect("population:temporary_list", code=village.code)
    return render(
        request,
        "population/temporary_form.html",
        {"village": village, "form": form, "person": person, "tab": "sementara", "nav_active": NAV},
    )


@login_required
def temporary_depart(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village_or_404(request, code, *WRITER_ROLES)
    person = _temporary_or_404(request, village, pk)
    form = DepartureForm(request.POST if request.method == "POST" else None, arrival=person.arrival_date)
    if request.method == "POST" and form.is_valid():
        try:
            services_temporary.temporary_resident_depart(
                actor=request.user,
                person=person,
                departure_date=form.cleaned_data["departure_date"],
                note=form.cleaned_data["note"],
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Kepergian {person.name} dicatat.")
            return redirect(
                reverse("population:temporary_list", kwargs={"code": village.code}) + "?status=semua"
            )
    return render(
        request,
        "population/temporary_depart.html",
        {"village": village, "form": form, "person": person, "tab": "sementara", "nav_active": NAV},
    )
