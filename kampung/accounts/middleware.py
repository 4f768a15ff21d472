from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

_ALLOWED_PREFIXES = ("/akun/ganti-sandi", "/akun/keluar", "/static/", "/i18n/")
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
