"""The shared test world: one regency with two districts and three villages, a user per role.

Built from the real region list (Banyuwangi), so codes and names are real.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

import pytest

from kampung.accounts.roles import Role

REGENCY = "35.10"
DISTRICT_A = "35.10.01"  # Pesanggaran
DISTRICT_B = "35.10.15"  # Glagah
VILLAGE_A1 = "35.10.01.2001"  # Sarongan
VILLAGE_A2 = "35.10.01.2002"  # Pesanggaran
VILLAGE_B1 = "35.10.15.2004"
KELURAHAN_B = "35.10.15.1002"  # Bakungan
PASSWORD = "sandi-uji-Kampung-1"
OTHER_REGENCY = "35.09"  # Jember: another regency, for "not found across regencies"
OTHER_VILLAGE = "35.09.01.2001"

VILLAGE_ROLES_IN_WORLD = [
    Role.OPERATOR,
    Role.FIELD_OFFICER,
    Role.SECRETARY,
    Role.TREASURER,
    Role.EXECUTOR,
    Role.HEAD,
    Role.BPD,
    Role.RESIDENT,
]


@dataclass
class World:
    users: dict[tuple[str, str], Any] = field(default_factory=dict)

    def user(self, role: str, region: str) -> Any:
        return self.users[(role, region)]


def _make_user(role: str, region_code: str) -> Any:
    from kampung.accounts.services import user_create
    from kampung.regions.models import Region

    region = Region.objects.get(code=region_code)
    created = user_create(
        actor=None,
        username=f"{role}-{region_code}".replace(".", "-"),
        full_name=f"Uji {role} {region_code}",
        role=role,
        region=region,
        valid_from=dt.date(2020, 1, 1),
        password=PASSWORD,
    )
    if role in _two_factor_roles():
        give_totp_device(created.user)
    return created.user


# Test users whose role needs two-factor sign-in have an authenticator with this known key
# (RFC 6238's test key "12345678901234567890"), so tests can compute the code.
TOTP_KEY_HEX = "3132333435363738393031323334353637383930"


def _two_factor_roles() -> frozenset[str]:
    from django.conf import settings

    return frozenset(settings.KAMPUNG_TWO_FACTOR_ROLES)


def give_totp_device(user: Any) -> Any:
    """A confirmed authenticator with :data:`TOTP_KEY_HEX` (for users a test makes itself)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Uji", key=TOTP_KEY_HEX, confirmed=True)


def totp_code(user: Any) -> str:
    """The code the user's authenticator shows now, one the server will accept: a code is
    accepted once (django-otp refuses a time step already used), so a second sign-in within
    the same 30 seconds gets the next step's code (accepted within the tolerance). A third
    one in the same window (or under a frozen clock) clears the device's replay guard."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        raise AssertionError(f"{user} has no confirmed TOTP device")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now_t = totp.t()
    step = max(now_t, device.last_t + 1)
    if step > now_t + device.tolerance:
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        step = now_t
    totp.time = device.t0 + (step - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def login_with_code(client: Any, user: Any, password: str = PASSWORD) -> Any:
    """Sign in through the login form with ``client``, and through the code step when the
    user's role needs it. Returns the last response."""
    from django.urls import reverse

    response = client.post(reverse("accounts:login"), {"username": user.username, "password": password})
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(reverse("accounts:two_factor")):
        response = client.post(location, {"code": totp_code(user)})
    return response


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Client.force_login`` stands for a finished sign-in: the password and, for roles that
    need it, the code step. Everything else (the middleware, the lock, the reset) stays as in
    production; tests of the code step itself sign in through the forms."""
    from django.test import Client

    original = Client.force_login

    def force_login(self: Any, user: Any, backend: str | None = None) -> None:
        from kampung.accounts.services_two_factor import session_mark_verified

        original(self, user, backend)
        session = self.session
        session_mark_verified(session, user)
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the regency's regions once per test database."""
    with django_db_blocker.unblock():
        ensure_regions()


def ensure_regions() -> None:
    from kampung.regions.models import Region
    from kampung.regions.services import regions_load

    if not Region.objects.filter(code=VILLAGE_B1).exists():
        regions_load(prefix=REGENCY)


def make_other_regency() -> tuple[Any, Any]:
    """An admin of another regency (Jember) and an operator of one village there."""
    from kampung.regions.services import regions_load

    regions_load(prefix=OTHER_VILLAGE)
    return _make_user(Role.ADMIN, OTHER_REGENCY), _make_user(Role.OPERATOR, OTHER_VILLAGE)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Cached figures must not leak from one test's data into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _keys_outside_var(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test writes signing keys into the real var/keys (``kampung init`` and ``kampung
    demo`` make one when there is none); tests that need a key make their own."""
    settings.KEYS_DIR = tmp_path_factory.mktemp("keys")


@pytest.fixture(autouse=True)
def _regions_present(request: Any) -> None:
    """Transactional tests (the browser's live server) flush the database; reload the regions."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("_django_db_helper")
        ensure_regions()


@pytest.fixture
def world(db: Any) -> World:
    ensure_regions()
    w = World()
    for village in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1):
        for role in VILLAGE_ROLES_IN_WORLD:
            w.users[(role, village)] = _make_user(role, village)
    w.users[(Role.HEAD, KELURAHAN_B)] = _make_user(Role.HEAD, KELURAHAN_B)
    for district in (DISTRICT_A, DISTRICT_B):
        for role in (Role.CAMAT, Role.DISTRICT_OFFICER):
            w.users[(role, district)] = _make_user(role, district)
    for role in (Role.DPMD, Role.ADMIN, Role.BUPATI):
        w.users[(role, REGENCY)] = _make_user(role, REGENCY)
    return w


def pytest_configure(config: Any) -> None:
    # pytest-django's live_server runs in a thread beside Playwright's event loop.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason="Chromium (/usr/bin/chromium) is not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    """Under CI a skipped test is a failure: CI installs everything the suite needs."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and session.exitstatus == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(f"CI: {skipped} test(s) skipped; CI must run every test.", red=True)


CHROMIUM = "/usr/bin/chromium"


def browser_login(page: Any, base: str, user: Any, password: str = PASSWORD) -> None:
    """Sign ``user`` in through the login page (browser tests), and through the code step
    when the user's role needs it. The login button is "Masuk"; the first submit button on
    the page is the language switch."""
    page.context.clear_cookies()
    page.goto(f"{base}/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    if "/akun/dua-langkah/" in page.url:
        page.get_by_label("Kode verifikasi").fill(totp_code(user))
        page.get_by_role("button", name="Verifikasi").click()
        page.wait_for_load_state()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser; no background traffic (no network here)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Villages read Indonesian: the browser asks for it as their browsers do."""
    return {**browser_context_args, "locale": "id-ID"}
