"""Dana Desa tranches (rules table, village status, readiness per desa and across the regency)
and the regency's execution settings and dated tax rates.

Regency pages take the user's regency from ``regency_for_user_or_404``: writes need
``REGENCY_FINANCE_ADMINS`` (DPMD, admin); refusals are shown as messages, never a 500."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES
from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.core.errors import KampungError
from kampung.finance import excel_ref
from kampung.finance.access import FINANCE_READERS, REGENCY_FINANCE_ADMINS, desa_in_scope_or_404
from kampung.finance.forms.ref import UploadForm
from kampung.finance.forms.tranches import (
    SettingForm,
    StatusForm,
    TaxRateChangeForm,
    TaxRateEndForm,
    TaxRateForm,
    TrancheFormSet,
    YearCopyForm,
    form_errors,
)
from kampung.finance.models import DesaStatus, TaxRate, TranchePart, TrancheRule, VillageStatus
from kampung.finance.selectors import ref as ref_sel
from kampung.finance.selectors import tranches as sel
from kampung.finance.services import settings as settings_svc
from kampung.finance.services import tranches as svc
from kampung.regions.models import Level, Region

NAV = "finance"
PER_PAGE = 50
MIN_YEAR, MAX_YEAR = 2000, 2100
AREA_ROLES = tuple(sorted({*DISTRICT_ROLES, *REGENCY_ROLES}))


def _year(request: HttpRequest) -> int:
    raw = (request.GET.get("tahun") or request.POST.get("tahun") or "").strip()
    if raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw)
    return timezone.localdate().year


def _admin_regency(request: HttpRequest) -> Region:
    return ref_sel.regency_for_user_or_404(request.user, *REGENCY_FINANCE_ADMINS)


def _is_admin(request: HttpRequest, regency: Region) -> bool:
    return ref_sel.is_regency_admin(request.user, regency.code)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=excel_ref.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _import_error(request: HttpRequest, exc: KampungError) -> None:
    messages.error(request, exc.message)
    problems = getattr(exc, "problems", [])
    for problem in problems[:200]:
        messages.error(request, problem)
    if len(problems) > 200:
        messages.error(request, f"… dan {len(problems) - 200} masalah lain.")


# -- one village ----------------------------------------------------------------------------


@login_required
def tranche_village(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Tahun anggaran tidak dikenal.")
    readiness = sel.tranche_readiness(village.code, year)
    parts = [
        (dict(TranchePart.choices)[part], readiness.of_part(part))
        for part in (readiness.non_earmark_part, TranchePart.EARMARKED)
    ]
    return render(
        request,
        "finance/tranches/village.html",
        {"village": village, "year": year, "r": readiness, "parts": parts, "nav_active": NAV},
    )


# -- the rules table ------------------------------------------------------------------------


@login_required
def tranche_rules(request: HttpRequest) -> HttpResponse:
    regency = ref_sel.regency_for_user_or_404(request.user, *FINANCE_READERS)
    year = _year(request)
    rules = list(TrancheRule.objects.filter(year=year).order_by("part", "tranche"))
    for rule in rules:
        rule.earliest_label = sel.month_label(rule.earliest_month)  # type: ignore[attr-defined]
        rule.latest_label = sel.month_label(rule.latest_month)  # type: ignore[attr-defined]
    by_part = [
        (
            value,
            label,
            [r for r in rules if r.part == value],
            sum((r.percent for r in rules if r.part == value), Decimal(0)),
        )
        for value, label in TranchePart.choices
    ]
    years = sorted({*TrancheRule.objects.values_list("year", flat=True).distinct(), year})
    return render(
        request,
        "finance/tranches/rules.html",
        {
            "regency": regency,
            "year": year,
            "years": years,
            "by_part": by_part,
            "problems": sel.part_problems(rules),
            "is_admin": _is_admin(request, regency),
            "copy_form": YearCopyForm(initial={"from_year": year, "to_year": year + 1}),
            "nav_active": NAV,
        },
    )


@login_required
def tranche_part_edit(request: HttpRequest, year: int, part: str) -> HttpResponse:
    regency = _admin_regency(request)
    if part not in TranchePart.values or not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Bagian tidak dikenal.")
    rules = list(TrancheRule.objects.filter(year=year, part=part).order_by("tranche"))
    back = f"{reverse('finance:tranche_rules')}?tahun={year}"
    if request.method == "POST":
        formset = TrancheFormSet(request.POST)
        if formset.is_valid():
            rows = [
                svc.TrancheRow(
                    tranche=f["tranche"],
                    percent=f["percent"],
                    earliest_month=f.get("earliest_month"),
                    latest_month=f.get("latest_month"),
                    requires_apbdes=bool(f.get("requires_apbdes")),
                    requires_previous_year_report=bool(f.get("requires_previous_year_report")),
                    min_absorption=f.get("min_absorption"),
                    min_output=f.get("min_output"),
                    basis=f.get("basis") or "",
                )
                for f in formset.cleaned_data
                if f and (f.get("tranche") or f.get("percent") is not None)
            ]
            for row in rows:
                if row.tranche is None or row.percent is None:
                    messages.error(request, "Setiap baris tahap harus berisi nomor tahap dan persentase.")
                    break
            else:
                try:
                    svc.tranche_part_save(
                        actor=request.user, regency=regency, year=year, part=part, rows=rows
                    )
                except KampungError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, "Aturan tahap disimpan.")
                    return redirect(back)
        else:
            messages.error(
                request,
                "Periksa isian tahap: "
                + "; ".join(form_errors(f) for f in formset.forms if f.errors)
                + " ".join(str(e) for e in formset.non_form_errors()),
            )
    else:
        formset = TrancheFormSet(
            initial=[
                {
                    "tranche": r.tranche,
                    "percent": r.percent,
                    "earliest_month": r.earliest_month,
                    "latest_month": r.latest_month,
                    "requires_apbdes": r.requires_apbdes,
                    "requires_previous_year_report": r.requires_previous_year_report,
                    "min_absorption": r.min_absorption,
                    "min_output": r.min_output,
                    "basis": r.basis,
                }
                for r in rules
            ]
        )
    return render(
        request,
        "finance/tranches/part_form.html",
        {
            "regency": regency,
            "year": year,
            "part": part,
            "part_label": dict(TranchePart.choices)[part],
            "formset": formset,
            "back": back,
            "nav_active": NAV,
        },
    )


@require_POST
@login_required
def tranche_copy(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    form = YearCopyForm(request.POST)
    year = _year(request)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            count = svc.tranche_year_copy(
                actor=request.user,
                regency=regency,
                from_year=form.cleaned_data["from_year"],
                to_year=form.cleaned_data["to_year"],
            )
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            year = form.cleaned_data["to_year"]
            messages.success(request, f"{count} aturan tahap disalin ke tahun {year}.")
    return redirect(f"{reverse('finance:tranche_rules')}?tahun={year}")


# -- village status -------------------------------------------------------------------------


@login_required
def tranche_status(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    year = _year(request)
    if request.method == "POST":
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
        else:
            try:
                svc.village_status_set(
                    actor=request.user,
                    regency=regency,
                    village_code=form.cleaned_data["desa"],
                    year=year,
                    status=form.cleaned_data["status"],
                )
            except KampungError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Status desa {form.cleaned_data['desa']} tahun {year} disimpan.")
        query = {
            "tahun": year,
            "kecamatan": request.POST.get("kecamatan", ""),
            "page": request.POST.get("page", ""),
        }
        return redirect(
            f"{reverse('finance:tranche_status')}?{urlencode({k: v for k, v in query.items() if v})}"
        )
    district = (request.GET.get("kecamatan") or "").strip()
    districts = ref_sel.districts_of(regency_code=regency.code)
    if district not in {d.code for d in districts}:
        district = ""
    desa = ref_sel.regency_desa(regency_code=regency.code, district=district)
    page = Paginator(desa, PER_PAGE).get_page(request.GET.get("page"))
    statuses = dict(
        VillageStatus.objects.filter(
            year=year, village_id__in=[v.code for v in page.object_list]
        ).values_list("village_id", "status")
    )
    counts = dict.fromkeys(DesaStatus.values, 0)
    for status in VillageStatus.objects.filter(
        year=year, village__code__startswith=regency.code + "."
    ).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    params = {k: v for k, v in {"tahun": year, "kecamatan": district}.items() if v}
    return render(
        request,
        "finance/tranches/status.html",
        {
            "regency": regency,
            "year": year,
            "district": district,
            "districts": districts,
            "page_obj": page,
            "rows": [(v, statuses.get(v.code, "")) for v in page.object_list],
            "choices": DesaStatus.choices,
            "counts": [(label, counts.get(value, 0)) for value, label in DesaStatus.choices],
            "querystring_base": urlencode(params) + "&",
            "upload_form": UploadForm(),
            "nav_active": NAV,
        },
    )


@login_required
def tranche_status_template(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    year = _year(request)
    return _xlsx(svc.status_template(regency, year), f"status-desa-{regency.compact_code}-{year}.xlsx")


@require_POST
@login_required
def tranche_status_import(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    year = _year(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Pilih berkas Excel (.xlsx) untuk diunggah.")
    else:
        try:
            result = svc.village_status_import(
                actor=request.user, regency=regency, year=year, file=form.cleaned_data["file"]
            )
        except KampungError as exc:
            _import_error(request, exc)
        else:
            messages.success(request, f"Status desa {year} diunggah: {result.message}")
    return redirect(f"{reverse('finance:tranche_status')}?tahun={year}")


# -- readiness across the regency / district ------------------------------------------------


def _area(request: HttpRequest) -> tuple[Region, list[Region]]:
    """The regency or district whose desa the page lists, and the user's choices of area."""
    scope = scope_for(request.user)
    choices_codes = [
        g.region_code
        for g in scope.grants
        if g.level in (Level.REGENCY, Level.DISTRICT) and g.role in FINANCE_READERS
    ]
    if not choices_codes:
        raise Http404("Halaman ini untuk kecamatan dan kabupaten.")
    choices = list(Region.objects.filter(code__in=sorted(set(choices_codes))).order_by("code"))
    wanted = (request.GET.get("wilayah") or "").strip() or choices[0].code
    area = region_in_scope_or_404(request.user, wanted, *AREA_ROLES)
    if area.level not in (Level.REGENCY, Level.DISTRICT):
        raise Http404("Pilih kabupaten atau kecamatan.")
    if area.level == Level.REGENCY:
        choices += [d for d in Region.objects.filter(parent=area).order_by("code") if d not in choices]
    return area, choices


