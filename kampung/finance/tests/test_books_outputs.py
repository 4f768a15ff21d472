"""The books as files: the BKU and the tax book as PDF (pdftotext) and Excel (openpyxl), the
bank, panjar and kegiatan books as Excel — with the ledger's figures."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.conftest import VILLAGE_A1, VILLAGE_B1
from kampung.core.formatting import number_id
from kampung.finance.ledger import Posting, balance, lock_book, post
from kampung.finance.models import ADVANCE, BANK, CASH, TAX_PAYABLE, Book, EntryKind, Spp, SppKind, SppStatus
from kampung.finance.services import treasury as svc
from kampung.finance.tests.exec_factories import make_executable

pytestmark = pytest.mark.django_db
D = Decimal
Y = 2026


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel("2026-12-20 09:00 +0700", tick=False):
        yield


def _url(kind, fmt, query=""):
    return reverse("finance:book_export", args=[VILLAGE_A1, Y, kind, fmt]) + query


def _sequence(world):
    apbdes = make_executable(VILLAGE_A1)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    common = {"actor": treasurer, "village_code": VILLAGE_A1, "year": Y}
    svc.receipt_record(
        **common,
        date=dt.date(Y, 3, 10),
        account_code="4.2.1.01",
        source_code="DDS",
        amount=D(400_000_000),
        payer="RKUD",
        description="Dana Desa tahap I",
        method="transfer",
        tranche=1,
    )
    svc.transfer_record(**common, date=dt.date(Y, 3, 11), direction="tarik", amount=D(10_000_000))
    road = apbdes.activities.get(activity_code__code="02.03.10")
    office = apbdes.activities.get(activity_code__code="01.01.04")
    book = Book.objects.get(village_id=VILLAGE_A1, year=Y)
    spp = Spp.objects.create(
        book=book,
        activity=road,
        kind=SppKind.DIRECT,
        number="SPP-LS-01",
        date=dt.date(Y, 3, 20),
        description="Semen",
        amount=D(50_000_000),
        payee_name="TB Maju",
        status=SppStatus.PAID,
    )
    um = Spp.objects.create(
        book=book,
        activity=office,
        kind=SppKind.ADVANCE,
        number="SPP-UM-01",
        date=dt.date(Y, 3, 20),
        description="ATK",
        amount=D(4_000_000),
        payee_name="Pelaksana",
        status=SppStatus.PAID,
        paid_on=dt.date(Y, 3, 22),
        spj_due=dt.date(Y, 4, 5),
    )
    with transaction.atomic():
        locked = lock_book(VILLAGE_A1, Y)
        post(
            book=locked,
            date=dt.date(Y, 3, 21),
            kind=EntryKind.PAYMENT,
            description="Bayar semen",
            doc=spp,
            doc_number=spp.number,
            postings=[
                Posting("5.3.5.03", debit=D(50_000_000), source="DDS", activity=road),
                Posting(BANK, credit=D(49_000_000)),
                Posting(TAX_PAYABLE, credit=D(1_000_000), tax="PPN"),
            ],
        )
        post(
            book=locked,
            date=dt.date(Y, 3, 22),
            kind=EntryKind.ADVANCE,
            description="Panjar ATK",
            doc=um,
            doc_number=um.number,
            postings=[
                Posting(ADVANCE, debit=D(4_000_000), activity=office),
                Posting(CASH, credit=D(4_000_000)),
            ],
        )
    svc.tax_deposit_record(
        **common, date=dt.date(Y, 4, 2), tax_code="PPN", amount=D(600_000), ntpn="0123456789ABCDEF"
    )
    return book


def _rows(content):
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_bku_excel_figures_equal_the_ledger(client, world):
    book = _sequence(world)
    client.force_login(world.user(Role.BPD, VILLAGE_A1))
    response = client.get(_url("bku", "xlsx", "?bulan=3"))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    rows = _rows(response.content)
    header = next(r for r in rows if r[0] == "No")
    assert header[:9] == (
        "No",
        "Tanggal",
        "Kode Rekening",
        "Uraian",
        "Penerimaan (Rp)",
        "Pengeluaran (Rp)",
        "No. Bukti",
        "Jumlah Pengeluaran Kumulatif (Rp)",
        "Saldo (Rp)",
    )
    total = next(r for r in rows if r[3] == "JUMLAH")
    assert (total[4], total[5]) == (400_000_000 + 1_000_000, 50_000_000 + 4_000_000)
    closing = next(r for r in rows if r[3] == "SALDO AKHIR")
    march_end = balance(book, CASH, through=dt.date(Y, 3, 31)) + balance(
        book, BANK, through=dt.date(Y, 3, 31)
    )
    assert closing[8] == march_end == 347_000_000
    assert any(r[2] == "PPN" and r[4] == 1_000_000 for r in rows)  # the PFK row
    assert any(isinstance(r[3], str) and r[3].startswith("Kepala Desa") for r in rows)
    year = _rows(client.get(_url("bku", "xlsx")).content)
    assert next(r for r in year if r[3] == "SALDO AKHIR")[8] == balance(book, CASH) + balance(book, BANK)


def test_other_books_in_excel(client, world):
    book = _sequence(world)
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    bank = _rows(client.get(_url("bank", "xlsx")).content)
    assert next(r for r in bank if r[3] == "JUMLAH")[6] == balance(book, BANK)
    tax = _rows(client.get(_url("pajak", "xlsx")).content)
    assert next(r for r in tax if r[3] == "JUMLAH")[5:7] == (1_000_000, 600_000)
    assert any(r[4] == "PPN" and r[7] == 400_000 for r in tax if r[0] is None)  # the summary
    panjar = _rows(client.get(_url("panjar", "xlsx")).content)
    row = next(r for r in panjar if r[1] == "SPP-UM-01")
    assert row[6:10] == (4_000_000, 0, 0, 4_000_000) and row[10] == balance(book, ADVANCE)
    kegiatan = _rows(client.get(_url("kegiatan", "xlsx", "?kegiatan=02.03.10")).content)
    assert any(r[2] == "SPP-LS-01" and r[4] == r[5] == 50_000_000 for r in kegiatan)
    assert client.get(_url("kegiatan", "xlsx", "?kegiatan=99.99.99")).status_code == 200  # falls back


def _pdf_text(content):
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_bku_and_tax_book_pdf(client, world):
    book = _sequence(world)
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    response = client.get(_url("bku", "pdf", "?bulan=3"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "BUKU KAS UMUM" in text.upper() and "Maret 2026" in text
    assert number_id(D(347_000_000)) in text and number_id(D(401_000_000)) in text
    assert "Kaur Keuangan" in text and "Mengetahui" in text
    text = _pdf_text(client.get(_url("bku", "pdf", "?bulan=4")).content)
    assert "Saldo awal bulan ini" in text and number_id(balance(book, CASH) + balance(book, BANK)) in text
    text = _pdf_text(client.get(_url("pajak", "pdf")).content)
    assert "BUKU PEMBANTU PAJAK" in text.upper() and "PPN" in text
    assert number_id(D(1_000_000)) in text and number_id(D(600_000)) in text and number_id(D(400_000)) in text


def test_exports_follow_access(client, world):
    make_executable(VILLAGE_A1)
    client.force_login(world.user(Role.TREASURER, VILLAGE_B1))
    assert client.get(_url("bku", "xlsx")).status_code == 404
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    assert client.get(_url("bku", "xlsx")).status_code == 200  # no book yet: an empty book
    assert client.get(_url("panjar", "pdf")).status_code == 404
