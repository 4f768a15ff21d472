"""The treasurer's postings: receipts (TBP), moves between cash and bank (STS / tarik), tax
deposits (SSP / e-Billing), financing outlays (6.2), corrections (reversing entries) and the
monthly closing of the books (Permendagri 20/2018, penatausahaan Pasal 63–66).

Every posting takes the village's book lock (:func:`kampung.finance.ledger.lock_book`) and
checks what depends on balances (cash limit, tax outstanding, financing budget) *after* the
lock, so two treasurers' clicks are served one after the other. A refusal raises
:class:`~kampung.core.errors.KampungError` and leaves nothing behind.

Fund source of a receipt: the account decides which sources are sensible (``SOURCE_RULES``,
longest prefix wins): 4.1.3 swadaya → SWD or PAD; other 4.1 → PAD; 4.2.1 Dana Desa → DDS;
4.2.2 bagi hasil pajak/retribusi → PBH; 4.2.3 ADD → ADD; 4.2.4 bantuan provinsi → PBP;
4.2.5 bantuan kabupaten → PBK; 4.3 lain-lain → DLL or PAD; 6.1 financing receipts → any
source (SiLPA is carried per source).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.formatting import rupiah, tanggal
from kampung.finance.ledger import Posting, balance, lock_book, month_name, post, reverse
from kampung.finance.models import (
    BANK,
    CASH,
    TAX_PAYABLE,
    Account,
    Book,
    CashTransfer,
    EntryKind,
    FinanceSetting,
    FinancingLine,
    FinancingOutlay,
    FundSource,
    JournalEntry,
    JournalLine,
    PaymentMethod,
    Receipt,
    RevenueLine,
    TaxDeposit,
    TransferDirection,
)
from kampung.finance.selectors.ledger import budget_in_force
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

ZERO = Decimal("0")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999")
MONTH_CLOSE_ACT = "finance.month.close"
SPP_DOC = "finance.Spp"

# Account prefix → fund sources that may carry it (longest prefix wins); None = any source.
SOURCE_RULES: dict[str, tuple[str, ...] | None] = {
    "4.1": ("PAD",),
    "4.1.3": ("SWD", "PAD"),
    "4.2.1": ("DDS",),
    "4.2.2": ("PBH",),
    "4.2.3": ("ADD",),
    "4.2.4": ("PBP",),
    "4.2.5": ("PBK",),
    "4.3": ("DLL", "PAD"),
    "6.1": None,
}
# Dana Desa and ADD are transferred in tranches (tahap); Dana Desa has an earmarked part.
TRANCHE_ACCOUNTS = ("4.2.1", "4.2.3")
MAX_TRANCHE = 4
EARMARK_ACCOUNT = "4.2.1"

NTPN_RE = re.compile(r"^[A-Z0-9]{16}$")
BILLING_RE = re.compile(r"^[A-Z0-9]{1,30}$")


# -- helpers -------------------------------------------------------------------------------


def _treasurer_or_refuse(actor: Any, village_code: str, what: str) -> str:
    if Role.TREASURER not in scope_for(actor).roles_at(village_code):
        raise NotPermitted(f"Hanya Kaur Keuangan desa ini yang dapat {what}.")
    return str(Role.TREASURER)


def _village(village_code: str) -> Region:
    village = Region.objects.filter(code=village_code).first()
    if village is None or not village.keeps_apbdes:
        raise KampungError("Desa tidak dikenal atau bukan desa (kelurahan tidak memiliki APBDes).")
    return village


def _date_or_refuse(village: Region, year: int, date: Any) -> dt.date:
    if not isinstance(date, dt.date):
        raise KampungError("Tanggal wajib diisi.")
    if date.year != year:
        raise KampungError(f"Tanggal {tanggal(date)} di luar tahun anggaran {year}.")
    today = local_today(village)
    if date > today:
        raise KampungError(f"Tanggal {tanggal(date)} belum terjadi (hari ini {tanggal(today)}).")
    return date


def _amount_or_refuse(amount: Any) -> Decimal:
    try:
        value = Decimal(amount)
    except Exception as exc:  # noqa: BLE001 - any junk is "not a number"
        raise KampungError("Jumlah harus berupa angka.") from exc
    if not value.is_finite() or value <= 0:
        raise KampungError("Jumlah harus lebih dari nol.")
    if value > MAX_AMOUNT or value != value.quantize(CENT):
        raise KampungError("Jumlah tidak sah (paling banyak dua angka desimal).")
    return value


def _text(value: Any, limit: int, label: str, *, required: bool = False) -> str:
    text = (str(value) if value is not None else "").strip()
    if required and not text:
        raise KampungError(f"{label} wajib diisi.")
    if len(text) > limit:
        raise KampungError(f"{label} paling panjang {limit} karakter.")
    return text


def _money_account(method: str) -> str:
    if method == PaymentMethod.CASH:
        return CASH
    if method in (PaymentMethod.TRANSFER, PaymentMethod.CHEQUE):
        return BANK
    raise KampungError("Pilih tunai atau rekening bank.")


def _account_or_refuse(village: Region, code: str, prefixes: tuple[str, ...], what: str) -> Account:
    code = (code or "").strip()
    if not any(code.startswith(p + ".") for p in prefixes):
        raise KampungError(f"Rekening {code or '(kosong)'} bukan rekening {what}.")
    account = (
        Account.objects.filter(code=code, level=4, active=True)
        .filter(Q(regency__isnull=True) | Q(regency_id=village.regency_code))
        .order_by("regency_id")
        .first()
    )
    if account is None:
        raise KampungError(f"Rekening {code} tidak dikenal atau tidak aktif.")
    return account


def allowed_sources(account_code: str) -> tuple[str, ...] | None:
    """The fund sources that may carry a receipt of ``account_code`` (None: any)."""
    best = ""
    for prefix in SOURCE_RULES:
        if (account_code == prefix or account_code.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    if not best:
        return ()
    return SOURCE_RULES[best]


def _source_or_refuse(code: str) -> str:
    code = (code or "").strip().upper()
    if not FundSource.objects.filter(code=code).exists():
        raise KampungError(f"Sumber dana {code or '(kosong)'} tidak dikenal.")
    return code


def cash_limit(village: Region) -> Decimal | None:
    setting = FinanceSetting.objects.filter(regency_id=village.regency_code).first()
    return setting.cash_limit if setting is not None else None


def _check_cash_limit(village: Region, book: Book, added: Decimal) -> None:
    limit = cash_limit(village)
    if limit is None:
        return
    current = balance(book, CASH)
    if current + added > limit:
        raise KampungError(
            f"Kas tunai akan menjadi {rupiah(current + added)}, melebihi batas kas tunai "
            f"{rupiah(limit)} yang ditetapkan kabupaten. Simpan di rekening kas desa."
        )


def _next_number(model: Any, book: Book, code: str) -> str:
    count = model.objects.filter(book=book).count() + 1
    while True:
        number = f"{count:04d}/{code}/{book.year}"
        if not model.objects.filter(book=book, number=number).exists():
            return number
        count += 1


def _number_or_refuse(model: Any, book: Book, number: str, code: str) -> str:
    number = _text(number, 80, "Nomor bukti")
    if not number:
        return _next_number(model, book, code)
    if model.objects.filter(book=book, number=number).exists():
        raise KampungError(f"Nomor {number} sudah dipakai di buku {book.year}.")
    return number


def realised_receipts(book: Book, account_code: str) -> Decimal:
    sums = JournalLine.objects.filter(book=book, account_code=account_code).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (sums["c"] or ZERO) - (sums["d"] or ZERO)


def budgeted_receipts(village_code: str, year: int, account_code: str) -> Decimal:
    apbdes = budget_in_force(village_code, year)
    if apbdes is None:
        return ZERO
    model: Any = FinancingLine if account_code.startswith("6.") else RevenueLine
    total = model.objects.filter(apbdes=apbdes, account__code=account_code).aggregate(s=Sum("amount"))["s"]
    return total or ZERO


def receipt_budget_warning(village_code: str, year: int, account_code: str) -> str:
    """A warning (not a refusal) when the receipts of an account pass its budget in force."""
    book = Book.objects.filter(village_id=village_code, year=year).first()
    if book is None:
        return ""
    received = realised_receipts(book, account_code)
    budget = budgeted_receipts(village_code, year, account_code)
    if received > budget:
        return (
            f"Perhatian: penerimaan rekening {account_code} sudah {rupiah(received)}, melebihi "
            f"anggaran yang berlaku {rupiah(budget)}. Perubahan APBDes mungkin diperlukan."
        )
    return ""


def _audit(actor: Any, act: str, village_code: str, obj: Any, after: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        act=act,
        region=village_code,
        role=Role.TREASURER,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        after=after,
    )


def _recorder(actor: Any) -> Any:
    """The user to keep as ``recorded_by`` (None for an anonymous or system actor)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _opening(
    actor: Any, village_code: str, year: int, date: Any, amount: Any, what: str
) -> tuple[Region, dt.date, Decimal]:
    """The checks every posting starts with, in this order: a desa, its treasurer (``what``
    names the act in the refusal), a date of the year not in the future, a positive amount."""
    village = _village(village_code)
    _treasurer_or_refuse(actor, village_code, what)
    return village, _date_or_refuse(village, year, date), _amount_or_refuse(amount)


