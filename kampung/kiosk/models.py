"""The kiosk's and the public pages' own records: announcements, queue services and tickets.

Everything else the public pages show is read from the other apps (population, finance,
assistance, letters, documents) and from the monitoring roll-ups; nothing is copied here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kampung.core.models import BaseModel
from kampung.regions.models import Region


class Announcement(BaseModel):
    """A notice posted for the public pages and the kiosk: by the regency (region = the
    regency, shown everywhere in it) or by one village (region = the village)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="announcements")
    title = models.CharField("judul", max_length=200)
    body = models.TextField("isi", max_length=5000)
    publish_from = models.DateField("tampil mulai")
    publish_until = models.DateField("tampil sampai", null=True, blank=True)
    pinned = models.BooleanField("disematkan di atas", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-pinned", "-publish_from", "-pk"]
        verbose_name = "pengumuman"
        verbose_name_plural = "pengumuman"
        indexes = [models.Index(fields=["region", "publish_from"])]

    def __str__(self) -> str:
        return self.title


class QueueService(BaseModel):
    """A service a village's counter serves, with its ticket letter (A, B, C...)."""

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="queue_services")
    letter = models.CharField("huruf antrian", max_length=1)
    name = models.CharField("layanan", max_length=80)
    description = models.CharField("keterangan", max_length=200, blank=True)
    active = models.BooleanField("aktif", default=True)
    order = models.PositiveSmallIntegerField("urutan", default=10)

    class Meta:
        ordering = ["village_id", "order", "letter"]
        verbose_name = "layanan antrian"
        verbose_name_plural = "layanan antrian"
        constraints = [
            models.UniqueConstraint(fields=["village", "letter"], name="queue_service_unique_letter")
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"


class TicketStatus(models.TextChoices):
    WAITING = "menunggu", "Menunggu"
    CALLED = "dipanggil", "Dipanggil"
    DONE = "selesai", "Selesai dilayani"
    SKIPPED = "dilewati", "Tidak hadir"


class QueueTicket(BaseModel):
    """One numbered ticket of one service on one day (A-001, A-002...), from the kiosk or
    handed out at the desk, until the counter calls and serves it."""

    service = models.ForeignKey(QueueService, on_delete=models.PROTECT, related_name="tickets")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    day = models.DateField("tanggal")
    number = models.PositiveIntegerField("nomor")
    status = models.CharField(
        "status", max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    taken_at = models.DateTimeField("diambil pada")
    called_at = models.DateTimeField("dipanggil pada", null=True, blank=True)
    finished_at = models.DateTimeField("selesai pada", null=True, blank=True)
    counter = models.CharField("loket", max_length=20, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    times_called = models.PositiveSmallIntegerField("dipanggil (kali)", default=0)

    class Meta:
        ordering = ["day", "service_id", "number"]
        verbose_name = "nomor antrian"
        verbose_name_plural = "nomor antrian"
        constraints = [
            models.UniqueConstraint(fields=["service", "day", "number"], name="queue_ticket_unique_number")
        ]
        indexes = [models.Index(fields=["village", "day", "status"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """``A-007``: the service's letter and the day's number, as called out."""
        return f"{self.service.letter}-{self.number:03d}"
