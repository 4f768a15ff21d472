import datetime as dt

import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import (
    DISTRICT_A,
    OTHER_VILLAGE,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_B1,
    make_other_regency,
)
from kampung.notifications.models import Channel, OutboxMessage, Status

LIST = reverse("notifications:outbox_list")


def make_message(region_code=VILLAGE_A1, **kw):
    data = {
        "channel": Channel.SMS,
        "recipient": "+6281234567890",
        "recipient_name": "Siti Aminah",
        "subject": "Surat Anda siap diambil",
        "body": "Surat Keterangan Domisili sudah ditandatangani.",
        "status": Status.WAITING,
        "next_attempt_at": dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC),
        "region_code": region_code,
    }
    data.update(kw)
    return OutboxMessage.objects.create(**data)


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(client, world):
    return login(client, world.user(Role.ADMIN, REGENCY))


def test_admin_sees_counts_and_masked_recipients(admin_client, django_assert_max_num_queries):
    make_message()
    make_message(channel=Channel.EMAIL, recipient="budi.santoso@gmail.com", status=Status.FAILED)
    make_message(region_code=VILLAGE_B1, status=Status.SENT)
    for _ in range(40):
        make_message(status=Status.SENT, recipient_name="Warga Lain")
    with django_assert_max_num_queries(12):
        response = admin_client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    counts = {value: count for value, _label, count in response.context["counts"]}
    assert counts == {"menunggu": 1, "terkirim": 41, "gagal": 1, "dibatalkan": 0}
    assert "+6281234567890" not in html and "budi.santoso@gmail.com" not in html
    assert "+62812*****890" in html and "bu**********@gmail.com" in html
    assert response.context["nav_active"] == "notifications"


def test_filters_search_and_pagination(admin_client):
    make_message(recipient_name="Siti Aminah")
    make_message(
        channel=Channel.EMAIL, recipient="joko@example.id", recipient_name="Joko", status=Status.FAILED
    )
    for i in range(55):
        make_message(recipient_name=f"Warga {i}", status=Status.SENT)
    failed = admin_client.get(LIST, {"status": "gagal"}).context["page_obj"]
    assert [m.recipient_name for m in failed.object_list] == ["Joko"]
    email = admin_client.get(LIST, {"kanal": "email"}).context["page_obj"]
    assert [m.recipient_name for m in email.object_list] == ["Joko"]
    found = admin_client.get(LIST, {"q": "siti"}).context["page_obj"]
    assert [m.recipient_name for m in found.object_list] == ["Siti Aminah"]
    first = admin_client.get(LIST).context["page_obj"]
    assert first.paginator.num_pages == 2 and len(first.object_list) == 50
    second = admin_client.get(LIST, {"status": "terkirim", "page": 2})
    assert len(second.context["page_obj"].object_list) == 5
    assert "status=terkirim&amp;page=1" in second.content.decode()
    # Unknown filter values are ignored, not a 500.
    assert admin_client.get(LIST, {"status": "x", "kanal": "fax", "page": "z"}).status_code == 200
    empty = admin_client.get(LIST, {"q": "tidak ada"})
    assert "Tidak ada pesan yang cocok" in empty.content.decode()


def test_empty_outbox(admin_client):
    assert "Belum ada pesan keluar" in admin_client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.OPERATOR, VILLAGE_A1),
        (Role.HEAD, VILLAGE_A1),
        (Role.RESIDENT, VILLAGE_A1),
        (Role.CAMAT, DISTRICT_A),
        (Role.DPMD, REGENCY),
        (Role.BUPATI, REGENCY),
    ],
)
def test_others_get_not_found(client, world, role, code):
    message = make_message(status=Status.FAILED)
    login(client, world.user(role, code))
    assert client.get(LIST).status_code == 404
    assert client.post(reverse("notifications:message_retry", args=[message.pk])).status_code == 404
    assert client.post(reverse("notifications:message_cancel", args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.status == Status.FAILED


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_another_regencys_admin_does_not_see_our_messages(client, world):
    ours = make_message(status=Status.FAILED)
    other_admin, _operator = make_other_regency()
    theirs = make_message(region_code=OTHER_VILLAGE, recipient_name="Warga Jember")
    login(client, other_admin)
    page = client.get(LIST).context["page_obj"]
    assert [m.pk for m in page.object_list] == [theirs.pk]
    assert client.post(reverse("notifications:message_retry", args=[ours.pk])).status_code == 404
    ours.refresh_from_db()
    assert ours.status == Status.FAILED


def test_retry_puts_a_failed_message_back_and_is_audited(admin_client, world):
    message = make_message(status=Status.FAILED, attempts=6, last_error="gateway menjawab HTTP 503")
    response = admin_client.post(
        reverse("notifications:message_retry", args=[message.pk]), {"kembali": "status=gagal&page=1"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/notifikasi/?status=gagal&page=1")
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.WAITING, 0)
    entry = AuditEntry.objects.get(act="notifications.retry")
    assert entry.object_id == str(message.pk) and entry.chain == VILLAGE_A1
    assert entry.actor == world.user(Role.ADMIN, REGENCY)
    assert entry.before["status"] == "gagal" and entry.after["status"] == "menunggu"


def test_cancel_stops_a_waiting_message_and_is_audited(admin_client):
    message = make_message()
    response = admin_client.post(reverse("notifications:message_cancel", args=[message.pk]), follow=True)
    assert "Pengiriman pesan dibatalkan." in response.content.decode()
    message.refresh_from_db()
    assert message.status == Status.CANCELLED
    entry = AuditEntry.objects.get(act="notifications.cancel")
    assert entry.object_id == str(message.pk)
    assert entry.after["status"] == "dibatalkan"


def test_system_message_without_village_is_audited_on_the_regency_chain(admin_client):
    message = make_message(region_code="")
    admin_client.post(reverse("notifications:message_cancel", args=[message.pk]))
    entry = AuditEntry.objects.get(act="notifications.cancel")
    assert entry.region_code == REGENCY


def test_wrong_state_is_refused_with_a_message_and_changes_nothing(admin_client):
    sent = make_message(status=Status.SENT)
    waiting = make_message()
    response = admin_client.post(reverse("notifications:message_retry", args=[sent.pk]), follow=True)
    assert "Hanya pesan yang gagal" in response.content.decode()
    response = admin_client.post(reverse("notifications:message_cancel", args=[sent.pk]), follow=True)
    assert "Hanya pesan yang masih menunggu" in response.content.decode()
    response = admin_client.post(reverse("notifications:message_retry", args=[waiting.pk]), follow=True)
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert (sent.status, waiting.status) == (Status.SENT, Status.WAITING)
    assert not AuditEntry.objects.filter(act__startswith="notifications.").exists()


def test_actions_need_post_and_an_existing_message(admin_client):
    message = make_message(status=Status.FAILED)
    assert admin_client.get(reverse("notifications:message_retry", args=[message.pk])).status_code == 405
    assert admin_client.post(reverse("notifications:message_retry", args=[999999])).status_code == 404


def test_hostile_back_link_stays_on_the_list(admin_client):
    message = make_message()
    response = admin_client.post(
        reverse("notifications:message_cancel", args=[message.pk]),
        {"kembali": "//evil.example/\r\nSet-Cookie: x=1"},
    )
    assert response["Location"].startswith("/notifikasi/?")
    assert "\n" not in response["Location"] and "evil.example/" not in response["Location"].split("?")[0]
