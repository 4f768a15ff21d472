import datetime as dt
import logging
import smtplib
import urllib.error
from unittest import mock

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from kampung.conftest import VILLAGE_A1
from kampung.core.errors import KampungError
from kampung.notifications import gateways, services
from kampung.notifications.gateways import HttpGateway, LogGateway, gateway_for
from kampung.notifications.models import Channel, OutboxMessage, Status
from kampung.notifications.tests.conftest import FAKE
from kampung.notifications.tests.fakes import DeliveryError, FakeGateway, PermanentDeliveryError
from kampung.population.tests.factories import make_resident

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def queue(**kw):
    data = {
        "recipient_name": "Siti Aminah",
        "subject": "Permohonan surat diterima",
        "body": "Permohonan Surat Keterangan Domisili Anda sudah kami terima. Kode: K7M4PQ.",
    }
    data.update(kw)
    return services.message_queue(**data)


# --- queueing -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_email_only_queues_one_waiting_email(no_gateways):
    with time_machine.travel(T0, tick=False):
        rows = queue(email="siti@example.id", phone="081234567890")
    assert len(rows) == 1
    row = OutboxMessage.objects.get()
    assert (row.channel, row.recipient, row.status, row.attempts) == (
        Channel.EMAIL,
        "siti@example.id",
        Status.WAITING,
        0,
    )
    assert row.next_attempt_at == T0
    assert row.recipient_name == "Siti Aminah"
    assert row.source_type is None and row.source_id == "" and row.region_code == ""


@pytest.mark.django_db
def test_phone_queues_one_row_per_configured_gateway(settings):
    settings.KAMPUNG_SMS_GATEWAY = FAKE
    settings.KAMPUNG_WHATSAPP_GATEWAY = ""
    rows = queue(phone="0812-3456-7890")
    assert [(r.channel, r.recipient) for r in rows] == [(Channel.SMS, "+6281234567890")]
    settings.KAMPUNG_WHATSAPP_GATEWAY = FAKE
    rows = queue(email="siti@example.id", phone="0812-3456-7890")
    assert [r.channel for r in rows] == [Channel.EMAIL, Channel.WHATSAPP, Channel.SMS]
    assert OutboxMessage.objects.count() == 4


@pytest.mark.django_db
def test_no_channel_records_nothing(no_gateways):
    assert queue() == []
    assert queue(phone="081234567890") == []  # a phone but no gateway
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_malformed_contacts_are_skipped_without_raising(sms_gateway, caplog):
    with caplog.at_level(logging.WARNING, logger="kampung.notifications.services"):
        rows = queue(email="bukan-email", phone="0333-424242")
    assert rows == []
    assert OutboxMessage.objects.count() == 0
    assert "invalid email" in caplog.text and "invalid phone" in caplog.text
    # The good one of the two still goes.
    rows = queue(email="bukan-email", phone="081234567890")
    assert [r.channel for r in rows] == [Channel.SMS]


@pytest.mark.django_db
def test_caller_mistakes_are_refused(world):
    with pytest.raises(KampungError, match="judul dan isi"):
        queue(subject="  ", email="siti@example.id")
    with pytest.raises(KampungError, match="judul dan isi"):
        queue(body="", email="siti@example.id")
    unsaved = OutboxMessage(channel=Channel.EMAIL)
    with pytest.raises(KampungError, match="sudah tersimpan"):
        queue(email="siti@example.id", source=unsaved)
    with pytest.raises(KampungError):
        queue(email="siti@example.id", source="bukan model")
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_source_link_and_village_are_kept(world, no_gateways):
    resident = make_resident(world, VILLAGE_A1)
    (row,) = queue(email="siti@example.id", source=resident)
    row.refresh_from_db()
    assert row.source_type == ContentType.objects.get_for_model(resident)
    assert row.source_id == str(resident.pk)
    assert row.source == resident
    assert row.region_code == VILLAGE_A1


