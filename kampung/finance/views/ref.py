"""Pages of the regency's finance reference data: codes, SSH, calendar, ceilings, earmark rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kampung.core.errors import KampungError
from kampung.finance import excel_ref
from kampung.finance.access import FINANCE_READERS, REGENCY_FINANCE_ADMINS, desa_in_scope_or_404
from kampung.finance.forms.ref import (
    CalendarForm,
    CeilingForm,
    EarmarkForm,
    LocalCodeForm,
    UnitPriceForm,
    UploadForm,
    YearCopyForm,
)
from kampung.finance.models.ref import (
    Account,
    ActivityCode,
    CalendarDeadline,
    CalendarEvent,
    EarmarkRule,
    UnitPrice,
)
from kampung.finance.selectors import ref as sel
from kampung.finance.selectors.calendar import deadlines_for
from kampung.finance.services import ref as svc
from kampung.regions.models import Region


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


@login_required
@require_GET
def ssh_search(request: HttpRequest) -> HttpResponse:
    """JSON search of the SSH for the budget-line picker: ``tahun``, ``q``, optional ``desa``."""
    year = _int(request.GET.get("tahun"))
    if year is None or not 2000 <= year <= 2100:
        return JsonResponse({"results": [], "error": "Tahun anggaran tidak sah."}, status=400)
    desa = (request.GET.get("desa") or "").strip()
    if desa:
        regency_code = desa_in_scope_or_404(request.user, desa, *FINANCE_READERS).regency_code
    else:
        regency_code = sel.regency_for_user_or_404(request.user, *FINANCE_READERS).code
    items = sel.unit_price_search(regency_code=regency_code, year=year, q=(request.GET.get("q") or "")[:100])
    return JsonResponse(
        {
            "results": [
                {
                    "id": item.pk,
                    "code": item.code,
                    "name": item.name,
                    "specification": item.specification,
                    "unit": item.unit,
                    "price": format(item.price, "f"),
                    "account_code": item.account_code,
                }
                for item in items
            ]
        }
    )


# -- helpers --------------------------------------------------------------------------------

NAV = "finance"


_TABS = {
    "ref_accounts": "accounts",
    "ref_activities": "activities",
    "ref_local": "local",
    "ssh": "ssh",
    "calendar": "calendar",
    "ceiling": "ceiling",
    "earmark": "earmark",
}


def _tab(request: HttpRequest) -> str:
    name = request.resolver_match.url_name if request.resolver_match else ""
    for prefix, tab in _TABS.items():
        if name and name.startswith(prefix):
            return tab
    return ""


def _ctx(request: HttpRequest, regency: Region, **extra: Any) -> dict[str, Any]:
    return {
        "regency": regency,
        "tab": _tab(request),
        "is_admin": sel.is_regency_admin(request.user, regency.code),
        "nav_active": NAV,
        **extra,
    }


def _year_param(request: HttpRequest, name: str = "tahun") -> int:
    year = _int(request.GET.get(name) or request.POST.get(name))
    if year is None or not 2000 <= year <= 2100:
        return timezone.localdate().year
    return year


def _reader_regency(request: HttpRequest) -> Region:
    return sel.regency_for_user_or_404(request.user, *FINANCE_READERS)


def _admin_regency(request: HttpRequest) -> Region:
    return sel.regency_for_user_or_404(request.user, *REGENCY_FINANCE_ADMINS)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=excel_ref.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _page(request: HttpRequest, items: Any, per_page: int = 50) -> Any:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _query(request: HttpRequest, *keys: str) -> str:
    params = {k: request.GET[k] for k in keys if request.GET.get(k)}
    return urlencode(params) + "&" if params else ""


def _report_import_error(request: HttpRequest, exc: KampungError) -> None:
    messages.error(request, exc.message)
    for problem in getattr(exc, "problems", [])[:200]:
        messages.error(request, problem)
    if len(getattr(exc, "problems", [])) > 200:
        messages.error(request, f"… dan {len(exc.problems) - 200} masalah lain.")  # type: ignore[attr-defined]


# -- reference browse -----------------------------------------------------------------------


@login_required
def ref_home(request: HttpRequest) -> HttpResponse:
    regency = _reader_regency(request)
    return render(request, "finance/ref/home.html", _ctx(request, regency))


@login_required
def ref_accounts(request: HttpRequest) -> HttpResponse:
    regency = _reader_regency(request)
    q = (request.GET.get("q") or "").strip()[:100]
    akun = (request.GET.get("akun") or "").strip()[:20]
    rows = sel.account_list(regency_code=regency.code, q=q, akun=akun)
    return render(
        request,
        "finance/ref/accounts.html",
        _ctx(request, regency, rows=rows, q=q, akun=akun, akun_choices=sel.akun_choices()),
    )


@login_required
def ref_activities(request: HttpRequest) -> HttpResponse:
    regency = _reader_regency(request)
    q = (request.GET.get("q") or "").strip()[:100]
    bidang = (request.GET.get("bidang") or "").strip()[:12]
    rows = sel.activity_list(regency_code=regency.code, q=q, bidang=bidang)
    return render(
        request,
        "finance/ref/activities.html",
        _ctx(request, regency, rows=rows, q=q, bidang=bidang, bidang_choices=sel.bidang_choices()),
    )


# -- regency local codes --------------------------------------------------------------------


@login_required
def ref_local(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    return render(
        request,
        "finance/ref/local.html",
        _ctx(
            request,
            regency,
            accounts=sel.account_list(regency_code=regency.code, local_only=True),
            activities=sel.activity_list(regency_code=regency.code, local_only=True),
            account_parents=sel.local_account_parents(),
            sub_bidang=sel.sub_bidang_list(),
            account_form=LocalCodeForm(prefix="rek"),
            activity_form=LocalCodeForm(prefix="keg"),
        ),
    )


def _local_save(request: HttpRequest, kind: str, pk: int | None) -> HttpResponse:
    regency = _admin_regency(request)
    # Another regency's code is not found, whatever the form holds.
    account = get_object_or_404(Account, pk=pk, regency=regency) if pk and kind == "account" else None
    activity = get_object_or_404(ActivityCode, pk=pk, regency=regency) if pk and kind != "account" else None
    form = LocalCodeForm(request.POST, prefix="rek" if kind == "account" else "keg")
    if not form.is_valid():
        messages.error(request, "Isi kode dan nama dengan benar.")
        return redirect("finance:ref_local")
    code, name = form.cleaned_data["code"], form.cleaned_data["name"]
    try:
        if kind == "account":
            row: Any = svc.local_account_save(
                actor=request.user, regency=regency, code=code, name=name, account=account
            )
        else:
            row = svc.local_activity_save(
                actor=request.user, regency=regency, code=code, name=name, activity=activity
            )
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Kode lokal {row.code} disimpan.")
    return redirect("finance:ref_local")


@login_required
@require_POST
def ref_local_account_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _local_save(request, "account", pk)


@login_required
@require_POST
def ref_local_activity_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _local_save(request, "activity", pk)


@login_required
@require_POST
def ref_local_toggle(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    regency = _admin_regency(request)
    active = request.POST.get("active") == "1"
    try:
        if kind == "rekening":
            account = get_object_or_404(Account, pk=pk, regency=regency)
            svc.local_account_set_active(actor=request.user, account=account, active=active)
        elif kind == "kegiatan":
            activity = get_object_or_404(ActivityCode, pk=pk, regency=regency)
            svc.local_activity_set_active(actor=request.user, activity=activity, active=active)
        else:
            raise Http404
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Kode diaktifkan." if active else "Kode dinonaktifkan.")
    return redirect("finance:ref_local")


@login_required
@require_POST
def ref_local_example(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    try:
        added = svc.local_activities_load_example(actor=request.user, regency=regency)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{added} kegiatan lokal contoh ditambahkan." if added else "Semua kegiatan contoh sudah ada.",
        )
    return redirect("finance:ref_local")


# -- SSH ------------------------------------------------------------------------------------


@login_required
def ssh_list(request: HttpRequest) -> HttpResponse:
    regency = _reader_regency(request)
    year = _year_param(request)
    q = (request.GET.get("q") or "").strip()[:100]
    is_admin = sel.is_regency_admin(request.user, regency.code)
    items = sel.unit_price_list(regency_code=regency.code, year=year, q=q, include_inactive=is_admin)
    years = sorted(
        {*sel.unit_price_years(regency_code=regency.code), year, timezone.localdate().year + 1}, reverse=True
    )
    return render(
        request,
        "finance/ref/ssh_list.html",
        _ctx(
            request,
            regency,
            year=year,
            years=years,
            q=q,
            page_obj=_page(request, items),
            querystring_base=_query(request, "tahun", "q"),
            upload_form=UploadForm(),
            copy_form=YearCopyForm(initial={"from_year": year, "to_year": year + 1}),
        ),
    )


def _ssh_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    regency = _admin_regency(request)
    item = get_object_or_404(UnitPrice, pk=pk, regency=regency) if pk else None
    year = item.year if item else _year_param(request)
    initial = (
        {
            f: getattr(item, f)
            for f in ("code", "name", "specification", "unit", "price", "account_code", "active")
        }
        if item
        else {"active": True}
    )
    form = UnitPriceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        data = svc.UnitPriceData(
            code=cd["code"].strip(),
            name=cd["name"].strip(),
            specification=cd["specification"].strip(),
            unit=cd["unit"].strip(),
            price=cd["price"],
            account_code=cd["account_code"].strip(),
            active=bool(cd["active"]),
        )
        try:
            item = svc.unit_price_save(actor=request.user, regency=regency, year=year, data=data, item=item)
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Item SSH {item.code} disimpan.")
            return redirect(f"{reverse('finance:ssh_list')}?tahun={year}")
    return render(
        request, "finance/ref/ssh_form.html", _ctx(request, regency, form=form, item=item, year=year)
    )


@login_required
def ssh_create(request: HttpRequest) -> HttpResponse:
    return _ssh_form(request, None)


@login_required
def ssh_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _ssh_form(request, pk)


@login_required
@require_POST
def ssh_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    regency = _admin_regency(request)
    item = get_object_or_404(UnitPrice, pk=pk, regency=regency)
    active = request.POST.get("active") == "1"
    try:
        svc.unit_price_set_active(actor=request.user, item=item, active=active)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Item {item.code} " + ("diaktifkan." if active else "dinonaktifkan."))
    return redirect(f"{reverse('finance:ssh_list')}?tahun={item.year}")


@login_required
def ssh_template(request: HttpRequest) -> HttpResponse:
    _admin_regency(request)
    return _xlsx(excel_ref.ssh_workbook([]), "templat-ssh.xlsx")


@login_required
def ssh_export(request: HttpRequest) -> HttpResponse:
    regency = _reader_regency(request)
    year = _year_param(request)
    is_admin = sel.is_regency_admin(request.user, regency.code)
    items = sel.unit_price_list(regency_code=regency.code, year=year, include_inactive=is_admin)
    return _xlsx(excel_ref.ssh_workbook(items.iterator()), f"ssh-{regency.code}-{year}.xlsx")


@login_required
@require_POST
def ssh_import(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    year = _year_param(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Pilih berkas Excel (.xlsx) untuk diunggah.")
    else:
        try:
            result = svc.unit_prices_import(
                actor=request.user, regency=regency, year=year, file=form.cleaned_data["file"]
            )
        except KampungError as exc:
            _report_import_error(request, exc)
        else:
            messages.success(request, f"SSH {year} diunggah: {result.message}")
    return redirect(f"{reverse('finance:ssh_list')}?tahun={year}")


@login_required
@require_POST
def ssh_copy(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    form = YearCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Isi tahun asal dan tahun tujuan dengan benar.")
        return redirect("finance:ssh_list")
    source, target = form.cleaned_data["from_year"], form.cleaned_data["to_year"]
    try:
        added = svc.unit_prices_copy(actor=request.user, regency=regency, from_year=source, to_year=target)
    except KampungError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('finance:ssh_list')}?tahun={source}")
    messages.success(request, f"{added} item SSH {source} disalin ke {target}.")
    return redirect(f"{reverse('finance:ssh_list')}?tahun={target}")


# -- calendar -------------------------------------------------------------------------------


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    regency = _reader_regency(request)
    year = _year_param(request)
    is_admin = sel.is_regency_admin(request.user, regency.code)
    dates = deadlines_for(regency_code=regency.code, year=year)
    saved = set(CalendarDeadline.objects.filter(regency=regency, year=year).values_list("event", flat=True))
    form = CalendarForm(request.POST or None, initial_dates=dates)
    if request.method == "POST":
        if not is_admin:
            raise Http404("Hanya DPMD atau admin kabupaten yang dapat mengubah jadwal.")
        if form.is_valid():
            chosen = {k: v for k, v in form.cleaned_data.items() if v}
            try:
                changed = svc.calendar_save(actor=request.user, regency=regency, year=year, due_dates=chosen)
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Jadwal {year} disimpan ({changed} tanggal berubah).")
                return redirect(f"{reverse('finance:calendar_page')}?tahun={year}")
    desa_count, progress = sel.apbdes_progress(
        regency_code=regency.code, year=year, today=timezone.localdate()
    )
    events = [
        {
            "event": e.value,
            "label": e.label,
            "due": dates.get(e.value),
            "saved": e.value in saved,
            "field": form[e.value],
        }
        for e in CalendarEvent
    ]
    return render(
        request,
        "finance/ref/calendar.html",
        _ctx(request, regency, year=year, form=form, events=events, progress=progress, desa_count=desa_count),
    )


# -- ceilings -------------------------------------------------------------------------------


@login_required
def ceiling_list(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    year = _year_param(request)
    districts = sel.districts_of(regency_code=regency.code)
    district = request.GET.get("kecamatan") or ""
    if district not in {d.code for d in districts}:
        district = ""
    grid = sel.ceiling_grid(regency_code=regency.code, year=year, district=district)
    return render(
        request,
        "finance/ref/ceiling_list.html",
        _ctx(
            request,
            regency,
            year=year,
            grid=grid,
            districts=districts,
            district=district,
            upload_form=UploadForm(),
        ),
    )


@login_required
def ceiling_edit(request: HttpRequest, code: str) -> HttpResponse:
    regency = _admin_regency(request)
    village = desa_in_scope_or_404(request.user, code, *REGENCY_FINANCE_ADMINS)
    if village.regency_code != regency.code:
        raise Http404
    year = _year_param(request)
    current = sel.village_ceilings(village=village, year=year)
    sources = [s for s, _ in current]
    form = CeilingForm(request.POST or None, sources=sources, initial_amounts={s.code: a for s, a in current})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for source in sources:
                    amount = form.cleaned_data.get(f"amount_{source.code}")
                    if amount is None:
                        continue
                    svc.ceiling_set(
                        actor=request.user,
                        village=village,
                        year=year,
                        source_code=source.code,
                        amount=amount,
                        note=form.cleaned_data.get("note") or "",
                    )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Pagu {year} {village} disimpan.")
            return redirect(
                f"{reverse('finance:ceiling_list')}?tahun={year}&kecamatan={village.district_code}"
            )
    return render(
        request,
        "finance/ref/ceiling_form.html",
        _ctx(request, regency, year=year, village=village, form=form),
    )


@login_required
def ceiling_template(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    year = _year_param(request)
    grid = sel.ceiling_grid(regency_code=regency.code, year=year)
    return _xlsx(excel_ref.ceiling_workbook(grid, blank=True), f"templat-pagu-{regency.code}-{year}.xlsx")


@login_required
def ceiling_export(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    year = _year_param(request)
    district = request.GET.get("kecamatan") or ""
    if district and not district.startswith(regency.code + "."):
        district = ""
    grid = sel.ceiling_grid(regency_code=regency.code, year=year, district=district)
    return _xlsx(excel_ref.ceiling_workbook(grid), f"pagu-{regency.code}-{year}.xlsx")


@login_required
@require_POST
def ceiling_import(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    year = _year_param(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Pilih berkas Excel (.xlsx) untuk diunggah.")
    else:
        try:
            result = svc.ceilings_import(
                actor=request.user, regency=regency, year=year, file=form.cleaned_data["file"]
            )
        except KampungError as exc:
            _report_import_error(request, exc)
        else:
            messages.success(request, f"Pagu {year} diunggah: {result.message}")
    return redirect(f"{reverse('finance:ceiling_list')}?tahun={year}")


@login_required
def ceiling_village(request: HttpRequest, code: str) -> HttpResponse:
    """A desa's own ceilings, read-only (staff, BPD, district, regency)."""
    village = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
    year = _year_param(request)
    years = sorted({*sel.ceiling_years(village=village), year}, reverse=True)
    rows = sel.village_ceilings(village=village, year=year)
    total = sum((a for _, a in rows if a is not None), Decimal(0))
    return render(
        request,
        "finance/ref/ceiling_village.html",
        {
            "village": village,
            "year": year,
            "years": years,
            "rows": rows,
            "total": total,
            "any_set": any(a is not None for _, a in rows),
            "nav_active": NAV,
        },
    )