def _post_doc(doc: Any, **entry: Any) -> JournalEntry:
    """Post the journal entry of ``doc`` (a receipt, transfer, deposit or outlay; ``entry``:
    the other arguments of :func:`~kampung.finance.ledger.post`) and link the document to it."""
    made = post(doc=doc, **entry)
    doc.entry = made
    doc.save(update_fields=["entry", "updated_at"])
    return made


# -- receipts ------------------------------------------------------------------------------


def receipt_record(
    *,
    actor: Any,
    village_code: str,
    year: int,
    date: dt.date,
    account_code: str,
    source_code: str,
    amount: Any,
    payer: str,
    description: str,
    method: str,
    reference: str = "",
    tranche: int | None = None,
    earmarked: bool = False,
    number: str = "",
) -> Receipt:
    """Record revenue (4.x) or a financing receipt (6.1.x) into cash or bank: Dr CASH/BANK,
    Cr the account with its source. The receipt carries ``budget_warning`` (a text, maybe
    empty) when the account's receipts now pass its budget in force."""
    village, date, value = _opening(actor, village_code, year, date, amount, "mencatat penerimaan")
    account = _account_or_refuse(village, account_code, ("4", "6.1"), "pendapatan atau penerimaan pembiayaan")
    source = _source_or_refuse(source_code)
    allowed = allowed_sources(account.code)
    if allowed is not None and source not in allowed:
        raise KampungError(
            f"Sumber dana {source} tidak sesuai untuk rekening {account.code} "
            f"(yang sesuai: {', '.join(allowed)})."
        )
    money = _money_account(method)
    payer = _text(payer, 160, "Diterima dari", required=True)
    description = _text(description, 300, "Uraian", required=True)
    reference = _text(reference, 60, "Nomor referensi")
    is_tranche_account = any(account.code.startswith(p + ".") for p in TRANCHE_ACCOUNTS)
    if tranche is not None:
        try:
            tranche = int(tranche)
        except (TypeError, ValueError) as exc:
            raise KampungError("Tahap penyaluran harus berupa angka.") from exc
        if not is_tranche_account:
            raise KampungError("Tahap penyaluran hanya untuk Dana Desa dan Alokasi Dana Desa.")
        if not 1 <= int(tranche) <= MAX_TRANCHE:
            raise KampungError(f"Tahap penyaluran harus 1 sampai {MAX_TRANCHE}.")
    elif is_tranche_account:
        raise KampungError("Sebutkan tahap penyaluran Dana Desa/ADD yang diterima.")
    if earmarked and not account.code.startswith(EARMARK_ACCOUNT + "."):
        raise KampungError("Tanda earmark hanya untuk penerimaan Dana Desa.")
    with transaction.atomic():
        book = lock_book(village_code, year)
        number = _number_or_refuse(Receipt, book, number, "TBP")
        if money == CASH:
            _check_cash_limit(village, book, value)
        receipt = Receipt.objects.create(
            book=book,
            number=number,
            date=date,
            account_code=account.code,
            source_code=source,
            amount=value,
            payer=payer,
            description=description,
            method=method,
            reference=reference,
            tranche=int(tranche) if tranche is not None else None,
            earmarked=bool(earmarked),
            recorded_by=_recorder(actor),
        )
        entry = _post_doc(
            receipt,
            book=book,
            date=date,
            kind=EntryKind.RECEIPT,
            description=description,
            postings=[Posting(money, debit=value), Posting(account.code, credit=value, source=source)],
            actor=actor,
            doc_number=number,
        )
        _audit(
            actor,
            "finance.receipt.record",
            village_code,
            receipt,
            {
                "number": number,
                "account": account.code,
                "source": source,
                "amount": str(value),
                "method": method,
                "entry": entry.number,
            },
        )
    receipt.budget_warning = receipt_budget_warning(village_code, year, account.code)  # type: ignore[attr-defined]
    return receipt


