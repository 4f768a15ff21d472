"""The counter's queue: numbering, the kiosk's tickets, the desk's calls, the display feed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.kiosk import selectors_queue as sel
from kampung.kiosk import services_queue as svc
from kampung.kiosk.models import QueueService, QueueTicket, TicketStatus
from kampung.regions.models import Region

WIB = ZoneInfo("Asia/Jakarta")
MORNING = dt.datetime(2025, 3, 10, 8, 0, tzinfo=WIB)


@pytest.fixture
def village(world: Any) -> Region:
    return Region.objects.get(code=VILLAGE_A1)


@pytest.fixture
def letters_service(village: Region) -> QueueService:
    return svc.services_for(village)[0]


def operator(world: Any, code: str = VILLAGE_A1) -> Any:
    return world.user(Role.OPERATOR, code)


def staff_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def take_url(code: str = VILLAGE_A1) -> str:
    return reverse("queue:take", kwargs={"code": code})


def desk_url(code: str = VILLAGE_A1) -> str:
    return reverse("queue:desk", kwargs={"code": code})


def action_url(code: str = VILLAGE_A1) -> str:
    return reverse("queue:desk_action", kwargs={"code": code})


# --- services and numbering ---------------------------------------------------------------


def test_defaults_are_made_once_and_in_order(village: Region) -> None:
    first = svc.services_for(village)
    again = svc.services_for(village)
    assert [(s.letter, s.name) for s in first] == [
        ("A", "Surat-menyurat"),
        ("B", "Kependudukan (KK, KTP, pindah)"),
        ("C", "Bantuan sosial dan pengaduan"),
    ]
    assert [s.pk for s in again] == [s.pk for s in first]
    assert QueueService.objects.filter(village=village).count() == 3


def test_numbers_run_per_service_and_restart_the_next_local_day(
    village: Region, letters_service: QueueService
) -> None:
    population = svc.services_for(village)[1]
    with time_machine.travel(MORNING, tick=False):
        a1 = svc.ticket_take(village, letters_service)
        a2 = svc.ticket_take(village, letters_service)
        b1 = svc.ticket_take(village, population)
    assert (a1.label, a2.label, b1.label) == ("A-001", "A-002", "B-001")
    # 23.30 WIB is still the same local day, though UTC says so too; 00.30 WIB is the next day
    # (17.30 UTC of the day before: a UTC-based day would not restart).
    with time_machine.travel(dt.datetime(2025, 3, 10, 23, 30, tzinfo=WIB), tick=False):
        assert svc.ticket_take(village, letters_service).label == "A-003"
    with time_machine.travel(dt.datetime(2025, 3, 11, 0, 30, tzinfo=WIB), tick=False):
        next_day = svc.ticket_take(village, letters_service)
    assert next_day.label == "A-001"
    assert next_day.day == dt.date(2025, 3, 11)


def test_the_day_follows_the_regency_time_zone(village: Region, letters_service: QueueService) -> None:
    Region.objects.filter(code=REGENCY).update(timezone="Asia/Jayapura")
    # 22.30 WIB on the 10th is 00.30 WIT on the 11th.
    ticket = svc.ticket_take(village, letters_service, now=dt.datetime(2025, 3, 10, 22, 30, tzinfo=WIB))
    assert ticket.day == dt.date(2025, 3, 11)


def test_a_number_taken_meanwhile_is_retried_not_duplicated(
    village: Region, letters_service: QueueService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two kiosks computing the same next number: the unique constraint refuses the second,
    which retries with a fresh number."""
    first = svc.ticket_take(village, letters_service, now=MORNING)
    real = svc._next_number
    calls: list[int] = []

    def stale(service: QueueService, day: dt.date) -> int:
        calls.append(1)
        return 1 if len(calls) == 1 else real(service, day)  # the first try races and loses

    monkeypatch.setattr(svc, "_next_number", stale)
    second = svc.ticket_take(village, letters_service, now=MORNING)
    assert first.number == 1 and second.number == 2 and len(calls) == 2
    assert QueueTicket.objects.filter(service=letters_service).count() == 2


def test_the_database_refuses_a_duplicate_number(village: Region, letters_service: QueueService) -> None:
    ticket = svc.ticket_take(village, letters_service, now=MORNING)
    with pytest.raises(IntegrityError):
        QueueTicket.objects.create(
            service=letters_service, village=village, day=ticket.day, number=1, taken_at=MORNING
        )


