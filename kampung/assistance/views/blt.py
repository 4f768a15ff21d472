"""BLT Dana Desa pages of a village and year: the months overview (with the Dana Desa cap
figures and the household × month grid) and one month's page (request its SPP, record who
received the money, the month's list as Excel).

Thin views: the village comes from ``village_or_404`` (another village → 404); writes are
POSTs handled by :mod:`kampung.assistance.services.blt`, whose refusals show on the form
(status 400) and change nothing.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kampung.assistance.access import programme_or_404, village_or_404
from kampung.assistance.models import MonthlyPayment, PaymentMethod, Programme
from kampung.assistance.selectors import blt as sel
from kampung.assistance.services import blt as svc
from kampung.assistance.views import search_query
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.pdf import pdf_filename
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

MIN_YEAR, MAX_YEAR = 2000, 2100
PER_PAGE = 50
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RECEIVED, NOT_COLLECTED = "diterima", "tidak_diambil"


class RequestForm(forms.Form):
    date = forms.DateField(label="Tanggal SPP", widget=DATE_WIDGET)


class RecordForm(forms.Form):
    payment = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label="Hasil",
        choices=[(RECEIVED, "Diterima"), (NOT_COLLECTED, "Tidak diambil")],
        initial=RECEIVED,
    )
    paid_on = forms.DateField(label="Tanggal diterima", widget=DATE_WIDGET, required=False)
    method = forms.ChoiceField(
        label="Cara bayar", choices=PaymentMethod.choices, initial=PaymentMethod.CASH, required=False
    )
    received_by = forms.CharField(
        label="Diterima oleh (kosongkan bila penerima sendiri)", max_length=150, required=False
    )
    note = forms.CharField(label="Catatan / alasan tidak diambil", max_length=300, required=False)


class BulkForm(forms.Form):
    paid_on = forms.DateField(label="Tanggal diterima", widget=DATE_WIDGET)
    method = forms.ChoiceField(label="Cara bayar", choices=PaymentMethod.choices, initial=PaymentMethod.CASH)


def _context(request: HttpRequest, code: str, programme: str, year: int) -> tuple[Region, Programme]:
    village = village_or_404(request.user, code)
    prog = programme_or_404(programme)
    if not prog.is_monthly or not village.code.startswith(prog.regency_id + "."):
        raise Http404("Program bulanan tidak ditemukan.")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Tahun tidak dikenal.")
    return village, prog


@login_required
def months(request: HttpRequest, code: str, programme: str, year: int) -> HttpResponse:
    """The year's months (households, money, SPP, collected) with the Dana Desa cap figures
    and the payment grid of the beneficiary households (paginated, searchable)."""
    village, prog = _context(request, code, programme, year)
    q = search_query(request, 60)
    cases = sel.grid_cases(programme=prog, village=village, year=year, q=q)
    if request.GET.get("format") == "xlsx":
        return _year_workbook(request, village, prog, year, list(cases))
    overview = sel.months_overview(programme=prog, village=village, year=year)
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    grid = sel.payment_grid(programme=prog, village=village, year=year, cases=list(page.object_list))
    return render(
        request,
        "assistance/blt/months.html",
        {
            "village": village,
            "programme": prog,
            "year": year,
            "ov": overview,
            "grid": grid,
            "grid_months": [m.name[:3] for m in overview.months],
            "page_obj": page,
            "q": q,
            "querystring_base": f"q={q}&" if q else "",
            "nav_active": "assistance",
        },
    )


def _month_redirect(village: Region, prog: Programme, year: int, month: int) -> HttpResponse:
    return redirect(reverse("assistance:month", args=[village.code, prog.code, year, month]))


@login_required
def month(request: HttpRequest, code: str, programme: str, year: int, month: int) -> HttpResponse:
    """One month: the list of households with their payment, the SPP request (SPP drafters),
    the distribution record per household and for all at once (treasurer, secretary), and
    ``?format=xlsx`` for the month's list."""
    village, prog = _context(request, code, programme, year)
    if not 1 <= month <= 12:
        raise Http404("Bulan tidak dikenal.")
    if request.method == "GET" and request.GET.get("format") == "xlsx":
        return _month_workbook(request, village, prog, year, month)
    today = local_today(village)
    request_form = RequestForm(initial={"date": today if today.year == year else None})
    bulk_form = BulkForm(initial={"paid_on": today if today.year == year else None})
    record_form: RecordForm | None = None
    record_error = ""
    record_pk: int | None = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "request":
                request_form = RequestForm(request.POST)
                if request_form.is_valid():
                    spp = svc.blt_month_request(
                        actor=request.user,
                        programme=prog,
                        village=village,
                        year=year,
                        month=month,
                        date=request_form.cleaned_data["date"],
                    )
                    messages.success(
                        request,
                        f"SPP {spp.number} dibuat untuk BLT bulan {svc.month_name(month)} "
                        "(draf). Lengkapi dokumennya dan ajukan di halaman SPP.",
                    )
                    return _month_redirect(village, prog, year, month)
            elif action == "bulk":
                bulk_form = BulkForm(request.POST)
                if bulk_form.is_valid():
                    n = svc.blt_month_distribute(
                        actor=request.user,
                        programme=prog,
                        village=village,
                        year=year,
                        month=month,
                        paid_on=bulk_form.cleaned_data["paid_on"],
                        method=bulk_form.cleaned_data["method"],
                    )
                    messages.success(request, f"{n} penerima dicatat sudah menerima BLT bulan ini.")
                    return _month_redirect(village, prog, year, month)
            elif action == "record":
                record_form = RecordForm(request.POST)
                if record_form.is_valid():
                    data = record_form.cleaned_data
                    record_pk = data["payment"]
                    payment = _payment_or_404(prog, village, year, month, record_pk)
                    svc.blt_distribution_record(
                        actor=request.user,
                        payment=payment,
                        paid_on=data["paid_on"],
                        method=data["method"] or "",
                        received_by=data["received_by"],
                        collected=data["outcome"] == RECEIVED,
                        note=data["note"],
                    )
                    messages.success(request, f"Penyaluran BLT {payment.case.name} dicatat.")
                    return _month_redirect(village, prog, year, month)
                record_error = " ".join(str(e) for errs in record_form.errors.values() for e in errs)
            else:
                raise Http404("Tindakan tidak dikenal.")
        except NotPermitted as exc:
            return HttpResponse(exc.message, status=403)
        except KampungError as exc:
            if action == "request":
                request_form.add_error(None, exc.message)
            elif action == "bulk":
                bulk_form.add_error(None, exc.message)
            else:
                record_error = exc.message
        status = 400
    overview = sel.months_overview(programme=prog, village=village, year=year)
    row = next((r for r in overview.months if r.month == month), None)
    lines = sel.month_lines(actor=request.user, programme=prog, village=village, year=year, month=month)
    pending = sum(1 for line in lines if line.payment is None)
    can_request = sel.may_request(request.user, village)
    can_distribute = sel.may_distribute(request.user, village)
    return render(
        request,
        "assistance/blt/month.html",
        {
            "village": village,
            "programme": prog,
            "year": year,
            "month": month,
            "month_name": svc.month_name(month),
            "in_season": row is not None,
            "row": row,
            "ov": overview,
            "lines": lines,
            "pending": pending,
            "can_distribute": can_distribute,
            # A refused form stays on the page with its message even when its card would hide.
            "show_request": can_request and bool((row is not None and pending) or request_form.errors),
            "show_bulk": can_distribute
            and bool((row is not None and row.paid and row.waiting) or bulk_form.errors),
            "request_form": request_form,
            "bulk_form": bulk_form,
            "record_form": record_form,
            "record_error": record_error,
            "record_pk": record_pk,
            "methods": PaymentMethod.choices,
            "nav_active": "assistance",
        },
        status=status,
    )


