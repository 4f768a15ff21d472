"""The outbox: one row per message per channel, written in the caller's transaction and
sent later by ``kampung notifications send`` (the transactional-outbox pattern)."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from kampung.core.models import BaseModel


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class Status(models.TextChoices):
    WAITING = "menunggu", "Menunggu"
    SENT = "terkirim", "Terkirim"
    FAILED = "gagal", "Gagal"
    CANCELLED = "dibatalkan", "Dibatalkan"


class OutboxMessage(BaseModel):
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # An email address, or a phone number in +62 form.
    recipient = models.CharField(max_length=254)
    recipient_name = models.CharField(max_length=150, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the sender may (next) take this message. While a sender works on a message this
    # is pushed ahead by a lease, so a crashed sender's message is taken again later.
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    # The village the message concerns (taken from the source), for scoping the admin's list.
    region_code = models.CharField(max_length=13, blank=True, db_index=True)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_id = models.CharField(max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender loop: waiting messages that are due, oldest first.
            models.Index(fields=["status", "next_attempt_at"], name="notif_outbox_due"),
            models.Index(fields=["source_type", "source_id"], name="notif_outbox_source"),
            models.Index(fields=["channel", "status"], name="notif_outbox_channel"),
        ]
        verbose_name = "pesan keluar"
        verbose_name_plural = "pesan keluar"

    def __str__(self) -> str:
        return f"{self.get_channel_display()} ke {self.recipient}: {self.subject}"
