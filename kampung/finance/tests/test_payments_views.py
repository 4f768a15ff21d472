"""Payment pages: list, form, detail with acts per role, pay / SPJ / return forms, documents,
print, the advances page and the hub panel; scope (404) and bad input (never a 500)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import KELURAHAN_B, VILLAGE_A1, VILLAGE_B1
from kampung.finance.ledger import balance
from kampung.finance.models import BANK, TAX_PAYABLE, Book, JournalEntry, Spp, SppAttachment, SppStatus
from kampung.finance.services import payments as svc
from kampung.finance.tests.payments_helpers import (
    YEAR,
    activity,
    line,
    make_spp,
    pdf_upload,
    setup_village,
    to_approved,
)

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _in_2026():
    with time_machine.travel(dt.datetime(YEAR, 6, 15, 9, 0), tick=False):
        yield


def login(client, world, role, village=VILLAGE_A1):
    client.force_login(world.user(role, village))
    return client


def text(response) -> str:
    return response.content.decode()


def test_list_filters_search_and_empty_state(client, world):
    act = activity(setup_village())
    login(client, world, Role.EXECUTOR)
    url = reverse("finance:spp_list", args=[VILLAGE_A1, YEAR])
    response = client.get(url)
    assert response.status_code == 200 and 'data-testid="spp-empty"' in text(response)
    a = make_spp(world, act, {"Upah tukang": 2_000_000})
    b = make_spp(world, act, {"Rabat beton": 3_000_000}, kind="LS", payee_name="CV Sentosa")
    page = text(client.get(url))
    assert a.number in page and b.number in page
    page = text(client.get(url, {"q": "Sentosa"}))
    assert b.number in page and a.number not in page
    page = text(client.get(url, {"kind": "UM", "status": "draf", "kegiatan": "02.03.10"}))
    assert a.number in page and b.number not in page
    xlsx = client.get(url, {"format": "xlsx", "kind": "LS"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=4, values_only=True)] == [b.number]
    for bad in ({"page": "x"}, {"status": "<script>"}, {"page": "99999"}, {"kegiatan": "9" * 40}):
        assert client.get(url, bad).status_code == 200
    assert client.get(reverse("finance:spp_list", args=[VILLAGE_A1, 1500])).status_code == 404


def test_scope_other_village_and_kelurahan_404(client, world):
    act = activity(setup_village())
    spp = make_spp(world, act, {"Upah tukang": 2_000_000})
    login(client, world, Role.EXECUTOR, VILLAGE_B1)
    assert client.get(reverse("finance:spp_detail", args=[spp.pk])).status_code == 404
    assert client.get(reverse("finance:spp_list", args=[VILLAGE_A1, YEAR])).status_code == 404
    assert client.post(reverse("finance:spp_submit", args=[spp.pk])).status_code == 404
    assert client.get(reverse("finance:spp_print", args=[spp.pk])).status_code == 404
    assert client.get(reverse("finance:spp_detail", args=[999999])).status_code == 404
    client.logout()
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert client.get(reverse("finance:spp_list", args=[KELURAHAN_B, YEAR])).status_code == 404


def test_create_through_the_form(client, world):
    act = activity(setup_village())
    login(client, world, Role.EXECUTOR)
    url = reverse("finance:spp_create", args=[VILLAGE_A1, YEAR])
    assert client.get(url).status_code == 200
    page = text(client.get(url, {"activity": act.pk}))
    assert "Rabat beton" in page and "Sisa" in page
    rabat, upah = line(act, "Rabat beton"), line(act, "Upah tukang")
    data = {
        "activity": act.pk,
        "save": "1",
        "kind": "UM",
        "date": f"{YEAR}-06-10",
        "description": "Rabat beton tahap 1",
        "payee_name": "TPK",
        "stage": "1",
        "progress_percent": "0",
        f"amount_{rabat.pk}": "15.000.000",
        f"amount_{upah.pk}": "",
    }
    response = client.post(url, data)
    spp = Spp.objects.get()
    assert response.status_code == 302 and response.url == reverse("finance:spp_detail", args=[spp.pk])
    assert spp.amount == Decimal(15_000_000) and spp.lines.count() == 1
    # Refusals come back as a message on the form, nothing saved.
    for bad in (
        {f"amount_{rabat.pk}": "1.000.000.000"},
        {f"amount_{rabat.pk}": "abc"},
        {f"amount_{rabat.pk}": ""},
        {"date": "kemarin"},
        {"kind": "XX"},
        {"payee_npwp": "123"},
    ):
        response = client.post(url, {**data, **bad})
        assert response.status_code == 200
    assert Spp.objects.count() == 1
    # The treasurer cannot draft.
    client.logout()
    login(client, world, Role.TREASURER)
    assert client.get(url).status_code == 404
    assert client.get(url, {"activity": "abc"}).status_code == 404


def test_detail_acts_by_role_and_flow_through_pages(client, world):
    act = activity(setup_village())
    spp = make_spp(world, act, {"Upah tukang": 2_000_000})
    detail = reverse("finance:spp_detail", args=[spp.pk])
    login(client, world, Role.EXECUTOR)
    page = text(client.get(detail))
    assert 'data-testid="spp-submit"' in page and 'data-testid="spp-verify"' not in page
    client.post(reverse("finance:spp_submit", args=[spp.pk]))
    client.logout()
    login(client, world, Role.SECRETARY)
    assert 'data-testid="spp-verify"' in text(client.get(detail))
    response = client.post(reverse("finance:spp_verify", args=[spp.pk]), {"complete": "on"}, follow=True)
    assert "Semua butir" in text(response)
    client.post(
        reverse("finance:spp_verify", args=[spp.pk]), {"complete": "on", "correct": "on", "funds": "on"}
    )
    spp.refresh_from_db()
    assert spp.status == SppStatus.VERIFIED
    # The treasurer cannot approve (refused outright, no change).
    client.logout()
    login(client, world, Role.TREASURER)
    response = client.post(reverse("finance:spp_approve", args=[spp.pk]))
    assert response.status_code == 403
    spp.refresh_from_db()
    assert spp.status == SppStatus.VERIFIED
    client.logout()
    login(client, world, Role.HEAD)
    assert 'data-testid="spp-approve"' in text(client.get(detail))
    client.post(reverse("finance:spp_approve", args=[spp.pk]))
    spp.refresh_from_db()
    assert spp.status == SppStatus.APPROVED
    client.logout()
    login(client, world, Role.TREASURER)
    pay = reverse("finance:spp_pay", args=[spp.pk])
    assert client.get(pay).status_code == 200
    response = client.post(
        pay, {"date": f"{YEAR}-06-12", "method": "transfer", "reference": "", "save": "1"}, follow=True
    )
    assert "referensi" in text(response)
    response = client.post(
        pay, {"date": f"{YEAR}-06-12", "method": "transfer", "reference": "TRX-9", "save": "1"}
    )
    assert response.status_code == 302
    spp.refresh_from_db()
    assert spp.status == SppStatus.PAID
    # SPJ page, receipts, then SPJ with everything spent: the advance is closed at once.
    spj = reverse("finance:spp_spj", args=[spp.pk])
    assert client.get(spj).status_code == 200
    client.post(
        reverse("finance:spp_attach", args=[spp.pk]),
        {"kind": "kuitansi", "for_spj": "1", "file": pdf_upload("nota.pdf")},
    )
    assert SppAttachment.objects.filter(spp=spp, for_spj=True).count() == 1
    sl = spp.lines.get()
    response = client.post(spj, {"date": f"{YEAR}-06-14", f"spent_{sl.pk}": "x", "save": "1"})
    assert response.status_code == 200
    response = client.post(spj, {"date": f"{YEAR}-06-14", f"spent_{sl.pk}": "2.000.000", "save": "1"})
    assert response.status_code == 302
    spp.refresh_from_db()
    assert spp.status == SppStatus.ACCOUNTED
    page = text(client.get(detail))
    assert "finance.spp.pay" in page and "finance.spp.account" in page


def test_pay_page_previews_and_records_ls_taxes(client, world):
    act = activity(setup_village())
    spp = to_approved(
        world,
        make_spp(world, act, {"Rabat beton": 10_000_000}, kind="LS", payee_npwp="012345678901000"),
    )
    sl = spp.lines.get()
    login(client, world, Role.TREASURER)
    pay = reverse("finance:spp_pay", args=[spp.pk])
    page = text(client.get(pay))
    assert "PPH23" in page and "PPN" in page
    data = {"date": f"{YEAR}-06-12", "method": "cek", "reference": "CK1", f"tax_{sl.pk}": ["PPH4_2K", "PPN"]}
    page = text(client.post(pay, {**data, "preview": "1"}))
    assert 'data-testid="tax-preview"' in page and "175.000" in page and "1.100.000" in page
    assert not JournalEntry.objects.filter(kind="pembayaran").exists()
    assert client.post(pay, {**data, f"tax_{sl.pk}": ["NOPE"], "save": "1"}).status_code == 200
    assert client.post(pay, {**data, "save": "1"}).status_code == 302
    book = Book.objects.get(village_id=VILLAGE_A1, year=YEAR)
    assert balance(book, TAX_PAYABLE, tax_code="PPN") == Decimal(1_100_000)
    assert balance(book, BANK) == Decimal(500_000_000 - 10_000_000 + 1_275_000)


def test_documents_upload_download_remove(client, world):
    act = activity(setup_village())
    spp = make_spp(world, act, {"Upah tukang": 2_000_000})
    login(client, world, Role.EXECUTOR)
    attach = reverse("finance:spp_attach", args=[spp.pk])
    response = client.post(attach, {"kind": "kuitansi", "file": pdf_upload()}, follow=True)
    assert "Dokumen diunggah" in text(response)
    doc = SppAttachment.objects.get()
    got = client.get(reverse("finance:spp_attachment", args=[spp.pk, doc.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    response = client.post(attach, {"kind": "kuitansi"}, follow=True)
    assert "Pilih berkas" in text(response)
    response = client.post(attach, {"kind": "zzz", "file": pdf_upload()}, follow=True)
    assert "Jenis dokumen" in text(response)
    assert client.get(reverse("finance:spp_attachment", args=[spp.pk, 99999])).status_code == 404
    client.post(reverse("finance:spp_detach", args=[spp.pk, doc.pk]))
    assert not SppAttachment.objects.exists()


def test_reject_edit_and_cancel_pages(client, world):
    act = activity(setup_village())
    spp = make_spp(world, act, {"Upah tukang": 2_000_000})
    svc.spp_submit(actor=world.user(Role.EXECUTOR, VILLAGE_A1), spp=spp)
    login(client, world, Role.SECRETARY)
    response = client.post(reverse("finance:spp_reject", args=[spp.pk]), {"note": ""}, follow=True)
    assert "wajib" in text(response)
    client.post(reverse("finance:spp_reject", args=[spp.pk]), {"note": "Lampirkan kuitansi"})
    spp.refresh_from_db()
    assert spp.status == SppStatus.REJECTED
    client.logout()
    login(client, world, Role.EXECUTOR)
    assert "Lampirkan kuitansi" in text(client.get(reverse("finance:spp_detail", args=[spp.pk])))
    edit = reverse("finance:spp_edit", args=[spp.pk])
    assert client.get(edit).status_code == 200
    upah = line(act, "Upah tukang")
    response = client.post(
        edit,
        {
            "save": "1",
            "kind": "UM",
            "date": f"{YEAR}-06-11",
            "description": "Upah",
            "payee_name": "TPK",
            "stage": "1",
            f"amount_{upah.pk}": "1.250.000",
        },
    )
    assert response.status_code == 302
    spp.refresh_from_db()
    assert spp.amount == Decimal(1_250_000)
    client.post(reverse("finance:spp_cancel", args=[spp.pk]))
    spp.refresh_from_db()
    assert spp.status == SppStatus.CANCELLED
    assert client.get(edit).status_code == 302  # not editable any more: back to the detail


def test_print_pdf(client, world):
    act = activity(setup_village())
    spp = make_spp(world, act, {"Upah tukang": 2_000_000})
    login(client, world, Role.HEAD)
    response = client.get(reverse("finance:spp_print", args=[spp.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_advances_page_and_hub_panel_show_overdue(client, world):
    act = activity(setup_village())
    spp = to_approved(world, make_spp(world, act, {"Upah tukang": 2_000_000}, day=dt.date(YEAR, 5, 4)))
    svc.spp_pay(
        actor=world.user(Role.TREASURER, VILLAGE_A1),
        spp=spp,
        date=dt.date(YEAR, 5, 5),
        method="transfer",
        reference="T",
    )
    login(client, world, Role.TREASURER)
    page = text(client.get(reverse("finance:spp_advances", args=[VILLAGE_A1, YEAR])))
    assert spp.number in page and 'data-testid="overdue-count"' in page and "terlambat" in page
    hub = text(client.get(reverse("finance:exec_hub", args=[VILLAGE_A1, YEAR])))
    assert 'data-testid="hub-overdue"' in hub and spp.number in hub
    assert "Dibayar</a>: 1" in hub


def test_hub_panel_waiting_for_the_secretary(client, world):
    act = activity(setup_village())
    spp = make_spp(world, act, {"Upah tukang": 2_000_000})
    svc.spp_submit(actor=world.user(Role.EXECUTOR, VILLAGE_A1), spp=spp)
    login(client, world, Role.SECRETARY)
    hub = text(client.get(reverse("finance:exec_hub", args=[VILLAGE_A1, YEAR])))
    assert "1 SPP perlu diverifikasi" in hub


def test_get_on_post_only_urls_is_refused(client, world):
    act = activity(setup_village())
    spp = make_spp(world, act, {"Upah tukang": 2_000_000})
    login(client, world, Role.EXECUTOR)
    for name in (
        "spp_submit",
        "spp_verify",
        "spp_approve",
        "spp_reject",
        "spp_cancel",
        "spp_return",
        "spp_attach",
    ):
        assert client.get(reverse(f"finance:{name}", args=[spp.pk])).status_code == 405


def test_bad_input_on_pay_spj_and_return_never_500(client, world):
    act = activity(setup_village())
    spp = to_approved(world, make_spp(world, act, {"Upah tukang": 2_000_000}))
    login(client, world, Role.TREASURER)
    pay = reverse("finance:spp_pay", args=[spp.pk])
    for data in (
        {"date": "31-31-2026", "method": "transfer", "save": "1"},
        {"date": f"{YEAR}-06-12", "method": "emas", "save": "1"},
        {"date": f"{YEAR + 3}-06-12", "method": "tunai", "save": "1"},
        {"date": f"{YEAR}-06-12", "method": "tunai", "preview": "1", "tax_1": "PPH23"},
        {},
    ):
        assert client.post(pay, data).status_code == 200
    spp.refresh_from_db()
    assert spp.status == SppStatus.APPROVED and not JournalEntry.objects.filter(kind="panjar").exists()
    # SPJ and return before payment: refused with a message.
    spj = reverse("finance:spp_spj", args=[spp.pk])
    sl = spp.lines.get()
    assert client.post(spj, {"date": f"{YEAR}-06-12", f"spent_{sl.pk}": "1000", "save": "1"}).status_code in (
        200,
        302,
    )
    assert client.post(spj, {"date": "x", f"spent_{sl.pk}": "-5", "save": "1"}).status_code == 200
    response = client.post(
        reverse("finance:spp_return", args=[spp.pk]), {"date": "", "method": "x"}, follow=True
    )
    assert response.status_code == 200 and "Isi tanggal" in text(response)
    response = client.post(
        reverse("finance:spp_return", args=[spp.pk]),
        {"date": f"{YEAR}-06-12", "method": "tunai"},
        follow=True,
    )
    assert "tidak dapat dicatat" in text(response)
    spp.refresh_from_db()
    assert spp.status == SppStatus.APPROVED and spp.spj_entry_id is None
