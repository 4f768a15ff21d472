import datetime as dt
import io
import os
import signal
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from kampung.notifications import services
from kampung.notifications.models import OutboxMessage, Status
from kampung.notifications.tests.fakes import FakeGateway


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("notifications", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_send_once_sends_what_is_due(no_gateways):
    services.message_queue(recipient_name="Siti", email="siti@example.id", subject="Halo", body="Isi pesan.")
    out, err = run("send")
    assert "Terkirim 1, dicoba lagi nanti 0, gagal 0." in out and err == ""
    assert [m.to for m in mail.outbox] == [["siti@example.id"]]
    assert OutboxMessage.objects.get().status == Status.SENT
    out, _ = run("send")
    assert out == ""  # nothing due: quiet, for cron and journald


@pytest.mark.django_db
def test_send_reports_errors_on_stderr(sms_gateway):
    FakeGateway.fail_with = RuntimeError("boom")
    services.message_queue(recipient_name="Siti", phone="081234567890", subject="Halo", body="Isi.")
    out, err = run("send")
    assert "dicoba lagi nanti 1" in out and "boom" in err


@pytest.mark.django_db
def test_status_counts_by_status(no_gateways):
    for address in ("a@example.id", "b@example.id", "c@example.id"):
        services.message_queue(recipient_name="W", email=address, subject="Halo", body="Isi.")
    OutboxMessage.objects.filter(recipient="c@example.id").update(status=Status.FAILED)
    out, _ = run("status")
    lines = dict(line.rsplit(None, 1) for line in out.strip().splitlines())
    assert lines == {"Menunggu": "2", "Terkirim": "0", "Gagal": "1", "Dibatalkan": "0"}


@pytest.mark.django_db
def test_loop_stops_cleanly_on_sigterm(sms_gateway):
    services.message_queue(recipient_name="Siti", phone="081234567890", subject="Halo", body="Isi.")
    before = signal.getsignal(signal.SIGTERM)
    # The service is told to stop while it is sending: it finishes the message, then exits.
    FakeGateway.on_send = lambda: os.kill(os.getpid(), signal.SIGTERM)
    # Failsafe: should the message never be sent, stop the loop anyway so the test fails, not hangs.
    failsafe = threading.Timer(20, os.kill, args=(os.getpid(), signal.SIGTERM))
    failsafe.start()
    try:
        out, _ = run("send", "--loop", "--interval", "0.2")
    finally:
        failsafe.cancel()
    assert "Pengirim pesan berhenti." in out
    assert len(FakeGateway.sent) == 1
    assert OutboxMessage.objects.get().status == Status.SENT
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.django_db
def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        run("send", "--interval", "0")
    with pytest.raises(CommandError):
        run("send", "--limit", "-1")


@pytest.mark.django_db
def test_messages_queued_for_later_wait(no_gateways):
    (row,) = services.message_queue(recipient_name="S", email="s@example.id", subject="H", body="I.")
    OutboxMessage.objects.filter(pk=row.pk).update(
        next_attempt_at=row.next_attempt_at + dt.timedelta(hours=1)
    )
    run("send")
    assert mail.outbox == []
