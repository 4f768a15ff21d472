"""Writes for notifications: queueing messages, sending what is due, and the admin's retry/cancel.

Queueing never sends: the row is written in the caller's transaction (so a rolled-back letter
request leaves no message behind) and the sender (``kampung notifications send``) delivers it
later. A delivery problem is recorded on the row and retried with a growing pause; it never
reaches the code that queued the message.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F, Model
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.notifications.gateways import (
    DeliveryError,
    MessageGateway,
    PermanentDeliveryError,
    gateway_configured,
    gateway_for,
)
from kampung.notifications.models import Channel, OutboxMessage, Status
from kampung.notifications.phones import phone_normalise

logger = logging.getLogger(__name__)

# Pause before the 2nd, 3rd, ... attempt, in minutes; the last value repeats.
BACKOFF_MINUTES: tuple[int, ...] = (1, 5, 15, 60, 240)
DEFAULT_MAX_ATTEMPTS = 6
# A sender holds the messages it took this long; if it dies they become due again after it.
LEASE = dt.timedelta(minutes=10)
ADMIN_ROLES = (Role.ADMIN,)
# Phone channels are tried in this order; each configured gateway gets its own row.
PHONE_CHANNELS = (Channel.WHATSAPP, Channel.SMS)


def max_attempts() -> int:
    return int(getattr(settings, "KAMPUNG_NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def backoff(attempts: int) -> dt.timedelta:
    """The pause after the ``attempts``-th failed attempt (1 -> 1 min, 2 -> 5 min, ...)."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return dt.timedelta(minutes=BACKOFF_MINUTES[index])


def _source_link(source: Any | None) -> tuple[ContentType | None, str, str]:
    if source is None:
        return None, "", ""
    if not isinstance(source, Model) or source.pk is None:
        raise KampungError("Sumber pesan harus data yang sudah tersimpan.", code="sumber_tidak_sah")
    region = getattr(source, "region_code", None) or getattr(source, "village_id", None) or ""
    return ContentType.objects.get_for_model(source), str(source.pk), str(region)


def message_queue(
    *,
    recipient_name: str,
    email: str = "",
    phone: str = "",
    subject: str,
    body: str,
    source: Any | None = None,
) -> list[OutboxMessage]:
    """Queue one message per channel that can reach the recipient; never sends, never waits.

    - an email address that passes validation -> one ``email`` row;
    - a phone number that normalises to an Indonesian mobile number (+628...) -> one row per
      phone channel whose gateway is configured (WhatsApp, SMS);
    - contact details that are missing or malformed are skipped (logged as a warning): a bad
      phone number in the register must not block the resident's request. When no channel
      remains, nothing is recorded and the result is ``[]``.

    Raises :class:`KampungError` only for the caller's own mistakes: an empty subject or body,
    or a source that is not a saved model instance. The rows join the caller's transaction.
    """
    subject = (subject or "").strip()
    body = (body or "").strip()
    if not subject or not body:
        raise KampungError("Pesan perlu judul dan isi.", code="pesan_kosong")
    source_type, source_id, region_code = _source_link(source)

    targets: list[tuple[str, str]] = []
    address = (email or "").strip()
    if address:
        try:
            validate_email(address)
        except ValidationError:
            logger.warning("notifications: skipped invalid email address for %s", recipient_name)
        else:
            targets.append((Channel.EMAIL, address))
    if (phone or "").strip():
        try:
            number = phone_normalise(phone)
        except KampungError:
            logger.warning("notifications: skipped invalid phone number for %s", recipient_name)
        else:
            targets.extend((channel, number) for channel in PHONE_CHANNELS if gateway_configured(channel))
    if not targets:
        logger.info("notifications: no channel reaches %s; nothing queued", recipient_name)
        return []

    now = timezone.now()
    with transaction.atomic():
        return [
            OutboxMessage.objects.create(
                channel=channel,
                recipient=recipient,
                recipient_name=(recipient_name or "").strip()[:150],
                subject=subject[:200],
                body=body,
                next_attempt_at=now,
                region_code=region_code[:13],
                source_type=source_type,
                source_id=source_id,
            )
            for channel, recipient in targets
        ]


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def taken(self) -> int:
        return self.sent + self.retried + self.failed