def _readiness_rows(request: HttpRequest, area: Region, year: int) -> list[sel.Readiness]:
    scope = scope_for(request.user)
    villages = sel.desa_under(area.code, within=scope.village_codes(*AREA_ROLES))
    return sel.readiness_for(villages, year, today=timezone.localdate())


@login_required
def tranche_readiness_list(request: HttpRequest) -> HttpResponse:
    area, choices = _area(request)
    year = _year(request)
    rows = _readiness_rows(request, area, year)
    show = request.GET.get("tampil") or ""
    if show == "siap":
        rows = [r for r in rows if r.next_non_earmark and r.next_non_earmark.ready]
    elif show == "belum":
        rows = [r for r in rows if r.next_non_earmark and not r.next_non_earmark.ready]
    ready = sum(1 for r in rows if r.next_non_earmark and r.next_non_earmark.ready)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in {"tahun": year, "wilayah": area.code, "tampil": show}.items() if v}
    return render(
        request,
        "finance/tranches/readiness.html",
        {
            "area": area,
            "choices": choices,
            "year": year,
            "show": show,
            "page_obj": page,
            "count": len(rows),
            "ready": ready,
            "querystring_base": urlencode(params) + "&",
            "export_query": urlencode(params),
            "problems": sel.part_problems(list(TrancheRule.objects.filter(year=year))),
            "nav_active": NAV,
        },
    )