# -- cash ↔ bank ---------------------------------------------------------------------------


def transfer_record(
    *,
    actor: Any,
    village_code: str,
    year: int,
    date: dt.date,
    direction: str,
    amount: Any,
    reference: str = "",
    description: str = "",
) -> CashTransfer:
    """Setor (STS: cash into the bank, Dr BANK Cr CASH) or tarik (Dr CASH Cr BANK)."""
    village, date, value = _opening(actor, village_code, year, date, amount, "mencatat mutasi kas")
    if direction not in TransferDirection.values:
        raise KampungError("Pilih arah mutasi: setor ke bank atau tarik tunai.")
    reference = _text(reference, 60, "Nomor cek/referensi")
    description = _text(description, 300, "Uraian") or TransferDirection(direction).label
    to_bank = direction == TransferDirection.TO_BANK
    with transaction.atomic():
        book = lock_book(village_code, year)
        if not to_bank:
            _check_cash_limit(village, book, value)
        number = _next_number(CashTransfer, book, "STS" if to_bank else "TRK")
        transfer = CashTransfer.objects.create(
            book=book,
            number=number,
            date=date,
            direction=direction,
            amount=value,
            reference=reference,
            description=description,
            recorded_by=_recorder(actor),
        )
        debit, credit = (BANK, CASH) if to_bank else (CASH, BANK)
        entry = _post_doc(
            transfer,
            book=book,
            date=date,
            kind=EntryKind.TRANSFER,
            description=description,
            postings=[Posting(debit, debit=value), Posting(credit, credit=value)],
            actor=actor,
            doc_number=number,
        )
        _audit(
            actor,
            "finance.transfer.record",
            village_code,
            transfer,
            {"number": number, "direction": direction, "amount": str(value), "entry": entry.number},
        )
    return transfer