def _claim(now: dt.datetime, limit: int) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages and lease them, in one short transaction.

    On PostgreSQL rows another sender holds are skipped (SKIP LOCKED); on SQLite the
    IMMEDIATE transaction lets one sender claim at a time. No network inside the transaction.
    """
    with transaction.atomic():
        due = OutboxMessage.objects.filter(status=Status.WAITING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        batch = list(due[:limit])
        if batch:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in batch]).update(
                attempts=F("attempts") + 1, next_attempt_at=now + LEASE
            )
    for message in batch:
        message.attempts += 1
    return batch


class _Senders:
    """The batch's email connection and gateways, opened once and closed at the end."""

    def __init__(self) -> None:
        self._mail: Any = None
        self._gateways: dict[str, MessageGateway | None] = {}

    def email(self, message: OutboxMessage) -> str:
        if self._mail is None:
            self._mail = mail.get_connection(fail_silently=False)
        email = mail.EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            connection=self._mail,
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            self.reset()
            raise PermanentDeliveryError(f"alamat email ditolak server: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.reset()
            raise DeliveryError(f"server email gagal: {exc}") from exc
        return ""

    def phone(self, message: OutboxMessage) -> str:
        if message.channel not in self._gateways:
            self._gateways[message.channel] = gateway_for(message.channel)
        gateway = self._gateways[message.channel]
        if gateway is None:
            raise DeliveryError(f"gateway {message.get_channel_display()} belum diatur")
        return gateway.send(message.recipient, f"{message.subject}\n\n{message.body}")

    def deliver(self, message: OutboxMessage) -> str:
        if message.channel == Channel.EMAIL:
            return self.email(message)
        return self.phone(message)

    def reset(self) -> None:
        if self._mail is not None:
            try:
                self._mail.close()
            except Exception:  # noqa: BLE001 - a broken connection is dropped either way
                logger.debug("notifications: closing the mail connection failed", exc_info=True)
            self._mail = None


def _record_failure(message: OutboxMessage, error: str, now: dt.datetime, *, permanent: bool) -> str:
    give_up = permanent or message.attempts >= max_attempts()
    status = Status.FAILED if give_up else Status.WAITING
    next_at = now if give_up else now + backoff(message.attempts)
    # A message the admin cancelled while it was being sent stays cancelled.
    OutboxMessage.objects.filter(pk=message.pk, status=Status.WAITING).update(
        status=status, last_error=error[:2000], next_attempt_at=next_at
    )
    return status


def outbox_send_due(now: dt.datetime | None = None, limit: int = 100) -> SendReport:
    """Send the messages that are due; record each result; never raise for a delivery problem.

    A failed attempt is tried again after 1, 5, 15, 60, then 240 minutes, until
    ``KAMPUNG_NOTIFY_MAX_ATTEMPTS`` (default 6) attempts; then the message is ``gagal``.
    A refusal that cannot change (bad address, 4xx from the gateway) fails at once.
    """
    now = now or timezone.now()
    report = SendReport()
    batch = _claim(now, limit)
    senders = _Senders()
    try:
        for message in batch:
            try:
                provider_id = senders.deliver(message)
            except Exception as exc:  # noqa: BLE001 - one bad message must not stop the others
                permanent = isinstance(exc, PermanentDeliveryError)
                error = str(exc) or exc.__class__.__name__
                if not isinstance(exc, DeliveryError):
                    logger.exception("notifications: unexpected error sending message %s", message.pk)
                    error = f"{exc.__class__.__name__}: {error}"
                status = _record_failure(message, error, now, permanent=permanent)
                report.errors.append(f"#{message.pk}: {error}")
                if status == Status.FAILED:
                    report.failed += 1
                else:
                    report.retried += 1
            else:
                OutboxMessage.objects.filter(pk=message.pk).update(
                    status=Status.SENT, sent_at=now, provider_id=(provider_id or "")[:200], last_error=""
                )
                report.sent += 1
    finally:
        senders.reset()
    return report


def _check_admin(actor: Any, message: OutboxMessage) -> str:
    """The region the admin acts at for this message (for the audit chain)."""
    scope = scope_for(actor)
    if message.region_code:
        if not scope.covers(message.region_code, *ADMIN_ROLES):
            raise NotPermitted("Anda tidak berwenang mengelola pesan ini.")
        return message.region_code
    codes = scope.region_codes(*ADMIN_ROLES)
    if not codes:
        raise NotPermitted("Anda tidak berwenang mengelola pesan ini.")
    return codes[0]


def _audit_state(message: OutboxMessage) -> dict[str, Any]:
    return {"status": message.status, "attempts": message.attempts, "channel": message.channel}


@transaction.atomic
def message_retry(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """Put a failed message back in the queue, due now, with a fresh count of attempts."""
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    region = _check_admin(actor, locked)
    if locked.status != Status.FAILED:
        raise InvalidTransition("Hanya pesan yang gagal yang dapat dikirim ulang.")
    before = _audit_state(locked)
    locked.status = Status.WAITING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit_record(
        actor=actor,
        act="notifications.retry",
        region=region,
        object_type="notifications.outboxmessage",
        object_id=locked.pk,
        before=before,
        after=_audit_state(locked),
        role=Role.ADMIN,
    )
    return locked


@transaction.atomic
def message_cancel(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """Stop a waiting message from being sent."""
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    region = _check_admin(actor, locked)
    if locked.status != Status.WAITING:
        raise InvalidTransition("Hanya pesan yang masih menunggu yang dapat dibatalkan.")
    before = _audit_state(locked)
    locked.status = Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        act="notifications.cancel",
        region=region,
        object_type="notifications.outboxmessage",
        object_id=locked.pk,
        before=before,
        after=_audit_state(locked),
        role=Role.ADMIN,
    )
    return locked