def _next_text(state: Any) -> list[Any]:
    if state is None:
        return ["semua tahap diterima", "", "", "", ""]
    return [
        f"Tahap {state.tranche} ({state.percent.normalize():f}%)",
        state.amount,
        state.received,
        "siap" if state.ready else "belum",
        "; ".join(f"{c.label}: {c.detail}" if c.detail else c.label for c in state.missing),
    ]


@login_required
def tranche_readiness_export(request: HttpRequest) -> HttpResponse:
    area, _ = _area(request)
    year = _year(request)
    rows = []
    for r in _readiness_rows(request, area, year):
        rows.append(
            [
                r.village.code,
                r.village.name,
                r.village.parent.name if r.village.parent else "",
                r.status_label,
                r.ceiling if r.ceiling is not None else "",
                *_next_text(r.next_non_earmark),
                *_next_text(r.next_earmark),
            ]
        )
    headers = (
        ("Kode desa", 16),
        ("Nama desa", 24),
        ("Kecamatan", 20),
        ("Status desa", 16),
        ("Pagu Dana Desa", 18),
        ("Tahap berikut (non-earmark)", 22),
        ("Nilai tahap", 16),
        ("Sudah diterima", 16),
        ("Kesiapan", 10),
        ("Yang belum terpenuhi", 60),
        ("Tahap berikut (earmark)", 22),
        ("Nilai tahap earmark", 16),
        ("Earmark diterima", 16),
        ("Kesiapan earmark", 10),
        ("Yang belum terpenuhi (earmark)", 60),
    )
    return _xlsx(
        excel_ref.build_workbook(f"Kesiapan DD {year}", headers, rows),
        f"kesiapan-dana-desa-{area.compact_code}-{year}.xlsx",
    )