@pytest.mark.django_db
def test_queueing_never_sends_inline(sms_gateway):
    queue(email="siti@example.id", phone="081234567890")
    assert mail.outbox == []
    assert FakeGateway.sent == []


@pytest.mark.django_db(transaction=True)
def test_rows_roll_back_with_the_callers_transaction(no_gateways):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue(email="siti@example.id")
        raise RuntimeError("the letter request failed")
    assert OutboxMessage.objects.count() == 0


# --- sending --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sending_email_marks_it_sent(no_gateways, settings):
    settings.DEFAULT_FROM_EMAIL = "Desa Sarongan <desa@example.id>"
    with time_machine.travel(T0, tick=False):
        (row,) = queue(email="siti@example.id")
    report = services.outbox_send_due(now=T0)
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["siti@example.id"]
    assert sent.subject == "Permohonan surat diterima"
    assert "K7M4PQ" in sent.body
    assert sent.from_email == "Desa Sarongan <desa@example.id>"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (Status.SENT, 1, T0, "")
    # Sent messages are not taken again.
    assert services.outbox_send_due(now=T0 + dt.timedelta(days=1)).taken == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_sending_sms_goes_through_the_gateway(sms_gateway):
    with time_machine.travel(T0, tick=False):
        (row,) = queue(phone="081234567890")
    services.outbox_send_due(now=T0)
    assert FakeGateway.sent == [
        (
            "sms",
            "+6281234567890",
            "Permohonan surat diterima\n\n"
            "Permohonan Surat Keterangan Domisili Anda sudah kami terima. Kode: K7M4PQ.",
        )
    ]
    row.refresh_from_db()
    assert row.status == Status.SENT and row.provider_id == "fake-1"


@pytest.mark.django_db
def test_not_yet_due_and_cancelled_messages_are_left(no_gateways):
    with time_machine.travel(T0, tick=False):
        queue(email="a@example.id")
        (second,) = queue(email="b@example.id")
    OutboxMessage.objects.filter(pk=second.pk).update(status=Status.CANCELLED)
    assert services.outbox_send_due(now=T0 - dt.timedelta(seconds=1)).taken == 0
    report = services.outbox_send_due(now=T0)
    assert report.sent == 1
    assert [m.to for m in mail.outbox] == [["a@example.id"]]


@pytest.mark.django_db
def test_failures_back_off_then_give_up(sms_gateway):
    FakeGateway.fail_with = DeliveryError("gateway menjawab HTTP 503")
    with time_machine.travel(T0, tick=False):
        (row,) = queue(phone="081234567890")
    now = T0
    waits = []
    for attempt in range(1, services.DEFAULT_MAX_ATTEMPTS + 1):
        # Not due a moment before its time.
        assert services.outbox_send_due(now=now - dt.timedelta(seconds=1)).taken == 0
        report = services.outbox_send_due(now=now)
        assert report.taken == 1
        row.refresh_from_db()
        assert row.attempts == attempt
        assert row.last_error == "gateway menjawab HTTP 503"
        if attempt < services.DEFAULT_MAX_ATTEMPTS:
            assert row.status == Status.WAITING and report.retried == 1
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at
        else:
            assert row.status == Status.FAILED and report.failed == 1
    assert waits == [dt.timedelta(minutes=m) for m in (1, 5, 15, 60, 240)]
    # A failed message is never taken again by the sender.
    assert services.outbox_send_due(now=now + dt.timedelta(days=30)).taken == 0


@pytest.mark.django_db
def test_max_attempts_follows_the_setting(sms_gateway, settings):
    settings.KAMPUNG_NOTIFY_MAX_ATTEMPTS = 2
    FakeGateway.fail_with = DeliveryError("sibuk")
    with time_machine.travel(T0, tick=False):
        (row,) = queue(phone="081234567890")
    services.outbox_send_due(now=T0)
    services.outbox_send_due(now=T0 + dt.timedelta(minutes=1))
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 2)


