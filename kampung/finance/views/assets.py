"""/keuangan/desa/<code>/aset/…: the village asset register (Buku Inventaris dan Kekayaan
Desa), the capital spending not yet registered, and the year-end Laporan Kekayaan Milik Desa.

Thin views: the village comes from ``desa_in_scope_or_404``; writes are POSTs handled by
:mod:`kampung.finance.services.assets`, whose refusals are shown as messages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.scope import scope_for
from kampung.core.errors import KampungError
from kampung.core.pdf import PDF_CONTENT_TYPE, pdf_filename
from kampung.finance.access import ASSET_KEEPERS, FINANCE_READERS, desa_in_scope_or_404
from kampung.finance.forms.assets import AssetFilterForm, AssetForm, AssetRemoveForm
from kampung.finance.forms.tranches import form_errors
from kampung.finance.models import Asset, AssetOrigin, Spp
from kampung.finance.outputs import assets as out
from kampung.finance.outputs.excel import XLSX_CONTENT_TYPE
from kampung.finance.selectors import assets as sel
from kampung.finance.services import assets as svc
from kampung.regions.models import Region

NAV = "finance"
PER_PAGE = 50
MIN_YEAR, MAX_YEAR = 2000, 2100


def _can_keep(request: HttpRequest, code: str) -> bool:
    return bool(scope_for(request.user).roles_at(code) & set(ASSET_KEEPERS))


def _year(request: HttpRequest) -> int:
    raw = (request.GET.get("tahun") or "").strip()
    if raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw)
    return timezone.localdate().year


def _asset_or_404(village: Region, pk: int) -> Asset:
    asset = Asset.objects.filter(pk=pk, village=village).first()
    if asset is None:
        raise Http404("Aset tidak ditemukan.")
    return asset


def _filters(request: HttpRequest) -> tuple[dict[str, Any], AssetFilterForm]:
    form = AssetFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    return {
        "category": data.get("kategori") or "",
        "condition": data.get("kondisi") or "",
        "year": data.get("tahun"),
        "q": data.get("q") or "",
        "removed": data.get("dihapus") or "",
    }, form


@login_required
def asset_list(request: HttpRequest, code: str) -> HttpResponse:
    village = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
    filters, form = _filters(request)
    qs = sel.asset_list(village.code, **filters)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    summary, total = sel.asset_summary(village.code)
    year = _year(request)
    return render(
        request,
        "finance/assets/list.html",
        {
            "village": village,
            "year": year,
            "page_obj": page,
            "filter_form": form,
            "querystring_base": urlencode(params) + "&" if params else "",
            "export_query": urlencode(params),
            "summary": summary,
            "total": total,
            "can_keep": _can_keep(request, village.code),
            "nav_active": NAV,
        },
    )


@login_required
def asset_export(request: HttpRequest, code: str) -> HttpResponse:
    village = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
    filters, _ = _filters(request)
    content = out.register_workbook(village, sel.asset_list(village.code, **filters))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = pdf_filename("inventaris-aset", village.compact_code)[:-4]
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def asset_capital(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The year's realised capital spending (5.3) per SPP not yet in the register."""
    village = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Tahun anggaran tidak dikenal.")
    return render(
        request,
        "finance/assets/capital.html",
        {
            "village": village,
            "year": year,
            "items": sel.capital_spending(village.code, year),
            "can_keep": _can_keep(request, village.code),
            "nav_active": NAV,
        },
    )


def _amount_text(value: Any) -> str:
    return str(int(value)) if value == value.to_integral_value() else f"{value:f}"


def _prefill(village: Region, raw: str) -> tuple[dict[str, Any], Spp | None]:
    """Initial values from an SPP's capital spending ("catat sebagai aset")."""
    if not raw.isdigit():
        return {}, None
    spp = Spp.objects.filter(pk=int(raw), book__village=village).select_related("book", "activity").first()
    if spp is None:
        return {}, None
    item = next(
        (
            c
            for c in sel.capital_spending(village.code, spp.book.year, unregistered_only=False)
            if c.spp.pk == spp.pk
        ),
        None,
    )
    if item is None:
        return {}, None
    return (
        {
            "name": spp.description,
            "category": item.category,
            "value": _amount_text(item.amount),
            "acquired_on": item.date,
            "origin": AssetOrigin.APBDES,
            "location": spp.activity.location,
            "account_code": item.account_code,
            "spp": spp.pk,
            "notes": f"SPP {spp.number}",
        },
        spp,
    )


