"""/keuangan/ringkasan/: the budget summary for district and regency users.

A camat or district officer sees their district's villages; DPMD, the admin and the bupati
see the regency per district and may drill down into a district (``?kecamatan=``). Village
staff have their own village pages (404 here)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES
from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.core.formatting import number_id
from kampung.finance.outputs.excel import XLSX_CONTENT_TYPE
from kampung.finance.selectors import summary as sel
from kampung.regions.models import Level, Region

SUMMARY_ROLES = (*sorted(DISTRICT_ROLES), *sorted(REGENCY_ROLES))


def _year(request: HttpRequest, today: dt.date) -> int:
    raw = request.GET.get("tahun", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return today.year


def _root(request: HttpRequest) -> Region:
    scope = scope_for(request.user)
    regency_codes = scope.region_codes(*sorted(REGENCY_ROLES))
    district_codes = scope.region_codes(*sorted(DISTRICT_ROLES))
    if not regency_codes and not district_codes:
        raise Http404("Ringkasan anggaran hanya untuk kecamatan dan kabupaten.")
    chosen = request.GET.get("kecamatan", "").strip()
    if chosen:
        region = region_in_scope_or_404(request.user, chosen, *SUMMARY_ROLES)
        if region.level != Level.DISTRICT:
            raise Http404("Kecamatan tidak ditemukan.")
        return region
    code = regency_codes[0] if regency_codes else district_codes[0]
    return Region.objects.get(code=code)


def _workbook(summary: sel.Summary) -> bytes:
    wb = Workbook()
    ws: Any = wb.active
    ws.title = "Ringkasan APBDes"
    ws.append([f"Ringkasan APBDes {summary.year} — {summary.root}"])
    ws["A1"].font = Font(bold=True)
    ws.append([])
    headers = ["Kode", "Desa", "Kecamatan", "Status", "Perubahan", "Pendapatan", "Dana Desa", "Belanja"]
    headers += [f"Belanja bidang {c}" for c in sel.BIDANG]
    headers += ["Batas evaluasi", "Evaluasi terlambat", "Penetapan terlambat"]
    ws.append(headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in summary.villages:
        f = row.figures
        ws.append(
            [
                row.code,
                row.name,
                row.district_code,
                row.status_label,
                row.revision_label,
                int(f.revenue),
                int(f.dana_desa),
                int(f.spending),
                *[int(f.bidang.get(c, 0)) for c in sel.BIDANG],
                row.evaluation_due,
                "ya" if row.evaluation_late else ("tidak" if row.evaluation_late is False else ""),
                "ya" if row.enacted_late else ("tidak" if row.enacted_late is False else ""),
            ]
        )
    for column in ("F", "G", "H", "I", "J", "K", "L", "M"):
        for cell in ws[column][3:]:
            cell.number_format = "#,##0"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@login_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    today = timezone.localdate()
    root = _root(request)
    year = _year(request, today)
    result = sel.budget_summary(root=root, year=year, today=today)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(_workbook(result), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="ringkasan-apbdes-{root.code}-{year}.xlsx"'
        return response
    total = result.total
    status_chart = sel.bar_chart([(label, float(n), number_id(n)) for label, n in total.status_counts])
    bidang_chart = sel.bar_chart(
        [
            (f"{code} {name}", float(amount), f"{share:.1f} %")
            for code, name, amount, share in total.figures.shares()
        ]
    )
    return render(
        request,
        "finance/outputs/summary.html",
        {
            "s": result,
            "root": root,
            "year": year,
            "years": list(range(today.year - 3, today.year + 2)),
            "status_chart": status_chart,
            "bidang_chart": bidang_chart,
            "drilled": root.level == Level.DISTRICT and bool(request.GET.get("kecamatan")),
        },
    )
