"""The delegation register: legal instruments, the delegations under them, the acts done
under a basis, and matters routed up to whoever holds the power."""

from __future__ import annotations

import datetime as dt
import fnmatch

from django.conf import settings
from django.db import models
from django.db.models import Q

from kampung.accounts.roles import Role
from kampung.core.models import BaseModel
from kampung.regions.models import Region


class InstrumentKind(models.TextChoices):
    PERBUP = "perbup", "Peraturan Bupati"
    KEPBUP = "kepbup", "Keputusan Bupati"
    PERWALI = "perwali", "Peraturan Wali Kota"
    SK_CAMAT = "sk_camat", "Keputusan Camat"
    SK_KADES = "sk_kades", "Keputusan Kepala Desa"
    SURAT_KUASA = "surat_tugas", "Surat Perintah/Surat Tugas"


class Instrument(BaseModel):
    """A legal instrument that passes power: a Perbup, a Kepbup, a head's SK..."""

    regency = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="instruments")
    kind = models.CharField("jenis", max_length=16, choices=InstrumentKind.choices)
    number = models.CharField("nomor", max_length=60)
    date = models.DateField("tanggal penetapan")
    title = models.CharField("judul/tentang", max_length=255)
    issuer_name = models.CharField("pejabat penetap", max_length=150, blank=True)
    file = models.FileField("berkas bertanda tangan", upload_to="instrumen/", blank=True)

    class Meta:
        ordering = ["-date", "number"]
        verbose_name = "instrumen hukum"
        verbose_name_plural = "instrumen hukum"
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "kind", "number", "date"], name="instrument_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} Nomor {self.number} Tahun {self.date.year}"

    @property
    def citation(self) -> str:
        """``Peraturan Bupati Banyuwangi Nomor 12 Tahun 2017``."""
        issuer = self.regency.name.replace("Kabupaten ", "").replace("Kota ", "")
        if self.kind in (InstrumentKind.SK_CAMAT, InstrumentKind.SK_KADES, InstrumentKind.SURAT_KUASA):
            return f"{self.get_kind_display()} Nomor {self.number} Tahun {self.date.year}"
        return f"{self.get_kind_display()} {issuer} Nomor {self.number} Tahun {self.date.year}"


class DelegationKind(models.TextChoices):
    DELEGASI = "delegasi", "Delegasi"
    MANDAT = "mandat", "Mandat"


class TargetScope(models.TextChoices):
    REGION = "wilayah", "Pada wilayah itu saja"
    VILLAGES_UNDER = "desa_di_bawah", "Pada setiap desa di bawah wilayah itu"
    DISTRICTS_UNDER = "kecamatan_di_bawah", "Pada setiap kecamatan di bawah wilayah itu"


class Delegation(BaseModel):
    """Power over some acts passed from a role at a region to a role at (or under) a region.

    *Delegasi*: the delegate acts in their own name, citing the instrument. *Mandat*: the
    delegate acts "a.n." the holder, who keeps responsibility; a mandat is never passed on
    as a delegasi, and only passed on inside an office ("u.b.") where ``parent`` allows.
    """

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="delegations")
    kind = models.CharField("jenis", max_length=10, choices=DelegationKind.choices)
    from_role = models.CharField("dari peran", max_length=20, choices=Role.choices)
    from_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="dari wilayah"
    )
    to_role = models.CharField("kepada peran", max_length=20, choices=Role.choices)
    to_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="kepada wilayah"
    )
    to_scope = models.CharField(
        "cakupan penerima", max_length=20, choices=TargetScope.choices, default=TargetScope.REGION
    )
    acts = models.JSONField(
        "tindakan", default=list, help_text="kode tindakan; akhiri dengan * untuk satu keluarga"
    )
    amount_ceiling = models.DecimalField(
        "batas nilai (Rp)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField("berlaku mulai")
    valid_until = models.DateField("berlaku sampai", null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="kewenangan asal",
    )
    revoked_on = models.DateField("dicabut mulai", null=True, blank=True)
    revoke_reason = models.CharField("alasan pencabutan", max_length=255, blank=True)
    revoking_instrument = models.ForeignKey(
        Instrument, null=True, blank=True, on_delete=models.PROTECT, related_name="revocations"
    )

    class Meta:
        ordering = ["-valid_from", "pk"]
        verbose_name = "pelimpahan kewenangan"
        verbose_name_plural = "pelimpahan kewenangan"
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="delegation_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_role}@{self.from_region_id} → {self.to_role}@{self.to_region_id}"

    def in_force_on(self, day: dt.date) -> bool:
        if day < self.valid_from:
            return False
        if self.valid_until is not None and day > self.valid_until:
            return False
        return not (self.revoked_on is not None and day >= self.revoked_on)

    def covers_act(self, act: str) -> bool:
        return any(
            act == pattern or ("*" in pattern and fnmatch.fnmatchcase(act, pattern)) for pattern in self.acts
        )

    def covers_target(self, code: str) -> bool:
        """Whether a grant at ``code`` is a recipient of this delegation."""
        base = self.to_region_id
        if self.to_scope == TargetScope.REGION:
            return code == base
        depth = 4 if self.to_scope == TargetScope.VILLAGES_UNDER else 3
        return code.startswith(base + ".") and code.count(".") + 1 == depth


class ActRecord(models.Model):
    """An act done, with the basis it was done on (for the register's decision counts)."""

    act = models.CharField(max_length=80, db_index=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    basis = models.CharField(max_length=10)
    delegation = models.ForeignKey(
        Delegation, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["delegation", "region"])]

    def __str__(self) -> str:
        return f"{self.act} {self.region_id} ({self.basis})"


class MatterStatus(models.TextChoices):
    WAITING = "menunggu", "Menunggu"
    DONE = "selesai", "Selesai"
    RETURNED = "dikembalikan", "Dikembalikan"


class RoutedMatter(BaseModel):
    """A matter the requester may not decide, waiting in the queue of whoever holds the power."""

    act = models.CharField("tindakan", max_length=80)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="wilayah perkara"
    )
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    title = models.CharField("perihal", max_length=255)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("alasan diteruskan", max_length=255)
    holder_role = models.CharField("pemegang kewenangan", max_length=20, choices=Role.choices)
    holder_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=MatterStatus.choices, default=MatterStatus.WAITING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    basis = models.CharField(max_length=10, blank=True)
    note = models.TextField("catatan", blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["holder_role", "holder_region", "status"])]

    def __str__(self) -> str:
        return f"{self.title} → {self.holder_role}@{self.holder_region_id}"