def _spp_from(village: Region, value: int | None) -> Spp | None:
    if not value:
        return None
    return Spp.objects.filter(pk=value, book__village=village).select_related("book").first()


@login_required
def asset_create(request: HttpRequest, code: str) -> HttpResponse:
    village = desa_in_scope_or_404(request.user, code, *ASSET_KEEPERS)
    spp = None
    if request.method == "POST":
        form = AssetForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            spp = _spp_from(village, data.pop("spp"))
            try:
                asset = svc.asset_create(actor=request.user, village_code=village.code, spp=spp, **data)
            except KampungError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Aset “{asset.name}” dicatat dalam register.")
                return redirect(reverse("finance:asset_list", args=[village.code]))
        else:
            messages.error(request, form_errors(form))
        spp = _spp_from(village, form.cleaned_data.get("spp"))
    else:
        initial, spp = _prefill(village, request.GET.get("spp") or "")
        form = AssetForm(initial=initial or None)
    return render(
        request,
        "finance/assets/form.html",
        {"village": village, "form": form, "asset": None, "spp": spp, "nav_active": NAV},
    )


@login_required
def asset_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = desa_in_scope_or_404(request.user, code, *ASSET_KEEPERS)
    asset = _asset_or_404(village, pk)
    if asset.removed_on is not None:
        messages.error(request, "Aset yang sudah dihapus dari register tidak dapat diubah.")
        return redirect(reverse("finance:asset_list", args=[village.code]))
    if request.method == "POST":
        form = AssetForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("spp")  # the SPP link is kept as it is
            try:
                svc.asset_update(actor=request.user, asset=asset, **data)
            except KampungError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Perubahan aset disimpan.")
                return redirect(reverse("finance:asset_list", args=[village.code]))
        else:
            messages.error(request, form_errors(form))
    else:
        form = AssetForm(
            initial={
                **{key: getattr(asset, key) for key in svc.FIELDS if key != "spp"},
                "value": _amount_text(asset.value),
                "spp": asset.spp_id,
            }
        )
    return render(
        request,
        "finance/assets/form.html",
        {"village": village, "form": form, "asset": asset, "spp": asset.spp, "nav_active": NAV},
    )


@login_required
def asset_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = desa_in_scope_or_404(request.user, code, *ASSET_KEEPERS)
    asset = _asset_or_404(village, pk)
    if request.method == "POST":
        form = AssetRemoveForm(request.POST)
        if form.is_valid():
            try:
                svc.asset_remove(
                    actor=request.user,
                    asset=asset,
                    date=form.cleaned_data["date"],
                    reason=form.cleaned_data["reason"],
                )
            except KampungError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Aset “{asset.name}” dihapus dari register.")
                return redirect(reverse("finance:asset_list", args=[village.code]))
        else:
            messages.error(request, form_errors(form))
    else:
        form = AssetRemoveForm(initial={"date": timezone.localdate()})
    return render(
        request,
        "finance/assets/remove.html",
        {"village": village, "asset": asset, "form": form, "nav_active": NAV},
    )


@login_required
def asset_report(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Tahun anggaran tidak dikenal.")
    return render(
        request,
        "finance/assets/report.html",
        {
            "village": village,
            "year": year,
            "report": sel.asset_report(village.code, year),
            "title": out.report_title(year),
            "nav_active": NAV,
        },
    )


@login_required
def asset_report_file(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    village = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
    if not MIN_YEAR <= year <= MAX_YEAR or fmt not in ("pdf", "xlsx"):
        raise Http404("Laporan tidak dikenal.")
    report = sel.asset_report(village.code, year)
    name = pdf_filename("laporan-kekayaan-milik-desa", village.compact_code, str(year))
    if fmt == "pdf":
        response = HttpResponse(out.report_pdf(report, village).content, content_type=PDF_CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{name}"'
    else:
        response = HttpResponse(out.report_workbook(report, village), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name[:-4]}.xlsx"'
    return response