def test_a_crowd_that_always_loses_gets_a_clear_message(
    village: Region, letters_service: QueueService, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc.ticket_take(village, letters_service, now=MORNING)
    monkeypatch.setattr(svc, "_next_number", lambda service, day: 1)
    with pytest.raises(KampungError, match="ramai"):
        svc.ticket_take(village, letters_service, now=MORNING)
    assert QueueTicket.objects.count() == 1


def test_a_switched_off_or_foreign_service_gives_no_ticket(
    village: Region, letters_service: QueueService
) -> None:
    other = Region.objects.get(code=VILLAGE_A2)
    with pytest.raises(KampungError):
        svc.ticket_take(other, letters_service)
    QueueService.objects.filter(pk=letters_service.pk).update(active=False)
    letters_service.refresh_from_db()
    with pytest.raises(KampungError, match="tidak melayani"):
        svc.ticket_take(village, letters_service)
    assert not QueueTicket.objects.exists()


# --- calling ------------------------------------------------------------------------------


def test_call_next_takes_the_oldest_waiting_and_finishes_the_counters_previous(
    world: Any, village: Region, letters_service: QueueService
) -> None:
    staff = operator(world)
    t1, t2, t3 = (svc.ticket_take(village, letters_service) for _ in range(3))
    called, finished = svc.ticket_call_next(
        actor=staff, village=village, service=letters_service, counter="2"
    )
    assert called.pk == t1.pk and finished is None
    assert (called.status, called.counter, called.times_called, called.called_by) == (
        "dipanggil",
        "2",
        1,
        staff,
    )
    called, finished = svc.ticket_call_next(
        actor=staff, village=village, service=letters_service, counter="2"
    )
    assert called.pk == t2.pk and finished is not None and finished.pk == t1.pk
    assert finished.status == TicketStatus.DONE
    # Another counter calling does not finish counter 2's ticket.
    called, finished = svc.ticket_call_next(
        actor=staff, village=village, service=letters_service, counter="3"
    )
    assert called.pk == t3.pk and finished is None
    t2.refresh_from_db()
    assert t2.status == TicketStatus.CALLED
    with pytest.raises(KampungError, match="Tidak ada nomor"):
        svc.ticket_call_next(actor=staff, village=village, service=letters_service, counter="1")


def test_yesterdays_waiting_tickets_are_not_called(
    world: Any, village: Region, letters_service: QueueService
) -> None:
    svc.ticket_take(village, letters_service, now=MORNING - dt.timedelta(days=1))
    with time_machine.travel(MORNING, tick=False), pytest.raises(KampungError, match="Tidak ada nomor"):
        svc.ticket_call_next(actor=operator(world), village=village, service=letters_service, counter="1")


def test_state_rules_of_recall_finish_and_skip(
    world: Any, village: Region, letters_service: QueueService
) -> None:
    staff = operator(world)
    waiting = svc.ticket_take(village, letters_service)
    for act in (svc.ticket_recall, svc.ticket_finish, svc.ticket_skip):
        with pytest.raises(InvalidTransition):
            act(actor=staff, ticket=waiting)
    waiting.refresh_from_db()
    assert waiting.status == TicketStatus.WAITING and waiting.times_called == 0

    called, _ = svc.ticket_call_next(actor=staff, village=village, service=letters_service, counter="1")
    again = svc.ticket_recall(actor=staff, ticket=called)
    assert again.times_called == 2 and again.status == TicketStatus.CALLED
    done = svc.ticket_finish(actor=staff, ticket=called)
    assert done.status == TicketStatus.DONE and done.finished_at is not None
    for act in (svc.ticket_recall, svc.ticket_finish, svc.ticket_skip):
        with pytest.raises(InvalidTransition):
            act(actor=staff, ticket=done)

    svc.ticket_take(village, letters_service)
    absent, _ = svc.ticket_call_next(actor=staff, village=village, service=letters_service, counter="1")
    assert svc.ticket_skip(actor=staff, ticket=absent).status == TicketStatus.SKIPPED


@pytest.mark.parametrize(
    "who",
    [
        (Role.OPERATOR, VILLAGE_A2),
        (Role.TREASURER, VILLAGE_A1),
        (Role.BPD, VILLAGE_A1),
        (Role.RESIDENT, VILLAGE_A1),
        (Role.CAMAT, DISTRICT_A),
        (Role.ADMIN, REGENCY),
    ],
)
def test_only_the_villages_counter_staff_may_call(
    world: Any, village: Region, letters_service: QueueService, who: tuple[str, str]
) -> None:
    user = world.user(*who)
    ticket = svc.ticket_take(village, letters_service)
    before = AuditEntry.objects.count()
    with pytest.raises(NotPermitted):
        svc.ticket_call_next(actor=user, village=village, service=letters_service, counter="1")
    with pytest.raises(NotPermitted):
        svc.queue_service_save(actor=user, village=village, service=None, letter="D", name="Lain-lain")
    for act in (svc.ticket_recall, svc.ticket_finish, svc.ticket_skip):
        with pytest.raises(NotPermitted):
            act(actor=user, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING
    assert AuditEntry.objects.count() == before
    assert QueueService.objects.filter(village=village).count() == 3


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SECRETARY, Role.HEAD])
def test_the_front_office_roles_may_call(
    world: Any, village: Region, letters_service: QueueService, role: str
) -> None:
    svc.ticket_take(village, letters_service)
    called, _ = svc.ticket_call_next(
        actor=world.user(role, VILLAGE_A1), village=village, service=letters_service, counter="4"
    )
    assert called.counter == "4"


