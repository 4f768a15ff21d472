"""API tokens: a program's key to the HTTP API, acting as one user."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kampung.core.models import BaseModel


class ApiToken(BaseModel):
    """One token of a user. Only the SHA-256 of the token is stored; the token itself is shown
    once, when it is made. ``prefix`` (the token's first characters) finds the row without
    revealing the secret, and names the token in lists and in the audit trail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nama", max_length=100)
    prefix = models.CharField("awalan", max_length=16, unique=True)
    secret_hash = models.CharField("hash rahasia", max_length=64)
    last_used_at = models.DateTimeField("terakhir dipakai", null=True, blank=True)
    expires_at = models.DateTimeField("berlaku sampai", null=True, blank=True)
    revoked_at = models.DateTimeField("dicabut pada", null=True, blank=True)

    class Meta:
        verbose_name = "token API"
        verbose_name_plural = "token API"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"
