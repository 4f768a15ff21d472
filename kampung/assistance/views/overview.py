"""The assistance home page, and the district/regency overview of a programme year: per
district or village the counts by stage, money committed and paid, houses finished, cases
stalled and decisions under delegation, with drill-down, Excel, the stalled-case list and
the list of decisions village heads took under a delegation.

A camat or district officer sees their district's villages; DPMD, the admin and the bupati
see the regency per district and drill into a district (``?kecamatan=``). Village staff have
their village pages (the overview is "not found" for them, as finance's summary is).
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, Role
from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.assistance.access import PROGRAMME_ADMINS, VILLAGE_READERS, programme_or_404
from kampung.assistance.models import Programme
from kampung.assistance.selectors import overview as sel
from kampung.regions.models import Level, Region

NAV = "assistance"
OVERVIEW_ROLES = (*sorted(DISTRICT_ROLES), *sorted(REGENCY_ROLES))
MIN_YEAR, MAX_YEAR = 2000, 2100
PER_PAGE = 50
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year_or_404(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Tahun tidak dikenal.")
    return year


def _query_year(request: HttpRequest) -> int:
    raw = request.GET.get("tahun", "")
    if raw.isascii() and raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw)
    return timezone.localdate().year


def _wide_roots(user: Any, regency_code: str) -> list[str]:
    """The regency and district codes the user oversees inside ``regency_code``."""
    scope = scope_for(user)
    regency = [c for c in scope.region_codes(*sorted(REGENCY_ROLES)) if c == regency_code]
    districts = [c for c in scope.region_codes(*sorted(DISTRICT_ROLES)) if c.startswith(regency_code + ".")]
    return regency + districts


def _root(request: HttpRequest, regency_code: str) -> tuple[Region, bool]:
    """The region the page shows (the regency, or a district) and whether it was drilled into."""
    roots = _wide_roots(request.user, regency_code)
    if not roots:
        raise Http404("Ringkasan bantuan hanya untuk kecamatan dan kabupaten.")
    chosen = request.GET.get("kecamatan", "").replace("\x00", "").strip()
    if chosen:
        region = region_in_scope_or_404(request.user, chosen[:13], *OVERVIEW_ROLES)
        if region.level != Level.DISTRICT or not region.code.startswith(regency_code + "."):
            raise Http404("Kecamatan tidak ditemukan.")
        return region, region.code not in roots
    return Region.objects.get(code=roots[0]), False


def _programme(request: HttpRequest, code: str) -> Programme:
    programme = programme_or_404(code)
    if not _wide_roots(request.user, programme.regency_id):
        raise Http404("Program tidak ditemukan.")
    return programme


# -- home -----------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """District and regency users: each active programme's figures for the year with links to
    the overview. Village staff: their village's programme pages for the year."""
    scope = scope_for(request.user)
    year = _query_year(request)
    wide = scope.region_codes(*OVERVIEW_ROLES)
    village_grants = sorted(
        {g.region_code for g in scope.grants if g.role in VILLAGE_READERS and g.level == Level.VILLAGE}
    )
    if not wide and not village_grants:
        if Role.RESIDENT in scope.roles:
            return redirect(reverse("assistance_portal:list"))
        raise Http404("Halaman tidak ditemukan.")
    regencies = sorted({c[:5] for c in (*wide, *village_grants)})
    programmes = list(Programme.objects.filter(regency_id__in=regencies, active=True).order_by("name"))
    cards: list[dict[str, Any]] = []
    villages: list[dict[str, Any]] = []
    if wide:
        for programme in programmes:
            roots = _wide_roots(request.user, programme.regency_id)
            if not roots:
                continue
            root = Region.objects.get(code=roots[0])
            codes = list(sel.villages_under(root).values_list("code", flat=True))
            total = sel.figures_total(
                sel.programme_figures(village_codes=codes, programme=programme, year=year).values()
            )
            cards.append({"programme": programme, "root": root, "total": total})
    if village_grants:
        regions = {r.code: r for r in Region.objects.filter(code__in=village_grants)}
        for code in village_grants:
            mine = [p for p in programmes if p.regency_id == code[:5]]
            figures = {
                p.code: sel.programme_figures(village_codes=[code], programme=p, year=year)[code]
                for p in mine
            }
            villages.append({"village": regions[code], "programmes": [(p, figures[p.code]) for p in mine]})
        if not wide and len(villages) == 1 and len(villages[0]["programmes"]) == 1:
            programme = villages[0]["programmes"][0][0]
            return redirect(reverse("assistance:village", args=[village_grants[0], programme.code, year]))
    this_year = timezone.localdate().year
    admin = any(scope.covers(r, *PROGRAMME_ADMINS) for r in regencies)
    return render(
        request,
        "assistance/home.html",
        {
            "nav_active": NAV,
            "year": year,
            "years": list(range(this_year - 3, this_year + 2)),
            "cards": cards,
            "villages": villages,
            "is_admin": admin,
            "wide": bool(wide),
        },
    )