def test_every_change_is_audited(world: Any, village: Region, letters_service: QueueService) -> None:
    staff = operator(world)
    ticket = svc.ticket_take(village, letters_service)
    svc.ticket_call_next(actor=staff, village=village, service=letters_service, counter="1")
    svc.ticket_recall(actor=staff, ticket=ticket)
    svc.ticket_finish(actor=staff, ticket=ticket)
    svc.queue_service_save(actor=staff, village=village, service=None, letter="D", name="Konsultasi")
    acts = list(
        AuditEntry.objects.filter(region_code=VILLAGE_A1, act__startswith="queue.")
        .order_by("seq")
        .values_list("act", flat=True)
    )
    assert acts == [
        "queue.ticket.take",
        "queue.ticket.call",
        "queue.ticket.recall",
        "queue.ticket.finish",
        "queue.service.create",
    ]
    call = AuditEntry.objects.get(act="queue.ticket.call")
    assert call.actor == staff and call.role == Role.OPERATOR and call.after["label"] == "A-001"


# --- service settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("letter", "name", "message"),
    [
        ("AA", "Lain", "satu huruf"),
        ("1", "Lain", "satu huruf"),
        ("", "Lain", "satu huruf"),
        ("D", "   ", "wajib"),
        ("a", "Lain", "sudah dipakai"),
        ("D", "x" * 81, "80 huruf"),
    ],
)
def test_service_settings_refuse_bad_input(
    world: Any, village: Region, letter: str, name: str, message: str
) -> None:
    svc.services_for(village)
    with pytest.raises(KampungError, match=message):
        svc.queue_service_save(actor=operator(world), village=village, service=None, letter=letter, name=name)
    assert QueueService.objects.filter(village=village).count() == 3


def test_a_letter_is_fixed_once_tickets_exist(
    world: Any, village: Region, letters_service: QueueService
) -> None:
    staff = operator(world)
    renamed = svc.queue_service_save(
        actor=staff,
        village=village,
        service=letters_service,
        letter="S",
        name="Surat",
        description="Semua surat",
    )
    assert (renamed.letter, renamed.name) == ("S", "Surat")
    svc.ticket_take(village, renamed)
    with pytest.raises(KampungError, match="tidak bisa diubah"):
        svc.queue_service_save(actor=staff, village=village, service=renamed, letter="T", name="Surat")
    off = svc.queue_service_save(
        actor=staff, village=village, service=renamed, letter="S", name="Surat", active=False
    )
    assert off.active is False


