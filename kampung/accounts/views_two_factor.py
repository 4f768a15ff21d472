"""The two-factor step after the password (set up an app, or type its code), the user's own
two-factor page (status, new backup codes), and the admin's reset. Every page is never
cached: a secret or backup codes shown once must not stay in a browser's or proxy's cache."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from kampung.accounts import selectors_admin
from kampung.accounts import services_two_factor as tf
from kampung.accounts.forms import TwoFactorCodeForm
from kampung.core.errors import KampungError


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("accounts:home")


def _locked(request: HttpRequest, exc: tf.TwoFactorLocked) -> HttpResponse:
    """The lock holds for the account: this session ends, and signing in again leads back here."""
    logout(request)
    return render(
        request,
        "accounts/two_factor_locked.html",
        {"message": exc.message, "minutes": exc.minutes},
        status=429,
    )


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """After the password: set up the app (first time) or confirm with a code."""
    user = request.user
    next_url = _next_url(request)
    if tf.session_state(request.session, user) != tf.PENDING:
        return redirect(next_url)
    device = tf.confirmed_device(user)
    form = TwoFactorCodeForm(request.POST or None)
    if device is None:
        return _enrol(request, form, next_url)
    if request.method == "POST" and form.is_valid():
        try:
            how = tf.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except tf.TwoFactorLocked as exc:
            return _locked(request, exc)
        except KampungError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.cycle_key()  # the session is worth more now: give it a new key
            tf.session_mark_verified(request.session, user)
            if how == "backup":
                left = tf.two_factor_status(user).backup_codes_left
                messages.warning(
                    request,
                    f"Anda masuk dengan kode cadangan; sisa {left} kode. Buat kode cadangan baru "
                    "di halaman Verifikasi dua langkah bila hampir habis.",
                )
            return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


def _enrol(request: HttpRequest, form: TwoFactorCodeForm, next_url: str) -> HttpResponse:
    user = request.user
    if request.method == "POST" and form.is_valid():
        try:
            codes = tf.two_factor_enrol_confirm(user=user, code=form.cleaned_data["code"])
        except tf.TwoFactorLocked as exc:
            return _locked(request, exc)
        except KampungError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.cycle_key()
            tf.session_mark_verified(request.session, user)
            return render(
                request,
                "accounts/two_factor_backup_codes.html",
                {"codes": codes, "next": next_url, "first_time": True},
            )
    device = tf.enrolment_device(user)
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": tf.qr_svg(device),
            "secret": tf.secret_grouped(device),
        },
    )


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """The user's own two-factor page: is it required, since when, backup codes left; new
    backup codes after a code from the app."""
    user = request.user
    if tf.session_state(request.session, user) == tf.PENDING:
        return redirect("accounts:two_factor")
    status = tf.two_factor_status(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and status.enrolled and form.is_valid():
        try:
            codes = tf.two_factor_backup_codes_renew(user=user, code=form.cleaned_data["code"])
        except tf.TwoFactorLocked as exc:
            return _locked(request, exc)
        except KampungError as exc:
            form.add_error("code", exc.message)
        else:
            return render(
                request,
                "accounts/two_factor_backup_codes.html",
                {"codes": codes, "next": reverse("accounts:two_factor_settings"), "first_time": False},
            )
    return render(
        request, "accounts/two_factor_settings.html", {"status": status, "form": form, "nav_active": ""}
    )


@never_cache
@login_required
@require_POST
def user_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """The regency admin removes a user's authenticator (lost or replaced phone)."""
    if not selectors_admin.admin_regions(actor=request.user):
        raise Http404("Halaman tidak ditemukan.")
    target = selectors_admin.managed_user_get_or_404(actor=request.user, pk=pk)
    try:
        tf.two_factor_reset(actor=request.user, user=target)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Verifikasi dua langkah diatur ulang. Pengguna memasang aplikasi autentikator lagi saat masuk berikutnya.",
        )
    return redirect("accounts:user_detail", pk=target.pk)
