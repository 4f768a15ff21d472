"""Realisation and reporting pages of a village's budget year (LRA, activity realisation,
progress reports, the LPJ package and the submissions to the regency), and the realisation
summary of a district or the regency.

Thin views: the village comes from ``desa_in_scope_or_404``; every write is a POST handled by
:mod:`kampung.finance.services.reports`, whose refusals are shown as messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES, Role
from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.core.pdf import pdf_filename
from kampung.core.uploads import file_response, stored_type
from kampung.core.views import run_service as _run
from kampung.finance.access import FINANCE_READERS, desa_in_scope_or_404
from kampung.finance.forms.reports import ProgressForm, SubmitForm
from kampung.finance.ledger import month_name
from kampung.finance.models import BudgetActivity, FundSource, ProgressReport, ReportKind
from kampung.finance.outputs import reports as out
from kampung.finance.selectors import realisation as sel
from kampung.finance.selectors.ledger import budget_in_force
from kampung.finance.services import reports as svc
from kampung.regions.calendar import local_today
from kampung.regions.models import Level, Region

MIN_YEAR, MAX_YEAR = 2000, 2100
PAGE_SIZE = 50
SUMMARY_ROLES = (*sorted(DISTRICT_ROLES), *sorted(REGENCY_ROLES))


def _village(request: HttpRequest, code: str, year: int, *roles: str) -> Region:
    village = desa_in_scope_or_404(request.user, code, *(roles or FINANCE_READERS))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Tahun anggaran tidak dikenal.")
    return village


def _roles(request: HttpRequest, code: str) -> frozenset[str]:
    return scope_for(request.user).roles_at(code)


def _pdf(result: Any, *parts: str) -> HttpResponse:
    response = HttpResponse(result.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(*parts)}"'
    return response


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=out.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _base(village: Region, year: int, **extra: Any) -> dict[str, Any]:
    return {"village": village, "year": year, "nav_active": "finance", **extra}


# -- overview and the hub panel -------------------------------------------------------------------


def _panel_context(request: HttpRequest, village: Region, year: int) -> dict[str, Any]:
    today = local_today(village)
    roles = _roles(request, village.code)
    return _base(
        village,
        year,
        panel=sel.hub_panel(village.code, year, today=today),
        today=today,
        can_submit=Role.HEAD in roles,
    )


@login_required
@require_GET
def reports_index(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village(request, code, year)
    context = _panel_context(request, village, year)
    context["submit_form"] = SubmitForm(initial={"date": context["today"]})
    return render(request, "finance/reports/index.html", context)


# -- LRA -------------------------------------------------------------------------------------------


@login_required
@require_GET
def report_lra(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village(request, code, year)
    period = request.GET.get("periode", "tahun")
    through = 6 if period == "semester" else 12
    if period.isdigit() and 1 <= int(period) <= 12:
        through = int(period)
    sources = dict(FundSource.objects.values_list("code", "name"))
    source = request.GET.get("sumber", "").strip().upper()
    if source not in sources:
        source = ""
    report = sel.lra(village.code, year, through_month=through, source=source or None)
    name = ["lra", village.code, str(year), "semester-1" if through == 6 else f"sd-{through}", source.lower()]
    fmt = request.GET.get("format", "")
    if fmt == "pdf":
        return _pdf(out.lra_pdf(report), *name)
    if fmt == "xlsx":
        return _xlsx(out.lra_workbook(report), "-".join(p for p in name if p).replace(".", ""))
    return render(
        request,
        "finance/reports/lra.html",
        _base(
            village,
            year,
            r=report,
            period=period,
            source=source,
            sources=sorted(sources.items()),
            months=[(m, month_name(m)) for m in range(1, 13)],
            query=request.GET.urlencode(),
        ),
    )


# -- activity realisation and progress reports --------------------------------------------------------


@login_required
@require_GET
def report_activities(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village(request, code, year)
    result = sel.activity_realisation(village.code, year)
    fmt = request.GET.get("format", "")
    if fmt == "pdf":
        return _pdf(out.activities_pdf(result), "realisasi-kegiatan", village.code, str(year))
    if fmt == "xlsx":
        return _xlsx(
            out.activities_workbook(result), f"realisasi-kegiatan-{village.code.replace('.', '')}-{year}"
        )
    query = request.GET.get("q", "").strip()
    rows = result.rows
    if query:
        needle = query.lower()
        rows = [r for r in rows if needle in r.code.lower() or needle in r.name.lower()]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "finance/reports/activities.html", _base(village, year, a=result, page=page, q=query)
    )


def _activity_or_404(village: Region, year: int, activity_id: int) -> BudgetActivity:
    apbdes = budget_in_force(village.code, year)
    if apbdes is None:
        raise Http404("Belum ada APBDes yang berlaku.")
    return get_object_or_404(
        BudgetActivity.objects.select_related("activity_code", "apbdes", "executor"),
        pk=activity_id,
        apbdes=apbdes,
    )


@login_required
def progress_list(request: HttpRequest, code: str, year: int, activity_id: int) -> HttpResponse:
    village = _village(request, code, year)
    activity = _activity_or_404(village, year, activity_id)
    roles = _roles(request, village.code)
    can_record = bool(roles & set(svc.PROGRESS_RECORDERS))
    form = ProgressForm(initial={"date": local_today(village), "stage": 1})
    if request.method == "POST":
        if not can_record:
            messages.error(request, "Anda tidak berwenang mencatat kemajuan kegiatan desa ini.")
            return redirect(request.path)
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            if _run(
                request,
                lambda: svc.progress_record(
                    actor=request.user,
                    activity=activity,
                    date=data["date"],
                    volume=data["volume"],
                    percent=data["percent"],
                    stage=data["stage"],
                    stage_complete=data["stage_complete"],
                    notes=data["notes"],
                    photo=data.get("photo"),
                ),
                "Laporan kemajuan dicatat.",
            ):
                return redirect(request.path)
        else:
            messages.error(request, "Periksa kembali isian laporan kemajuan.")
    elif request.method != "GET":
        return HttpResponse(status=405)
    reports = ProgressReport.objects.filter(
        book__village_id=village.code, book__year=year, activity_code=activity.activity_code.code
    ).order_by("-date", "-stage", "-pk")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    row = next(
        (
            r
            for r in sel.activity_realisation(village.code, year).rows
            if r.code == activity.activity_code.code
        ),
        None,
    )
    return render(
        request,
        "finance/reports/progress.html",
        _base(village, year, activity=activity, page=page, form=form, can_record=can_record, row=row),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def progress_photo(request: HttpRequest, code: str, year: int, pk: int) -> HttpResponseBase:
    village = _village(request, code, year)
    report = get_object_or_404(ProgressReport, pk=pk, book__village_id=village.code, book__year=year)
    if not report.photo:
        raise Http404("Tidak ada foto.")
    content_type = stored_type(report.photo.name or "")
    ext = content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
    return file_response(report.photo, content_type=content_type, filename=f"kemajuan-{report.pk}.{ext}")


# -- LPJ, SiLPA and submissions ---------------------------------------------------------------------


@login_required
@require_GET
def report_lpj(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village(request, code, year)
    fmt = request.GET.get("format", "")
    package = out.LpjPackage(village.code, year)
    if fmt == "pdf":
        return _pdf(out.lpj_pdf(package), "lpj", village.code, str(year))
    if fmt == "xlsx":
        return _xlsx(out.lpj_workbook(package), f"lpj-{village.code.replace('.', '')}-{year}")
    roles = _roles(request, village.code)
    target = svc.editable_next_year(village.code, year)
    today = local_today(village)
    return render(
        request,
        "finance/reports/lpj.html",
        _base(
            village,
            year,
            p=package,
            r=package.lra,
            target=target,
            can_carry=bool(roles & set(svc.SILPA_CARRIERS)),
            can_submit=Role.HEAD in roles,
            submissions=sel.submission_states(village.code, year, today=today),
            submit_form=SubmitForm(initial={"date": today}),
        ),
    )


@login_required
@require_POST
def silpa_carry(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village(request, code, year)
    if not _roles(request, village.code) & set(svc.SILPA_CARRIERS):
        raise PermissionDenied("Anda tidak berwenang memindahkan SiLPA desa ini.")
    _run(
        request,
        lambda: svc.silpa_carry(actor=request.user, village_code=village.code, year=year),
        f"SiLPA {year} dicatat sebagai penerimaan pembiayaan 6.1.1.01 pada rancangan APBDes {year + 1}.",
    )
    return redirect("finance:report_lpj", village.code, year)


@login_required
@require_POST
def report_submit(request: HttpRequest, code: str, year: int, kind: str) -> HttpResponse:
    village = _village(request, code, year)
    if kind not in ReportKind.values:
        raise Http404("Jenis laporan tidak dikenal.")
    from kampung.authority.services import may_act

    if not may_act(request.user, svc.SUBMIT_ACTS[ReportKind(kind)], village.code).allowed:
        raise PermissionDenied("Anda tidak berwenang menyampaikan laporan desa ini.")
    form = SubmitForm(request.POST)
    back = request.POST.get("next", "")
    target = back if back in ("lpj", "index") else ("lpj" if kind == ReportKind.LPJ else "index")
    if not form.is_valid():
        messages.error(request, "Tanggal penyampaian tidak sah.")
    else:
        _run(
            request,
            lambda: svc.report_submit(
                actor=request.user,
                village_code=village.code,
                year=year,
                kind=kind,
                date=form.cleaned_data["date"],
                number=form.cleaned_data["number"],
            ),
            f"{ReportKind(kind).label} {year} dicatat telah disampaikan.",
        )
    name = "finance:report_lpj" if target == "lpj" else "finance:reports_index"
    return redirect(reverse(name, args=[village.code, year]))


# -- district / regency summary ------------------------------------------------------------------------


def _summary_root(request: HttpRequest) -> Region:
    scope = scope_for(request.user)
    regency_codes = scope.region_codes(*sorted(REGENCY_ROLES))
    district_codes = scope.region_codes(*sorted(DISTRICT_ROLES))
    if not regency_codes and not district_codes:
        raise Http404("Ringkasan realisasi hanya untuk kecamatan dan kabupaten.")
    chosen = request.GET.get("kecamatan", "").strip()
    if chosen:
        region = region_in_scope_or_404(request.user, chosen, *SUMMARY_ROLES)
        if region.level != Level.DISTRICT:
            raise Http404("Kecamatan tidak ditemukan.")
        return region
    code = regency_codes[0] if regency_codes else district_codes[0]
    found = Region.objects.filter(code=code).first()
    if found is None or found.level not in (Level.REGENCY, Level.DISTRICT):
        raise Http404("Wilayah tidak ditemukan.")
    return found


@login_required
@require_GET
def regency_realisation(request: HttpRequest) -> HttpResponse:
    root = _summary_root(request)
    today = timezone.localdate()
    raw = request.GET.get("tahun", "")
    year = int(raw) if raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR else today.year
    result = sel.regency_realisation(root.code, year, today=today)
    if request.GET.get("format") == "xlsx":
        return _xlsx(out.regency_workbook(result), f"realisasi-apbdes-{root.code.replace('.', '')}-{year}")
    query = request.GET.get("q", "").strip()
    rows = result.villages
    if query:
        needle = query.lower()
        rows = [r for r in rows if needle in r.name.lower() or needle in r.code]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/reports/regency.html",
        {
            "s": result,
            "root": root,
            "year": year,
            "years": list(range(today.year - 3, today.year + 2)),
            "page": page,
            "q": query,
            "drilled": root.level == Level.DISTRICT and bool(request.GET.get("kecamatan")),
            "nav_active": "finance",
        },
    )