def _payment_or_404(prog: Programme, village: Region, year: int, month: int, pk: int) -> MonthlyPayment:
    payment = (
        MonthlyPayment.objects.select_related("case", "spp")
        .filter(pk=pk, case__programme=prog, case__village=village, year=year, month=month)
        .first()
    )
    if payment is None:
        raise Http404("Data pembayaran tidak ditemukan.")
    return payment


def _xlsx_response(wb: Any, *parts: str) -> HttpResponse:
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(*parts)[:-4]}.xlsx"'
    return response


def _year_workbook(
    request: HttpRequest, village: Region, prog: Programme, year: int, cases: list[Any]
) -> HttpResponse:
    """The year's recap per household (one row each, one column per month: received, not
    collected, waiting or not requested) and the total received; NIK whole only for the
    village's own staff."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from kampung.population.selectors import shown_number

    grid = sel.payment_grid(programme=prog, village=village, year=year, cases=cases)
    months = len(grid[0].cells) if grid else 0
    wb = Workbook()
    ws: Any = wb.active
    ws.title = f"BLT {year}"
    ws.cell(row=1, column=1, value=f"Rekap penyaluran {prog.name} {year}").font = Font(bold=True)
    ws.cell(row=2, column=1, value=f"Desa {village.name}")
    headers = [("No", 5), ("Nomor kasus", 18), ("NIK", 20), ("Nama", 30), ("Dusun", 14)]
    headers += [(svc.month_name(m), 13) for m in range(1, months + 1)]
    headers += [("Jumlah diterima (Rp)", 18)]
    for col, (label, width) in enumerate(headers, start=1):
        ws.cell(row=4, column=col, value=label).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "F5"
    for n, g in enumerate(grid, start=1):
        r = 4 + n
        nik = shown_number(request.user, village.code, g.case.nik)
        values: list[Any] = [n, g.case.number, nik, g.case.name, g.case.dusun]
        values += [sel.STATE_LABELS[c] if c else "" for c in g.cells]
        values.append(int(g.collected))
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            if col == 3:
                cell.number_format = "@"
            elif col == len(values):
                cell.number_format = "#,##0"
    return _xlsx_response(wb, "rekap-blt", village.name, str(year))


def _month_workbook(
    request: HttpRequest, village: Region, prog: Programme, year: int, month: int
) -> HttpResponse:
    """The month's list (one household a row) with amounts as numbers; NIK and KK whole only
    for the village's own staff."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lines = sel.month_lines(actor=request.user, programme=prog, village=village, year=year, month=month)
    wb = Workbook()
    ws: Any = wb.active
    ws.title = f"BLT {svc.month_name(month)}"[:31]
    ws.cell(row=1, column=1, value=f"Daftar penerima {prog.name}").font = Font(bold=True)
    ws.cell(row=2, column=1, value=f"Desa {village.name}, bulan {svc.month_name(month)} {year}")
    headers = [
        ("No", 5),
        ("Nomor kasus", 18),
        ("NIK", 20),
        ("Nomor KK", 20),
        ("Nama", 30),
        ("Dusun", 14),
        ("RT", 5),
        ("RW", 5),
        ("Jumlah (Rp)", 14),
        ("SPP", 22),
        ("Status", 16),
        ("Tanggal diterima", 14),
        ("Cara bayar", 12),
        ("Diterima oleh", 26),
        ("Catatan", 30),
    ]
    for col, (label, width) in enumerate(headers, start=1):
        ws.cell(row=4, column=col, value=label).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A5"
    r = 5
    for n, line in enumerate(lines, start=1):
        p = line.payment
        values: list[Any] = [
            n,
            line.case.number,
            line.nik,
            line.kk_number,
            line.case.name,
            line.case.dusun,
            line.case.rt,
            line.case.rw,
            None if p is None else int(p.amount),
            "" if p is None or p.spp is None else p.spp.number,
            line.state_label,
            None if p is None else p.paid_on,
            "" if p is None else p.get_method_display(),
            "" if p is None else p.received_by,
            "" if p is None else p.note,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            if col in (3, 4, 7, 8):
                cell.number_format = "@"
            elif col == 9:
                cell.number_format = "#,##0"
            elif col == 12 and value is not None:
                cell.number_format = "DD-MM-YYYY"
        r += 1
    return _xlsx_response(wb, "blt", village.name, f"{year}-{month:02d}")
