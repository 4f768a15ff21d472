"""A village's officials (perangkat desa): seen by anyone whose scope covers the village,
kept by the regency admin and the village's head and secretary. Another village is "not
found" for both reading and editing; so is the edit page for someone who may only read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kampung.accounts import selectors_admin, services
from kampung.accounts.forms_admin import OfficialForm
from kampung.accounts.models import Official
from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.accounts.services import OFFICIAL_EDITORS
from kampung.core.errors import KampungError
from kampung.regions.models import Region


def _village_or_404(request: HttpRequest, code: str, *roles: str) -> Region:
    village = region_in_scope_or_404(request.user, code, *roles)
    if not village.is_village:
        raise Http404("Wilayah tidak ditemukan.")
    return village


@login_required
def official_list(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code)
    return render(
        request,
        "accounts/officials/official_list.html",
        {
            "village": village,
            "officials": selectors_admin.official_list_all(actor=request.user, village=village),
            "can_edit": scope_for(request.user).covers(village.code, *OFFICIAL_EDITORS),
            "nav_active": "regions",
        },
    )


def _save(request: HttpRequest, village: Region, official: Official | None) -> HttpResponse:
    initial = None
    if official is not None:
        initial = {
            "name": official.name,
            "position": official.position,
            "staff_number": official.staff_number,
            "order": official.order,
            "active": official.active,
            "user": official.user_id,
        }
    accounts = selectors_admin.village_account_choices(village=village)
    form = OfficialForm(request.POST or None, initial=initial, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.official_save(
                actor=request.user,
                village=village,
                name=data["name"],
                position=data["position"],
                staff_number=data["staff_number"],
                order=data["order"],
                active=data["active"],
                user=data["user"],
                official=official,
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Data perangkat disimpan.")
            return redirect("regions:officials:list", code=village.code)
    return render(
        request,
        "accounts/officials/official_form.html",
        {"village": village, "official": official, "form": form, "nav_active": "regions"},
    )


@login_required
def official_add(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code, *OFFICIAL_EDITORS)
    return _save(request, village, None)


@login_required
def official_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village_or_404(request, code, *OFFICIAL_EDITORS)
    official = selectors_admin.official_get_or_404(
        actor=request.user, village=village, pk=pk, roles=OFFICIAL_EDITORS
    )
    return _save(request, village, official)