@pytest.mark.django_db
def test_permanent_refusal_fails_at_once(sms_gateway):
    FakeGateway.fail_with = PermanentDeliveryError("nomor ditolak")
    (row,) = queue(phone="081234567890")
    report = services.outbox_send_due()
    row.refresh_from_db()
    assert (report.failed, row.status, row.attempts, row.last_error) == (1, Status.FAILED, 1, "nomor ditolak")


@pytest.mark.django_db
def test_unexpected_errors_are_recorded_not_raised_and_others_still_go(settings):
    settings.KAMPUNG_SMS_GATEWAY = FAKE
    FakeGateway.fail_with = RuntimeError("boom")
    with time_machine.travel(T0, tick=False):
        sms, email = queue(phone="081234567890")[0], queue(email="siti@example.id")[0]
    report = services.outbox_send_due(now=T0)
    assert (report.sent, report.retried) == (1, 1)
    sms.refresh_from_db()
    email.refresh_from_db()
    assert sms.status == Status.WAITING and sms.last_error == "RuntimeError: boom"
    assert email.status == Status.SENT


@pytest.mark.django_db
def test_gateway_switched_off_after_queueing_is_retried(settings):
    settings.KAMPUNG_SMS_GATEWAY = FAKE
    (row,) = queue(phone="081234567890")
    settings.KAMPUNG_SMS_GATEWAY = ""
    report = services.outbox_send_due()
    row.refresh_from_db()
    assert report.retried == 1 and "belum diatur" in row.last_error


@pytest.mark.django_db
def test_smtp_errors_retry_and_refused_recipients_fail(no_gateways):
    with time_machine.travel(T0, tick=False):
        down, refused = queue(email="a@example.id")[0], queue(email="b@example.id")[0]
    effects = [
        smtplib.SMTPServerDisconnected("connection lost"),
        smtplib.SMTPRecipientsRefused({"b@example.id": (550, b"no such user")}),
    ]
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=effects):
        report = services.outbox_send_due(now=T0)
    assert (report.retried, report.failed) == (1, 1)
    down.refresh_from_db()
    refused.refresh_from_db()
    assert down.status == Status.WAITING and "connection lost" in down.last_error
    assert refused.status == Status.FAILED and "ditolak" in refused.last_error


@pytest.mark.django_db
def test_a_claimed_message_is_leased_not_sent_twice(no_gateways):
    with time_machine.travel(T0, tick=False):
        (row,) = queue(email="siti@example.id")
    claimed = services._claim(T0, 10)  # a sender took it, then died before sending
    assert [m.pk for m in claimed] == [row.pk]
    assert services.outbox_send_due(now=T0).taken == 0
    assert services.outbox_send_due(now=T0 + services.LEASE - dt.timedelta(seconds=1)).taken == 0
    report = services.outbox_send_due(now=T0 + services.LEASE)
    assert report.sent == 1
    row.refresh_from_db()
    assert row.attempts == 2


@pytest.mark.django_db
def test_limit_bounds_a_batch(no_gateways):
    with time_machine.travel(T0, tick=False):
        for i in range(5):
            queue(email=f"w{i}@example.id")
    assert services.outbox_send_due(now=T0, limit=3).sent == 3
    assert services.outbox_send_due(now=T0, limit=3).sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == [f"w{i}@example.id" for i in range(5)]


# --- gateways -------------------------------------------------------------------------------


def test_gateway_selection_by_setting(settings):
    settings.KAMPUNG_SMS_GATEWAY = ""
    assert gateway_for("sms") is None
    settings.KAMPUNG_SMS_GATEWAY = "log"
    assert isinstance(gateway_for("sms"), LogGateway)
    settings.KAMPUNG_WHATSAPP_GATEWAY = FAKE
    chosen = gateway_for("whatsapp")
    assert isinstance(chosen, FakeGateway) and chosen.channel == "whatsapp"
    settings.KAMPUNG_SMS_GATEWAY = "http"
    settings.KAMPUNG_SMS_GATEWAY_URL = "https://gateway.example.id/kirim"
    settings.KAMPUNG_SMS_GATEWAY_TOKEN = "rahasia"
    settings.KAMPUNG_GATEWAY_TIMEOUT = 4
    http = gateway_for("sms")
    assert isinstance(http, HttpGateway)
    assert (http.url, http.token, http.timeout) == ("https://gateway.example.id/kirim", "rahasia", 4.0)


