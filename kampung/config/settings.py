"""Django settings. Environment-dependent values come from ``kampung.config.env``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from kampung.config import env

BASE_DIR = env.BASE_DIR
SECRET_KEY = env.secret_key()
DEBUG = env.DEBUG
ALLOWED_HOSTS = env.ALLOWED_HOSTS

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",  # web: Content-Security-Policy (its system checks catch settings of old versions)
    "django_otp",  # accounts: two-factor sign-in (TOTP) for officials who sign, approve or pay
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "kampung.core",
    "kampung.regions",
    "kampung.accounts",
    "kampung.authority",
    "kampung.audit",
    "kampung.population",
    "kampung.documents",
    "kampung.letters",
    "kampung.notifications",
    "kampung.finance",
    "kampung.assistance",
    "kampung.monitoring",
    "kampung.kiosk",
    "kampung.demo",
    "ninja",  # api: Swagger UI served from the package's own static files, no CDN
    "kampung.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below); a response
    # that already carries its own (a served upload: sandbox) keeps it.
    "csp.middleware.CSPMiddleware",
    "kampung.core.middleware.PermissionsPolicyMiddleware",
    # Outermost after security: applies roll-up marks once the whole request is done.
    "kampung.monitoring.marks.RollupMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kampung.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # accounts: idle and absolute session expiry, then the two-factor step (before anything
    # else a signed-in user may reach).
    "kampung.accounts.middleware.SessionExpiryMiddleware",
    "kampung.accounts.middleware.TwoFactorMiddleware",
    "kampung.accounts.middleware.PasswordChangeRequiredMiddleware",
    "kampung.accounts.middleware.RegencyTimezoneMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kampung.config.urls"
WSGI_APPLICATION = "kampung.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kampung" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kampung.accounts.context_processors.navigation",
            ],
            "builtins": ["kampung.core.templatetags.kampung"],
        },
    }
]


def _databases() -> dict[str, Any]:
    if env.DATABASE_URL:
        config = dj_database_url.parse(env.DATABASE_URL, conn_max_age=60, conn_health_checks=True)
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config.setdefault("OPTIONS", {}).update(_SQLITE_OPTIONS)
        return {"default": config}
    env.VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.VAR_DIR / "kampung.sqlite3",
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    }


# WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the
# start of a transaction, so two writers queue instead of failing half-way with "locked".
# Django turns foreign keys on for every SQLite connection by itself.
_SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockouts are keyed on the account, and on account plus address, never on the address
# alone: a whole village office or kiosk shares one address.
AXES_FAILURE_LIMIT = env.LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=env.LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env.SESSION_HOURS * 3600
KAMPUNG_SESSION_HOURS = env.SESSION_HOURS  # absolute age, checked from the sign-in time
KAMPUNG_SESSION_IDLE_MINUTES = env.SESSION_IDLE_MINUTES
# Two-factor sign-in (accounts/services_two_factor.py). django-otp's exponential delay is off:
# wrong codes are counted and locked like wrong passwords (AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME).
KAMPUNG_TWO_FACTOR_ROLES = env.TWO_FACTOR_ROLES
OTP_TOTP_ISSUER = "Kampung"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.SECURE_COOKIES
CSRF_COOKIE_SECURE = env.SECURE_COOKIES
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script reads the cookie: forms carry the token
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = env.HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.HSTS_INCLUDE_SUBDOMAINS
SECURE_HSTS_PRELOAD = env.HSTS_PRELOAD
SECURE_SSL_REDIRECT = env.SSL_REDIRECT
if env.BEHIND_HTTPS_PROXY:
    # Only behind a proxy that sets X-Forwarded-Proto itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script anywhere and no per-request nonces, so public pages stay cacheable whole.
# Style attributes are allowed (style-src-attr): positions computed on the server (timeline
# bars) and the API docs' Swagger UI use them; style attributes cannot run script. Style
# elements and sheets come only from our own static files. docs/security.md explains it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "frame-src": [SELF],
        "worker-src": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (kampung.core.middleware): the field-photo forms read the location
# (core/geolocate.js); nothing uses the camera API (photos come from a file input), the
# microphone, payment or USB.
PERMISSIONS_POLICY = {
    "geolocation": "(self)",
    "camera": "()",
    "microphone": "()",
    "payment": "()",
    "usb": "()",
    "magnetometer": "()",
    "gyroscope": "()",
    "accelerometer": "()",
    "display-capture": "()",
}

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kampung" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.STATIC_ROOT
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Shared by the app server's workers: slow wide-area figures (regency statistics) are kept here.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(env.VAR_DIR / "cache"),
        # Django's default of 300 entries would cull a third of the cache on nearly every write
        # once the public pages of a regency (about 1,500 pages and fragments) are kept.
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.MEDIA_ROOT
KEYS_DIR = env.KEYS_DIR  # documents: the regency's signing keys, never in the database
PUBLIC_BASE_URL = env.PUBLIC_BASE_URL  # documents: absolute links in QR codes

# notifications: SMTP when KAMPUNG_EMAIL_HOST is set, otherwise mail is printed (dev/demo).
EMAIL_BACKEND = env.EMAIL_BACKEND
EMAIL_HOST = env.EMAIL_HOST
EMAIL_PORT = env.EMAIL_PORT
EMAIL_HOST_USER = env.EMAIL_HOST_USER
EMAIL_HOST_PASSWORD = env.EMAIL_HOST_PASSWORD
EMAIL_USE_TLS = env.EMAIL_USE_TLS
EMAIL_USE_SSL = env.EMAIL_USE_SSL
EMAIL_TIMEOUT = env.EMAIL_TIMEOUT
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL
SERVER_EMAIL = env.DEFAULT_FROM_EMAIL
# notifications: SMS/WhatsApp gateways (dotted path, or "log" / "http"; empty = channel off).
KAMPUNG_SMS_GATEWAY = env.SMS_GATEWAY
KAMPUNG_SMS_GATEWAY_URL = env.SMS_GATEWAY_URL
KAMPUNG_SMS_GATEWAY_TOKEN = env.SMS_GATEWAY_TOKEN
KAMPUNG_WHATSAPP_GATEWAY = env.WHATSAPP_GATEWAY
KAMPUNG_WHATSAPP_GATEWAY_URL = env.WHATSAPP_GATEWAY_URL
KAMPUNG_WHATSAPP_GATEWAY_TOKEN = env.WHATSAPP_GATEWAY_TOKEN
KAMPUNG_GATEWAY_TIMEOUT = env.GATEWAY_TIMEOUT
KAMPUNG_NOTIFY_MAX_ATTEMPTS = env.NOTIFY_MAX_ATTEMPTS

KAMPUNG_KIOSK_IDLE_SECONDS = env.KIOSK_IDLE_SECONDS
KAMPUNG_PUBLIC_CACHE_SECONDS = env.PUBLIC_CACHE_SECONDS

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
