"""Letter requests (permohonan surat) from every channel, their people, attachments and history.

A request is made at the counter (loket), online by a logged-in resident (daring) or at the
kiosk (anjungan) through one service, :func:`kampung.letters.services_requests.request_submit`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models

from kampung.core.models import BaseModel
from kampung.regions.models import Region

# Letters and digits that cannot be confused when read aloud, handwritten or typed on the
# kiosk's on-screen keypad: no 0/O/Q/D-like pairs, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V.
TRACKING_ALPHABET = "3479ACEFHJKMNPRTWXY"
TRACKING_LENGTH = 8


class RequestStatus(models.TextChoices):
    SUBMITTED = "diajukan", "Diajukan"
    VERIFIED = "diverifikasi", "Diverifikasi"
    SIGNED = "ditandatangani", "Ditandatangani"
    ISSUED = "diterbitkan", "Diterbitkan (siap diambil)"
    HANDED_OVER = "diserahkan", "Diserahkan"
    REJECTED = "ditolak", "Ditolak"
    CANCELLED = "dibatalkan", "Dibatalkan"


OPEN_STATUSES = (
    RequestStatus.SUBMITTED,
    RequestStatus.VERIFIED,
    RequestStatus.SIGNED,
    RequestStatus.ISSUED,
)


class Channel(models.TextChoices):
    COUNTER = "loket", "Loket kantor desa"
    ONLINE = "daring", "Daring (warga)"
    KIOSK = "anjungan", "Anjungan mandiri"


class LetterRequest(BaseModel):
    """One request for one letter, from submission to hand-over (or rejection/cancellation)."""

    code = models.CharField("kode permohonan", max_length=TRACKING_LENGTH, unique=True)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="letter_requests")
    letter_type = models.ForeignKey(
        "letters.LetterType", on_delete=models.PROTECT, related_name="requests", verbose_name="jenis surat"
    )
    channel = models.CharField("saluran", max_length=10, choices=Channel.choices)
    requester = models.ForeignKey(
        "population.Resident",
        on_delete=models.PROTECT,
        related_name="letter_requests",
        verbose_name="pemohon",
    )
    fields = models.JSONField("isian", default=dict, blank=True)
    purpose = models.TextField("keperluan", blank=True, default="")
    status = models.CharField(
        "status", max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField("diajukan pada")
    due_on = models.DateField("target selesai")
    rejection_reason = models.TextField("alasan penolakan", blank=True, default="")
    wet_signed = models.BooleanField("ditandatangani basah", default=False)
    document = models.OneToOneField(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letter_request",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField("selesai pada", null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = "permohonan surat"
        verbose_name_plural = "permohonan surat"
        indexes = [
            models.Index(fields=["village", "status", "due_on"]),
            models.Index(fields=["requester", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.code_display} {self.letter_type_id}"

    @property
    def code_display(self) -> str:
        """``ACEF-3479``: two groups of four, easy to read aloud."""
        return f"{self.code[:4]}-{self.code[4:]}" if len(self.code) == TRACKING_LENGTH else self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        """Still waiting for the office after its service-time target (issued = done by the office)."""
        return self.status in (RequestStatus.SUBMITTED, RequestStatus.VERIFIED, RequestStatus.SIGNED) and (
            today > self.due_on
        )


SUBJECT_KEY = "subjek"


class RequestParty(models.Model):
    """A person on the letter: the subject (key ``subjek``) or another party (parent, reporter,
    witness...). Either a resident from the register, or typed in full (``data``)."""

    request = models.ForeignKey(LetterRequest, on_delete=models.CASCADE, related_name="parties")
    key = models.CharField("peran", max_length=80)
    label = models.CharField("sebutan", max_length=120)
    resident = models.ForeignKey(
        "population.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField("data yang diketik", default=dict, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["request", "key"], name="request_party_unique_key")]

    def __str__(self) -> str:
        return f"{self.label}: {self.name}"

    @property
    def name(self) -> str:
        return self.resident.name if self.resident is not None else str(self.data.get("nama", ""))


def _attachment_path(instance: RequestAttachment, filename: str) -> str:
    # Under private/: never served by the web server; files go out through scoped views.
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        instance.content_type, "bin"
    )
    return f"private/letter_requests/{instance.request.village_id}/{uuid.uuid4().hex}.{ext}"


class RequestAttachment(BaseModel):
    """A required document: uploaded (PDF/JPEG/PNG) or seen by the operator at the counter."""

    request = models.ForeignKey(LetterRequest, on_delete=models.CASCADE, related_name="attachments")
    requirement = models.ForeignKey(
        "letters.RequirementDocument", on_delete=models.PROTECT, related_name="+", verbose_name="persyaratan"
    )
    file = models.FileField("berkas", upload_to=_attachment_path, max_length=200, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    original_name = models.CharField("nama berkas asli", max_length=200, blank=True)
    size = models.PositiveIntegerField("ukuran", default=0)
    seen_at_counter = models.BooleanField("dilihat di loket", default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "requirement"], name="request_attachment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.requirement_id}"


class RequestEvent(models.Model):
    """One step of a request's history, as the resident and the office see it."""

    request = models.ForeignKey(LetterRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("waktu")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("oleh", max_length=150, blank=True)
    status_from = models.CharField("dari status", max_length=16, blank=True)
    status_to = models.CharField("menjadi", max_length=16, choices=RequestStatus.choices)
    note = models.TextField("catatan", blank=True, default="")
    basis = models.CharField("dasar", max_length=10, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.status_from}->{self.status_to}"

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "to": self.status_to, "note": self.note}