# -- execution settings and tax rates -------------------------------------------------------


@login_required
def exec_settings(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    setting = settings_svc.setting_for(regency)
    if request.method == "POST":
        form = SettingForm(request.POST)
        if form.is_valid():
            try:
                settings_svc.finance_setting_save(actor=request.user, regency=regency, **form.cleaned_data)
            except KampungError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Pengaturan pelaksanaan keuangan desa disimpan.")
                return redirect(reverse("finance:exec_settings"))
        else:
            messages.error(request, form_errors(form))
    else:
        form = SettingForm(
            initial={
                "require_stage_complete": setting.require_stage_complete,
                "cash_limit": (str(int(setting.cash_limit)) if setting.cash_limit is not None else ""),
                "advance_working_days": setting.advance_working_days,
            }
        )
    return render(
        request,
        "finance/settings/exec.html",
        {"regency": regency, "form": form, "saved": setting.pk is not None, "nav_active": NAV},
    )


def _rate_or_404(regency: Region, pk: int) -> TaxRate:
    rate = TaxRate.objects.filter(pk=pk).first()
    if rate is None or (rate.regency_id is not None and rate.regency_id != regency.code):
        raise Http404("Tarif pajak tidak ditemukan.")
    return rate


@login_required
def tax_rate_list(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    return _rate_page(request, regency, TaxRateForm())


def _rate_page(request: HttpRequest, regency: Region, form: TaxRateForm) -> HttpResponse:
    today = timezone.localdate()
    rates = settings_svc.rates_for(regency)
    rows = [(r, r.valid_from <= today and (r.valid_to is None or r.valid_to >= today)) for r in rates]
    return render(
        request,
        "finance/settings/tax_rates.html",
        {"regency": regency, "rows": rows, "form": form, "end_form": TaxRateEndForm(), "nav_active": NAV},
    )


@login_required
def tax_rate_add(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    if request.method != "POST":
        return redirect(reverse("finance:tax_rate_list"))
    form = TaxRateForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["threshold"] = data.get("threshold") or Decimal(0)
        try:
            rate = settings_svc.tax_rate_add(actor=request.user, regency=regency, **data)
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Tarif {rate.code} ditambahkan.")
            return redirect(reverse("finance:tax_rate_list"))
    else:
        messages.error(request, form_errors(form))
    return _rate_page(request, regency, form)


@login_required
def tax_rate_change(request: HttpRequest, pk: int) -> HttpResponse:
    regency = _admin_regency(request)
    rate = _rate_or_404(regency, pk)
    if rate.regency_id is None:
        messages.error(request, "Tarif nasional tidak dapat diubah dari halaman kabupaten.")
        return redirect(reverse("finance:tax_rate_list"))
    if request.method == "POST":
        form = TaxRateChangeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                settings_svc.tax_rate_change(
                    actor=request.user,
                    regency=regency,
                    rate=rate,
                    valid_from=data["valid_from"],
                    rate_value=data["rate"],
                    rate_without_npwp=data.get("rate_without_npwp"),
                    threshold=data.get("threshold") or Decimal(0),
                    basis=data.get("basis") or "",
                    notes=data.get("notes") or "",
                )
            except KampungError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, f"Tarif {rate.code} diubah: tarif lama diakhiri, tarif baru ditambahkan."
                )
                return redirect(reverse("finance:tax_rate_list"))
        else:
            messages.error(request, form_errors(form))
    else:
        form = TaxRateChangeForm(
            initial={
                "rate": rate.rate,
                "rate_without_npwp": rate.rate_without_npwp,
                "threshold": str(int(rate.threshold)),
                "basis": rate.basis,
                "notes": rate.notes,
            }
        )
    return render(
        request,
        "finance/settings/tax_rate_change.html",
        {"regency": regency, "rate": rate, "form": form, "nav_active": NAV},
    )


@require_POST
@login_required
def tax_rate_end(request: HttpRequest, pk: int) -> HttpResponse:
    regency = _admin_regency(request)
    rate = _rate_or_404(regency, pk)
    form = TaxRateEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            settings_svc.tax_rate_end(
                actor=request.user, regency=regency, rate=rate, valid_to=form.cleaned_data["valid_to"]
            )
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Tarif {rate.code} berakhir {form.cleaned_data['valid_to']:%d-%m-%Y}.")
    return redirect(reverse("finance:tax_rate_list"))
