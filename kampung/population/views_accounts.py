"""The operator's side of resident accounts under /penduduk/akun-warga/: activate, reset a
forgotten PIN (after seeing the KTP), close, and print the PIN slip.

The PIN is shown once: the POST keeps it in the session only until the slip page reads it
(and drops it); a reload of the slip shows no PIN. Another village is "not found"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kampung.accounts.scope import get_in_scope_or_404, scope_for, villages_in_scope
from kampung.core.errors import KampungError
from kampung.population import portal
from kampung.population.checks import mask_nik
from kampung.population.forms_portal import AccountSearchForm, DeactivateForm, PinResetForm
from kampung.population.models import Resident, ResidentAccount
from kampung.population.selectors import READER_ROLES, shown_number
from kampung.population.services import WRITER_ROLES

SLIP_SESSION_KEY = "population_pin_slip"
PAGE_SIZE = 50


def _resident_or_404(request: HttpRequest, pk: int) -> Resident:
    return get_in_scope_or_404(
        Resident.objects.select_related("village", "family"), request.user, roles=WRITER_ROLES, pk=pk
    )


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    """Resident accounts of the villages the user may read, with search by name or NIK."""
    villages = list(villages_in_scope(request.user, *READER_ROLES).order_by("code"))
    if not villages:
        raise Http404("Halaman tidak ditemukan.")
    form = AccountSearchForm(request.GET or None, villages=[(v.code, str(v)) for v in villages])
    q, village = "", ""
    if form.is_valid():
        q, village = form.cleaned_data["q"], form.cleaned_data["desa"]
    page = Paginator(portal.account_list(actor=request.user, village=village, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    scope = scope_for(request.user)
    rows = [
        {
            "account": account,
            "resident": account.resident,
            "nik": shown_number(request.user, account.resident.village_id, account.resident.nik),
            "can_manage": scope.covers(account.resident.village_id, *WRITER_ROLES),
        }
        for account in page.object_list
    ]
    context: dict[str, Any] = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "searching": bool(q or village),
        "querystring_base": urlencode({"q": q, "desa": village}) + "&",
        "nav_active": "population",
    }
    return render(request, "population/account/account_list.html", context)


def _detail_context(request: HttpRequest, resident: Resident, **extra: Any) -> dict[str, Any]:
    account = ResidentAccount.objects.select_related("activated_by").filter(resident=resident).first()
    return {
        "resident": resident,
        "nik": shown_number(request.user, resident.village_id, resident.nik),
        "account": account,
        "reset_form": PinResetForm(),
        "deactivate_form": DeactivateForm(),
        "nav_active": "population",
        **extra,
    }


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_or_404(request, pk)
    return render(request, "population/account/account_detail.html", _detail_context(request, resident))


def _to_slip(request: HttpRequest, resident: Resident, pin: str, kind: str) -> HttpResponse:
    # Kept only until the slip page is opened (it pops the value): never in the database as
    # anything but the user's password hash, never in an audit entry or a log.
    request.session[SLIP_SESSION_KEY] = {"resident": resident.pk, "pin": pin, "kind": kind}
    return redirect("population:account_slip", pk=resident.pk)


@never_cache
@login_required
@require_POST
def account_activate(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_or_404(request, pk)
    try:
        _account, pin = portal.account_activate(actor=request.user, resident=resident)
    except KampungError as exc:
        messages.error(request, exc.message)
        return redirect("population:account_detail", pk=resident.pk)
    return _to_slip(request, resident, pin, "activate")


@never_cache
@login_required
@require_POST
def account_pin_reset(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_or_404(request, pk)
    form = PinResetForm(request.POST)
    if form.is_valid():
        try:
            pin = portal.pin_reset(actor=request.user, resident=resident, identity_checked=True)
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            return _to_slip(request, resident, pin, "reset")
    return render(
        request,
        "population/account/account_detail.html",
        _detail_context(request, resident, reset_form=form),
        status=400,
    )


@login_required
@require_POST
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_or_404(request, pk)
    form = DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        portal.account_deactivate(actor=request.user, resident=resident, reason=reason)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Akun warga {resident.name} dinonaktifkan; warga tidak dapat masuk lagi.")
    return redirect("population:account_detail", pk=resident.pk)


@never_cache
@login_required
def account_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable PIN slip. The PIN appears on the first view after activation or reset
    only; it is dropped from the session as it is read."""
    resident = _resident_or_404(request, pk)
    slip = request.session.pop(SLIP_SESSION_KEY, None)
    pin = slip["pin"] if isinstance(slip, dict) and slip.get("resident") == resident.pk else None
    account = ResidentAccount.objects.filter(resident=resident).first()
    context = {
        "resident": resident,
        "nik_masked": mask_nik(resident.nik),
        "account": account,
        "pin": pin,
        "kind": slip.get("kind") if pin and isinstance(slip, dict) else "",
        "login_url": request.build_absolute_uri(reverse("portal:login")),
        "printed_at": timezone.now(),
        "nav_active": "population",
    }
    return render(request, "population/account/account_slip.html", context)
