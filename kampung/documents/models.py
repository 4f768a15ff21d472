"""Issued documents, their number series, and the incoming-letter register.

A number is allocated from a :class:`NumberCounter` (one row per series and year) inside the
issuing transaction; the database refuses a second document with the same sequence in a
series-year or the same formatted number in a village, so a number can never be given twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from kampung.core.models import BaseModel
from kampung.regions.models import Region

DEFAULT_PATTERN = "[klasifikasi]/[nomor:03]/[kode_desa]/[bulan_romawi]/[tahun]"


class SeriesKind(models.TextChoices):
    """What a series numbers. Add a kind here to give it its own counter per village."""

    SERVICE_LETTER = "surat_keluar", "Surat layanan / surat keluar"
    DECREE = "keputusan", "Keputusan kepala desa"
    REGULATION = "peraturan", "Peraturan desa / kepala desa"
    INCOMING = "surat_masuk", "Agenda surat masuk"


# Kinds a Document may have (the incoming-letter agenda numbers no document).
DOCUMENT_KINDS = (SeriesKind.SERVICE_LETTER, SeriesKind.DECREE, SeriesKind.REGULATION)

DEFAULT_PATTERNS: dict[str, str] = {
    SeriesKind.SERVICE_LETTER: DEFAULT_PATTERN,
    SeriesKind.DECREE: "[klasifikasi]/[nomor:02]/KEP/[kode_desa]/[tahun]",
    SeriesKind.REGULATION: "[klasifikasi]/[nomor:02]/PER/[kode_desa]/[tahun]",
    SeriesKind.INCOMING: "[nomor:03]/SM/[tahun]",
}


class NumberSeries(BaseModel):
    """How one village numbers one kind of document. The running number lives per year in
    :class:`NumberCounter`, so it starts again at 1 every January."""

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="number_series")
    kind = models.CharField("jenis", max_length=20, choices=SeriesKind.choices)
    pattern = models.CharField("pola nomor", max_length=120, default=DEFAULT_PATTERN)
    village_code = models.CharField(
        "kode desa pada nomor",
        max_length=30,
        blank=True,
        help_text="Kosongkan untuk memakai kode Kemendagri tanpa titik (mis. 3510012001).",
    )

    class Meta:
        verbose_name = "seri nomor"
        verbose_name_plural = "seri nomor"
        constraints = [models.UniqueConstraint(fields=["village", "kind"], name="numberseries_unique_kind")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.kind}"

    @property
    def code_on_number(self) -> str:
        return self.village_code or self.village_id.replace(".", "")


class NumberCounter(models.Model):
    """The last number given in a series in one year; locked while a number is allocated."""

    series = models.ForeignKey(NumberSeries, on_delete=models.CASCADE, related_name="counters")
    year = models.PositiveSmallIntegerField("tahun")
    last = models.PositiveIntegerField("nomor terakhir", default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="numbercounter_unique_year")]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"


class DocumentStatus(models.TextChoices):
    VALID = "berlaku", "Berlaku"
    REVOKED = "dicabut", "Dicabut"


def _document_path(instance: Document, filename: str) -> str:
    # Under private/: MEDIA_ROOT/private is never served; files go out through scoped views.
    year = instance.issued_at.year if instance.issued_at else timezone.now().year
    return f"private/documents/{instance.village_id}/{year}/{uuid.uuid4().hex}.pdf"


class Document(BaseModel):
    """Anything a village issues with a number: a service letter, a decree.

    The row is made with its number inside the signing transaction; the PDF (and its
    SHA-256) is attached after that transaction commits.
    """

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("jenis", max_length=20, choices=SeriesKind.choices)
    series = models.ForeignKey(NumberSeries, on_delete=models.PROTECT, related_name="documents")
    year = models.PositiveSmallIntegerField("tahun")
    sequence = models.PositiveIntegerField("nomor urut")
    number = models.CharField("nomor", max_length=120)
    classification = models.CharField("kode klasifikasi", max_length=30, blank=True)
    title = models.CharField("jenis dokumen", max_length=200)
    subject_name = models.CharField("nama yang bersangkutan", max_length=150, blank=True)
    subject_nik = models.CharField("NIK yang bersangkutan", max_length=16, blank=True)
    issued_at = models.DateTimeField("diterbitkan")
    signer_name = models.CharField("nama penanda tangan", max_length=150)
    signer_title = models.CharField("jabatan penanda tangan", max_length=300)
    legal_basis = models.TextField("dasar penandatanganan", blank=True)
    file = models.FileField("berkas PDF", upload_to=_document_path, max_length=200, blank=True)
    sha256 = models.CharField("SHA-256 PDF", max_length=64, blank=True)
    verification_code = models.CharField("kode verifikasi", max_length=10, unique=True)
    status = models.CharField(
        "status", max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.VALID
    )
    revoked_at = models.DateTimeField("dicabut pada", null=True, blank=True)
    revoked_reason = models.TextField("alasan pencabutan", blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    valid_until = models.DateField("berlaku sampai", null=True, blank=True)
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.CharField(max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = "dokumen"
        verbose_name_plural = "dokumen"
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "sequence"], name="document_unique_sequence"),
            models.UniqueConstraint(fields=["village", "number"], name="document_unique_number"),
        ]
        indexes = [
            models.Index(fields=["village", "issued_at"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"

    def effective_status(self, today: dt.date | None = None) -> str:
        """``berlaku``, ``dicabut`` or ``kedaluwarsa`` (valid-until passed)."""
        if self.status == DocumentStatus.REVOKED:
            return DocumentStatus.REVOKED
        day = today or timezone.localdate()
        if self.valid_until is not None and day > self.valid_until:
            return "kedaluwarsa"
        return DocumentStatus.VALID

    @property
    def code_display(self) -> str:
        """The verification code as printed: ``ABCDE-FGHJK``."""
        code = self.verification_code
        return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code


def _incoming_path(instance: IncomingLetter, filename: str) -> str:
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(instance.scan_type, "bin")
    return f"private/incoming/{instance.village_id}/{instance.agenda_year}/{uuid.uuid4().hex}.{ext}"


class IncomingLetter(BaseModel):
    """One line of the buku agenda surat masuk, with its scanned copy (kept private)."""

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="incoming_letters")
    agenda_year = models.PositiveSmallIntegerField("tahun agenda")
    agenda_number = models.PositiveIntegerField("nomor agenda")
    received_on = models.DateField("tanggal diterima")
    sender = models.CharField("pengirim", max_length=200)
    letter_number = models.CharField("nomor surat", max_length=120)
    letter_date = models.DateField("tanggal surat")
    subject = models.CharField("perihal", max_length=300)
    classification = models.CharField("kode klasifikasi", max_length=30, blank=True)
    disposition = models.TextField("catatan disposisi", blank=True)
    scan = models.FileField("salinan pindaian", upload_to=_incoming_path, max_length=200, blank=True)
    scan_type = models.CharField(max_length=40, blank=True)
    scan_name = models.CharField("nama berkas asli", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-agenda_year", "-agenda_number"]
        verbose_name = "surat masuk"
        verbose_name_plural = "surat masuk"
        constraints = [
            models.UniqueConstraint(
                fields=["village", "agenda_year", "agenda_number"], name="incoming_unique_agenda"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agenda_number}/{self.agenda_year} {self.subject}"

    def as_audit(self) -> dict[str, Any]:
        return {
            "agenda": f"{self.agenda_number}/{self.agenda_year}",
            "received_on": self.received_on,
            "sender": self.sender,
            "letter_number": self.letter_number,
            "letter_date": self.letter_date,
            "subject": self.subject,
            "classification": self.classification,
            "disposition": self.disposition,
            "scan": self.scan_name,
        }