def test_misconfigured_gateways_are_refused(settings):
    settings.KAMPUNG_SMS_GATEWAY = "http"
    settings.KAMPUNG_SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured):
        gateway_for("sms")
    settings.KAMPUNG_SMS_GATEWAY = "kampung.notifications.tests.fakes.NotAGateway"
    with pytest.raises(ImproperlyConfigured):
        gateway_for("sms")


def test_log_gateway_writes_to_the_log(caplog):
    with caplog.at_level(logging.WARNING, logger="kampung.notifications.gateways"):
        provider_id = LogGateway(channel="sms").send("+6281234567890", "Surat Anda siap diambil.")
    assert provider_id.startswith("log-")
    assert "+6281234567890" in caplog.text and "Surat Anda siap diambil." in caplog.text


class _Response:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self, size: int = -1) -> bytes:
        return self.body

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def test_http_gateway_posts_json_with_the_token():
    gateway = HttpGateway(channel="whatsapp", url="https://wa.example.id/api/kirim", token="t0k3n", timeout=5)
    with mock.patch.object(
        gateways.urllib.request, "urlopen", return_value=_Response(b'{"id": "wamid.123"}')
    ) as urlopen:
        provider_id = gateway.send("+6281234567890", "Surat Anda siap diambil.")
    assert provider_id == "wamid.123"
    (request,), kwargs = urlopen.call_args
    assert kwargs == {"timeout": 5}
    assert request.full_url == "https://wa.example.id/api/kirim"
    assert request.get_method() == "POST"
    assert request.get_header("Authorization") == "Bearer t0k3n"
    assert request.get_header("Content-type") == "application/json"
    import json

    assert json.loads(request.data) == {
        "channel": "whatsapp",
        "to": "+6281234567890",
        "text": "Surat Anda siap diambil.",
    }


def test_http_gateway_reply_without_id_gives_empty_provider_id():
    gateway = HttpGateway(channel="sms", url="https://sms.example.id/", token="")
    with mock.patch.object(gateways.urllib.request, "urlopen", return_value=_Response(b"OK")) as urlopen:
        assert gateway.send("+6281234567890", "x") == ""
    (request,), _ = urlopen.call_args
    assert request.get_header("Authorization") is None


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (urllib.error.HTTPError("https://sms.example.id/", 400, "Bad Request", {}, None), True),
        (urllib.error.HTTPError("https://sms.example.id/", 401, "Unauthorized", {}, None), True),
        (urllib.error.HTTPError("https://sms.example.id/", 429, "Too Many", {}, None), False),
        (urllib.error.HTTPError("https://sms.example.id/", 503, "Unavailable", {}, None), False),
        (urllib.error.URLError("Name or service not known"), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_http_gateway_sorts_errors(error, permanent):
    gateway = HttpGateway(channel="sms", url="https://sms.example.id/", token="x")
    with mock.patch.object(gateways.urllib.request, "urlopen", side_effect=error):
        with pytest.raises(DeliveryError) as info:
            gateway.send("+6281234567890", "x")
    assert isinstance(info.value, PermanentDeliveryError) is permanent


@pytest.mark.django_db
def test_http_gateway_failure_reaches_the_row_not_the_caller(settings):
    settings.KAMPUNG_SMS_GATEWAY = "http"
    settings.KAMPUNG_SMS_GATEWAY_URL = "https://sms.example.id/kirim"
    (row,) = queue(phone="081234567890")
    with mock.patch.object(gateways.urllib.request, "urlopen", side_effect=urllib.error.URLError("down")):
        report = services.outbox_send_due()
    row.refresh_from_db()
    assert report.retried == 1
    assert row.status == Status.WAITING and "tidak dapat dihubungi" in row.last_error