# -- tax deposits --------------------------------------------------------------------------


def normalise_ntpn(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def tax_deposit_record(
    *,
    actor: Any,
    village_code: str,
    year: int,
    date: dt.date,
    tax_code: str,
    amount: Any,
    billing_code: str = "",
    ntpn: str = "",
    method: str = PaymentMethod.TRANSFER,
) -> TaxDeposit:
    """Deposit withheld/collected tax of one code (Dr TAX_PAYABLE, Cr BANK or CASH); never
    more than what is outstanding for that code. ``ntpn`` when given: 16 letters/digits."""
    village, date, value = _opening(actor, village_code, year, date, amount, "mencatat setoran pajak")
    tax_code = _text(tax_code, 16, "Kode pajak", required=True)
    billing = normalise_ntpn(_text(billing_code, 40, "Kode billing"))
    if billing and not BILLING_RE.match(billing):
        raise KampungError("Kode billing hanya berisi huruf dan angka (paling panjang 30).")
    ntpn = normalise_ntpn(_text(ntpn, 40, "NTPN"))
    if ntpn and not NTPN_RE.match(ntpn):
        raise KampungError("NTPN harus 16 karakter huruf/angka (lihat Bukti Penerimaan Negara).")
    money = _money_account(method)
    with transaction.atomic():
        book = lock_book(village_code, year)
        outstanding = balance(book, TAX_PAYABLE, tax_code=tax_code)
        if value > outstanding:
            raise KampungError(
                f"Pajak {tax_code} yang belum disetor hanya {rupiah(outstanding)}; "
                f"setoran {rupiah(value)} ditolak."
            )
        deposit = TaxDeposit.objects.create(
            book=book,
            tax_code=tax_code,
            amount=value,
            date=date,
            billing_code=billing,
            ntpn=ntpn,
            recorded_by=_recorder(actor),
        )
        entry = _post_doc(
            deposit,
            book=book,
            date=date,
            kind=EntryKind.TAX_DEPOSIT,
            description=f"Setor pajak {tax_code}" + (f" NTPN {ntpn}" if ntpn else ""),
            postings=[Posting(TAX_PAYABLE, debit=value, tax=tax_code), Posting(money, credit=value)],
            actor=actor,
            doc_number=ntpn or billing or f"SSP-{deposit.pk}",
        )
        _audit(
            actor,
            "finance.tax.deposit",
            village_code,
            deposit,
            {"tax": tax_code, "amount": str(value), "ntpn": ntpn, "billing": billing, "entry": entry.number},
        )
    return deposit


# -- financing outlays ---------------------------------------------------------------------


def financing_outlay_record(
    *,
    actor: Any,
    village_code: str,
    year: int,
    date: dt.date,
    account_code: str,
    amount: Any,
    description: str,
    method: str,
    source_code: str = "",
    reference: str = "",
    number: str = "",
) -> FinancingOutlay:
    """A financing outlay (6.2: reserve fund, capital participation): Dr 6.2.x, Cr BANK/CASH;
    refused beyond the budget in force for the account (no spending without a budget)."""
    village, date, value = _opening(
        actor, village_code, year, date, amount, "mencatat pengeluaran pembiayaan"
    )
    account = _account_or_refuse(village, account_code, ("6.2",), "pengeluaran pembiayaan")
    source = _source_or_refuse(source_code) if (source_code or "").strip() else ""
    money = _money_account(method)
    description = _text(description, 300, "Uraian", required=True)
    reference = _text(reference, 60, "Nomor cek/referensi")
    apbdes = budget_in_force(village_code, year)
    if apbdes is None:
        raise KampungError(f"Belum ada APBDes {year} yang ditetapkan; pengeluaran pembiayaan ditolak.")
    with transaction.atomic():
        book = lock_book(village_code, year)
        lines = FinancingLine.objects.filter(apbdes=apbdes, account__code=account.code)
        if source:
            lines = lines.filter(source_id=source)
        budget = lines.aggregate(s=Sum("amount"))["s"] or ZERO
        spent_qs = JournalLine.objects.filter(book=book, account_code=account.code)
        if source:
            spent_qs = spent_qs.filter(source_code=source)
        sums = spent_qs.aggregate(d=Sum("debit"), c=Sum("credit"))
        spent = (sums["d"] or ZERO) - (sums["c"] or ZERO)
        if spent + value > budget:
            raise KampungError(
                f"Anggaran {account.code}{' ' + source if source else ''} tersisa "
                f"{rupiah(max(budget - spent, ZERO))}; pengeluaran {rupiah(value)} ditolak."
            )
        number = _number_or_refuse(FinancingOutlay, book, number, "PBY")
        outlay = FinancingOutlay.objects.create(
            book=book,
            number=number,
            date=date,
            account_code=account.code,
            source_code=source,
            amount=value,
            description=description,
            method=method,
            reference=reference,
            recorded_by=_recorder(actor),
        )
        entry = _post_doc(
            outlay,
            book=book,
            date=date,
            kind=EntryKind.FINANCING,
            description=description,
            postings=[Posting(account.code, debit=value, source=source), Posting(money, credit=value)],
            actor=actor,
            doc_number=number,
        )
        _audit(
            actor,
            "finance.financing.outlay",
            village_code,
            outlay,
            {"number": number, "account": account.code, "amount": str(value), "entry": entry.number},
        )
    return outlay


# -- corrections ---------------------------------------------------------------------------


def entry_reverse(*, actor: Any, entry: JournalEntry, date: dt.date, reason: str) -> JournalEntry:
    """Post the mirror entry of ``entry`` with a reason. For an SPP's payment, SPJ or return
    entry, :func:`kampung.finance.services.payments.after_reversal` puts the SPP back."""
    book = entry.book
    village = _village(book.village_id)
    _treasurer_or_refuse(actor, village.code, "mengoreksi jurnal")
    date = _date_or_refuse(village, book.year, date)
    reason = _text(reason, 1000, "Alasan koreksi", required=True)
    if date < entry.date:
        raise KampungError(f"Tanggal koreksi tidak boleh sebelum tanggal jurnal ({tanggal(entry.date)}).")
    if entry.kind == EntryKind.OPENING:
        raise KampungError("Jurnal saldo awal tidak dikoreksi di sini.")
    after_reversal = None
    if entry.doc_type == SPP_DOC:
        try:
            from kampung.finance.services import payments
        except ImportError as exc:
            raise KampungError(
                "Koreksi jurnal SPP belum dapat dilakukan (modul SPP belum tersedia)."
            ) from exc
        after_reversal = getattr(payments, "after_reversal", None)
        if after_reversal is None:
            raise KampungError("Koreksi jurnal SPP belum dapat dilakukan (modul SPP belum tersedia).")
    with transaction.atomic():
        locked = lock_book(village.code, book.year)
        mirror = reverse(book=locked, entry=entry, date=date, reason=reason, actor=actor)
        if after_reversal is not None:
            after_reversal(entry)
        audit_record(
            actor=actor,
            act="finance.entry.reverse",
            region=village.code,
            role=Role.TREASURER,
            object_type=entry._meta.label,
            object_id=str(entry.pk),
            after={"entry": entry.number, "reversal": mirror.number, "reason": reason},
        )
    return mirror


# -- month closing -------------------------------------------------------------------------


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def next_month_to_close(book: Book | None) -> int | None:
    closed = book.closed_through if book is not None else 0
    return closed + 1 if closed < 12 else None


def month_closable(village: Region, year: int, month: int) -> bool:
    return month_end(year, month) < local_today(village)


def month_close(*, actor: Any, village_code: str, year: int, month: int) -> Book:
    """Close ``month`` (the month after the last closed one, and only once it has ended):
    nothing posts into it afterwards. Closing December closes the year."""
    from kampung.authority.services import act_record, may_act

    village = _village(village_code)
    try:
        month = int(month)
    except (TypeError, ValueError) as exc:
        raise KampungError("Bulan tidak dikenal.") from exc
    if not 1 <= month <= 12:
        raise KampungError("Bulan tidak dikenal.")
    today = local_today(village)
    decision = may_act(actor, MONTH_CLOSE_ACT, village_code, at=today)
    if not decision.allowed:
        raise NotPermitted(decision.reason or "Anda tidak berwenang menutup buku desa ini.")
    if month_end(year, month) >= today:
        raise KampungError(
            f"Bulan {month_name(month)} {year} belum berakhir; buku dapat ditutup mulai "
            f"{tanggal(month_end(year, month) + dt.timedelta(days=1))}."
        )
    with transaction.atomic():
        book = lock_book(village_code, year)
        if month <= book.closed_through:
            raise KampungError(f"Buku bulan {month_name(month)} {year} sudah ditutup.")
        if month != book.closed_through + 1:
            raise KampungError(
                f"Tutup buku berurutan: tutup dulu bulan {month_name(book.closed_through + 1)} {year}."
            )
        before = book.closed_through
        book.closed_through = month
        book.save(update_fields=["closed_through", "updated_at"])
        audit_record(
            actor=actor,
            act=MONTH_CLOSE_ACT,
            region=village_code,
            role=decision.role,
            object_type=book._meta.label,
            object_id=str(book.pk),
            before={"closed_through": before},
            after={"closed_through": month, "year_end": month == 12, "basis": decision.basis},
        )
        act_record(
            decision=decision,
            actor=actor,
            act=MONTH_CLOSE_ACT,
            region=village_code,
            object_type=book._meta.label,
            object_id=str(book.pk),
        )
    return book
