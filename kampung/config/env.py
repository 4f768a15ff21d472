"""Every value that depends on the environment is read here, and only here.

Booleans are parsed strictly (a typo fails at start-up, not in production), and
secrets may come from a file named by ``<NAME>_FILE`` (Docker/systemd secrets).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KAMPUNG_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key() -> str:
    """The configured key, or one generated once and kept in var/ for a local install."""
    configured = env_str("KAMPUNG_SECRET_KEY")
    if configured:
        return configured
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


DEBUG = env_bool("KAMPUNG_DEBUG", False)
DATABASE_URL = env_str("DATABASE_URL")
ALLOWED_HOSTS = env_list("KAMPUNG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
SECURE_COOKIES = env_bool("KAMPUNG_SECURE_COOKIES", False)
# HTTPS in production (docs/operations.md, "Production settings"): HSTS, redirect to HTTPS,
# and whether the proxy in front says the request came over HTTPS (X-Forwarded-Proto).
HSTS_SECONDS = env_int("KAMPUNG_HSTS_SECONDS", 0)
HSTS_INCLUDE_SUBDOMAINS = env_bool("KAMPUNG_HSTS_INCLUDE_SUBDOMAINS", True)
HSTS_PRELOAD = env_bool("KAMPUNG_HSTS_PRELOAD", True)
SSL_REDIRECT = env_bool("KAMPUNG_SSL_REDIRECT", False)
BEHIND_HTTPS_PROXY = env_bool("KAMPUNG_BEHIND_HTTPS_PROXY", False)
CSRF_TRUSTED_ORIGINS = env_list("KAMPUNG_CSRF_TRUSTED_ORIGINS", [])
LOCKOUT_FAILURES = env_int("KAMPUNG_LOCKOUT_FAILURES", 5)
LOCKOUT_MINUTES = env_int("KAMPUNG_LOCKOUT_MINUTES", 15)
SESSION_HOURS = env_int("KAMPUNG_SESSION_HOURS", 8)
# accounts: a signed-in session ends after this many minutes without a request (0 = never).
SESSION_IDLE_MINUTES = env_int("KAMPUNG_SESSION_IDLE_MINUTES", 30)
# accounts: roles whose holders must confirm sign-in with a TOTP code (two-factor). By default
# the officials who sign, approve or pay: kades, sekdes, kaur keuangan, camat, DPMD, the
# regency admin (who grants roles and powers) and the bupati.
TWO_FACTOR_ROLES = env_list(
    "KAMPUNG_TWO_FACTOR_ROLES", ["kades", "sekdes", "kaur_keuangan", "camat", "dpmd", "admin", "bupati"]
)
# kiosk: seconds without a touch before the kiosk clears everything and returns home;
# public pages: seconds a rendered page is kept in the cache and by browsers/proxies.
KIOSK_IDLE_SECONDS = env_int("KAMPUNG_KIOSK_IDLE_SECONDS", 60)
PUBLIC_CACHE_SECONDS = env_int("KAMPUNG_PUBLIC_CACHE_SECONDS", 300)
MEDIA_ROOT = Path(env_str("KAMPUNG_MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_ROOT = Path(env_str("KAMPUNG_STATIC_ROOT", str(VAR_DIR / "static")))
# Signing keys live outside the database (documents app); the public base URL goes into QR codes.
KEYS_DIR = Path(env_str("KAMPUNG_KEYS_DIR", str(VAR_DIR / "keys")))
PUBLIC_BASE_URL = env_str("KAMPUNG_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Notifications (outbox sender). Email goes through SMTP when a host is set; otherwise it is
# printed to the console (development and demos). Passwords and tokens may come from *_FILE.
EMAIL_HOST = env_str("KAMPUNG_EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "KAMPUNG_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("KAMPUNG_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("KAMPUNG_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("KAMPUNG_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("KAMPUNG_EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("KAMPUNG_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("KAMPUNG_EMAIL_TIMEOUT", 15)
DEFAULT_FROM_EMAIL = env_str("KAMPUNG_EMAIL_FROM", "Kampung <noreply@localhost>")
SMS_GATEWAY = env_str("KAMPUNG_SMS_GATEWAY")
SMS_GATEWAY_URL = env_str("KAMPUNG_SMS_GATEWAY_URL")
SMS_GATEWAY_TOKEN = env_str("KAMPUNG_SMS_GATEWAY_TOKEN")
WHATSAPP_GATEWAY = env_str("KAMPUNG_WHATSAPP_GATEWAY")
WHATSAPP_GATEWAY_URL = env_str("KAMPUNG_WHATSAPP_GATEWAY_URL")
WHATSAPP_GATEWAY_TOKEN = env_str("KAMPUNG_WHATSAPP_GATEWAY_TOKEN")
GATEWAY_TIMEOUT = env_int("KAMPUNG_GATEWAY_TIMEOUT", 10)
NOTIFY_MAX_ATTEMPTS = env_int("KAMPUNG_NOTIFY_MAX_ATTEMPTS", 6)
