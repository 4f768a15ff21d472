"""The append-only audit trail, in hash chains: one per village, one per regency level.

Each entry carries its number in its chain and a hash over its content and the previous
entry's hash; editing, deleting or inserting an entry breaks the chain. Chain heads are
anchored (copied with the time into :class:`AuditAnchor`) so cutting entries off the end is
caught too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    pass


class AuditEntry(models.Model):
    chain = models.CharField("rantai", max_length=20)
    seq = models.PositiveBigIntegerField("nomor urut")
    at = models.DateTimeField("waktu", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField("pelaku", max_length=150, blank=True)
    role = models.CharField("peran", max_length=20, blank=True)
    region_code = models.CharField("wilayah", max_length=13, blank=True, db_index=True)
    act = models.CharField("tindakan", max_length=80, db_index=True)
    object_type = models.CharField("jenis objek", max_length=60, blank=True)
    object_id = models.CharField("id objek", max_length=64, blank=True)
    before = models.JSONField("sebelum", null=True, blank=True)
    after = models.JSONField("sesudah", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain", "seq"]
        verbose_name = "entri audit"
        verbose_name_plural = "entri audit"
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_chain_seq_unique")]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.act}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries are never deleted.")


class AuditChainHead(models.Model):
    """The last entry of each chain; locked while appending so a chain grows one at a time."""

    chain = models.CharField(max_length=20, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"


class AuditAnchor(models.Model):
    """A chain head recorded with the time it was seen; printable and kept outside the chain."""

    chain = models.CharField("rantai", max_length=20)
    seq = models.PositiveBigIntegerField("nomor urut")
    hash = models.CharField(max_length=64)
    anchored_at = models.DateTimeField("waktu jangkar", db_index=True)

    class Meta:
        ordering = ["-anchored_at", "chain"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_anchor_chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"