def test_services_page_adds_and_validates(world: Any, village: Region) -> None:
    client = staff_client(operator(world))
    url = reverse("queue:services", kwargs={"code": VILLAGE_A1})
    page = client.get(url)
    assert page.status_code == 200 and "Tambah layanan" in page.content.decode()
    bad = client.post(url, {"pk": "", "letter": "AA", "name": "", "order": "10"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "satu huruf A sampai Z" in body and "Nama layanan wajib diisi" in body
    dup = client.post(url, {"pk": "", "letter": "b", "name": "Lagi", "order": "10"})
    assert dup.status_code == 400 and "sudah dipakai" in dup.content.decode()
    ok = client.post(
        url, {"pk": "", "letter": "d", "name": "Konsultasi  hukum", "order": "40", "active": "on"}
    )
    assert ok.status_code == 302
    assert QueueService.objects.get(village=village, letter="D").name == "Konsultasi hukum"
    nul = client.post(url, {"pk": "\x00", "letter": "E", "name": "x"})
    assert nul.status_code == 302
    nul2 = client.post(url, {"pk": "", "letter": "E", "name": "Nu\x00l", "order": "1"})
    assert nul2.status_code == 400
    assert QueueService.objects.filter(village=village).count() == 4


# --- the kiosk ----------------------------------------------------------------------------


def test_kiosk_take_and_ticket_pages(world: Any, village: Region, letters_service: QueueService) -> None:
    kiosk = Client()
    page = kiosk.get(take_url())
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    body = page.content.decode()
    assert "Surat-menyurat" in body and "Tidak ada antrian" in body
    response = kiosk.post(take_url(), {"service": letters_service.pk})
    ticket = QueueTicket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("queue:ticket", kwargs={"code": VILLAGE_A1, "pk": ticket.pk})
    shown = kiosk.get(response["Location"])
    text = shown.content.decode()
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    assert "A-001" in text and "Anda berikutnya" in text and "k-slip" in text and "data-print" in text
    # Someone else's ticket: 1 person ahead of them.
    other = Client()
    other.post(take_url(), {"service": letters_service.pk})
    second = QueueTicket.objects.get(number=2)
    assert (
        "1 orang di depan Anda"
        in other.get(reverse("queue:ticket", args=[VILLAGE_A1, second.pk])).content.decode()
    )
    # ...which this session may not see, and neither may a fresh visitor.
    assert kiosk.get(reverse("queue:ticket", args=[VILLAGE_A1, second.pk])).status_code == 404
    assert Client().get(reverse("queue:ticket", args=[VILLAGE_A1, ticket.pk])).status_code == 404
    assert "1 orang menunggu" not in kiosk.get(take_url()).content.decode()  # two are waiting
    assert "2 orang menunggu" in kiosk.get(take_url()).content.decode()


def test_one_waiting_ticket_per_service_per_kiosk_session(
    world: Any, village: Region, letters_service: QueueService
) -> None:
    kiosk = Client()
    population = svc.services_for(village)[1]
    first = kiosk.post(take_url(), {"service": letters_service.pk})
    again = kiosk.post(take_url(), {"service": letters_service.pk}, follow=True)
    assert again.redirect_chain[0][0] == first["Location"]
    assert "sudah memegang nomor A-001" in again.content.decode()
    kiosk.post(take_url(), {"service": population.pk})
    assert QueueTicket.objects.filter(service=letters_service).count() == 1
    assert QueueTicket.objects.filter(service=population).count() == 1
    # Once called, the same session may take a new one.
    svc.ticket_call_next(actor=operator(world), village=village, service=letters_service, counter="1")
    kiosk.post(take_url(), {"service": letters_service.pk})
    assert QueueTicket.objects.filter(service=letters_service).count() == 2


@pytest.mark.parametrize(
    "data",
    [{}, {"service": ""}, {"service": "abc"}, {"service": "\x00"}, {"service": "9" * 40}, {"service": "-1"}],
)
def test_kiosk_take_junk_is_refused_without_error(world: Any, village: Region, data: dict[str, str]) -> None:
    svc.services_for(village)
    response = Client().post(take_url(), data, follow=True)
    assert response.status_code == 200
    assert "Layanan tidak ditemukan" in response.content.decode()
    assert not QueueTicket.objects.exists()


def test_kiosk_refuses_other_villages_services_and_unknown_codes(world: Any, village: Region) -> None:
    foreign = svc.services_for(Region.objects.get(code=VILLAGE_A2))[0]
    client = Client()
    client.post(take_url(), {"service": foreign.pk})
    assert not QueueTicket.objects.exists()
    for code in ("99.99.99.9999", "35.10.01", "35.10", "\x00", "x" * 300, KELURAHAN_B + "9"):
        assert client.get(f"/antrian/{code}/ambil/").status_code == 404
        assert client.get(f"/antrian/{code}/layar/data/").status_code == 404
    assert client.get(f"/antrian/{VILLAGE_A1}/tiket/{'9' * 30}/").status_code == 404
    assert client.put(take_url()).status_code == 405
    assert client.post(reverse("queue:display_data", args=[VILLAGE_A1])).status_code == 405


# --- the display --------------------------------------------------------------------------


def test_display_data_shows_calls_and_waiting_counts(
    world: Any, village: Region, letters_service: QueueService
) -> None:
    client = Client()
    url = reverse("queue:display_data", args=[VILLAGE_A1])
    empty = client.get(url).json()
    assert empty["now"] is None and empty["recent"] == []
    assert [(w["letter"], w["waiting"]) for w in empty["waiting"]] == [("A", 0), ("B", 0), ("C", 0)]
    for _ in range(9):
        svc.ticket_take(village, letters_service)
    staff = operator(world)
    first, _ = svc.ticket_call_next(actor=staff, village=village, service=letters_service, counter="1")
    stamp = client.get(url).json()["stamp"]
    for _ in range(6):
        svc.ticket_call_next(actor=staff, village=village, service=letters_service, counter="1")
    state = client.get(url).json()
    assert state["now"]["label"] == "A-007" and state["now"]["counter"] == "Loket 1"
    assert state["now"]["speech"] == "Nomor antrian A nol nol tujuh, silakan ke loket satu"
    assert [c["label"] for c in state["recent"]] == ["A-006", "A-005", "A-004", "A-003", "A-002"]
    assert state["waiting"][0] == {"letter": "A", "name": "Surat-menyurat", "waiting": 2}
    assert state["stamp"] != stamp and state["date"] and state["time"]
    recall_key = state["now"]["key"]
    svc.ticket_recall(actor=staff, ticket=QueueTicket.objects.get(number=7))
    assert client.get(url).json()["now"]["key"] != recall_key
    assert first.label not in str(state["recent"])  # only the last few calls

    page = client.get(reverse("queue:display", args=[VILLAGE_A1]))
    body = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "A-007" in body and "Loket 1" in body and "queue.js" in body
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in body


def test_display_hides_switched_off_services(world: Any, village: Region) -> None:
    services = svc.services_for(village)
    svc.queue_service_save(
        actor=operator(world),
        village=village,
        service=services[2],
        letter="C",
        name=services[2].name,
        active=False,
    )
    state = Client().get(reverse("queue:display_data", args=[VILLAGE_A1])).json()
    assert [w["letter"] for w in state["waiting"]] == ["A", "B"]
    assert "Bantuan sosial" not in Client().get(take_url()).content.decode()


def test_display_data_query_count_is_fixed(
    world: Any, village: Region, letters_service: QueueService, django_assert_max_num_queries: Any
) -> None:
    for _ in range(20):
        svc.ticket_take(village, letters_service)
    for _ in range(10):
        svc.ticket_call_next(actor=operator(world), village=village, service=letters_service, counter="1")
    with django_assert_max_num_queries(10):
        Client().get(reverse("queue:display_data", args=[VILLAGE_A1]))


# --- the desk -----------------------------------------------------------------------------


def test_desk_flow_over_http(world: Any, village: Region, letters_service: QueueService) -> None:
    for _ in range(3):
        svc.ticket_take(village, letters_service)
    client = staff_client(operator(world))
    page = client.get(desk_url())
    assert page.status_code == 200 and "Pilih loket Anda dulu" in page.content.decode()
    no_counter = client.post(action_url(), {"action": "call", "service": letters_service.pk}, follow=True)
    assert "Pilih nomor loket" in no_counter.content.decode()
    assert not QueueTicket.objects.filter(status=TicketStatus.CALLED).exists()
    client.post(desk_url(), {"counter": "3"})
    called = client.post(action_url(), {"action": "call", "service": letters_service.pk}, follow=True)
    assert "Memanggil A-001 ke Loket 3." in called.content.decode()
    t1 = QueueTicket.objects.get(number=1)
    assert "Panggil ulang" in called.content.decode()
    recalled = client.post(action_url(), {"action": "recall", "ticket": t1.pk}, follow=True)
    assert "A-001 dipanggil ulang (panggilan ke-2)" in recalled.content.decode()
    done = client.post(action_url(), {"action": "finish", "ticket": t1.pk}, follow=True)
    assert "A-001 selesai dilayani." in done.content.decode()
    again = client.post(action_url(), {"action": "finish", "ticket": t1.pk}, follow=True)
    assert "Hanya nomor yang sedang dipanggil" in again.content.decode()
    client.post(action_url(), {"action": "call", "service": letters_service.pk})
    t2 = QueueTicket.objects.get(number=2)
    skipped = client.post(action_url(), {"action": "skip", "ticket": t2.pk}, follow=True)
    assert "A-002 dicatat tidak hadir." in skipped.content.decode()
    figures = sel.day_figures(village, svc.local_day(village))
    assert (figures.taken, figures.served, figures.skipped, figures.waiting) == (3, 1, 1, 1)
    assert figures.average_wait_minutes is not None
    body = client.get(desk_url()).content.decode()
    assert 'data-testid="fig-taken">3<' in body and "Tidak hadir" in body


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "explode"},
        {"action": "call"},
        {"action": "call", "service": "\x00"},
        {"action": "call", "service": "9" * 40},
        {"action": "finish"},
        {"action": "finish", "ticket": "abc"},
        {"action": "finish", "ticket": "123456789"},
        {"action": "skip", "ticket": str(2**63)},
    ],
)
def test_desk_junk_gives_a_message_not_an_error(world: Any, village: Region, data: dict[str, str]) -> None:
    client = staff_client(operator(world))
    client.post(desk_url(), {"counter": "1"})
    response = client.post(action_url(), data, follow=True)
    assert response.status_code == 200
    assert 'class="msg msg-error"' in response.content.decode()
    assert not AuditEntry.objects.filter(act__startswith="queue.ticket").exists()


