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


class ApiClient(BaseModel):
    """Another system that reads Kampung's API (a health office's app, a BPS dashboard, ...).

    It belongs to one regency (whose admin manages it) and reads only inside ``region``:
    the regency itself, or one district or village of it. A client acts as no user: it reads
    as a regency reader would, so NIK and KK numbers reach it masked.
    """

    regency = models.ForeignKey(
        "regions.Region", verbose_name="kabupaten", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("nama aplikasi", max_length=100)
    organisation = models.CharField("instansi", max_length=150)
    contact = models.CharField(
        "kontak", max_length=150, help_text="Nama dan surel atau telepon penanggung jawab."
    )
    purpose = models.TextField("keperluan", max_length=1000)
    region = models.ForeignKey(
        "regions.Region", verbose_name="wilayah yang boleh dibaca", on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField("aktif", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "klien API"
        verbose_name_plural = "klien API"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["regency", "name"], name="api_client_unique_name_per_regency")
        ]

    def __str__(self) -> str:
        return self.name


class ApiClientToken(BaseModel):
    """One token of an integration client: its scopes, a mandatory expiry, and its use.

    As with personal tokens, only the SHA-256 of the token is stored and ``prefix`` finds the
    row; the token is shown once, on the page (or console) that made it."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField("keterangan", max_length=100)
    prefix = models.CharField("awalan", max_length=16, unique=True)
    secret_hash = models.CharField("hash rahasia", max_length=64)
    scopes = models.JSONField("izin", default=list)
    expires_at = models.DateTimeField("berlaku sampai")
    last_used_at = models.DateTimeField("terakhir dipakai", null=True, blank=True)
    revoked_at = models.DateTimeField("dicabut pada", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "token klien API"
        verbose_name_plural = "token klien API"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"
