"""The regency's monitoring thresholds (DPMD and admin of the regency; others: not found)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kampung.accounts.scope import scope_for
from kampung.core.errors import KampungError, NotPermitted
from kampung.monitoring.access import SETTINGS_EDITORS
from kampung.monitoring.forms import SettingForm
from kampung.monitoring.services.settings import setting_for, setting_save
from kampung.regions.models import Level, Region


def _regency(request: HttpRequest) -> Region:
    scope = scope_for(request.user)
    codes = [g.region_code for g in scope.grants if g.role in SETTINGS_EDITORS and g.level == Level.REGENCY]
    if not codes:
        raise Http404("Halaman tidak ditemukan.")
    return Region.objects.get(code=sorted(codes)[0])


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    regency = _regency(request)
    setting = setting_for(regency.code)
    if request.method == "POST":
        form = SettingForm(request.POST)
        if form.is_valid():
            try:
                setting_save(actor=request.user, regency=regency, **form.cleaned_data)
            except NotPermitted as exc:
                raise Http404("Halaman tidak ditemukan.") from exc
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Pengaturan pemantauan tersimpan.")
                return redirect(reverse("monitoring:settings"))
    else:
        form = SettingForm(initial=SettingForm.initial_from(setting))
    return render(
        request,
        "monitoring/settings/edit.html",
        {
            "nav_active": "monitoring",
            "form": form,
            "regency": regency,
            "saved": setting.pk is not None,
            "setting": setting,
        },
    )