def test_desk_counter_choice_is_checked(world: Any, village: Region) -> None:
    client = staff_client(operator(world))
    for junk in ("0", "10", "\x00", "x" * 500):
        client.post(desk_url(), {"counter": junk})
    assert "Pilih loket Anda dulu" in client.get(desk_url()).content.decode()
    assert client.get(desk_url(), {"page": "\x00"}).status_code == 200
    assert client.delete(desk_url()).status_code == 405
    assert client.get(action_url()).status_code == 405


@pytest.mark.parametrize(
    "who",
    [
        (Role.OPERATOR, VILLAGE_A2),
        (Role.TREASURER, VILLAGE_A1),
        (Role.RESIDENT, VILLAGE_A1),
        (Role.ADMIN, REGENCY),
    ],
)
def test_desk_is_not_found_for_others(
    world: Any, village: Region, letters_service: QueueService, who: tuple[str, str]
) -> None:
    svc.ticket_take(village, letters_service)
    client = staff_client(world.user(*who))
    assert client.get(desk_url()).status_code == 404
    assert client.get(reverse("queue:services", args=[VILLAGE_A1])).status_code == 404
    assert client.post(action_url(), {"action": "call", "service": letters_service.pk}).status_code == 404
    assert (
        client.post(reverse("queue:services", args=[VILLAGE_A1]), {"letter": "D", "name": "X"}).status_code
        == 404
    )
    assert not QueueTicket.objects.filter(status=TicketStatus.CALLED).exists()
    assert QueueService.objects.filter(village=village).count() == 3


def test_desk_needs_a_login(village: Region) -> None:
    response = Client().get(desk_url())
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    assert Client().post(action_url(), {"action": "call"}).status_code == 302
    assert not AuditEntry.objects.filter(act__startswith="queue.").exists()


def test_staff_menu_links_to_the_desk(world: Any) -> None:
    from kampung.accounts.navigation import nav_items
    from kampung.accounts.scope import scope_for

    items = {i.key: i.url for i in nav_items(scope_for(operator(world)))}
    assert items["queue"] == desk_url()
    assert "queue" not in {i.key for i in nav_items(scope_for(world.user(Role.TREASURER, VILLAGE_A1)))}
