"""The resident's own pages under /warga/: log in with NIK and PIN, change the PIN, see one's
own and one's family's data. A resident sees nothing of anyone outside their KK."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from kampung.core.errors import KampungError
from kampung.population import portal
from kampung.population.checks import mask_nik
from kampung.population.forms_portal import PinChangeForm, PortalLoginForm
from kampung.population.models import ResidentAccount
from kampung.population.portal import CLOSED_ACCOUNT, GENERIC_LOGIN_ERROR, cooloff_minutes

LOGIN_URL = "portal:login"


def _locked_response(request: HttpRequest) -> HttpResponse:
    # django-axes flagged this request as locked out and its middleware would answer with
    # the staff lockout page; the resident gets their own page (same 429 status) instead.
    request.axes_locked_out = False  # type: ignore[attr-defined]
    return render(
        request,
        "population/portal/locked.html",
        {"cooloff_minutes": cooloff_minutes()},
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )


@sensitive_post_parameters("pin")
@never_cache
def portal_login(request: HttpRequest) -> HttpResponse:
    """NIK + PIN through Django's authenticate(), so axes counts and locks like the staff login.
    A wrong NIK and a wrong PIN get the same answer: whether a NIK has an account is not told."""
    if portal.portal_account(request.user) is not None:
        return redirect("portal:home")
    form = PortalLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=portal.username_for(form.cleaned_data["nik"]),
            password=form.cleaned_data["pin"],
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                return _locked_response(request)
            form.add_error(None, GENERIC_LOGIN_ERROR)
        elif not portal.is_resident_user(user):
            form.add_error(None, GENERIC_LOGIN_ERROR)  # a staff account: not here
        elif portal.portal_account(user) is None:
            form.add_error(None, CLOSED_ACCOUNT)
        else:
            login(request, user)
            if user.must_change_password:
                return redirect("portal:pin_change")
            return redirect("portal:home")
    return render(request, "population/portal/login.html", {"form": form, "nav_active": "portal"})


def _account_or_out(request: HttpRequest) -> ResidentAccount | HttpResponse:
    """The logged-in resident's usable account; a closed one logs out, a staff user gets 404."""
    account = portal.portal_account(request.user)
    if account is not None:
        return account
    if not portal.is_resident_user(request.user):
        raise Http404("Halaman warga hanya untuk akun warga.")
    logout(request)
    messages.error(request, CLOSED_ACCOUNT)
    return redirect(LOGIN_URL)


@never_cache
@login_required(login_url=LOGIN_URL)
def portal_home(request: HttpRequest) -> HttpResponse:
    account = _account_or_out(request)
    if isinstance(account, HttpResponse):
        return account
    resident = account.resident
    members = [
        {
            "name": m.name,
            "nik": mask_nik(m.nik),
            "relation": portal.code_label("kk_level", m.family_relation),
            "sex": m.get_sex_display(),
            "birth_date": m.birth_date,
        }
        for m in portal.family_members(account)
    ]
    context = {
        "account": account,
        "resident": resident,
        "family": resident.family,
        "family_kk": mask_nik(resident.family.kk_number) if resident.family else "",
        "members": members,
        "labels": {
            "religion": portal.code_label("agama_id", resident.religion),
            "marital_status": portal.code_label("status_kawin", resident.marital_status),
            "relation": portal.code_label("kk_level", resident.family_relation),
            "education": portal.code_label("pendidikan_kk_id", resident.education),
            "occupation": portal.code_label("pekerjaan_id", resident.occupation),
            "citizenship": portal.code_label("warganegara_id", resident.citizenship),
        },
        "nav_active": "portal",
    }
    return render(request, "population/portal/home.html", context)


@sensitive_post_parameters("old_pin", "new_pin", "new_pin_again")
@never_cache
@login_required(login_url=LOGIN_URL)
def portal_pin_change(request: HttpRequest) -> HttpResponse:
    account = _account_or_out(request)
    if isinstance(account, HttpResponse):
        return account
    form = PinChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portal.pin_change(
                user=request.user,
                old_pin=form.cleaned_data["old_pin"],
                new_pin=form.cleaned_data["new_pin"],
            )
        except KampungError as exc:
            field = "old_pin" if exc.code == "pin_salah" else "new_pin" if exc.code == "pin_lemah" else None
            form.add_error(field, exc.message)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, "PIN Anda sudah diganti. Ingat PIN ini dan jangan beri tahu siapa pun.")
            return redirect("portal:home")
    return render(
        request,
        "population/portal/pin_change.html",
        {"form": form, "must_change": request.user.must_change_password, "nav_active": "portal"},  # type: ignore[union-attr]
    )


@require_POST
def portal_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "Anda sudah keluar.")
    return redirect(LOGIN_URL)