# -- earmark rules --------------------------------------------------------------------------


@login_required
def earmark_list(request: HttpRequest) -> HttpResponse:
    regency = _reader_regency(request)
    year = _year_param(request)
    years = sorted(
        {*EarmarkRule.objects.values_list("year", flat=True).distinct(), year, timezone.localdate().year + 1},
        reverse=True,
    )
    rules = list(EarmarkRule.objects.filter(year=year).order_by("label"))
    return render(
        request,
        "finance/ref/earmark_list.html",
        _ctx(
            request,
            regency,
            year=year,
            years=years,
            rules=rules,
            copy_form=YearCopyForm(initial={"from_year": year, "to_year": year + 1}),
        ),
    )


def _earmark_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    regency = _admin_regency(request)
    rule = get_object_or_404(EarmarkRule, pk=pk) if pk else None
    initial = (
        {f: getattr(rule, f) for f in ("year", "label", "kind", "percent", "activity_prefixes", "basis")}
        if rule
        else {"year": _year_param(request)}
    )
    form = EarmarkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = svc.earmark_save(actor=request.user, regency=regency, rule=rule, **form.cleaned_data)
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Ketentuan {rule.label} {rule.year} disimpan.")
            return redirect(f"{reverse('finance:earmark_list')}?tahun={rule.year}")
    return render(request, "finance/ref/earmark_form.html", _ctx(request, regency, form=form, rule=rule))


@login_required
def earmark_create(request: HttpRequest) -> HttpResponse:
    return _earmark_form(request, None)


@login_required
def earmark_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _earmark_form(request, pk)


@login_required
@require_POST
def earmark_delete(request: HttpRequest, pk: int) -> HttpResponse:
    regency = _admin_regency(request)
    rule = get_object_or_404(EarmarkRule, pk=pk)
    year = rule.year
    svc.earmark_delete(actor=request.user, regency=regency, rule=rule)
    messages.success(request, "Ketentuan dihapus.")
    return redirect(f"{reverse('finance:earmark_list')}?tahun={year}")


@login_required
@require_POST
def earmark_copy(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    form = YearCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Isi tahun asal dan tahun tujuan dengan benar.")
        return redirect("finance:earmark_list")
    source, target = form.cleaned_data["from_year"], form.cleaned_data["to_year"]
    try:
        added = svc.earmarks_copy(actor=request.user, regency=regency, from_year=source, to_year=target)
    except KampungError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('finance:earmark_list')}?tahun={source}")
    messages.success(request, f"{added} ketentuan {source} disalin ke {target}.")
    return redirect(f"{reverse('finance:earmark_list')}?tahun={target}")