# -- overview -------------------------------------------------------------------------------


def _stalled_days(regency_code: str) -> int:
    """The regency's "stalled after N days" (its monitoring setting; the default without one)."""
    from kampung.monitoring.services.settings import setting_for

    return setting_for(regency_code).stalled_days


def _overview_workbook(data: sel.Overview, stalled_days: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws: Any = wb.active
    ws.title = "Ringkasan"
    ws.append([f"{data.programme.name} tahun {data.year} — {data.root}"])
    ws["A1"].font = Font(bold=True)
    ws.append([])
    headers = ["Kode", "Kecamatan" if data.by_district else "Desa/kelurahan", "Jumlah desa"]
    headers += [label for _, label in sel.stage_labels()]
    headers += [
        "Nilai ditetapkan (Rp)",
        "Disalurkan (Rp)",
        "Rumah selesai",
        f"Macet > {stalled_days} hari",
        "Keputusan ditetapkan",
        "Keputusan delegasi/mandat",
        "Menunggu kabupaten",
    ]
    ws.append(headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)

    def line(code: str, name: str, villages: int, f: sel.Figures) -> list[Any]:
        return [
            code,
            name,
            villages,
            *f.stage_counts,
            int(f.committed),
            int(f.paid),
            f.finished,
            f.stalled,
            f.decisions_issued,
            f.under_delegation,
            f.decisions_routed,
        ]

    for row in data.rows:
        ws.append(line(row.code, row.name, row.villages, row.figures))
    ws.append(line("", "Jumlah", data.villages, data.total))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    money_cols = (4 + len(sel.STAGES), 5 + len(sel.STAGES))
    for col in money_cols:
        for (cell,) in ws.iter_rows(min_row=4, min_col=col, max_col=col):
            cell.number_format = "#,##0"
    ws.column_dimensions["B"].width = 28
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@login_required
@require_GET
def overview(request: HttpRequest, programme: str, year: int) -> HttpResponse:
    item = _programme(request, programme)
    year = _year_or_404(year)
    root, drilled = _root(request, item.regency_id)
    stalled_days = _stalled_days(item.regency_id)
    data = sel.overview(root=root, programme=item, year=year, stalled_days=stalled_days)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(_overview_workbook(data, stalled_days), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="ringkasan-{item.code}-{root.code}-{year}.xlsx"'
        )
        return response
    this_year = timezone.localdate().year
    district_param = f"kecamatan={root.code}&" if root.level == Level.DISTRICT else ""
    return render(
        request,
        "assistance/overview/overview.html",
        {
            "nav_active": NAV,
            "o": data,
            "programme": item,
            "year": year,
            "years": sorted({*range(this_year - 3, this_year + 2), year}),
            "root": root,
            "drilled": drilled,
            "district_param": district_param,
            "stages": sel.stage_labels(),
            "stalled_days": stalled_days,
            "others": Programme.objects.filter(regency_id=item.regency_id, active=True).exclude(pk=item.pk),
        },
    )


@login_required
@require_GET
def stalled(request: HttpRequest, programme: str, year: int) -> HttpResponse:
    """Cases that have not moved for the regency's "stalled" number of days, oldest first."""
    item = _programme(request, programme)
    year = _year_or_404(year)
    root, drilled = _root(request, item.regency_id)
    codes = list(sel.villages_under(root).values_list("code", flat=True))
    now = timezone.now()
    stalled_days = _stalled_days(item.regency_id)
    cases = sel.stalled_cases(
        village_codes=codes, programme=item, year=year, now=now, stalled_days=stalled_days
    )
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    for case in page.object_list:
        case.days = sel.days_in_stage(case, now=now)  # type: ignore[attr-defined]
        case.since = sel.stage_since(case)  # type: ignore[attr-defined]
    params = {"kecamatan": root.code} if root.level == Level.DISTRICT else {}
    return render(
        request,
        "assistance/overview/stalled.html",
        {
            "nav_active": NAV,
            "programme": item,
            "year": year,
            "root": root,
            "drilled": drilled,
            "page": page,
            "page_obj": page,
            "querystring_base": (urlencode(params) + "&") if params else "",
            "district_param": (urlencode(params) + "&") if params else "",
            "stalled_days": stalled_days,
        },
    )


def _delegated_workbook(rows: list[Any], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws: Any = wb.active
    ws.title = "Keputusan delegasi"
    ws.append([title])
    ws["A1"].font = Font(bold=True)
    ws.append([])
    ws.append(
        ["Nomor", "Tanggal", "Program", "Desa", "Kecamatan", "Penerima", "Jumlah (Rp)", "Dasar", "Instrumen"]
    )
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for d in rows:
        ws.append(
            [
                d.document.number if d.document_id and d.document else "",
                d.decided_on,
                d.programme.name,
                d.village.name,
                d.village.parent.name if d.village.parent else "",
                d.beneficiary_count,
                int(d.total_amount),
                d.basis,
                d.instrument,
            ]
        )
    for (cell,) in ws.iter_rows(min_row=4, min_col=7, max_col=7):
        cell.number_format = "#,##0"
    for (cell,) in ws.iter_rows(min_row=4, min_col=2, max_col=2):
        cell.number_format = "DD-MM-YYYY"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@login_required
@require_GET
def delegated(request: HttpRequest, year: int) -> HttpResponse:
    """Decisions village heads issued under a delegation or mandate of the bupati, all
    programmes of the year: what the regency oversees of the authority it passed on."""
    year = _year_or_404(year)
    scope = scope_for(request.user)
    wide = scope.region_codes(*OVERVIEW_ROLES)
    if not wide:
        raise Http404("Daftar ini hanya untuk kecamatan dan kabupaten.")
    regency_code = wide[0][:5]
    root, drilled = _root(request, regency_code)
    codes = list(sel.villages_under(root).values_list("code", flat=True))
    qs = sel.delegated_decisions(village_codes=codes, year=year, regency_code=regency_code)
    if request.GET.get("format") == "xlsx":
        title = f"Keputusan penerima bantuan di bawah delegasi/mandat tahun {year} — {root}"
        response = HttpResponse(_delegated_workbook(list(qs), title), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="keputusan-delegasi-{root.code}-{year}.xlsx"'
        return response
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = {"kecamatan": root.code} if root.level == Level.DISTRICT else {}
    this_year = timezone.localdate().year
    return render(
        request,
        "assistance/overview/delegated.html",
        {
            "nav_active": NAV,
            "year": year,
            "years": sorted({*range(this_year - 3, this_year + 2), year}),
            "root": root,
            "drilled": drilled,
            "page": page,
            "page_obj": page,
            "querystring_base": (urlencode(params) + "&") if params else "",
            "district_param": (urlencode(params) + "&") if params else "",
        },
    )
