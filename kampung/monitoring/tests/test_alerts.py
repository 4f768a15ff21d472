"""Alerts from the roll-up tables against a frozen clock and the regency's calendar: each kind
opens when it should and not a day before, resolves when it no longer holds, re-opens on the
same key; the digest goes out once per recipient."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, DISTRICT_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.monitoring.models import (
    Alert,
    AlertKind,
    FinanceFigure,
    FinanceKind,
    FinanceYear,
    LetterOpen,
    MonitoringSetting,
    ProgrammeFigure,
)
from kampung.monitoring.services.alerts import AlertReport, alerts_notify, alerts_refresh
from kampung.monitoring.tests.test_visits_support import ROAD, figure

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))


def refresh(day: dt.date) -> AlertReport:
    """Run the job at 06:00 WIB on ``day`` (the clock frozen there)."""
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 6, 0, tzinfo=WIB), tick=False):
        return alerts_refresh(today=day)


def open_keys() -> set[str]:
    return set(Alert.objects.filter(resolved_at__isnull=True).values_list("key", flat=True))


def finance_year(village: str, year: int, **fields: Any) -> FinanceYear:
    return FinanceYear.objects.create(village_id=village, district_code=village[:8], year=year, **fields)


# -- reports and APBDes against the calendar ----------------------------------------------------


def test_semester_report_late_opens_the_day_after_the_due_date_and_resolves_when_sent(db: Any) -> None:
    row = finance_year(VILLAGE_A1, 2026, in_force=True)
    key = f"laporan_terlambat:{VILLAGE_A1}:2026:semester1"
    assert key not in open_keys() and refresh(dt.date(2026, 7, 14)).opened == 0  # due 14 July
    report = refresh(dt.date(2026, 7, 15))
    assert report.opened == 1 and open_keys() == {key}
    alert = Alert.objects.get(key=key)
    assert alert.kind == AlertKind.REPORT_LATE and alert.district_code == DISTRICT_A
    assert "Laporan semester I 2026" in alert.title and "Sarongan" in alert.title
    assert alert.link == f"/keuangan/desa/{VILLAGE_A1}/pelaksanaan/2026/laporan/"
    assert refresh(dt.date(2026, 7, 20)) == AlertReport(opened=0, still_open=1, resolved=0)
    row.semester_on = dt.date(2026, 7, 21)
    row.save()
    assert refresh(dt.date(2026, 7, 21)) == AlertReport(opened=0, still_open=0, resolved=1)
    assert open_keys() == set() and Alert.objects.get(key=key).resolved_at is not None


def test_the_regencys_own_calendar_moves_the_due_date(db: Any) -> None:
    from kampung.finance.models import CalendarDeadline, CalendarEvent

    CalendarDeadline.objects.create(
        regency_id=REGENCY, year=2026, event=CalendarEvent.SEMESTER_REPORT, due_date=dt.date(2026, 7, 31)
    )
    finance_year(VILLAGE_A1, 2026, in_force=True)
    assert refresh(dt.date(2026, 7, 31)).opened == 0
    assert refresh(dt.date(2026, 8, 1)).opened == 1


def test_lpj_late_after_31_march_of_the_next_year(db: Any) -> None:
    finance_year(VILLAGE_A1, 2025, in_force=True, semester_on=dt.date(2025, 7, 10))
    finance_year(VILLAGE_A1, 2026, in_force=True)
    assert refresh(dt.date(2026, 3, 31)).opened == 0
    refresh(dt.date(2026, 4, 1))
    assert open_keys() == {f"laporan_terlambat:{VILLAGE_A1}:2025:lpj"}


def test_apbdes_not_enacted_after_31_december(db: Any) -> None:
    finance_year(VILLAGE_A2, 2025, in_force=True, semester_on=dt.date(2025, 7, 1))
    key = f"apbdes_terlambat:{VILLAGE_A2}:2026"
    refresh(dt.date(2025, 12, 31))
    assert key not in open_keys()
    refresh(dt.date(2026, 1, 1))
    assert key in open_keys()
    alert = Alert.objects.get(key=key)
    assert alert.kind == AlertKind.APBDES_LATE and alert.link == f"/keuangan/desa/{VILLAGE_A2}/"
    finance_year(VILLAGE_A2, 2026, apbdes_status="ditetapkan", in_force=True, enacted_on=dt.date(2026, 1, 5))
    refresh(dt.date(2026, 1, 6))
    assert key not in open_keys()


def test_advances_past_their_spj_due_date(db: Any) -> None:
    row = finance_year(
        VILLAGE_A2,
        2026,
        in_force=True,
        advances=[["2026-06-10", "5000000.00"], ["", "1000.00"], ["2026-06-20", "2000.00"]],
    )
    key = f"panjar_terbuka:{VILLAGE_A2}:2026"
    refresh(dt.date(2026, 6, 10))
    assert key not in open_keys()
    refresh(dt.date(2026, 6, 11))
    alert = Alert.objects.get(key=key)
    assert alert.title.endswith("1 panjar 2026 belum dipertanggungjawabkan lewat batas SPJ")
    assert "Rp 5.000.000" in alert.detail
    refresh(dt.date(2026, 6, 21))
    alert.refresh_from_db()
    assert "2 panjar" in alert.title and "Rp 5.002.000" in alert.detail and alert.resolved_at is None
    row.advances = []
    row.save()
    refresh(dt.date(2026, 6, 22))
    assert key not in open_keys()


# -- letters, kegiatan, spending, programmes ---------------------------------------------------


def _letters(village: str, status: str, due: dt.date, count: int) -> None:
    LetterOpen.objects.create(
        village_id=village,
        district_code=village[:8],
        letter_type="sku",
        status=status,
        due_on=due,
        count=count,
    )


def test_letters_overdue_one_alert_per_village_and_reopened_on_the_same_key(db: Any) -> None:
    _letters(VILLAGE_B1, "diajukan", dt.date(2026, 6, 10), 2)
    _letters(VILLAGE_B1, "ditandatangani", dt.date(2026, 6, 12), 1)
    _letters(VILLAGE_B1, "diterbitkan", dt.date(2026, 6, 1), 5)  # issued: waiting for pick-up
    key = f"surat_terlambat:{VILLAGE_B1}"
    refresh(dt.date(2026, 6, 10))
    assert key not in open_keys()
    refresh(dt.date(2026, 6, 11))
    assert Alert.objects.get(key=key).title.endswith("2 permohonan surat melewati target waktu")
    refresh(dt.date(2026, 6, 13))
    alert = Alert.objects.get(key=key)
    assert alert.title.endswith("3 permohonan surat melewati target waktu")
    assert alert.link == reverse("letters:queue") + f"?desa={VILLAGE_B1}&terlambat=1"
    Alert.objects.filter(key=key).update(notified_at=alert.first_seen_at)
    LetterOpen.objects.filter(status__in=["diajukan", "ditandatangani"]).delete()
    assert refresh(dt.date(2026, 6, 14)).resolved == 1
    _letters(VILLAGE_B1, "diverifikasi", dt.date(2026, 6, 14), 1)
    report = refresh(dt.date(2026, 6, 20))
    assert report.opened == 1 and Alert.objects.filter(key=key).count() == 1
    again = Alert.objects.get(key=key)
    assert (
        again.resolved_at is None and again.notified_at is None and again.first_seen_at > alert.first_seen_at
    )


def test_kegiatan_without_a_visit_after_the_grace_days(db: Any) -> None:
    # Runs March–August; never visited; physical kept near the schedule so only "no visit" holds.
    item = figure(VILLAGE_A1, physical_percent=Decimal(30))
    key = f"kegiatan_macet:{VILLAGE_A1}:2026:{ROAD}"
    refresh(dt.date(2026, 4, 30))  # 60 days after 1 March
    assert key not in open_keys()
    refresh(dt.date(2026, 5, 1))
    alert = Alert.objects.get(key=key)
    assert "belum pernah dikunjungi" in alert.detail.lower()
    assert alert.link == f"/pemantauan/desa/{VILLAGE_A1}/kegiatan/2026/{ROAD}/"
    item.last_visit_on = dt.date(2026, 5, 1)
    item.visits = 1
    item.save()
    refresh(dt.date(2026, 5, 2))
    assert key not in open_keys()
    # The last visit gets old while the kegiatan runs: 61 days later it opens again.
    item.physical_percent = Decimal(80)
    item.save()
    refresh(dt.date(2026, 6, 30))
    assert key not in open_keys()
    refresh(dt.date(2026, 7, 2))
    assert key in open_keys()
    # After the month following the end (September), a visited kegiatan is no longer chased.
    item.physical_percent = Decimal(100)
    item.save()
    refresh(dt.date(2026, 10, 1))
    assert key not in open_keys()


def test_kegiatan_behind_schedule_by_more_than_the_threshold(db: Any) -> None:
    figure(VILLAGE_A2, physical_percent=Decimal(10), last_visit_on=dt.date(2026, 4, 20), visits=1)
    key = f"kegiatan_macet:{VILLAGE_A2}:2026:{ROAD}"
    refresh(dt.date(2026, 4, 24))  # expected 29.89 %: 19.89 points behind
    assert key not in open_keys()
    refresh(dt.date(2026, 4, 25))  # expected 30.43 %: 20.43 points behind
    assert "tertinggal jadwal" in Alert.objects.get(key=key).detail.lower()
    MonitoringSetting.objects.create(regency_id=REGENCY, behind_points=25)
    refresh(dt.date(2026, 4, 26))
    assert key not in open_keys()


def test_spending_out_of_pattern(db: Any) -> None:
    def spend(village: str, month: int, amount: int, bidang: str = "02") -> None:
        FinanceFigure.objects.create(
            village_id=village,
            district_code=village[:8],
            year=2026,
            month=month,
            kind=FinanceKind.SPENDING,
            source="DDS",
            bidang=bidang,
            amount=Decimal(amount),
        )

    for month in (1, 2, 3):
        spend(VILLAGE_B1, month, 20_000_000)
    spend(VILLAGE_B1, 4, 40_000_000)
    spend(VILLAGE_B1, 4, 30_000_000, bidang="03")  # April: 70 jt > 3 × 20 jt and > 50 jt
    for month in (1, 2):
        spend(VILLAGE_A1, month, 1_000_000)
    spend(VILLAGE_A1, 3, 10_000_000)  # 10 × the average but under the Rp 50 jt floor
    spend(VILLAGE_A2, 5, 900_000_000)  # one month only: nothing to compare with
    refresh(dt.date(2026, 5, 2))
    assert open_keys() == {f"belanja_tak_wajar:{VILLAGE_B1}:2026:04"}
    assert "April" in Alert.objects.get().title
    MonitoringSetting.objects.create(regency_id=REGENCY, spending_factor=Decimal("3.5"))
    refresh(dt.date(2026, 5, 3))
    assert open_keys() == set()


def test_stalled_assistance_cases(db: Any) -> None:
    row = ProgrammeFigure.objects.create(
        village_id=VILLAGE_A1, district_code=DISTRICT_A, year=2026, programme="rtlh", stalled=2
    )
    ProgrammeFigure.objects.create(
        village_id=VILLAGE_A2, district_code=DISTRICT_A, year=2024, programme="rtlh", stalled=1
    )
    refresh(dt.date(2026, 6, 1))
    key = f"bantuan_macet:{VILLAGE_A1}:rtlh:2026"
    assert open_keys() == {key}
    assert Alert.objects.get(key=key).link == f"/bantuan/desa/{VILLAGE_A1}/rtlh/2026/"
    row.stalled = 0
    row.save()
    refresh(dt.date(2026, 6, 2))
    assert open_keys() == set()


def test_refresh_runs_a_fixed_number_of_queries(db: Any) -> None:
    def seed(villages: list[str]) -> None:
        for v in villages:
            finance_year(v, 2026, in_force=True, advances=[["2026-06-01", "100"]])
            figure(v)
            _letters(v, "diajukan", dt.date(2026, 6, 1), 1)

    seed([VILLAGE_A1])
    with CaptureQueriesContext(connection) as one:
        refresh(dt.date(2026, 7, 20))
    Alert.objects.all().delete()
    seed([VILLAGE_A2, VILLAGE_B1])
    with CaptureQueriesContext(connection) as three:
        refresh(dt.date(2026, 7, 20))
    assert len(open_keys()) == 12
    assert len(three.captured_queries) == len(one.captured_queries)


# -- notification --------------------------------------------------------------------------


def test_notify_queues_one_digest_per_recipient_once(world: Any) -> None:
    from kampung.notifications.models import OutboxMessage

    recipients = {
        "sekdes": world.user(Role.SECRETARY, VILLAGE_A1),
        "kades": world.user(Role.HEAD, VILLAGE_A1),
        "camat_a": world.user(Role.CAMAT, DISTRICT_A),
        "camat_b": world.user(Role.CAMAT, DISTRICT_B),
        "dpmd": world.user(Role.DPMD, REGENCY),
        "kaur": world.user(Role.TREASURER, VILLAGE_A1),  # not a digest recipient
    }
    for name, user in recipients.items():
        user.email = f"{name}@contoh.desa.id"
        user.save()
    finance_year(VILLAGE_A1, 2026, in_force=True, advances=[["2026-06-01", "100"]])
    _letters(VILLAGE_A1, "diajukan", dt.date(2026, 6, 1), 1)
    _letters(VILLAGE_B1, "diajukan", dt.date(2026, 6, 1), 4)
    refresh(dt.date(2026, 6, 5))
    assert Alert.objects.filter(notified_at__isnull=True).count() == 3
    with time_machine.travel(dt.datetime(2026, 6, 5, 7, 0, tzinfo=WIB), tick=False):
        assert alerts_notify() == 5
        assert alerts_notify() == 0
    by_recipient: dict[str, list[OutboxMessage]] = {}
    for message in OutboxMessage.objects.order_by("pk"):
        by_recipient.setdefault(message.recipient.split("@")[0], []).append(message)
    assert set(by_recipient) == {"sekdes", "kades", "camat_a", "camat_b", "dpmd"}
    assert all(len(messages) == 1 for messages in by_recipient.values())
    dpmd = by_recipient["dpmd"][0]
    assert dpmd.subject == "Kampung: 3 peringatan baru" and dpmd.body.count("\n- ") == 3
    assert "/keuangan/desa/35.10.01.2001/pelaksanaan/2026/panjar/" in dpmd.body
    assert by_recipient["sekdes"][0].subject == "Kampung: 2 peringatan baru"
    assert by_recipient["camat_b"][0].subject == "Kampung: 1 peringatan baru"
    assert not Alert.objects.filter(notified_at__isnull=True).exists()
    # A new alert later goes only to those it concerns.
    _letters(VILLAGE_A2, "diajukan", dt.date(2026, 6, 1), 1)
    refresh(dt.date(2026, 6, 6))
    with time_machine.travel(dt.datetime(2026, 6, 6, 7, 0, tzinfo=WIB), tick=False):
        assert alerts_notify() == 2  # camat A and DPMD (A2's staff have no e-mail address)
    assert OutboxMessage.objects.count() == 7


def test_a_long_digest_names_the_first_alerts_and_counts_the_rest(world: Any) -> None:
    from kampung.monitoring.services.alerts import DIGEST_ITEMS
    from kampung.notifications.models import OutboxMessage

    dpmd = world.user(Role.DPMD, REGENCY)
    dpmd.email = "dpmd@contoh.desa.id"
    dpmd.save()
    for n in range(DIGEST_ITEMS + 5):
        Alert.objects.create(
            key=f"uji:{n}",
            kind="surat_terlambat",
            village_id=VILLAGE_A1,
            district_code=VILLAGE_A1[:8],
            title=f"Peringatan uji {n}",
        )
    alerts_notify()
    body = OutboxMessage.objects.get(recipient="dpmd@contoh.desa.id").body
    assert body.count("\n- Peringatan uji") == DIGEST_ITEMS
    assert "- dan 5 lainnya" in body and reverse("monitoring:alerts") in body
