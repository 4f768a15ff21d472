"""Treasury pages: GET/POST, who may write, refusals shown as messages, junk never a 500,
other villages and kelurahan 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_B1
from kampung.finance.models import (
    Book,
    CashTransfer,
    EntryKind,
    FinanceSetting,
    FinancingOutlay,
    JournalEntry,
    Receipt,
    TaxDeposit,
)
from kampung.finance.services import treasury as svc
from kampung.finance.tests.exec_factories import bank_receipt, make_executable

pytestmark = pytest.mark.django_db
Y = 2026
D = Decimal


@pytest.fixture(autouse=True)
def _mid_july():
    with time_machine.travel("2026-07-15 09:00 +0700", tick=False):
        yield


def url(name, *args, code=VILLAGE_A1, year=Y):
    return reverse(f"finance:{name}", args=[code, year, *args])


PAGES = [
    ("treasury_receipts",),
    ("treasury_transfers",),
    ("treasury_tax_deposits",),
    ("treasury_financing",),
    ("treasury_journal",),
    ("treasury_close",),
    ("book", "bku"),
    ("book", "bank"),
    ("book", "pajak"),
    ("book", "panjar"),
    ("book", "kegiatan"),
]


def _msgs(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_every_page_renders_empty_and_with_data(client, world):
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    for name, *args in PAGES:  # no book yet
        assert client.get(url(name, *args)).status_code == 200, name
    make_executable(VILLAGE_A1)
    bank_receipt(VILLAGE_A1, Y, 100_000_000)
    for name, *args in PAGES:
        response = client.get(url(name, *args))
        assert response.status_code == 200, name
        assert reverse("finance:exec_hub", args=[VILLAGE_A1, Y]) in response.content.decode()
    entry = JournalEntry.objects.get()
    assert client.get(url("treasury_entry", entry.number)).status_code == 200


@pytest.mark.parametrize(
    ("role", "region", "status"),
    [
        (Role.BPD, VILLAGE_A1, 200),
        (Role.HEAD, VILLAGE_A1, 200),
        (Role.CAMAT, DISTRICT_A, 200),
        (Role.DPMD, REGENCY, 200),
        (Role.TREASURER, VILLAGE_B1, 404),
        (Role.RESIDENT, VILLAGE_A1, 404),
    ],
)
def test_who_may_read(client, world, role, region, status):
    make_executable(VILLAGE_A1)
    client.force_login(world.user(role, region))
    for name, *args in PAGES:
        assert client.get(url(name, *args)).status_code == status, name


def test_kelurahan_and_bad_years_and_unknown_books_are_404(client, world):
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert client.get(url("treasury_receipts", code=KELURAHAN_B)).status_code == 404
    assert client.get(url("book", "bku", code=KELURAHAN_B)).status_code == 404
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    assert client.get(url("treasury_receipts", year=1900)).status_code == 404
    assert client.get(url("book", "rahasia")).status_code == 404
    assert client.get(url("book_export", "bank", "pdf")).status_code == 404
    assert client.get(url("book_export", "bku", "doc")).status_code == 404
    assert client.get(url("treasury_entry", 999)).status_code == 404
    assert client.get("/keuangan/desa/99.99/pelaksanaan/2026/penerimaan/").status_code == 404


def test_receipt_post_records_and_warns_over_budget(client, world):
    make_executable(VILLAGE_A1)
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    data = {
        "date": "2026-03-10",
        "account_code": "4.2.1.01",
        "source_code": "DDS",
        "amount": "1.100.000.000",
        "method": "transfer",
        "payer": "RKUD",
        "description": "DD tahap I",
        "tranche": "1",
        "earmarked": "on",
    }
    response = client.post(url("treasury_receipts"), data, follow=True)
    assert response.status_code == 200
    receipt = Receipt.objects.get()
    assert receipt.amount == D(1_100_000_000) and receipt.earmarked and receipt.tranche == 1
    assert any("melebihi anggaran" in m for m in _msgs(response))
    page = client.get(url("treasury_receipts")).content.decode()
    assert "0001/TBP/2026" in page and "Rp 1.100.000.000" in page


def test_receipt_refusal_is_a_message_and_nothing_changes(client, world):
    make_executable(VILLAGE_A1)
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    data = {
        "date": "2026-03-10",
        "account_code": "4.2.1.01",
        "source_code": "ADD",
        "amount": "1000",
        "method": "transfer",
        "payer": "x",
        "description": "y",
        "tranche": "1",
    }
    response = client.post(url("treasury_receipts"), data)
    assert response.status_code == 400
    assert any("tidak sesuai" in m for m in _msgs(response))
    assert not Receipt.objects.exists() and not JournalEntry.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"date": "kemarin", "amount": "banyak"},
        {
            "date": "2026-03-10",
            "account_code": "4.2.1.01",
            "source_code": "DDS",
            "amount": "1e999",
            "method": "transfer",
            "payer": "x",
            "description": "y",
        },
        {
            "date": "2026-03-10",
            "account_code": "' OR 1=1",
            "source_code": "<b>",
            "amount": "-1",
            "method": "emas",
            "payer": "x" * 500,
            "description": "y",
            "tranche": "x",
        },
        {
            "date": "9999-99-99",
            "account_code": "4.2.1.01",
            "source_code": "DDS",
            "amount": "1,5,5",
            "method": "transfer",
            "payer": "x",
            "description": "y",
        },
    ],
)
def test_junk_posts_never_500(client, world, data):
    make_executable(VILLAGE_A1)
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    for name in ("treasury_receipts", "treasury_transfers", "treasury_tax_deposits", "treasury_financing"):
        response = client.post(url(name), data)
        assert response.status_code == 400, name
        assert _msgs(response), name
    assert client.post(url("treasury_close_post"), data).status_code == 302
    assert client.post(url("treasury_close_post"), {"month": "13"}).status_code == 302
    assert not JournalEntry.objects.exists()
    assert (
        client.get(url("treasury_journal") + "?bulan=99&jenis=<x>&q=J-99999999999&page=abc").status_code
        == 200
    )
    assert client.get(url("book", "bku") + "?bulan=x").status_code == 200
    assert client.get(url("book", "kegiatan") + "?kegiatan=zz&bulan=0").status_code == 200


def test_non_treasurer_posts_are_refused(client, world):
    make_executable(VILLAGE_A1)
    bank_receipt(VILLAGE_A1, Y, 10_000_000)
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    page = client.get(url("treasury_transfers")).content.decode()
    assert "Hanya Kaur Keuangan" in page and "Simpan mutasi" not in page
    response = client.post(
        url("treasury_transfers"), {"date": "2026-03-10", "direction": "tarik", "amount": "1000"}
    )
    assert response.status_code == 400 and any("Kaur Keuangan" in m for m in _msgs(response))
    response = client.post(url("treasury_close_post"), {"month": "1"})
    assert response.status_code == 403
    assert Book.objects.get(village_id=VILLAGE_A1, year=Y).closed_through == 0
    client.force_login(world.user(Role.TREASURER, VILLAGE_B1))
    assert client.post(url("treasury_transfers"), {"direction": "tarik"}).status_code == 404
    assert CashTransfer.objects.count() == 0


def test_transfer_cash_limit_message(client, world):
    make_executable(VILLAGE_A1)
    bank_receipt(VILLAGE_A1, Y, 50_000_000)
    FinanceSetting.objects.create(regency_id=REGENCY, cash_limit=D(5_000_000))
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    response = client.post(
        url("treasury_transfers"), {"date": "2026-03-10", "direction": "tarik", "amount": "6.000.000"}
    )
    assert response.status_code == 400 and any("batas kas tunai" in m for m in _msgs(response))
    response = client.post(
        url("treasury_transfers"), {"date": "2026-03-10", "direction": "tarik", "amount": "5.000.000"}
    )
    assert response.status_code == 302 and CashTransfer.objects.count() == 1
    assert "Rp 5.000.000" in client.get(url("treasury_transfers")).content.decode()


def test_tax_deposit_and_financing_posts(client, world):
    from kampung.finance.ledger import Posting, lock_book, post
    from kampung.finance.models import BANK, TAX_PAYABLE, FinancingLine
    from kampung.finance.tests.factories import account, source

    apbdes = make_executable(VILLAGE_A1)
    FinancingLine.objects.create(
        apbdes=apbdes, account=account("6.2.1.01"), source=source("DDS"), amount=D(1_000_000)
    )
    bank_receipt(VILLAGE_A1, Y, 50_000_000)
    from django.db import transaction

    with transaction.atomic():
        book = lock_book(VILLAGE_A1, Y)
        road = apbdes.activities.get(activity_code__code="02.03.10")
        post(
            book=book,
            date=dt.date(Y, 4, 1),
            kind=EntryKind.PAYMENT,
            description="LS",
            postings=[
                Posting("5.3.5.03", debit=D(1_000_000), source="DDS", activity=road),
                Posting(BANK, credit=D(980_000)),
                Posting(TAX_PAYABLE, credit=D(20_000), tax="PPH23"),
            ],
        )
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    page = client.get(url("treasury_tax_deposits")).content.decode()
    assert "PPH23" in page and "Rp 20.000" in page
    bad = client.post(
        url("treasury_tax_deposits"),
        {"date": "2026-04-05", "tax_code": "PPH23", "amount": "20.000", "method": "transfer", "ntpn": "123"},
    )
    assert bad.status_code == 400 and any("NTPN" in m for m in _msgs(bad))
    ok = client.post(
        url("treasury_tax_deposits"),
        {
            "date": "2026-04-05",
            "tax_code": "PPH23",
            "amount": "20.000",
            "method": "transfer",
            "ntpn": "1234567890ABCDEF",
        },
    )
    assert ok.status_code == 302 and TaxDeposit.objects.get().amount == D(20_000)
    ok = client.post(
        url("treasury_financing"),
        {
            "date": "2026-04-06",
            "account_code": "6.2.1.01",
            "source_code": "DDS",
            "amount": "1.000.000",
            "method": "transfer",
            "description": "Dana cadangan",
        },
    )
    assert ok.status_code == 302 and FinancingOutlay.objects.get().amount == D(1_000_000)


def test_journal_filter_search_and_correction(client, world):
    make_executable(VILLAGE_A1)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    common = {"actor": treasurer, "village_code": VILLAGE_A1, "year": Y, "payer": "x", "method": "transfer"}
    first = svc.receipt_record(
        **common,
        date=dt.date(Y, 2, 1),
        account_code="4.1.2.01",
        source_code="PAD",
        amount=D(1_000_000),
        description="Sewa kios pasar",
    )
    svc.receipt_record(
        **common,
        date=dt.date(Y, 3, 1),
        account_code="4.3.6.01",
        source_code="DLL",
        amount=D(5_000),
        description="Bunga bank Maret",
    )
    client.force_login(treasurer)
    page = client.get(url("treasury_journal") + "?bulan=3").content.decode()
    assert "Bunga bank Maret" in page and "Sewa kios" not in page
    page = client.get(url("treasury_journal") + "?q=kios").content.decode()
    assert "Sewa kios" in page and "Bunga bank" not in page
    page = client.get(url("treasury_journal") + "?q=J-2").content.decode()
    assert "Bunga bank" in page
    page = client.get(url("treasury_journal") + "?jenis=koreksi").content.decode()
    assert "Tidak ada jurnal" in page
    detail = client.get(url("treasury_entry", first.entry.number)).content.decode()
    assert "Koreksi jurnal ini" in detail and "4.1.2.01" in detail
    refused = client.post(url("treasury_entry", first.entry.number), {"date": "2026-02-10", "reason": ""})
    assert refused.status_code == 400 and JournalEntry.objects.count() == 2
    done = client.post(
        url("treasury_entry", first.entry.number), {"date": "2026-02-10", "reason": "Salah rekening"}
    )
    assert done.status_code == 302
    mirror = JournalEntry.objects.get(kind=EntryKind.REVERSAL)
    assert mirror.reverses == first.entry and done["Location"].endswith(f"/jurnal/{mirror.number}/")
    detail = client.get(url("treasury_entry", first.entry.number)).content.decode()
    assert "Koreksi jurnal ini" not in detail and "Salah rekening" in detail
    assert "dikoreksi" in client.get(url("treasury_receipts")).content.decode()
    client.force_login(world.user(Role.HEAD, VILLAGE_A1))
    assert "Koreksi jurnal ini" not in client.get(url("treasury_entry", 2)).content.decode()
    response = client.post(url("treasury_entry", 2), {"date": "2026-03-10", "reason": "x"})
    assert response.status_code == 400 and JournalEntry.objects.count() == 3


def test_journal_is_paginated(client, world):
    make_executable(VILLAGE_A1)
    for i in range(55):
        bank_receipt(VILLAGE_A1, Y, 1000 + i)
    client.force_login(world.user(Role.BPD, VILLAGE_A1))
    page = client.get(url("treasury_journal")).content.decode()
    assert "Halaman 1 dari 2" in page
    assert "Halaman 2 dari 2" in client.get(url("treasury_journal") + "?page=2").content.decode()


def test_month_closing_page(client, world):
    make_executable(VILLAGE_A1)
    bank_receipt(VILLAGE_A1, Y, 1_000)
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    page = client.get(url("treasury_close")).content.decode()
    assert "Tutup buku bulan Januari 2026" in page
    response = client.post(url("treasury_close_post"), {"month": "2"}, follow=True)
    assert any("berurutan" in m for m in _msgs(response))
    for month in range(1, 7):
        client.post(url("treasury_close_post"), {"month": str(month)})
    assert Book.objects.get(village_id=VILLAGE_A1, year=Y).closed_through == 6
    page = client.get(url("treasury_close")).content.decode()
    assert "Tutup buku bulan Juli" not in page and "setelah bulan itu berakhir" in page
    response = client.post(url("treasury_close_post"), {"month": "7"}, follow=True)
    assert any("belum berakhir" in m for m in _msgs(response))
    page = client.get(url("treasury_receipts")).content.decode()
    assert "ditutup sampai bulan Juni" in page
    response = client.post(
        url("treasury_receipts"),
        {
            "date": "2026-06-30",
            "account_code": "4.1.2.01",
            "source_code": "PAD",
            "amount": "1000",
            "method": "tunai",
            "payer": "x",
            "description": "y",
        },
    )
    assert response.status_code == 400 and any("sudah ditutup" in m for m in _msgs(response))
