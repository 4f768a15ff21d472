"""Villages in the user's scope, a village's home page, its profile, the working calendar."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kampung.accounts.roles import Role
from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.accounts.selectors import official_list
from kampung.core.errors import KampungError
from kampung.population.selectors import population_counts
from kampung.regions import selectors, services
from kampung.regions.forms import HolidayForm, VillageProfileForm
from kampung.regions.models import Holiday, Kind, Region

PROFILE_EDITORS = (Role.ADMIN, Role.HEAD, Role.SECRETARY, Role.OPERATOR)


@login_required
def village_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:80]
    district = request.GET.get("kecamatan", "").strip()[:8]
    kind = request.GET.get("jenis", "")
    if kind not in Kind.values:
        kind = ""
    qs = selectors.village_list(actor=request.user, search=search, district=district, kind=kind)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "regions/village_list.html",
        {
            "page_obj": page,
            "search": search,
            "district": district,
            "kind": kind,
            "districts": selectors.districts_in_scope(actor=request.user),
            "kinds": [(Kind.DESA, "Desa"), (Kind.KELURAHAN, "Kelurahan"), (Kind.DESA_ADAT, "Desa adat")],
            "querystring_base": (query.urlencode() + "&") if query else "",
            "nav_active": "regions",
        },
    )


@login_required
def village_detail(request: HttpRequest, code: str) -> HttpResponse:
    village = region_in_scope_or_404(request.user, code)
    if not village.is_village:
        raise Http404("Wilayah tidak ditemukan.")
    roles = scope_for(request.user).roles_at(village.code)
    return render(
        request,
        "regions/village_detail.html",
        {
            "village": village,
            "profile": selectors.village_profile(village=village),
            "officials": official_list(actor=request.user, village=village),
            "counts": population_counts(actor=request.user, village=village),
            "can_edit_profile": bool(roles & set(PROFILE_EDITORS)),
            "nav_active": "regions",
        },
    )


@login_required
def village_profile_edit(request: HttpRequest, code: str) -> HttpResponse:
    village = region_in_scope_or_404(request.user, code, *PROFILE_EDITORS)
    if not village.is_village:
        raise Http404("Wilayah tidak ditemukan.")
    profile = selectors.village_profile(village=village)
    form = VillageProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.village_profile_update(actor=request.user, village=village, data=form.cleaned_data)
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Profil desa disimpan.")
            return redirect("regions:village_detail", code=village.code)
    return render(
        request, "regions/profile_form.html", {"village": village, "form": form, "nav_active": "regions"}
    )


def _admin_regency(request: HttpRequest) -> Region:
    codes = scope_for(request.user).region_codes(Role.ADMIN)
    if not codes:
        raise Http404("Halaman tidak ditemukan.")
    requested = request.GET.get("kabupaten") or request.POST.get("kabupaten") or codes[0]
    return region_in_scope_or_404(request.user, requested, Role.ADMIN)


@login_required
def holiday_list(request: HttpRequest) -> HttpResponse:
    regency = _admin_regency(request)
    try:
        year = int(request.GET.get("tahun", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.holiday_save(actor=request.user, regency=regency, **form.cleaned_data)
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Hari libur disimpan.")
            return redirect(f"{request.path}?tahun={form.cleaned_data['date'].year}")
    return render(
        request,
        "regions/holiday_list.html",
        {
            "regency": regency,
            "year": year,
            "holidays": selectors.holiday_list(regency_code=regency.code, year=year),
            "form": form,
            "nav_active": "calendar",
        },
    )


@login_required
@require_POST
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    regency = _admin_regency(request)
    holiday = Holiday.objects.filter(pk=pk, regency=regency).first()
    if holiday is None:
        raise Http404("Hari libur tidak ditemukan.")
    year = holiday.date.year
    services.holiday_delete(actor=request.user, holiday=holiday)
    messages.success(request, "Hari libur dihapus.")
    return redirect(f"{reverse('regions:holiday_list')}?tahun={year}")
