"""The execution flow end to end through the services, with the world's officials of one desa:
receipts → SPP UM → verify → approve → pay → SPJ → return of the rest → tax deposit → months
closed → semester I report; then the LRA shows the spending, and the BKU, the panjar book and
the kegiatan book agree with the balances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1
from kampung.core.errors import KampungError
from kampung.finance.ledger import balance
from kampung.finance.models import (
    ADVANCE,
    BANK,
    CASH,
    TAX_PAYABLE,
    AttachmentKind,
    Book,
    BudgetActivity,
    BudgetLine,
    JournalEntry,
    ReportSubmission,
    SppStatus,
)
from kampung.finance.selectors.ledger import book_balances
from kampung.finance.tests.exec_factories import make_executable

pytestmark = pytest.mark.django_db

YEAR = 2026
ROAD = "02.03.10"
M = Decimal(1_000_000)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% uji\n", content_type="application/pdf")


def test_advance_from_request_to_semester_report(world):
    from kampung.finance.selectors.books import activity_rows, advance_rows, bku_rows, tax_rows
    from kampung.finance.selectors.realisation import lra
    from kampung.finance.services import payments, reports, treasury

    executor = world.user(Role.EXECUTOR, VILLAGE_A1)
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    head = world.user(Role.HEAD, VILLAGE_A1)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    with time_machine.travel(dt.datetime(YEAR, 7, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        apbdes = make_executable(VILLAGE_A1, YEAR)

        def receive(day: dt.date, account: str, source: str, amount: Decimal, method: str, **kw) -> None:
            treasury.receipt_record(
                actor=treasurer,
                village_code=VILLAGE_A1,
                year=YEAR,
                date=day,
                account_code=account,
                source_code=source,
                amount=amount,
                payer="RKUD Banyuwangi",
                description=f"Penerimaan {account}",
                method=method,
                **kw,
            )

        receive(dt.date(YEAR, 1, 5), "6.1.1.01", "DDS", 30 * M, "transfer", reference="SALDO-AWAL")
        receive(dt.date(YEAR, 3, 12), "4.2.1.01", "DDS", 400 * M, "transfer", reference="SP2D-1", tranche=1)
        receive(dt.date(YEAR, 4, 20), "4.1.2.01", "PAD", 2 * M, "tunai")

        road = BudgetActivity.objects.select_related("apbdes", "activity_code").get(
            apbdes=apbdes, activity_code__code=ROAD
        )
        concrete = BudgetLine.objects.get(activity=road, description="Rabat beton")
        labour = BudgetLine.objects.get(activity=road, description="Upah tukang")

        # the executor asks, the secretary verifies, the head approves, the treasurer pays
        spp = payments.spp_create(
            actor=executor,
            activity=road,
            kind="UM",
            date=dt.date(YEAR, 6, 2),
            description="Panjar rabat beton tahap I",
            payee_name="TPK Desa Sarongan",
            lines=[(concrete.pk, 30 * M, "Rabat beton"), (labour.pk, 2 * M, "Upah tukang")],
        )
        assert spp.status == SppStatus.DRAFT and spp.amount == 32 * M
        payments.spp_submit(actor=executor, spp=spp)
        payments.spp_verify(actor=secretary, spp=spp, complete=True, correct=True, funds=True)
        payments.spp_approve(actor=head, spp=spp)
        payments.spp_pay(
            actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 3), method="transfer", reference="TRF-001"
        )
        spp.refresh_from_db()
        assert spp.status == SppStatus.PAID and spp.spj_due is not None
        book = Book.objects.get(village_id=VILLAGE_A1, year=YEAR)
        assert balance(book, ADVANCE, activity_code=ROAD) == 32 * M
        # an advance is not spending yet
        assert lra(VILLAGE_A1, YEAR).spending.realised == 0

        # SPJ with its receipt, PPh 22 withheld (no NPWP: 3 %), then the rest comes back
        payments.attachment_add(
            actor=executor, spp=spp, kind=AttachmentKind.RECEIPT, upload=_pdf("kuitansi.pdf"), for_spj=True
        )
        lines = {line.budget_line_id: line.pk for line in spp.lines.all()}
        payments.spj_record(
            actor=executor,
            spp=spp,
            date=dt.date(YEAR, 6, 10),
            spent={lines[concrete.pk]: 25 * M, lines[labour.pk]: 2 * M},
            taxes=[(lines[concrete.pk], "PPH22")],
        )
        payments.advance_return(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 11), method="tunai")
        spp.refresh_from_db()
        assert spp.status == SppStatus.ACCOUNTED and spp.returned_amount == 5 * M
        tax = Decimal(750_000)
        assert balance(book, TAX_PAYABLE, tax_code="PPH22") == tax
        treasury.tax_deposit_record(
            actor=treasurer,
            village_code=VILLAGE_A1,
            year=YEAR,
            date=dt.date(YEAR, 6, 15),
            tax_code="PPH22",
            amount=tax,
            billing_code="123456789012345",
            ntpn="0A1B2C3D4E5F6G7H",
            method="tunai",
        )

        # the LRA shows the spending on the road, per line account and for Dana Desa
        report = lra(VILLAGE_A1, YEAR)
        assert report.spending.realised == 27 * M
        assert report.revenue.realised == 402 * M
        assert report.financing_in.realised == 30 * M
        road_row = next(r for r in report.rows if r.key == "kegiatan" and r.code == ROAD)
        assert road_row.realised == 27 * M and road_row.budget == 462 * M
        assert lra(VILLAGE_A1, YEAR, through_month=6, source="DDS").spending.realised == 27 * M
        assert lra(VILLAGE_A1, YEAR, through_month=5).spending.realised == 0

        # the books agree with the balances
        money = book_balances(book)
        expected = 30 * M + 400 * M + 2 * M - 32 * M + tax + 5 * M - tax
        assert money[CASH] + money[BANK] == expected
        assert money[ADVANCE] == 0 and money[TAX_PAYABLE] == 0
        assert bku_rows(book)[-1].balance == expected
        panjar = advance_rows(book)
        assert len(panjar) == 1
        row = panjar[0]
        assert (row.given, row.accounted, row.returned, row.outstanding) == (32 * M, 27 * M, 5 * M, 0)
        kegiatan = activity_rows(book, ROAD)
        assert kegiatan[-1].balance == 0
        assert sum(r.spent for r in kegiatan) == 27 * M
        assert tax_rows(book)[-1].balance == 0

        # months closed in order; a closed month takes nothing
        for month in range(1, 7):
            treasury.month_close(actor=treasurer, village_code=VILLAGE_A1, year=YEAR, month=month)
        count = JournalEntry.objects.count()
        with pytest.raises(KampungError, match="ditutup"):
            receive(dt.date(YEAR, 6, 30), "4.1.2.01", "PAD", M, "tunai")
        assert JournalEntry.objects.count() == count

        # the head sends the semester I report with the figures of the LRA
        submission = reports.report_submit(
            actor=head, village_code=VILLAGE_A1, year=YEAR, kind="semester1", date=dt.date(YEAR, 7, 15)
        )
        assert ReportSubmission.objects.filter(book=book, kind="semester1").count() == 1
        assert submission.snapshot["belanja"]["realisasi"] == "27000000.00"
        assert submission.snapshot["dana_desa"]["belanja"]["realisasi"] == "27000000.00"
