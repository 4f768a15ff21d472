"""Payment requests (SPP): refusals leave nothing behind, the UM and LS flows with taxes,
disbursement control, reversals, attachments and the dated tax table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import VILLAGE_A1, VILLAGE_B1
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance import taxes
from kampung.finance.ledger import balance, lock_book, reverse
from kampung.finance.models import (
    ADVANCE,
    BANK,
    CASH,
    TAX_PAYABLE,
    ApbdesStatus,
    AttachmentKind,
    Book,
    DocStatus,
    Dpa,
    FinanceSetting,
    JournalEntry,
    JournalLine,
    ProgressReport,
    Rak,
    Spp,
    SppAttachment,
    SppStatus,
    SppTax,
    TaxRate,
)
from kampung.finance.selectors import payments as sel
from kampung.finance.services import payments as svc
from kampung.finance.tests.payments_helpers import (
    YEAR,
    activity,
    line,
    make_spp,
    pdf_upload,
    png_upload,
    setup_village,
    to_approved,
)
from kampung.regions.calendar import add_working_days
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

ZERO = Decimal(0)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def book() -> Book:
    return Book.objects.get(village_id=VILLAGE_A1, year=YEAR)


def spending(code: str = "02.03.10") -> Decimal:
    sums = JournalLine.objects.filter(
        book__village_id=VILLAGE_A1, activity_code=code, account_code__startswith="5"
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (sums["d"] or ZERO) - (sums["c"] or ZERO)


def nothing_left() -> None:
    assert not Spp.objects.exists()
    assert not JournalEntry.objects.exclude(kind="penerimaan").exists()


# -- creation and its refusals -------------------------------------------------------------


def test_create_numbers_per_book_and_records_lines(world):
    act = activity(setup_village())
    spp = make_spp(world, act, {"Rabat beton": 30_000_000, "Upah tukang": 2_000_000})
    assert spp.status == SppStatus.DRAFT
    assert spp.number == f"0001/SPP-UM/{YEAR}"
    assert spp.amount == Decimal(32_000_000)
    assert sorted(spp.lines.values_list("amount", flat=True)) == [Decimal(2_000_000), Decimal(30_000_000)]
    second = make_spp(world, act, {"Rabat beton": 1_000_000}, kind="LS")
    assert second.number == f"0002/SPP-LS/{YEAR}"
    assert AuditEntry.objects.filter(act="finance.spp.create", object_id=str(spp.pk)).exists()


@pytest.mark.parametrize(
    ("amounts", "day", "message"),
    [
        # Upah tukang: 100 HOK x 120.000 = 12 jt; asking 13 jt passes the line.
        ({"Upah tukang": 13_000_000}, dt.date(YEAR, 12, 1), "melebihi sisa anggarannya"),
        # RAK of the road to January: 450 jt / 12 + 12 jt / 12 = 38,5 jt.
        ({"Rabat beton": 40_000_000}, dt.date(YEAR, 1, 20), "melebihi sisa RAK"),
        ({"Rabat beton": 0}, dt.date(YEAR, 6, 1), "lebih dari nol"),
        ({"Rabat beton": 1_000_000}, dt.date(YEAR + 1, 1, 5), "tahun anggaran"),
    ],
)
def test_create_refusals_leave_nothing(world, amounts, day, message):
    act = activity(setup_village())
    with pytest.raises(KampungError, match=message):
        make_spp(world, act, amounts, day=day)
    nothing_left()


def test_create_refused_past_the_kegiatan_budget(world):
    apbdes = setup_village()
    act = activity(apbdes, "01.01.04")  # ATK ADD 60 jt + ATK PAD 20 jt = 80 jt
    make_spp(world, act, {"ATK dan operasional": 60_000_000}, day=dt.date(YEAR, 12, 1))
    spp = Spp.objects.get()
    svc.spp_submit(actor=world.user(Role.EXECUTOR, VILLAGE_A1), spp=spp)  # reserves 60 jt
    with pytest.raises(KampungError, match=r"sisa anggaran kegiatan 01\.01\.04 Rp.20\.000\.000"):
        make_spp(
            world,
            act,
            {"ATK dan operasional": 1_000_000, "ATK dari PAD": 20_000_000},
            day=dt.date(YEAR, 12, 1),
        )
    assert Spp.objects.count() == 1


def test_create_refused_without_cash(world):
    act = activity(setup_village(bank=0))
    with pytest.raises(KampungError, match="Kas desa tidak cukup"):
        make_spp(world, act, {"Rabat beton": 1_000_000})
    nothing_left()


@pytest.mark.parametrize("what", ["dpa", "rak", "apbdes"])
def test_create_needs_dpa_rak_and_enacted_budget(world, what):
    apbdes = setup_village()
    act = activity(apbdes)
    if what == "dpa":
        Dpa.objects.filter(activity=act).update(status=DocStatus.VERIFIED)
        message = "DPA kegiatan 02.03.10 belum disetujui"
    elif what == "rak":
        Rak.objects.filter(apbdes=apbdes).update(status=DocStatus.DRAFT)
        message = "RAK Desa belum disetujui"
    else:
        type(apbdes).objects.filter(pk=apbdes.pk).update(status=ApbdesStatus.APPROVED)
        message = "Belum ada APBDes"
    with pytest.raises(KampungError, match=message):
        make_spp(world, act, {"Rabat beton": 1_000_000})
    nothing_left()


def test_only_executor_or_secretary_of_the_village_create(world):
    act = activity(setup_village())
    for user in (world.user(Role.TREASURER, VILLAGE_A1), world.user(Role.EXECUTOR, VILLAGE_B1)):
        with pytest.raises(NotPermitted):
            make_spp(world, act, {"Rabat beton": 1_000_000}, actor=user)
    make_spp(world, act, {"Rabat beton": 1_000_000}, actor=world.user(Role.SECRETARY, VILLAGE_A1))
    assert Spp.objects.count() == 1


def test_named_executor_only(world):
    act = activity(setup_village())
    act.executor = world.user(Role.SECRETARY, VILLAGE_A1)
    act.save()
    with pytest.raises(NotPermitted, match="Hanya pelaksana"):
        make_spp(world, act, {"Rabat beton": 1_000_000})


def test_bad_npwp_and_account(world):
    act = activity(setup_village())
    with pytest.raises(KampungError, match="NPWP"):
        make_spp(world, act, {"Rabat beton": 1_000_000}, payee_npwp="12345")
    with pytest.raises(KampungError, match="rekening"):
        make_spp(world, act, {"Rabat beton": 1_000_000}, payee_account="abc")
    nothing_left()


# -- the UM flow ---------------------------------------------------------------------------


def test_advance_flow_verify_approve_pay_spj_return(world):
    act = activity(setup_village())
    executor = world.user(Role.EXECUTOR, VILLAGE_A1)
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    head = world.user(Role.HEAD, VILLAGE_A1)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    spp = make_spp(world, act, {"Rabat beton": 30_000_000, "Upah tukang": 2_000_000})
    svc.spp_submit(actor=executor, spp=spp)
    assert spp.status == SppStatus.SUBMITTED
    with pytest.raises(KampungError, match="Semua butir"):
        svc.spp_verify(actor=secretary, spp=spp, complete=True, correct=False, funds=True)
    with pytest.raises(NotPermitted):
        svc.spp_verify(actor=treasurer, spp=spp, complete=True, correct=True, funds=True)
    with pytest.raises(KampungError):  # the head cannot approve before verification
        svc.spp_approve(actor=head, spp=spp)
    svc.spp_verify(actor=secretary, spp=spp, complete=True, correct=True, funds=True, note="lengkap")
    assert spp.status == SppStatus.VERIFIED and spp.check_funds
    for user in (treasurer, secretary):
        with pytest.raises(NotPermitted):
            svc.spp_approve(actor=user, spp=spp)
    svc.spp_approve(actor=head, spp=spp)
    assert spp.status == SppStatus.APPROVED
    with pytest.raises(NotPermitted):
        svc.spp_pay(actor=head, spp=spp, date=dt.date(YEAR, 6, 2), method="transfer", reference="TRX1")
    with pytest.raises(KampungError, match="referensi"):
        svc.spp_pay(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 2), method="transfer")
    with pytest.raises(KampungError, match="Kas tunai tidak cukup"):
        svc.spp_pay(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 2), method="tunai")
    assert spp.status == SppStatus.APPROVED and spp.entry_id is None
    bank_before = balance(book(), BANK)
    entry = svc.spp_pay(
        actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 2), method="transfer", reference="TRX1"
    )
    spp.refresh_from_db()
    assert spp.status == SppStatus.PAID and spp.entry == entry
    assert balance(book(), BANK) == bank_before - Decimal(32_000_000)
    assert balance(book(), ADVANCE, activity_code="02.03.10") == Decimal(32_000_000)
    village = Region.objects.get(code=VILLAGE_A1)
    assert spp.spj_due == add_working_days(village, dt.date(YEAR, 6, 2), 10)
    # Outstanding advance counts against the kegiatan.
    figures = sel.funds(act, 12)
    assert figures.advances == Decimal(32_000_000) and figures.realised == ZERO

    # SPJ: receipts first, spent ≤ requested.
    lines = {sl.budget_line.description: sl for sl in spp.lines.select_related("budget_line")}
    spent = {lines["Rabat beton"].pk: Decimal(25_000_000), lines["Upah tukang"].pk: Decimal(2_000_000)}
    with pytest.raises(KampungError, match="bukti SPJ"):
        svc.spj_record(actor=executor, spp=spp, date=dt.date(YEAR, 6, 10), spent=spent)
    svc.attachment_add(
        actor=executor, spp=spp, kind=AttachmentKind.RECEIPT, upload=pdf_upload("kuitansi.pdf"), for_spj=True
    )
    with pytest.raises(KampungError, match="melebihi jumlah panjar"):
        svc.spj_record(
            actor=executor, spp=spp, date=dt.date(YEAR, 6, 10), spent={lines["Upah tukang"].pk: 2_500_000}
        )
    spj = svc.spj_record(
        actor=executor,
        spp=spp,
        date=dt.date(YEAR, 6, 10),
        spent=spent,
        taxes=[(lines["Rabat beton"].pk, "PPH22")],  # 1,5 % with NPWP? no NPWP → 3 %
    )
    assert spj.kind == "spj"
    assert spending() == Decimal(27_000_000)
    assert balance(book(), ADVANCE, activity_code="02.03.10") == Decimal(5_000_000)
    assert balance(book(), TAX_PAYABLE, tax_code="PPH22") == Decimal(750_000)
    assert balance(book(), CASH) == Decimal(750_000)
    with pytest.raises(NotPermitted):
        svc.advance_return(actor=executor, spp=spp, date=dt.date(YEAR, 6, 11), method="tunai")
    ret = svc.advance_return(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 11), method="tunai")
    spp.refresh_from_db()
    assert ret is not None and spp.status == SppStatus.ACCOUNTED
    assert spp.returned_amount == Decimal(5_000_000)
    assert balance(book(), ADVANCE, activity_code="02.03.10") == ZERO
    assert balance(book(), CASH) == Decimal(5_750_000)
    assert sel.funds(act, 12).remaining == Decimal(462_000_000 - 27_000_000)
    acts = list(
        AuditEntry.objects.filter(object_type="finance.Spp", object_id=str(spp.pk)).values_list(
            "act", flat=True
        )
    )
    for expected in (
        "finance.spp.create",
        "finance.spp.submit",
        "finance.spp.verify",
        "finance.spp.approve",
        "finance.spp.pay",
        "finance.spp.spj",
        "finance.spp.account",
    ):
        assert expected in acts


def test_return_with_nothing_left_posts_nothing(world):
    act = activity(setup_village())
    spp = to_approved(world, make_spp(world, act, {"Upah tukang": 2_000_000}))
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    svc.spp_pay(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 2), method="transfer", reference="T")
    svc.attachment_add(
        actor=treasurer, spp=spp, kind=AttachmentKind.RECEIPT, upload=png_upload(), for_spj=True
    )
    sl = spp.lines.get()
    svc.spj_record(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 3), spent={sl.pk: 2_000_000})
    count = JournalEntry.objects.count()
    assert svc.advance_return(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 3), method="tunai") is None
    spp.refresh_from_db()
    assert spp.status == SppStatus.ACCOUNTED and JournalEntry.objects.count() == count


def test_overdue_advances(world):
    act = activity(setup_village())
    spp = to_approved(world, make_spp(world, act, {"Upah tukang": 2_000_000}))
    svc.spp_pay(
        actor=world.user(Role.TREASURER, VILLAGE_A1),
        spp=spp,
        date=dt.date(YEAR, 6, 2),
        method="transfer",
        reference="T",
    )
    spp.refresh_from_db()
    assert sel.overdue_advances(VILLAGE_A1, YEAR, spp.spj_due) == []
    late = sel.overdue_advances(VILLAGE_A1, YEAR, spp.spj_due + dt.timedelta(days=1))
    assert [s.pk for s in late] == [spp.pk]


def test_regency_setting_changes_the_spj_due(world):
    act = activity(setup_village())
    FinanceSetting.objects.create(regency_id="35.10", advance_working_days=5)
    spp = to_approved(world, make_spp(world, act, {"Upah tukang": 2_000_000}))
    svc.spp_pay(
        actor=world.user(Role.TREASURER, VILLAGE_A1),
        spp=spp,
        date=dt.date(YEAR, 6, 2),
        method="transfer",
        reference="T",
    )
    spp.refresh_from_db()
    assert spp.spj_due == add_working_days(Region.objects.get(code=VILLAGE_A1), dt.date(YEAR, 6, 2), 5)


# -- LS with taxes -------------------------------------------------------------------------


def test_direct_payment_needs_the_handover_and_withholds_taxes(world):
    act = activity(setup_village())
    executor = world.user(Role.EXECUTOR, VILLAGE_A1)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    spp = make_spp(
        world,
        act,
        {"Rabat beton": 20_000_000, "Upah tukang": 3_000_000},
        kind="LS",
        payee_npwp="01.234.567.8-901.000",
        payee_bank="Bank Jatim",
        payee_account="0011223344",
    )
    with pytest.raises(KampungError, match="berita acara penerimaan"):
        svc.spp_submit(actor=executor, spp=spp)
    assert spp.status == SppStatus.DRAFT
    spp = to_approved(world, spp)
    lines = {sl.budget_line.description: sl.pk for sl in spp.lines.select_related("budget_line")}
    with pytest.raises(KampungError, match="tidak berlaku"):
        svc.spp_pay(
            actor=treasurer,
            spp=spp,
            date=dt.date(YEAR, 6, 5),
            method="transfer",
            reference="T",
            taxes=[(lines["Rabat beton"], "PPH99")],
        )
    bank_before = balance(book(), BANK)
    svc.spp_pay(
        actor=treasurer,
        spp=spp,
        date=dt.date(YEAR, 6, 5),
        method="cek",
        reference="CK-001",
        taxes=[
            (lines["Rabat beton"], "PPH4_2K"),  # 1,75 % of 20 jt = 350.000
            (lines["Rabat beton"], "PPN"),  # 11 % of 20 jt = 2.200.000
            (lines["Upah tukang"], "PPH23"),  # 2 % of 3 jt (NPWP) = 60.000
        ],
    )
    spp.refresh_from_db()
    assert spp.status == SppStatus.PAID and spp.payment_reference == "CK-001"
    assert spending() == Decimal(23_000_000)
    assert balance(book(), TAX_PAYABLE, tax_code="PPH4_2K") == Decimal(350_000)
    assert balance(book(), TAX_PAYABLE, tax_code="PPN") == Decimal(2_200_000)
    assert balance(book(), TAX_PAYABLE, tax_code="PPH23") == Decimal(60_000)
    assert balance(book(), BANK) == bank_before - Decimal(23_000_000 - 2_610_000)
    assert SppTax.objects.filter(spp=spp, stage="bayar").count() == 3
    assert sel.funds(act, 12).remaining == Decimal(462_000_000 - 23_000_000)


def test_taxes_not_on_advances_at_payment(world):
    act = activity(setup_village())
    spp = to_approved(world, make_spp(world, act, {"Upah tukang": 2_000_000}))
    sl = spp.lines.get()
    with pytest.raises(KampungError, match="tidak dipotong pajak"):
        svc.spp_pay(
            actor=world.user(Role.TREASURER, VILLAGE_A1),
            spp=spp,
            date=dt.date(YEAR, 6, 2),
            method="transfer",
            reference="T",
            taxes=[(sl.pk, "PPH23")],
        )
    assert not JournalEntry.objects.filter(kind="panjar").exists()


def test_payment_rechecks_the_budget_under_the_lock(world):
    """An approved SPP whose money went elsewhere meanwhile is refused at payment."""
    act = activity(setup_village())
    spp = to_approved(world, make_spp(world, act, {"Upah tukang": 10_000_000}, day=dt.date(YEAR, 12, 1)))
    # Another payment of the same line written around the services (e.g. older data).
    from django.db import transaction

    from kampung.finance.ledger import Posting, post

    with transaction.atomic():
        b = lock_book(VILLAGE_A1, YEAR)
        post(
            book=b,
            date=dt.date(YEAR, 6, 1),
            kind="pembayaran",
            description="lain",
            postings=[
                Posting(
                    "5.3.5.02",
                    debit=Decimal(5_000_000),
                    source="DDS",
                    activity=act,
                    budget_line_id=line(act, "Upah tukang").pk,
                ),
                Posting(BANK, credit=Decimal(5_000_000)),
            ],
        )
    with pytest.raises(KampungError, match="Upah tukang"):
        svc.spp_pay(
            actor=world.user(Role.TREASURER, VILLAGE_A1),
            spp=spp,
            date=dt.date(YEAR, 12, 2),
            method="transfer",
            reference="T",
        )
    spp.refresh_from_db()
    assert spp.status == SppStatus.APPROVED and spp.entry_id is None


# -- reservations, rejection, cancel -------------------------------------------------------


def test_reject_edit_resubmit_and_cancel(world):
    act = activity(setup_village())
    executor = world.user(Role.EXECUTOR, VILLAGE_A1)
    secretary = world.user(Role.SECRETARY, VILLAGE_A1)
    spp = make_spp(world, act, {"Upah tukang": 2_000_000})
    svc.spp_submit(actor=executor, spp=spp)
    with pytest.raises(KampungError, match="Catatan"):
        svc.spp_reject(actor=secretary, spp=spp, note=" ")
    with pytest.raises(NotPermitted):
        svc.spp_reject(actor=world.user(Role.HEAD, VILLAGE_A1), spp=spp, note="x")
    svc.spp_reject(actor=secretary, spp=spp, note="Kuitansi belum ada")
    assert spp.status == SppStatus.REJECTED and spp.verification_note == "Kuitansi belum ada"
    svc.spp_update(
        actor=executor,
        spp=spp,
        kind="UM",
        date=dt.date(YEAR, 6, 3),
        description="Diperbaiki",
        payee_name="TPK",
        lines=[(line(act, "Upah tukang").pk, Decimal(1_500_000), "")],
    )
    spp.refresh_from_db()
    assert spp.amount == Decimal(1_500_000) and spp.status == SppStatus.REJECTED
    svc.spp_submit(actor=executor, spp=spp)
    assert spp.status == SppStatus.SUBMITTED
    with pytest.raises(KampungError, match="tidak dapat dibatalkan"):
        svc.spp_cancel(actor=executor, spp=spp)
    svc.spp_reject(actor=secretary, spp=spp, note="Salah kegiatan")
    svc.spp_cancel(actor=executor, spp=spp)
    assert spp.status == SppStatus.CANCELLED
    assert sel.funds(act, 12).reserved == ZERO


def test_head_and_treasurer_may_send_back(world):
    act = activity(setup_village())
    spp = to_approved(world, make_spp(world, act, {"Upah tukang": 2_000_000}))
    with pytest.raises(NotPermitted):
        svc.spp_reject(actor=world.user(Role.HEAD, VILLAGE_A1), spp=spp, note="x")
    svc.spp_reject(actor=world.user(Role.TREASURER, VILLAGE_A1), spp=spp, note="Rekening salah")
    assert spp.status == SppStatus.REJECTED


# -- disbursement control ------------------------------------------------------------------


def _stage_two(world, act):
    spp = make_spp(world, act, {"Upah tukang": 2_000_000}, stage=2)
    svc.spp_submit(actor=world.user(Role.EXECUTOR, VILLAGE_A1), spp=spp)
    svc.spp_verify(
        actor=world.user(Role.SECRETARY, VILLAGE_A1), spp=spp, complete=True, correct=True, funds=True
    )
    return spp


def test_stage_two_needs_stage_one_reported_complete_with_a_photo(world):
    act = activity(setup_village())
    spp = _stage_two(world, act)
    head = world.user(Role.HEAD, VILLAGE_A1)
    with pytest.raises(KampungError, match="tahap 1 belum dilaporkan selesai"):
        svc.spp_approve(actor=head, spp=spp)
    common = {"activity": act, "book": book(), "activity_code": "02.03.10", "date": dt.date(YEAR, 5, 1)}
    ProgressReport.objects.create(**common, stage=1, percent=50, stage_complete=True)  # no photo
    ProgressReport.objects.create(**common, stage=1, percent=40, stage_complete=False, photo="x.png")
    with pytest.raises(KampungError, match="tahap 1"):
        svc.spp_approve(actor=head, spp=spp)
    assert spp.status == SppStatus.VERIFIED
    ProgressReport.objects.create(**common, stage=1, percent=50, stage_complete=True, photo="y.png")
    svc.spp_approve(actor=head, spp=spp)
    assert spp.status == SppStatus.APPROVED


def test_stage_control_off_by_regency_setting(world):
    act = activity(setup_village())
    FinanceSetting.objects.create(regency_id="35.10", require_stage_complete=False)
    spp = _stage_two(world, act)
    svc.spp_approve(actor=world.user(Role.HEAD, VILLAGE_A1), spp=spp)
    assert spp.status == SppStatus.APPROVED


# -- reversal ------------------------------------------------------------------------------


def test_after_reversal_puts_the_spp_back(world):
    act = activity(setup_village())
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    spp = to_approved(world, make_spp(world, act, {"Upah tukang": 2_000_000}))
    entry = svc.spp_pay(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 2), method="transfer", reference="T")
    svc.attachment_add(
        actor=treasurer, spp=spp, kind=AttachmentKind.RECEIPT, upload=pdf_upload(), for_spj=True
    )
    sl = spp.lines.get()
    spj = svc.spj_record(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 3), spent={sl.pk: 1_000_000})
    ret = svc.advance_return(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 4), method="transfer")
    from django.db import transaction

    def undo(e):
        with transaction.atomic():
            mirror = reverse(
                book=lock_book(VILLAGE_A1, YEAR), entry=e, date=dt.date(YEAR, 6, 5), reason="salah"
            )
            return svc.after_reversal(mirror)

    with transaction.atomic():
        with pytest.raises(KampungError, match="pengembalian"):
            svc.after_reversal(spj)
    assert undo(ret).status == SppStatus.PAID
    spp.refresh_from_db()
    assert spp.returned_amount == ZERO and spp.return_entry_id is None
    assert undo(spj).status == SppStatus.PAID
    spp.refresh_from_db()
    assert spp.spj_entry_id is None and spp.lines.get().spent is None
    assert undo(entry).status == SppStatus.APPROVED
    spp.refresh_from_db()
    assert spp.entry_id is None and spp.paid_on is None
    assert balance(book(), ADVANCE, activity_code="02.03.10") == ZERO
    # Paid again after the correction.
    svc.spp_pay(actor=treasurer, spp=spp, date=dt.date(YEAR, 6, 6), method="transfer", reference="T2")
    assert spp.status == SppStatus.PAID


# -- attachments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.exe", b"MZ..."), "PDF, JPEG atau PNG"),
        (SimpleUploadedFile("a.pdf", b"GIF89a"), "bukan PDF"),
        (SimpleUploadedFile("a.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024)), "terlalu besar"),
        (None, "Pilih berkas"),
    ],
)
def test_attachment_refusals(world, upload, message):
    act = activity(setup_village())
    spp = make_spp(world, act, {"Upah tukang": 2_000_000})
    with pytest.raises(KampungError, match=message):
        svc.attachment_add(
            actor=world.user(Role.EXECUTOR, VILLAGE_A1), spp=spp, kind="kuitansi", upload=upload
        )
    assert not SppAttachment.objects.exists()


def test_attachments_frozen_after_submission(world):
    act = activity(setup_village())
    executor = world.user(Role.EXECUTOR, VILLAGE_A1)
    spp = make_spp(world, act, {"Upah tukang": 2_000_000})
    doc = svc.attachment_add(actor=executor, spp=spp, kind="kuitansi", upload=pdf_upload())
    svc.spp_submit(actor=executor, spp=spp)
    with pytest.raises(KampungError, match="tidak dapat diubah"):
        svc.attachment_remove(actor=executor, attachment=doc)
    with pytest.raises(KampungError, match="tidak dapat diubah"):
        svc.attachment_add(actor=executor, spp=spp, kind="foto", upload=png_upload())
    assert SppAttachment.objects.count() == 1


# -- the tax table -------------------------------------------------------------------------


def test_tax_rates_are_dated_and_regional_rows_win():
    regency = "35.10"
    assert taxes.rate_for("PPN", dt.date(2022, 3, 31), regency).rate == Decimal(10)
    assert taxes.rate_for("PPN", dt.date(2022, 4, 1), regency).rate == Decimal(11)
    TaxRate.objects.create(
        regency_id=regency,
        code="PPN",
        name="PPN daerah uji",
        rate=Decimal(12),
        valid_from=dt.date(2026, 1, 1),
    )
    assert taxes.rate_for("PPN", dt.date(2026, 2, 1), regency).rate == Decimal(12)
    assert taxes.rate_for("PPN", dt.date(2026, 2, 1), "35.09").rate == Decimal(11)
    with pytest.raises(KampungError):
        taxes.rate_for("PPN", dt.date(2001, 1, 1), regency)


def test_tax_threshold_npwp_and_rounding():
    day = dt.date(2026, 3, 1)
    assert taxes.tax_on("PPH22", Decimal(2_000_000), day, "35.10", has_npwp=True).amount == ZERO
    with_npwp = taxes.tax_on("PPH22", Decimal(2_000_001), day, "35.10", has_npwp=True)
    assert with_npwp.rate == Decimal("1.5") and with_npwp.amount == Decimal(30_000)  # 30.000,015 → down
    without = taxes.tax_on("PPH23", Decimal(1_000_050), day, "35.10", has_npwp=False)
    assert without.rate == Decimal(4) and without.amount == Decimal(40_002) and without.without_npwp
    # No separate rate without NPWP: the same rate.
    assert taxes.tax_on("PPH4_2K", Decimal(1_000_000), day, "35.10", has_npwp=False).amount == Decimal(17_500)
    assert taxes.valid_npwp("01.234.567.8-901.000") and taxes.valid_npwp("3510012001000001")
    assert not taxes.valid_npwp("12.34")


# -- APBDes Perubahan ----------------------------------------------------------------------


def _revise(apbdes):
    """An enacted revision copying every kegiatan and line (``origin`` kept), RAK and DPA approved."""
    from kampung.finance.models import Apbdes, BudgetActivity, BudgetLine, RakEntry
    from kampung.finance.services.execution import spread_evenly

    revised = Apbdes.objects.create(
        village=apbdes.village, year=apbdes.year, revision=1, base=apbdes, status=ApbdesStatus.ENACTED
    )
    Rak.objects.create(apbdes=revised, status=DocStatus.APPROVED)
    for old in BudgetActivity.objects.filter(apbdes=apbdes):
        new = BudgetActivity.objects.create(
            apbdes=revised, activity_code=old.activity_code, name=old.name, origin=old
        )
        Dpa.objects.create(activity=new, status=DocStatus.APPROVED)
        for ol in BudgetLine.objects.filter(activity=old):
            nl = BudgetLine.objects.create(
                activity=new,
                account=ol.account,
                source=ol.source,
                description=ol.description,
                volume=ol.volume,
                unit=ol.unit,
                unit_price=ol.unit_price,
                amount=ol.amount,
                origin=ol,
            )
            months = spread_evenly(nl.amount, 1, 12)
            RakEntry.objects.bulk_create(
                [RakEntry(line=nl, month=i + 1, amount=m) for i, m in enumerate(months)]
            )
    return revised


def test_revision_carries_realisation_and_refuses_old_spp(world):
    apbdes = setup_village()
    act = activity(apbdes)
    treasurer = world.user(Role.TREASURER, VILLAGE_A1)
    paid = to_approved(world, make_spp(world, act, {"Upah tukang": 5_000_000}, kind="LS"))
    svc.spp_pay(actor=treasurer, spp=paid, date=dt.date(YEAR, 6, 2), method="transfer", reference="T")
    pending = to_approved(world, make_spp(world, act, {"Upah tukang": 1_000_000}))
    type(apbdes).objects.filter(pk=apbdes.pk).update(is_current=False)
    revised = _revise(apbdes)
    new_act = activity(revised)
    figures = sel.funds(new_act, 12)
    new_line = line(new_act, "Upah tukang")
    assert figures.lines[new_line.pk].realised == Decimal(5_000_000)
    assert figures.realised == Decimal(5_000_000)
    with pytest.raises(KampungError, match="pilih kegiatan dari APBDes yang berlaku"):
        svc.spp_pay(actor=treasurer, spp=pending, date=dt.date(YEAR, 6, 3), method="transfer", reference="T2")
    # A new SPP on the revised kegiatan sees what the old one spent.
    with pytest.raises(KampungError, match="melebihi sisa anggarannya"):
        make_spp(world, new_act, {"Upah tukang": 8_000_000}, day=dt.date(YEAR, 12, 1))
    make_spp(world, new_act, {"Upah tukang": 6_000_000}, day=dt.date(YEAR, 12, 1))


def test_an_spp_dated_after_today_is_refused(world):
    import time_machine

    act = activity(setup_village())
    with time_machine.travel(dt.datetime(YEAR, 5, 31, 9, 0)):
        with pytest.raises(KampungError, match="belum tiba"):
            make_spp(world, act, {"Rabat beton": 1_000_000}, day=dt.date(YEAR, 6, 1))
        nothing_left()
        assert make_spp(world, act, {"Rabat beton": 1_000_000}, day=dt.date(YEAR, 5, 31)).pk
