"""LRA, activity realisation, SiLPA per source and its carry into next year's draft, progress
reports and report submissions (part C of finance II)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.authority.models import ActRecord
from kampung.conftest import VILLAGE_A1, VILLAGE_A2
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.ledger import Posting, lock_book, post, reverse
from kampung.finance.models import (
    BANK,
    ApbdesStatus,
    Book,
    BudgetActivity,
    BudgetLine,
    EntryKind,
    FinancingLine,
    JournalEntry,
    ProgressReport,
    ReportSubmission,
)
from kampung.finance.selectors import realisation as sel
from kampung.finance.services import reports as svc
from kampung.finance.tests.exec_factories import bank_receipt, make_executable
from kampung.finance.tests.factories import make_apbdes

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2026


def activity(apbdes, code: str) -> BudgetActivity:
    return BudgetActivity.objects.get(apbdes=apbdes, activity_code__code=code)


def spend(
    village: str, act: BudgetActivity, amount: int, *, day: dt.date, account: str | None = None
) -> JournalEntry:
    """A spending entry straight into the journal: Dr 5.x (first line of the kegiatan), Cr bank."""
    line = BudgetLine.objects.filter(activity=act).select_related("account", "source").order_by("pk").first()
    assert line is not None
    with transaction.atomic():
        book = lock_book(village, day.year)
        return post(
            book=book,
            date=day,
            kind=EntryKind.PAYMENT,
            description="Belanja (uji)",
            postings=[
                Posting(
                    account or line.account.code,
                    debit=D(amount),
                    source=line.source_id,
                    activity=act,
                    budget_line_id=line.pk,
                ),
                Posting(BANK, credit=D(amount)),
            ],
        )


def silpa_in(village: str, amount: int, *, source: str = "DDS", day: dt.date = dt.date(YEAR, 1, 2)) -> None:
    with transaction.atomic():
        book = lock_book(village, day.year)
        post(
            book=book,
            date=day,
            kind=EntryKind.OPENING,
            description="Saldo awal",
            postings=[Posting(BANK, debit=D(amount)), Posting("6.1.1.01", credit=D(amount), source=source)],
        )


def close(village: str, year: int, month: int) -> None:
    Book.objects.filter(village_id=village, year=year).update(closed_through=month)


@pytest.fixture
def sequence(world):
    """A known year: DD 600 jt (Apr) + 400 jt (Aug), ADD 200 jt (Feb), PAD 5 jt (Mar), SiLPA 30 jt;
    road 150 jt (May) + 100 jt (Sep), BLT 43,2 jt (Jun), siltap ADD 36 jt (Mar), one reversed
    payment of 10 jt (ops, ADD, Jul; reversed in Jul)."""
    apbdes = make_executable(VILLAGE_A1, YEAR)
    silpa_in(VILLAGE_A1, 30_000_000)
    bank_receipt(VILLAGE_A1, YEAR, 200_000_000, account="4.2.3.01", source="ADD", day=dt.date(YEAR, 2, 10))
    bank_receipt(VILLAGE_A1, YEAR, 5_000_000, account="4.1.2.01", source="PAD", day=dt.date(YEAR, 3, 5))
    bank_receipt(VILLAGE_A1, YEAR, 600_000_000, day=dt.date(YEAR, 4, 20))
    bank_receipt(VILLAGE_A1, YEAR, 400_000_000, day=dt.date(YEAR, 8, 20))
    spend(VILLAGE_A1, activity(apbdes, "01.01.01"), 36_000_000, day=dt.date(YEAR, 3, 25))
    spend(VILLAGE_A1, activity(apbdes, "02.03.10"), 150_000_000, day=dt.date(YEAR, 5, 10))
    spend(VILLAGE_A1, activity(apbdes, "05.03.00"), 43_200_000, day=dt.date(YEAR, 6, 10))
    wrong = spend(VILLAGE_A1, activity(apbdes, "01.01.04"), 10_000_000, day=dt.date(YEAR, 7, 1))
    with transaction.atomic():
        reverse(book=lock_book(VILLAGE_A1, YEAR), entry=wrong, date=dt.date(YEAR, 7, 2), reason="salah catat")
    spend(VILLAGE_A1, activity(apbdes, "02.03.10"), 100_000_000, day=dt.date(YEAR, 9, 10))
    return apbdes


def row(report, code: str, key: str = ""):
    for r in report.rows:
        if r.code == code and (not key or r.key == key):
            return r
    raise AssertionError(f"no row {code}")


def total(report, key: str):
    return next(r for r in report.rows if r.key == key)


def test_lra_year_figures_are_exact(sequence):
    report = sel.lra(VILLAGE_A1, YEAR)
    assert report.revenue.budget == D(1_420_000_000)
    assert report.revenue.realised == D(1_205_000_000)
    assert report.spending.budget == D(1_450_000_000)
    assert report.spending.realised == D(329_200_000)  # the reversed 10 jt nets out
    assert report.financing_in.realised == D(30_000_000)
    assert report.surplus.realised == D(1_205_000_000 - 329_200_000)
    assert report.silpa.realised == D(1_205_000_000 - 329_200_000 + 30_000_000)
    assert report.silpa.budget == D(0)
    assert row(report, "4.2.1.01").realised == D(1_000_000_000)
    assert row(report, "4.2").realised == D(1_200_000_000)
    assert row(report, "4.1.2.01").budget == D(20_000_000)
    assert row(report, "4.1.2.01").percent == D("25.00")
    road = row(report, "02.03.10", "kegiatan")
    assert road.budget == D(462_000_000) and road.realised == D(250_000_000)
    assert road.remaining == D(212_000_000)
    assert road.difference == D(-212_000_000)
    assert row(report, "02").realised == D(250_000_000)
    assert row(report, "01.01.04", "kegiatan").realised == D(0)
    assert total(report, "spending").realised == D(329_200_000)
    assert total(report, "silpa").realised == report.silpa.realised
    jenis = {r.code: r for r in report.spending_by_jenis}
    assert jenis["5.3"].realised == D(250_000_000)
    assert jenis["5.4"].realised == D(43_200_000)
    assert jenis["5.1"].realised == D(36_000_000)
    # The LRA equals the sum of the postings on budget accounts.
    from django.db.models import Sum

    from kampung.finance.models import JournalLine

    sums = JournalLine.objects.filter(book__village_id=VILLAGE_A1, account_code__startswith="5").aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    assert report.spending.realised == sums["d"] - sums["c"]


def test_semester_stops_at_june(sequence):
    report = sel.lra(VILLAGE_A1, YEAR, through_month=6)
    assert report.semester
    assert "Semester I" in report.period_label
    assert report.revenue.realised == D(805_000_000)
    assert report.spending.realised == D(229_200_000)
    assert row(report, "02.03.10", "kegiatan").realised == D(150_000_000)


def test_reversal_inside_period_nets_to_zero_but_outside_it_counts(sequence):
    apbdes = sequence
    entry = spend(VILLAGE_A1, activity(apbdes, "01.02.02"), 5_000_000, day=dt.date(YEAR, 6, 28))
    with transaction.atomic():
        reverse(book=lock_book(VILLAGE_A1, YEAR), entry=entry, date=dt.date(YEAR, 7, 3), reason="batal")
    assert row(sel.lra(VILLAGE_A1, YEAR, through_month=6), "01.02.02", "kegiatan").realised == D(5_000_000)
    assert row(sel.lra(VILLAGE_A1, YEAR), "01.02.02", "kegiatan").realised == D(0)


def test_dana_desa_lra_only_dds(sequence):
    report = sel.lra(VILLAGE_A1, YEAR, source="DDS")
    assert report.revenue.budget == D(1_000_000_000)
    assert report.revenue.realised == D(1_000_000_000)
    assert report.spending.budget == D(1_030_000_000)
    assert report.spending.realised == D(293_200_000)
    assert report.financing_in.realised == D(30_000_000)
    codes = {r.code for r in report.rows if r.key == "kegiatan"}
    assert "01.01.01" not in codes and "02.03.10" in codes
    assert "DDS" in report.source_label


def test_lra_fast_few_queries(sequence, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        sel.lra(VILLAGE_A1, YEAR)


def test_lra_without_budget_or_book(world):
    report = sel.lra(VILLAGE_A2, YEAR)
    assert report.apbdes is None and report.revenue.realised == 0
    assert sel.activity_realisation(VILLAGE_A2, YEAR).rows == []
    assert sel.silpa_by_source(VILLAGE_A2, YEAR) == {}


def test_silpa_by_source(sequence):
    silpa = sel.silpa_by_source(VILLAGE_A1, YEAR)
    assert silpa == {
        "ADD": D(200_000_000 - 36_000_000),
        "DDS": D(1_030_000_000 - 293_200_000),
        "PAD": D(5_000_000),
    }
    assert sum(silpa.values()) == sel.lra(VILLAGE_A1, YEAR).silpa.realised


def test_silpa_carry_into_next_year_draft(sequence, world):
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    with pytest.raises(KampungError, match="Desember"):
        svc.silpa_carry(actor=treasurer, village_code=VILLAGE_A1, year=YEAR)
    close(VILLAGE_A1, YEAR, 12)
    with pytest.raises(KampungError, match="rancangan APBDes 2027"):
        svc.silpa_carry(actor=treasurer, village_code=VILLAGE_A1, year=YEAR)
    draft = make_apbdes(VILLAGE_A1, YEAR + 1, with_ceilings=False)
    assert FinancingLine.objects.filter(apbdes=draft, account__code="6.1.1.01").count() == 1
    with pytest.raises(NotPermitted):
        svc.silpa_carry(actor=world.user(Role.EXECUTOR, VILLAGE_A1), village_code=VILLAGE_A1, year=YEAR)
    lines = svc.silpa_carry(actor=treasurer, village_code=VILLAGE_A1, year=YEAR)
    got = {
        line.source_id: line.amount
        for line in FinancingLine.objects.filter(apbdes=draft, account__code="6.1.1.01")
    }
    assert got == sel.silpa_by_source(VILLAGE_A1, YEAR)
    assert len(lines) == 3
    # Replacing, not adding.
    svc.silpa_carry(actor=treasurer, village_code=VILLAGE_A1, year=YEAR)
    assert FinancingLine.objects.filter(apbdes=draft, account__code="6.1.1.01").count() == 3
    assert AuditEntry.objects.filter(act="finance.silpa.carry").count() == 2
    # An agreed draft is no longer editable.
    draft.status = ApbdesStatus.AGREED
    draft.save()
    with pytest.raises(KampungError, match="dapat diubah"):
        svc.silpa_carry(actor=treasurer, village_code=VILLAGE_A1, year=YEAR)


def test_activity_realisation_with_progress(sequence, world):
    road = activity(sequence, "02.03.10")
    with time_machine.travel(dt.datetime(YEAR, 9, 30, 10, 0), tick=False):
        svc.progress_record(
            actor=world.user(Role.EXECUTOR, VILLAGE_A1),
            activity=road,
            date=dt.date(YEAR, 6, 1),
            volume="150",
            percent="50",
        )
        svc.progress_record(
            actor=world.user(Role.SECRETARY, VILLAGE_A1),
            activity=road,
            date=dt.date(YEAR, 9, 20),
            volume=D(240),
            percent=D(80),
            stage=2,
        )
    result = sel.activity_realisation(VILLAGE_A1, YEAR)
    by = {r.code: r for r in result.rows}
    r = by["02.03.10"]
    assert r.budget == D(462_000_000) and r.realised == D(250_000_000)
    assert r.percent == D("54.11")
    assert r.output_volume == D(300) and r.output_unit == "m"
    assert r.output_realised == D(240) and r.progress == D(80) and r.stage == 2
    assert r.output_percent == D("80.00")
    assert by["01.01.04"].realised == 0 and by["01.01.04"].output_realised is None
    assert result.realised == D(329_200_000)


def _png(size: int = 8) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "green").save(buffer, format="PNG")
    return SimpleUploadedFile("foto.png", buffer.getvalue(), content_type="image/png")


def test_progress_refusals(sequence, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    road = activity(sequence, "02.03.10")
    executor = world.user(Role.EXECUTOR, VILLAGE_A1)
    with time_machine.travel(dt.datetime(YEAR, 9, 30, 10, 0), tick=False):
        common = {"actor": executor, "activity": road, "date": dt.date(YEAR, 9, 1), "volume": 10}
        with pytest.raises(KampungError, match="antara 0 dan 100"):
            svc.progress_record(**common, percent=101)
        with pytest.raises(KampungError, match="bukan angka"):
            svc.progress_record(**{**common, "volume": "abc"}, percent=1)
        with pytest.raises(KampungError, match="foto"):
            svc.progress_record(**common, percent=50, stage_complete=True)
        with pytest.raises(KampungError, match="JPEG atau PNG"):
            svc.progress_record(
                **common,
                percent=50,
                photo=SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
            )
        with pytest.raises(KampungError, match="setelah hari ini"):
            svc.progress_record(**{**common, "date": dt.date(YEAR, 10, 5)}, percent=1)
        with pytest.raises(NotPermitted):
            svc.progress_record(**{**common, "actor": world.user(Role.TREASURER, VILLAGE_A1)}, percent=1)
        with pytest.raises(NotPermitted):
            svc.progress_record(**{**common, "actor": world.user(Role.EXECUTOR, VILLAGE_A2)}, percent=1)
        assert ProgressReport.objects.count() == 0
        done = svc.progress_record(**common, percent=50, stage_complete=True, photo=_png())
    assert done.stage_complete and done.photo
    assert AuditEntry.objects.filter(act="finance.progress.record").count() == 1


def test_semester_submission(sequence, world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    with time_machine.travel(dt.datetime(YEAR, 7, 10, 9, 0), tick=False):
        with pytest.raises(KampungError, match="ditutup sampai bulan Juni"):
            svc.report_submit(
                actor=head, village_code=VILLAGE_A1, year=YEAR, kind="semester1", date=dt.date(YEAR, 7, 10)
            )
        close(VILLAGE_A1, YEAR, 6)
        with pytest.raises(KampungError, match="1 Juli"):
            svc.report_submit(
                actor=head, village_code=VILLAGE_A1, year=YEAR, kind="semester1", date=dt.date(YEAR, 6, 30)
            )
        with pytest.raises(NotPermitted):
            svc.report_submit(
                actor=world.user(Role.SECRETARY, VILLAGE_A1),
                village_code=VILLAGE_A1,
                year=YEAR,
                kind="semester1",
                date=dt.date(YEAR, 7, 10),
            )
        with pytest.raises(KampungError, match="tidak dikenal"):
            svc.report_submit(
                actor=head, village_code=VILLAGE_A1, year=YEAR, kind="x", date=dt.date(YEAR, 7, 10)
            )
        assert ReportSubmission.objects.count() == 0
        sent = svc.report_submit(
            actor=head,
            village_code=VILLAGE_A1,
            year=YEAR,
            kind="semester1",
            date=dt.date(YEAR, 7, 10),
            number="900/12",
        )
        assert sent.snapshot["belanja"]["realisasi"] == "229200000.00"
        assert sent.snapshot["dana_desa"]["pendapatan"]["realisasi"] == "600000000.00"
        assert ActRecord.objects.filter(act="finance.semester.submit", object_id=str(sent.pk)).exists()
        assert AuditEntry.objects.filter(act="finance.semester.submit").exists()
        with pytest.raises(KampungError, match="sudah disampaikan"):
            svc.report_submit(
                actor=head, village_code=VILLAGE_A1, year=YEAR, kind="semester1", date=dt.date(YEAR, 7, 10)
            )
        states = {s.kind: s for s in sel.submission_states(VILLAGE_A1, YEAR, today=dt.date(YEAR, 7, 20))}
        assert states["semester1"].state == "selesai"  # before 14 July: on time
        assert states["lpj"].state == "mendatang"


def test_lpj_submission_needs_december_closed(sequence, world):
    head = world.user(Role.HEAD, VILLAGE_A1)
    with time_machine.travel(dt.datetime(YEAR + 1, 4, 10, 9, 0), tick=False):
        close(VILLAGE_A1, YEAR, 11)
        with pytest.raises(KampungError, match="Desember"):
            svc.report_submit(
                actor=head, village_code=VILLAGE_A1, year=YEAR, kind="lpj", date=dt.date(YEAR + 1, 4, 2)
            )
        close(VILLAGE_A1, YEAR, 12)
        sent = svc.report_submit(
            actor=head, village_code=VILLAGE_A1, year=YEAR, kind="lpj", date=dt.date(YEAR + 1, 4, 2)
        )
        assert sent.snapshot["silpa_per_sumber"]["PAD"] == "5000000.00"
        states = {s.kind: s for s in sel.submission_states(VILLAGE_A1, YEAR, today=dt.date(YEAR + 1, 4, 10))}
        assert states["lpj"].state == "terlambat"  # after 31 March
        assert states["lpj"].is_problem
        assert ActRecord.objects.filter(act="finance.lpj.submit").count() == 1
