from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

TWO_FACTOR_PREFIX = "/akun/dua-langkah/"
# The two-factor step comes first; a one-time password is changed right after it.
_ALLOWED_PREFIXES = ("/akun/ganti-sandi", "/akun/keluar", TWO_FACTOR_PREFIX, "/static/", "/i18n/")
_TWO_FACTOR_ALLOWED_PREFIXES = (TWO_FACTOR_PREFIX, "/akun/keluar", "/static/", "/i18n/")

# Session keys: when the user signed in, and (to the minute) when they were last seen.
LOGIN_AT_KEY = "kampung_login_at"
SEEN_KEY = "kampung_seen"
# The last-seen time is written at most once a minute: not a session write per request.
_SEEN_RESOLUTION = 60
SESSION_ENDED = "Sesi Anda berakhir karena {why}. Silakan masuk lagi."


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """At every sign-in (staff form, resident portal, a test's force_login): start the session's
    clocks and decide whether it must pass the two-factor step. ``login()`` has already given
    the session a new key."""
    if request is None or not hasattr(request, "session"):
        return
    from kampung.accounts.services_two_factor import session_state_decide

    now = int(time.time())
    request.session[LOGIN_AT_KEY] = now
    request.session[SEEN_KEY] = now
    session_state_decide(request.session, user)


class SessionExpiryMiddleware:
    """Ends a signed-in session after ``KAMPUNG_SESSION_IDLE_MINUTES`` without a request, or
    ``KAMPUNG_SESSION_HOURS`` after sign-in however busy (Django's own cookie age slides with
    every save, so the absolute age is checked here). The user continues as a visitor and
    sees why on the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = int(time.time())
        idle = int(settings.KAMPUNG_SESSION_IDLE_MINUTES) * 60
        age = int(settings.KAMPUNG_SESSION_HOURS) * 3600
        seen, login_at = session.get(SEEN_KEY), session.get(LOGIN_AT_KEY)
        why = ""
        if idle and isinstance(seen, int) and now - seen > idle:
            why = f"tidak ada aktivitas selama {settings.KAMPUNG_SESSION_IDLE_MINUTES} menit"
        elif age and isinstance(login_at, int) and now - login_at > age:
            why = f"sudah lebih dari {settings.KAMPUNG_SESSION_HOURS} jam sejak Anda masuk"
        if why:
            logout(request)  # flushes the session: a new key, nothing of the old one kept
            messages.warning(request, SESSION_ENDED.format(why=why))
            return
        if not isinstance(seen, int) or now - seen >= _SEEN_RESOLUTION:
            session[SEEN_KEY] = now
        if not isinstance(login_at, int):
            session[LOGIN_AT_KEY] = now


class TwoFactorMiddleware:
    """Until the code step is passed, a session that needs it reaches only that step, logout,
    static files and the language switch. No query: the state and the epoch it was decided
    at are in the session, the user's current epoch is on the user row already loaded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        from kampung.accounts.services_two_factor import PENDING, session_state

        if session_state(request.session, user) != PENDING or request.path.startswith(
            _TWO_FACTOR_ALLOWED_PREFIXES
        ):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "Selesaikan verifikasi dua langkah di aplikasi terlebih dahulu, "
                    "atau pakai token API.",
                    "code": "verifikasi_dua_langkah",
                },
                status=401,
            )
        url = reverse("accounts:two_factor")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


# Residents (NIK + PIN) change their PIN on their own page, never on the staff password form.
_RESIDENT_ALLOWED_PREFIXES = ("/warga/ganti-pin", "/warga/keluar", "/akun/keluar", "/static/", "/i18n/")


class PasswordChangeRequiredMiddleware:
    """An account with a one-time password can do nothing but choose its own password."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        must_change = getattr(user, "must_change_password", False)
        if must_change or request.path.startswith("/akun/ganti-sandi"):
            from kampung.population.portal import is_resident_user

            if is_resident_user(user):
                if request.path.startswith("/akun/ganti-sandi") or (
                    must_change and not request.path.startswith(_RESIDENT_ALLOWED_PREFIXES)
                ):
                    return redirect(reverse("portal:pin_change"))
                return self.get_response(request)
        if must_change and not request.path.startswith(_ALLOWED_PREFIXES):
            if request.path.startswith("/api/"):  # the API answers as its schema documents
                return JsonResponse(
                    {
                        "detail": "Ganti kata sandi sekali pakai Anda di aplikasi terlebih dahulu, "
                        "atau pakai token API.",
                        "code": "ganti_sandi",
                    },
                    status=401,
                )
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)


class RegencyTimezoneMiddleware:
    """Show times in the user's own regency zone (WIB, WITA or WIT); kept in the session."""

    SESSION_KEY = "kampung_tz"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone_name = None
        if user is not None and user.is_authenticated:
            zone_name = request.session.get(self.SESSION_KEY)
            if zone_name is None:
                zone_name = _regency_zone(user)
                request.session[self.SESSION_KEY] = zone_name
        if zone_name:
            timezone.activate(ZoneInfo(zone_name))
        else:
            timezone.deactivate()
        return self.get_response(request)


def _regency_zone(user: object) -> str:
    from kampung.accounts.scope import scope_for
    from kampung.regions.models import Region

    grants = scope_for(user).grants
    if not grants:
        return ""
    regency = Region.objects.filter(code=grants[0].region_code[:5]).values_list("timezone", flat=True).first()
    return regency or ""
