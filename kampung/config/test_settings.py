"""Settings for the test suite: the real settings plus a small app used by core tests."""

from kampung.config.settings import *  # noqa: F403
from kampung.config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "kampung.core.tests.workflowapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test process keeps its own cache (tests that cache clear it themselves).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
