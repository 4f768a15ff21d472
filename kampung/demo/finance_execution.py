"""The demo's execution year: for every desa with an enacted APBDes in the demo year, the
transactions from 1 January to today, consistent with its APBDes and RAK.

What each desa gets (all dated, in date order, every entry balanced):

- an approved RAK (each line spread evenly over its kegiatan's months) and approved DPAs when
  the budget has none (the finance demo enacts budgets without them);
- the SiLPA opening (6.1.1.01 per source, as budgeted) into the bank on the first working day;
- receipts (TBP): Dana Desa by tranche (March, July; ``tranche`` set), ADD by quarter, the tax
  share (PBH) quarterly, the regency's aid (PBK) in July, village own revenue (PAD) monthly
  into cash;
- payments: LS per kegiatan (siltap and allowances monthly, with PPh 21 on the head's siltap
  and on honoraria; goods with PPN and PPh 22 above the threshold; services with PPh 23),
  advances (UM) for works and food security with their SPJ (taxes withheld there) and the
  return of the rest; in about a third of the desa the latest advance is overdue;
- tax deposits (billing code, NTPN) around the 10th of each month for what is payable;
- cash↔bank moves: cash drawn when a cash payment needs it, cash above a float deposited
  at month end;
- one reversal: a PAD receipt recorded twice, corrected with a reason;
- months closed through the last ended month; the semester I report submitted in July;
  progress reports on the road, paving and RTLH kegiatan; the assets made by 5.3 spending
  (plus the village's land and office as opening assets).

Spending per budget line never passes the line's amount nor its RAK to date, and is paid only
from money of its own source already received. The balances guard of
:func:`kampung.finance.ledger.post` holds by construction: the simulation runs in date order
and never lets cash, bank, an advance or a tax payable go below zero.

Everything is built in memory and written with ``COPY``/``executemany`` (a fixed number of
statements for all villages, plus one audit entry per village); the journal rows are the ones
:func:`~kampung.finance.ledger.post` would write. A desa whose book for the year already has
entries is left alone, so a second run adds nothing.

For the desa with demo accounts (Sarongan and Kemiren) a few SPPs then go through the real
services (:mod:`kampung.finance.services.payments`, ``treasury``) so the demo users see SPPs in
every state; when those modules are missing that part is skipped with a warning.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import operator
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from kampung.audit.services import audit_record
from kampung.core.errors import KampungError
from kampung.demo.cast import REGENCY_CODE, USERNAME_SLUGS
from kampung.finance.models import (
    ADVANCE,
    BANK,
    CASH,
    TAX_PAYABLE,
    Apbdes,
    Asset,
    AssetCategory,
    AssetOrigin,
    AttachmentKind,
    Book,
    BudgetActivity,
    BudgetLine,
    DocStatus,
    Dpa,
    EntryKind,
    FinancingLine,
    JournalEntry,
    JournalLine,
    PaymentMethod,
    ProgressReport,
    Rak,
    RakEntry,
    Receipt,
    ReportKind,
    ReportSubmission,
    RevenueLine,
    Spp,
    SppKind,
    SppLine,
    SppStatus,
    SppTax,
    TaxDeposit,
    TaxRate,
    TaxStage,
    TrancheRule,
    TransferDirection,
)
from kampung.finance.models import CashTransfer as Transfer
from kampung.finance.selectors.ledger import IN_FORCE
from kampung.finance.services.execution import spread_evenly
from kampung.regions.models import Holiday, Kind, Region

logger = logging.getLogger(__name__)

BUILD_ACT = "demo.finance.execution"
ZERO = Decimal(0)
ONE = Decimal(1)
THOUSAND = Decimal(1000)
MONTHS = 12
# The desa whose demo users see SPPs in every state (made through the services).
LIVE_VILLAGES = ("35.10.01.2001", "35.10.15.2004")  # Sarongan, Kemiren

# In the desa named as ``programme_villages`` (the demo's desa with accounts) the RTLH and BLT
# kegiatan are paid through the assistance programmes (kampung/demo/assistance.py, through the
# real services, month by month), so the bulk year leaves them unpaid and those books open;
# that demo closes their months afterwards.
PROGRAMME_ACTIVITIES = frozenset({"02.04.01", "05.03.00"})

# Kegiatan paid by advance (UM) with SPJ: works and food security.
ADVANCE_ACTIVITIES = frozenset({"02.03.10", "02.03.11", "04.02.03"})
# Kegiatan paid once a quarter (allowances, BLT); the others monthly or every second month.
QUARTERLY_ACTIVITIES = frozenset({"01.01.06", "01.01.07", "02.02.02", "03.01.02", "05.03.00"})
# Kegiatan whose realised output is reported (progress reports) and capital assets made.
PROGRESS_ACTIVITIES = frozenset({"02.03.10", "02.03.11", "02.04.01"})
# Lines paid exactly as planned (pay, allowances, contributions, BLT); others a bit below.
EXACT_PREFIXES = ("5.1.", "5.2.2.", "5.4.")
CASH_FLOAT = Decimal(1_000_000)
CASH_KEEP_MAX = Decimal(3_000_000)
PROVIDERS = (
    ("UD Sumber Rejeki", "01.234.567.8-627.000"),
    ("Toko Bangunan Makmur Jaya", "02.345.678.9-627.000"),
    ("CV Karya Mandiri Banyuwangi", "03.456.789.0-627.000"),
    ("Toko Sinar Abadi", "04.567.890.1-627.000"),
    ("UD Tani Subur", "05.678.901.2-627.000"),
)
PAYEES = {
    "01.01.01": "Kepala Desa",
    "01.01.02": "Perangkat Desa (daftar terlampir)",
    "01.01.03": "BPJS Kesehatan Cabang Banyuwangi",
    "01.01.05": "Anggota BPD (daftar terlampir)",
    "01.01.07": "Ketua RT/RW (daftar terlampir)",
    "02.01.01": "Pengajar PAUD (daftar terlampir)",
    "02.02.02": "Kader Posyandu (daftar terlampir)",
    "03.01.02": "Anggota Satlinmas (daftar terlampir)",
    "05.03.00": "KPM BLT Dana Desa (daftar terlampir)",
    "02.04.01": "Penerima bantuan RTLH (daftar terlampir)",
}


@dataclass
class ExecutionResult:
    villages: int = 0
    entries: int = 0
    lines: int = 0
    spps: int = 0
    receipts: int = 0
    rak_budgets: int = 0
    seconds: float = 0.0
    live: list[str] = field(default_factory=list)


# -- the plan read from the database --------------------------------------------------------


@dataclass
class LineInfo:
    id: int
    account: str
    source: str
    amount: Decimal
    description: str
    rak: list[Decimal]
    factor: Decimal = ONE

    def rak_through(self, month: int) -> Decimal:
        return sum(self.rak[:month], ZERO)


@dataclass
class ActInfo:
    id: int
    code: str
    name: str
    start: int
    end: int
    output_volume: Decimal
    output_unit: str
    location: str
    executor: str
    lines: list[LineInfo] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def rak_through(self, month: int) -> Decimal:
        return sum((line.rak_through(month) for line in self.lines), ZERO)


@dataclass
class Plan:
    code: str
    apbdes_id: int
    activities: list[ActInfo]
    revenue: list[tuple[str, str, Decimal]]  # account, source, amount
    financing_in: list[tuple[str, str, Decimal]]  # 6.1 lines


# -- the journal built in memory ------------------------------------------------------------

Post = tuple[str, Decimal, Decimal, str, ActInfo | None, int | None, str]  # acc, dr, cr, src, act, line, tax


class Doc(dict[str, Any]):
    """A row to write, by column attribute name (``book_id``, ``amount``…), read and set as
    attributes; ``_label`` names its model, ``id`` is set once written. Plain dicts, not model
    instances: a regency has tens of thousands of them."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


@dataclass
class EntryRec:
    date: dt.date
    kind: str
    description: str
    postings: list[Post]
    doc: Any = None
    doc_number: str = ""
    reverses: EntryRec | None = None
    reason: str = ""
    obj: Doc = field(default_factory=Doc)


@dataclass
class SppRec:
    spp: Doc
    act: ActInfo
    lines: list[tuple[LineInfo, Doc]]
    taxes: list[tuple[Doc, Doc]] = field(default_factory=list)


def _thousands(value: Decimal) -> Decimal:
    return (value / THOUSAND).quantize(ONE, rounding=ROUND_DOWN) * THOUSAND


def _volume(value: Decimal) -> str:
    """300.00 → "300", 12.50 → "12,50" (as the pages print volumes)."""
    if value == value.to_integral_value():
        return str(value.quantize(ONE))
    return f"{value:f}".replace(".", ",")


def _rupiah(value: Decimal) -> Decimal:
    return value.quantize(ONE, rounding=ROUND_DOWN)


class Calendar:
    """Working days of the regency (Monday–Friday less its holidays) within a year."""

    def __init__(self, year: int, holidays: set[dt.date]) -> None:
        self.year = year
        self.off = holidays

    def working(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.off

    def on_or_after(self, day: dt.date) -> dt.date:
        """The first working day on or after ``day`` within its month (else the last before)."""
        current = day
        while not self.working(current):
            current += dt.timedelta(days=1)
            if current.month != day.month:
                return self.on_or_before(day)
        return current

    def on_or_before(self, day: dt.date) -> dt.date:
        current = day
        while not self.working(current) and current.day > 1:
            current -= dt.timedelta(days=1)
        return current

    def add(self, day: dt.date, days: int) -> dt.date:
        current, counted = day, 0
        while counted < days:
            current += dt.timedelta(days=1)
            if self.working(current):
                counted += 1
        return current

    def day(self, month: int, dom: int) -> dt.date:
        return self.on_or_after(dt.date(self.year, month, min(dom, 28)))

    def month_end(self, month: int) -> dt.date:
        last = (dt.date(self.year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)
        return self.on_or_before(last)


class TaxTable:
    """The national tax rates valid on a date (with NPWP)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[TaxRate]] = defaultdict(list)
        for rate in TaxRate.objects.filter(regency__isnull=True).order_by("code", "valid_from"):
            self.rows[rate.code].append(rate)

    def rate(self, code: str, day: dt.date) -> TaxRate | None:
        found = None
        for rate in self.rows.get(code, []):
            if rate.valid_from <= day and (rate.valid_to is None or day <= rate.valid_to):
                found = rate
        return found

    def taxes(self, codes: Iterable[str], base: Decimal, day: dt.date) -> list[tuple[str, Decimal, Decimal]]:
        out = []
        for code in codes:
            rate = self.rate(code, day)
            if rate is None or base < rate.threshold:
                continue
            amount = _rupiah(base * rate.rate / 100)
            if amount > 0:
                out.append((code, rate.rate, amount))
        return out


def _tax_codes_on_payment(account: str) -> tuple[str, ...]:
    if account in ("5.1.1.01", "5.2.2.01"):
        return ("PPH21",)
    if account in ("5.2.1.01", "5.2.1.04"):
        return ("PPN", "PPH22")
    if account == "5.2.6.04":
        return ("PPH23",)
    return ()


def _tax_codes_on_spj(account: str) -> tuple[str, ...]:
    if account in ("5.3.5.03", "5.2.7.05"):
        return ("PPN", "PPH22")
    if account == "5.3.5.04":
        return ("PPH23",)
    return ()


# -- one village's year ---------------------------------------------------------------------


class VillageYear:
    """Simulates one desa's year in date order and keeps the entries and documents it made."""

    RECEIPT, TRANSFER, PAY, SPJ, RETURN, DEPOSIT, MONTH_END = range(7)

    def __init__(
        self,
        plan: Plan,
        book: Book,
        *,
        today: dt.date,
        seed: int,
        calendar: Calendar,
        taxes: TaxTable,
        tranches: list[Decimal],
        overdue: bool,
        programmes: bool = False,
    ) -> None:
        self.plan, self.book, self.today, self.cal, self.tax = plan, book, today, calendar, taxes
        self.programmes = programmes
        self.year = today.year
        self.rng = random.Random(f"{seed}:finance-execution:{plan.code}:{self.year}")
        self.tranches = tranches
        self.want_overdue = overdue
        self.cash = self.bank = ZERO
        self.advance: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.payable: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.avail: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.committed: dict[int, Decimal] = defaultdict(lambda: ZERO)  # requested, not returned
        self.spent: dict[int, Decimal] = defaultdict(lambda: ZERO)  # realised (5.x posted)
        self.spent_at: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        self.entries: list[EntryRec] = []
        self.spps: list[SppRec] = []
        self.receipts: list[Doc] = []
        self.transfers: list[Doc] = []
        self.deposits: list[Doc] = []
        self.asset_spps: list[tuple[Asset, Doc]] = []
        self.progress: list[ProgressReport] = []
        self.assets: list[Asset] = []
        self.submissions: list[ReportSubmission] = []
        self.numbers: dict[str, int] = defaultdict(int)
        self.overdue_spp: Doc | None = None
        self._queue: list[tuple[dt.date, int, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._seq = 0
        for act in plan.activities:
            for line in act.lines:
                exact = line.account.startswith(EXACT_PREFIXES)
                line.factor = ONE if exact else Decimal(self.rng.randint(86, 98)) / 100

    # -- scheduling
    def at(self, day: dt.date, prio: int, fn: Callable[..., Any], *args: Any) -> None:
        if day.year != self.year or day > self.today:
            return
        self._seq += 1
        heapq.heappush(self._queue, (day, prio, self._seq, fn, args))

    def number(self, kind: str) -> str:
        self.numbers[kind] += 1
        return f"{self.numbers[kind]:04d}/{kind}/{self.year}"

    def run(self) -> None:
        self._schedule()
        while self._queue:
            day, _, _, fn, args = heapq.heappop(self._queue)
            fn(day, *args)
        self._after()

    def _schedule(self) -> None:
        rng, cal, last = self.rng, self.cal, self.today.month
        first = cal.day(1, 2)
        for account, source, amount in self.plan.financing_in:
            self.at(first, self.RECEIPT, self._receipt, account, source, amount, "SiLPA tahun lalu", None)
        revenue = {(a, s): v for a, s, v in self.plan.revenue}
        add = revenue.get(("4.2.3.01", "ADD"), ZERO)
        dds = revenue.get(("4.2.1.01", "DDS"), ZERO)
        pbh = revenue.get(("4.2.2.01", "PBH"), ZERO)
        pbk = revenue.get(("4.2.5.01", "PBK"), ZERO)
        pad = revenue.get(("4.1.2.01", "PAD"), ZERO)
        reversal_month = rng.randint(2, last - 1) if last > 2 else last
        for month in range(1, last + 1):
            if add and month % 3 == 1:  # ADD by quarter, in four tranches
                tranche = month // 3 + 1
                part = _thousands(add / 4) if tranche < 4 else add - _thousands(add / 4) * 3
                self.at(
                    cal.day(month, rng.randint(2, 6)),
                    self.RECEIPT,
                    self._receipt,
                    "4.2.3.01",
                    "ADD",
                    part,
                    "",
                    tranche,
                )
            if pad:
                part = _thousands(pad / 12) if month < 12 else pad - _thousands(pad / 12) * 11
                day = cal.day(month, rng.randint(9, 26))
                self.at(
                    day, self.RECEIPT, self._receipt, "4.1.2.01", "PAD", part, "", None, PaymentMethod.CASH
                )
                if month == reversal_month:
                    self.at(day, self.RECEIPT + 1, self._duplicate_receipt, part)
            if pbh and month % 3 == 0:
                part = _thousands(pbh / 4) if month < 12 else pbh - _thousands(pbh / 4) * 3
                self.at(
                    cal.day(month, rng.randint(14, 24)), self.RECEIPT, self._receipt, "4.2.2.01", "PBH", part
                )
            if pbk and month == 7:
                self.at(cal.day(7, rng.randint(1, 3)), self.RECEIPT, self._receipt, "4.2.5.01", "PBK", pbk)
            if month > 1:
                self.at(cal.day(month, rng.randint(8, 12)), self.DEPOSIT, self._deposit_taxes)
            self.at(cal.month_end(month), self.MONTH_END, self._month_end)
        if dds:
            months = (3, 7, 10)[: len(self.tranches)]
            paid = ZERO
            for number, (month, pct) in enumerate(zip(months, self.tranches, strict=False), start=1):
                part = _thousands(dds * pct / 100) if number < len(self.tranches) else dds - paid
                paid += part
                day = cal.day(month, rng.randint(9, 20))
                self.at(day, self.RECEIPT, self._receipt, "4.2.1.01", "DDS", part, "", number)
        for act in self.plan.activities:
            if self.programmes and act.code in PROGRAMME_ACTIVITIES:
                continue
            for month in self._pay_months(act):
                if act.code in ADVANCE_ACTIVITIES:
                    self.at(cal.day(month, rng.randint(4, 9)), self.PAY, self._advance, act, month)
                else:
                    dom = rng.randint(20, 27) if act.code.startswith("01.01") else rng.randint(11, 26)
                    self.at(cal.day(month, dom), self.PAY, self._pay_ls, act, month)

    def _pay_months(self, act: ActInfo) -> list[int]:
        start, end = act.start, act.end
        if act.code in ADVANCE_ACTIVITIES:
            months = list(range(start, end + 1)) + ([end + 1] if end < 12 else [])
        elif act.code in QUARTERLY_ACTIVITIES:
            months = [m for m in (3, 6, 9, 12) if m >= start] + ([end + 1] if end % 3 and end < 12 else [])
        elif start == 1 and end == 12:
            months = list(range(1, 13))
        else:
            months = list(range(start + 1, end + 1, 2)) + [min(end + 1, 12), min(end + 2, 12)]
        return sorted(set(months))

    # -- posting (the guard of ledger.post, checked here as we go)
    def post(self, day: dt.date, kind: str, description: str, postings: list[Post], **kw: Any) -> EntryRec:
        debit = sum((p[1] for p in postings), ZERO)
        credit = sum((p[2] for p in postings), ZERO)
        assert debit == credit and debit > 0, (self.plan.code, description, postings)
        for account, dr, cr, _src, act, _line, tax in postings:
            delta = dr - cr
            if account == CASH:
                self.cash += delta
            elif account == BANK:
                self.bank += delta
            elif account == ADVANCE:
                assert act is not None
                self.advance[act.code] += delta
            elif account == TAX_PAYABLE:
                self.payable[tax] -= delta
        assert self.cash >= 0 and self.bank >= 0, (self.plan.code, day, description)
        assert all(v >= 0 for v in self.advance.values()) and all(v >= 0 for v in self.payable.values())
        entry = EntryRec(day, kind, description, postings, **kw)
        self.entries.append(entry)
        return entry

    def _money(self, day: dt.date, method: str, amount: Decimal) -> None:
        """Move money between cash and bank so that ``amount`` can leave by ``method``."""
        if method == PaymentMethod.CASH and self.cash < amount:
            need = min(self.bank, max(amount - self.cash, CASH_FLOAT).quantize(THOUSAND))
            need = max(need, amount - self.cash)
            self._transfer(day, TransferDirection.TO_CASH, need, "Penarikan kas untuk pembayaran tunai")
        elif method != PaymentMethod.CASH and self.bank < amount:
            self._transfer(day, TransferDirection.TO_BANK, amount - self.bank, "Setor kas tunai ke rekening")

    def _transfer(self, day: dt.date, direction: str, amount: Decimal, description: str) -> None:
        number = self.number("STS" if direction == TransferDirection.TO_BANK else "TRK")
        doc = Doc(
            _label=Transfer._meta.label,
            book_id=self.book.pk,
            number=number,
            date=day,
            direction=direction,
            amount=amount,
            reference=f"CEK-{self.rng.randint(100000, 999999)}"
            if direction == TransferDirection.TO_CASH
            else "",
            description=description,
        )
        self.transfers.append(doc)
        to_bank = direction == TransferDirection.TO_BANK
        self.post(
            day,
            EntryKind.TRANSFER,
            description,
            [
                (BANK if to_bank else CASH, amount, ZERO, "", None, None, ""),
                (CASH if to_bank else BANK, ZERO, amount, "", None, None, ""),
            ],
            doc=doc,
            doc_number=number,
        )

    # -- receipts
    def _receipt(
        self,
        day: dt.date,
        account: str,
        source: str,
        amount: Decimal,
        payer: str = "",
        tranche: int | None = None,
        method: str = PaymentMethod.TRANSFER,
    ) -> Doc:
        names = {
            "ADD": ("Pemerintah Kabupaten Banyuwangi (RKUD)", f"Penerimaan ADD tahap {tranche}"),
            "DDS": ("RKUN melalui RKUD Banyuwangi", f"Penerimaan Dana Desa tahap {tranche}"),
            "PBH": (
                "Pemerintah Kabupaten Banyuwangi (RKUD)",
                "Penerimaan bagi hasil pajak dan retribusi daerah",
            ),
            "PBK": ("Pemerintah Kabupaten Banyuwangi (RKUD)", "Penerimaan bantuan keuangan kabupaten"),
            "PAD": ("Penyewa tanah kas desa", "Penerimaan hasil sewa tanah kas desa"),
        }
        default_payer, description = names.get(source, ("", "Penerimaan"))
        if account.startswith("6.1"):
            default_payer, description = payer, f"Saldo awal: SiLPA tahun {self.year - 1} ({source})"
        number = self.number("TBP")
        doc = Doc(
            _label=Receipt._meta.label,
            book_id=self.book.pk,
            number=number,
            date=day,
            account_code=account,
            source_code=source,
            amount=amount,
            payer=default_payer,
            description=description,
            method=method,
            reference="" if method == PaymentMethod.CASH else f"RKD-{self.rng.randint(10**7, 10**8 - 1)}",
            tranche=tranche,
            earmarked=False,
        )
        self.receipts.append(doc)
        self.avail[source] += amount
        money = CASH if method == PaymentMethod.CASH else BANK
        kind = EntryKind.OPENING if account.startswith("6.1") else EntryKind.RECEIPT
        self.post(
            day,
            kind,
            description,
            [(money, amount, ZERO, "", None, None, ""), (account, ZERO, amount, source, None, None, "")],
            doc=doc,
            doc_number=number,
        )
        return doc

    def _duplicate_receipt(self, day: dt.date, amount: Decimal) -> None:
        """A PAD receipt recorded twice by mistake, then reversed with a reason."""
        doc = self._receipt(day, "4.1.2.01", "PAD", amount, "", None, PaymentMethod.CASH)
        self.avail["PAD"] -= amount
        original = self.entries[-1]
        mirror = [(a, cr, dr, s, act, line, tax) for a, dr, cr, s, act, line, tax in original.postings]
        self.post(
            day,
            EntryKind.REVERSAL,
            f"Koreksi {doc.number}: {original.description}",
            mirror,
            doc_number=doc.number,
            reverses=original,
            reason="TBP tercatat dua kali untuk setoran yang sama; dibatalkan dengan jurnal balik.",
        )

    # -- spending
    def _amounts(self, act: ActInfo, month: int) -> list[tuple[LineInfo, Decimal]]:
        """What each line may take now: its RAK to date (times its factor) less what it has
        taken, within the money of its source received so far."""
        out = []
        left = dict(self.avail)
        for line in act.lines:
            target = line.rak_through(month)
            if line.factor != ONE:
                target = _thousands(target * line.factor)
            amount = min(target - self.committed[line.id], line.amount - self.committed[line.id])
            if amount > left.get(line.source, ZERO):
                amount = _thousands(left.get(line.source, ZERO))
            if amount >= THOUSAND or (amount > 0 and amount == target - self.committed[line.id]):
                out.append((line, amount))
                left[line.source] -= amount
        return out

    def _new_spp(
        self, day: dt.date, act: ActInfo, kind: str, amounts: list[tuple[LineInfo, Decimal]]
    ) -> SppRec:
        rng = self.rng
        asked = self.cal.on_or_before(day - dt.timedelta(days=rng.randint(2, 4)))
        if asked.month != day.month or asked.year != self.year:
            asked = day
        if kind == SppKind.ADVANCE:
            payee, npwp = act.executor or "Pelaksana Kegiatan", ""
        elif act.code in PAYEES:
            payee, npwp = PAYEES[act.code], ""
        else:
            payee, npwp = rng.choice(PROVIDERS)
        total = sum((a for _, a in amounts), ZERO)
        label = "Panjar" if kind == SppKind.ADVANCE else "Pembayaran"
        spp = Doc(
            _label=Spp._meta.label,
            book_id=self.book.pk,
            activity_id=act.id,
            kind=kind,
            number=self.number(f"SPP-{kind}"),
            date=asked,
            description=f"{label} {act.name} bulan {day.month}"[:300],
            amount=total,
            payee_name=payee,
            payee_npwp=npwp,
            payee_bank="Bank Jatim" if npwp else "",
            payee_account=f"0{rng.randint(10**9, 10**10 - 1)}" if npwp else "",
            status=SppStatus.PAID,
            check_complete=True,
            check_correct=True,
            check_funds=True,
            verified_on=asked,
            approved_on=asked,
            paid_on=day,
            method="",
            payment_reference="",
            spj_due=None,
            spj_on=None,
            returned_amount=ZERO,
        )
        lines = [
            (info, Doc(budget_line_id=info.id, description=info.description[:255], amount=a, spent=None))
            for info, a in amounts
        ]
        record = SppRec(spp, act, lines)
        self.spps.append(record)
        for info, a in amounts:
            self.committed[info.id] += a
            self.avail[info.source] -= a
        return record

    def _pay_ls(self, day: dt.date, act: ActInfo, month: int) -> None:
        amounts = self._amounts(act, month)
        if not amounts:
            return
        record = self._new_spp(day, act, SppKind.DIRECT, amounts)
        postings: list[Post] = []
        withheld = ZERO
        for info, line in record.lines:
            postings.append((info.account, line.amount, ZERO, info.source, act, info.id, ""))
            for code, rate, amount in self.tax.taxes(_tax_codes_on_payment(info.account), line.amount, day):
                record.taxes.append(
                    (
                        line,
                        Doc(
                            stage=TaxStage.PAYMENT, tax_code=code, base=line.amount, rate=rate, amount=amount
                        ),
                    )
                )
                postings.append((TAX_PAYABLE, ZERO, amount, "", None, None, code))
                withheld += amount
        net = record.spp.amount - withheld
        method = PaymentMethod.CASH if record.spp.amount < 2_500_000 else PaymentMethod.TRANSFER
        record.spp.method = method
        record.spp.payment_reference = (
            "" if method == PaymentMethod.CASH else f"TRF-{self.rng.randint(10**7, 10**8 - 1)}"
        )
        self._money(day, method, net)
        postings.append((CASH if method == PaymentMethod.CASH else BANK, ZERO, net, "", None, None, ""))
        self.post(
            day,
            EntryKind.PAYMENT,
            record.spp.description,
            postings,
            doc=record.spp,
            doc_number=record.spp.number,
        )
        for info, line in record.lines:
            self.spent[info.id] += line.amount
        self.spent_at[act.code].append((day, record.spp.amount))
        self._report_progress(day, act, record.spp)

    def _advance(self, day: dt.date, act: ActInfo, month: int) -> None:
        if self.advance[act.code] > 0:  # the last advance is not accounted for yet
            return
        amounts = self._amounts(act, month)
        if not amounts:
            return
        record = self._new_spp(day, act, SppKind.ADVANCE, amounts)
        spp = record.spp
        spp.method = PaymentMethod.TRANSFER
        spp.payment_reference = f"TRF-{self.rng.randint(10**7, 10**8 - 1)}"
        spp.spj_due = self.cal.add(day, 10)
        self._money(day, PaymentMethod.TRANSFER, spp.amount)
        self.post(
            day,
            EntryKind.ADVANCE,
            spp.description,
            [(ADVANCE, spp.amount, ZERO, "", act, None, ""), (BANK, ZERO, spp.amount, "", None, None, "")],
            doc=spp,
            doc_number=spp.number,
        )
        overdue = (
            self.want_overdue
            and self.overdue_spp is None
            and spp.spj_due < self.today
            and (self.today - day).days <= 45
        )
        if overdue:
            self.overdue_spp = spp
            return
        self.at(self.cal.add(day, self.rng.randint(4, 9)), self.SPJ, self._spj, record)

    def _spj(self, day: dt.date, record: SppRec) -> None:
        act, spp = record.act, record.spp
        postings: list[Post] = []
        total_spent = tax_total = ZERO
        for info, line in record.lines:
            spent = min(
                line.amount, max(THOUSAND, _thousands(line.amount * Decimal(self.rng.randint(90, 100)) / 100))
            )
            line.spent = spent
            total_spent += spent
            postings.append((info.account, spent, ZERO, info.source, act, info.id, ""))
            for code, rate, amount in self.tax.taxes(_tax_codes_on_spj(info.account), spent, day):
                record.taxes.append(
                    (line, Doc(stage=TaxStage.SPJ, tax_code=code, base=spent, rate=rate, amount=amount))
                )
                postings.append((TAX_PAYABLE, ZERO, amount, "", None, None, code))
                tax_total += amount
        postings.append((ADVANCE, ZERO, total_spent, "", act, None, ""))
        if tax_total:
            postings.append((CASH, tax_total, ZERO, "", None, None, ""))
        self.post(
            day,
            EntryKind.ACCOUNTABILITY,
            f"SPJ {spp.description}"[:300],
            postings,
            doc=spp,
            doc_number=spp.number,
        )
        spp.spj_on = day
        for info, line in record.lines:
            self.spent[info.id] += line.spent or ZERO
        self.spent_at[act.code].append((day, total_spent))
        rest = spp.amount - total_spent
        if rest > 0:
            self.at(day, self.RETURN, self._return, record, rest)
        else:
            spp.status = SppStatus.ACCOUNTED
        self._report_progress(day, act, spp)

    def _return(self, day: dt.date, record: SppRec, rest: Decimal) -> None:
        spp = record.spp
        self.post(
            day,
            EntryKind.ADVANCE_RETURN,
            f"Pengembalian sisa panjar {spp.number}",
            [(BANK, rest, ZERO, "", None, None, ""), (ADVANCE, ZERO, rest, "", record.act, None, "")],
            doc=spp,
            doc_number=spp.number,
        )
        spp.returned_amount = rest
        spp.status = SppStatus.ACCOUNTED
        for info, line in record.lines:
            back = line.amount - (line.spent or ZERO)
            self.committed[info.id] -= back
            self.avail[info.source] += back

    # -- taxes, cash and month end
    def _deposit_taxes(self, day: dt.date) -> None:
        for code in sorted(self.payable):
            amount = self.payable[code]
            if amount <= 0:
                continue
            method = PaymentMethod.TRANSFER
            self._money(day, method, amount)
            doc = Doc(
                _label=TaxDeposit._meta.label,
                book_id=self.book.pk,
                tax_code=code,
                amount=amount,
                date=day,
                billing_code=f"{self.rng.randint(10**14, 10**15 - 1)}",
                ntpn=f"{self.rng.getrandbits(64):016X}",
            )
            self.deposits.append(doc)
            self.post(
                day,
                EntryKind.TAX_DEPOSIT,
                f"Setor {code} (NTPN {doc.ntpn})",
                [(TAX_PAYABLE, amount, ZERO, "", None, None, code), (BANK, ZERO, amount, "", None, None, "")],
                doc=doc,
                doc_number=doc.ntpn,
            )

    def _month_end(self, day: dt.date) -> None:
        if self.cash > CASH_KEEP_MAX:
            amount = _thousands(self.cash - CASH_FLOAT)
            self._transfer(day, TransferDirection.TO_BANK, amount, "Setor sisa kas tunai akhir bulan (STS)")

    # -- facts beside the journal
    def _report_progress(self, day: dt.date, act: ActInfo, spp: Doc) -> None:
        if act.code not in PROGRESS_ACTIVITIES or not act.amount:
            return
        realised = sum((self.spent[line.id] for line in act.lines), ZERO)
        percent = min(Decimal(100), (realised * 100 / act.amount * Decimal("1.04")).quantize(Decimal("0.01")))
        volume = (act.output_volume * percent / 100).quantize(Decimal("0.01"))
        self.progress.append(
            ProgressReport(
                activity_id=act.id,
                book=self.book,
                activity_code=act.code,
                stage=1,
                date=day,
                volume=volume,
                percent=percent,
                stage_complete=percent >= 100,
                notes=f"Realisasi fisik {percent}% ({volume} {act.output_unit}); bukti {spp.number}.",
            )
        )

    def _totals(self, through: int, source: str | None = None) -> dict[str, Any]:
        """The LRA totals through a month as the report service keeps them with a submission
        (``Lra.totals_snapshot``), from the entries in memory."""
        budget: dict[str, dict[str, Decimal]] = {
            "4": defaultdict(lambda: ZERO),
            "5": defaultdict(lambda: ZERO),
        }
        real: dict[str, dict[str, Decimal]] = {"4": defaultdict(lambda: ZERO), "5": defaultdict(lambda: ZERO)}
        for _account, src, amount in self.plan.revenue:
            budget["4"][src] += amount
        for act in self.plan.activities:
            for line in act.lines:
                budget["5"][line.source] += line.amount
        fin_budget = sum((a for _, src, a in self.plan.financing_in if source in (None, src)), ZERO)
        fin_real = ZERO
        for entry in self.entries:
            if entry.date.month > through:
                continue
            for account, dr, cr, src, _a, _l, _t in entry.postings:
                if account[0] in "45":
                    real[account[0]][src] += (cr - dr) if account[0] == "4" else (dr - cr)
                elif account.startswith("6.1") and source in (None, src):
                    fin_real += cr - dr

        def pair(b: Decimal, r: Decimal) -> dict[str, str]:
            return {"anggaran": f"{b:.2f}", "realisasi": f"{r:.2f}"}

        def total(section: str) -> tuple[Decimal, Decimal]:
            keys = [source] if source else list(budget[section] | real[section])
            return (
                sum((budget[section].get(k, ZERO) for k in keys), ZERO),
                sum((real[section].get(k, ZERO) for k in keys), ZERO),
            )

        (rb, rr), (sb, sr) = total("4"), total("5")
        by = {
            section: {
                k: pair(budget[section].get(k, ZERO), real[section].get(k, ZERO))
                for k in sorted(budget[section] | real[section])
                if source in (None, k)
            }
            for section in ("4", "5")
        }
        return {
            "sampai_bulan": through,
            "apbdes": self.plan.apbdes_id,
            "pendapatan": pair(rb, rr),
            "belanja": pair(sb, sr),
            "surplus": pair(rb - sb, rr - sr),
            "penerimaan_pembiayaan": pair(fin_budget, fin_real),
            "pengeluaran_pembiayaan": pair(ZERO, ZERO),
            "pembiayaan_netto": pair(fin_budget, fin_real),
            "silpa": pair(rb - sb + fin_budget, rr - sr + fin_real),
            "pendapatan_per_sumber": by["4"],
            "belanja_per_sumber": by["5"],
            "demo": True,
        }

    def _after(self) -> None:
        """Semester report, assets; the book's month closing is set when written."""
        if self.today >= dt.date(self.year, 7, 20):
            day = self.cal.day(7, self.rng.randint(6, 17))
            snapshot = self._totals(6)
            snapshot["dana_desa"] = self._totals(6, "DDS")
            self.submissions.append(
                ReportSubmission(
                    book=self.book,
                    kind=ReportKind.SEMESTER,
                    submitted_on=day,
                    number=f"{self.rng.randint(100, 400)}/{self.plan.code[-4:]}/VII/{self.year}",
                    snapshot=snapshot,
                )
            )
        village = self.plan.code
        self.assets += [
            Asset(
                village_id=village,
                code="01.01.11.04",
                name="Tanah kas desa (sawah)",
                category=AssetCategory.LAND,
                quantity=Decimal(self.rng.randint(2, 9)),
                unit="ha",
                acquired_on=dt.date(1983, 4, 1),
                value=Decimal(self.rng.randint(40, 160)) * 10_000_000,
                origin=AssetOrigin.ORIGINAL,
                location="Desa",
            ),
            Asset(
                village_id=village,
                code="03.11.01.01",
                name="Gedung kantor desa",
                category=AssetCategory.BUILDING,
                acquired_on=dt.date(2008, 11, 20),
                value=Decimal(self.rng.randint(35, 90)) * 10_000_000,
                origin=AssetOrigin.GOVERNMENT,
                location="Kantor desa",
            ),
        ]
        for act in self.plan.activities:
            capital = [line for line in act.lines if line.account.startswith("5.3")]
            value = sum((self.spent[line.id] for line in capital), ZERO)
            if not capital or value <= 0:
                continue
            done = act.end < self.today.month and self.advance[act.code] == 0
            last = max(d for d, _ in self.spent_at[act.code])
            spp = next((r.spp for r in reversed(self.spps) if r.act is act), None)
            asset = Asset(
                village_id=village,
                code="04.13.01.01" if done else "06.01.01.01",
                name=f"{act.name} ({_volume(act.output_volume)} {act.output_unit})"[:200],
                category=AssetCategory.NETWORK if done else AssetCategory.IN_PROGRESS,
                quantity=act.output_volume or ONE,
                unit=act.output_unit or "paket",
                acquired_on=last,
                value=value,
                origin=AssetOrigin.APBDES,
                location=act.location,
                account_code=capital[0].account,
            )
            self.assets.append(asset)
            if spp is not None:
                self.asset_spps.append((asset, spp))


# -- reading the budgets, RAK and DPA -------------------------------------------------------


def _budgets_in_force(codes: list[str], year: int) -> dict[str, int]:
    """The APBDes version governing ``year`` per desa (like ``selectors.ledger.budget_in_force``)."""
    out: dict[str, int] = {}
    rows = Apbdes.objects.filter(village_id__in=codes, year=year, status__in=IN_FORCE)
    for village, pk in rows.order_by("village_id", "revision").values_list("village_id", "pk"):
        out[village] = pk  # the latest revision wins
    return out


def ensure_rak_dpa(apbdes_ids: list[int], year: int) -> int:
    """An approved RAK (lines spread evenly over their months) and approved DPAs for each
    budget that has none. Returns how many budgets got a RAK."""
    have = set(Rak.objects.filter(apbdes_id__in=apbdes_ids).values_list("apbdes_id", flat=True))
    todo = [pk for pk in apbdes_ids if pk not in have]
    if todo:
        Rak.objects.bulk_create(
            [
                Rak(
                    apbdes_id=pk,
                    status=DocStatus.APPROVED,
                    verified_on=dt.date(year - 1, 12, 27),
                    approved_on=dt.date(year - 1, 12, 29),
                )
                for pk in todo
            ]
        )
        rows = BudgetLine.objects.filter(activity__apbdes_id__in=todo).values_list(
            "pk", "amount", "activity__start_month", "activity__end_month"
        )
        entries = []
        for pk, amount, start, end in rows:
            for i, value in enumerate(spread_evenly(amount, start, end)):
                if value:
                    entries.append(Doc(line_id=pk, month=i + 1, amount=value))
        _insert(RakEntry, entries)
    with_dpa = set(
        Dpa.objects.filter(activity__apbdes_id__in=apbdes_ids).values_list("activity_id", flat=True)
    )
    activities = BudgetActivity.objects.filter(apbdes_id__in=apbdes_ids).values_list(
        "pk", "activity_code__code"
    )
    Dpa.objects.bulk_create(
        [
            Dpa(
                activity_id=pk,
                number=f"DPA/{code}/{year}",
                status=DocStatus.APPROVED,
                verified_on=dt.date(year - 1, 12, 27),
                approved_on=dt.date(year - 1, 12, 29),
            )
            for pk, code in activities
            if pk not in with_dpa
        ],
        batch_size=5000,
    )
    return len(todo)


def _plans(budgets: dict[str, int]) -> dict[str, Plan]:
    ids = list(budgets.values())
    rak: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * MONTHS)
    for line_id, month, amount in RakEntry.objects.filter(line__activity__apbdes_id__in=ids).values_list(
        "line_id", "month", "amount"
    ):
        rak[line_id][month - 1] = amount
    acts: dict[int, ActInfo] = {}
    by_budget: dict[int, list[ActInfo]] = defaultdict(list)
    for row in (
        BudgetActivity.objects.filter(apbdes_id__in=ids)
        .order_by("apbdes_id", "activity_code__code", "pk")
        .values_list(
            "pk",
            "apbdes_id",
            "activity_code__code",
            "name",
            "start_month",
            "end_month",
            "output_volume",
            "output_unit",
            "location",
            "executor_name",
        )
    ):
        act = ActInfo(row[0], row[2], row[3], row[4] or 1, row[5] or 12, row[6], row[7], row[8], row[9])
        acts[act.id] = act
        by_budget[row[1]].append(act)
    for pk, activity_id, account, source, amount, description in (
        BudgetLine.objects.filter(activity__apbdes_id__in=ids)
        .order_by("activity_id", "pk")
        .values_list("pk", "activity_id", "account__code", "source_id", "amount", "description")
    ):
        acts[activity_id].lines.append(LineInfo(pk, account, source, amount, description, rak[pk]))
    revenue: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for apbdes_id, account, source, amount in RevenueLine.objects.filter(apbdes_id__in=ids).values_list(
        "apbdes_id", "account__code", "source_id", "amount"
    ):
        revenue[apbdes_id].append((account, source, amount))
    financing: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for apbdes_id, account, source, amount in FinancingLine.objects.filter(
        apbdes_id__in=ids, account__code__startswith="6.1"
    ).values_list("apbdes_id", "account__code", "source_id", "amount"):
        if amount > 0:
            financing[apbdes_id].append((account, source, amount))
    return {code: Plan(code, pk, by_budget[pk], revenue[pk], financing[pk]) for code, pk in budgets.items()}


def _tranche_percents(year: int) -> list[Decimal]:
    rules = list(
        TrancheRule.objects.filter(year=year, part="reguler")
        .order_by("tranche")
        .values_list("percent", flat=True)
    )
    return rules or [Decimal(40), Decimal(60)]


# -- writing --------------------------------------------------------------------------------


def _link_entries(books: list[Book]) -> None:
    """Point each document at the entry it made (the entries name their document by pk)."""
    ids = ",".join(str(b.pk) for b in books)
    quote = connection.ops.quote_name
    entries = quote(JournalEntry._meta.db_table)
    links = [
        (Spp, "entry_id", (EntryKind.PAYMENT, EntryKind.ADVANCE)),
        (Spp, "spj_entry_id", (EntryKind.ACCOUNTABILITY,)),
        (Spp, "return_entry_id", (EntryKind.ADVANCE_RETURN,)),
        (Receipt, "entry_id", (EntryKind.RECEIPT, EntryKind.OPENING)),
        (Transfer, "entry_id", (EntryKind.TRANSFER,)),
        (TaxDeposit, "entry_id", (EntryKind.TAX_DEPOSIT,)),
    ]
    with connection.cursor() as cursor:
        for model, column, kinds in links:
            table = quote(model._meta.db_table)
            kinds_sql = ",".join(f"'{k}'" for k in kinds)
            cursor.execute(
                f"UPDATE {table} SET {quote(column)} = (SELECT e.id FROM {entries} e "
                f"WHERE e.doc_type = %s AND e.doc_id = CAST({table}.id AS VARCHAR(40)) "
                f"AND e.kind IN ({kinds_sql})) WHERE book_id IN ({ids}) AND {quote(column)} IS NULL",
                [model._meta.label],
            )


def _insert(model: Any, rows: list[Doc]) -> None:
    """INSERT rows given as dicts by attribute name; a missing field takes its default."""
    if not rows:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: now if f.name in ("created_at", "updated_at") else f.get_default() for f in fields}
    pick = operator.itemgetter(*[f.attname for f in fields])
    _insert_tuples(model, [f.attname for f in fields], [pick({**defaults, **r}) for r in rows])


def _insert_tuples(model: Any, names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT rows given as tuples in the order of ``names`` (attribute names of the fields),
    without Django's per-row SQL compiling: ``COPY`` on PostgreSQL, ``executemany`` on SQLite
    (dates and decimals go to the driver as they are; both take them)."""
    if not rows:
        return
    column = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(column[n]) for n in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
        for start in range(0, len(rows), 10000):
            cursor.executemany(sql, rows[start : start + 10000])


def _write(sims: list[VillageYear], closed_through: int) -> tuple[int, int, int]:
    book_ids = [s.book.pk for s in sims]
    spps = [r.spp for s in sims for r in s.spps]
    _insert(Spp, spps)
    ids = {
        (b, n): pk
        for b, n, pk in Spp.objects.filter(book_id__in=book_ids).values_list("book_id", "number", "pk")
    }
    for spp in spps:
        spp.id = ids[(spp.book_id, spp.number)]
    spp_lines = []
    for sim in sims:
        for r in sim.spps:
            for _, line in r.lines:
                line.spp_id = r.spp.id
                spp_lines.append(line)
    _insert(SppLine, spp_lines)
    line_ids = {
        (spp, line): pk
        for spp, line, pk in SppLine.objects.filter(spp__book_id__in=book_ids).values_list(
            "spp_id", "budget_line_id", "pk"
        )
    }
    for line in spp_lines:
        line.id = line_ids[(line.spp_id, line.budget_line_id)]
    taxes = []
    for sim in sims:
        for r in sim.spps:
            for line, tax in r.taxes:
                tax.spp_id, tax.line_id = r.spp.id, line.id
                taxes.append(tax)
    _insert(SppTax, taxes)
    for model, attr, key in (
        (Receipt, "receipts", ("book_id", "number")),
        (Transfer, "transfers", ("book_id", "number")),
        (TaxDeposit, "deposits", ("book_id", "date", "tax_code")),
    ):
        docs = [d for s in sims for d in getattr(s, attr)]
        _insert(model, docs)
        found = {
            tuple(row[:-1]): row[-1]
            for row in model.objects.filter(book_id__in=book_ids).values_list(*key, "pk")
        }
        for doc in docs:
            doc.id = found[tuple(doc[k] for k in key)]
    entries: list[Doc] = []
    for sim in sims:
        for number, rec in enumerate(sim.entries, start=1):
            doc = rec.doc
            rec.obj = Doc(
                book_id=sim.book.pk,
                number=number,
                date=rec.date,
                kind=rec.kind,
                description=rec.description[:300],
                doc_type=doc["_label"] if doc is not None else "",
                doc_id=str(doc.id) if doc is not None else "",
                doc_number=rec.doc_number[:80],
                reason=rec.reason,
                reverses_id=None,
                posted_by_id=None,
            )
            entries.append(rec.obj)
    _insert(JournalEntry, entries)
    entry_ids = {
        (b, n): pk
        for b, n, pk in JournalEntry.objects.filter(book_id__in=book_ids).values_list(
            "book_id", "number", "pk"
        )
    }
    for entry in entries:
        entry.id = entry_ids[(entry.book_id, entry.number)]
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(JournalEntry._meta.db_table)
        for sim in sims:
            for rec in sim.entries:
                if rec.reverses is not None:
                    cursor.execute(
                        f"UPDATE {table} SET reverses_id = %s WHERE id = %s",
                        [rec.reverses.obj.id, rec.obj.id],
                    )
    # The journal lines are the bulk of it: plain tuples in the table's column order.
    fields = [f.attname for f in JournalLine._meta.concrete_fields if not f.primary_key]
    expected = [
        "entry_id", "book_id", "date", "month", "account_code", "source_code", "activity_id",
        "activity_code", "budget_line_id", "tax_code", "debit", "credit",
    ]  # fmt: skip
    assert fields == expected, fields
    lines = [
        (
            rec.obj.id,
            sim.book.pk,
            rec.date,
            rec.date.month,
            account,
            source,
            act.id if act is not None else None,
            act.code if act is not None else "",
            line_id,
            tax,
            dr,
            cr,
        )
        for sim in sims
        for rec in sim.entries
        for account, dr, cr, source, act, line_id, tax in rec.postings
    ]
    _insert_tuples(JournalLine, fields, lines)
    _link_entries([s.book for s in sims])
    ProgressReport.objects.bulk_create([p for s in sims for p in s.progress], batch_size=2000)
    ReportSubmission.objects.bulk_create([r for s in sims for r in s.submissions])
    for sim in sims:
        for asset, spp in sim.asset_spps:
            asset.spp_id = spp.id
    Asset.objects.bulk_create([a for s in sims for a in s.assets], batch_size=2000)
    for sim in sims:
        sim.book.next_number = len(sim.entries) + 1
        sim.book.closed_through = 0 if sim.programmes else closed_through
    Book.objects.bulk_update([s.book for s in sims], ["next_number", "closed_through"], batch_size=500)
    return len(entries), len(lines), len(spps)


@transaction.atomic
def execution_bulk(
    *, codes: list[str], seed: int, today: dt.date, programme_villages: Iterable[str] = ()
) -> ExecutionResult:
    """The year of transactions for each desa in ``codes`` whose book has no entries yet."""
    result = ExecutionResult()
    year = today.year
    budgets = _budgets_in_force(codes, year)
    if not budgets:
        return result
    result.rak_budgets = ensure_rak_dpa(list(budgets.values()), year)
    books = {b.village_id: b for b in Book.objects.filter(village_id__in=list(budgets), year=year)}
    busy: set[str] = set()
    for model in (JournalEntry, Spp, Receipt, Transfer, TaxDeposit):  # a book in use is left alone
        busy |= set(
            model.objects.filter(book__in=list(books.values()))
            .values_list("book__village_id", flat=True)
            .distinct()
        )
    todo = sorted(code for code in budgets if code not in busy)
    if not todo:
        return result
    missing = [code for code in todo if code not in books]
    Book.objects.bulk_create([Book(village_id=code, year=year) for code in missing], ignore_conflicts=True)
    books = {b.village_id: b for b in Book.objects.filter(village_id__in=todo, year=year)}
    plans = _plans({code: budgets[code] for code in todo})
    holidays = set(
        Holiday.objects.filter(
            regency_id=REGENCY_CODE, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year + 1, 1, 31)
        ).values_list("date", flat=True)
    )
    calendar, taxes, tranches = Calendar(year, holidays), TaxTable(), _tranche_percents(year)
    sims = []
    for code in todo:
        pick = random.Random(f"{seed}:finance-overdue:{code}:{year}")
        sim = VillageYear(
            plans[code],
            books[code],
            today=today,
            seed=seed,
            calendar=calendar,
            taxes=taxes,
            tranches=tranches,
            overdue=code in LIVE_VILLAGES or pick.random() < 0.35,
            programmes=code in set(programme_villages),
        )
        sim.run()
        sims.append(sim)
    result.entries, result.lines, result.spps = _write(sims, today.month - 1)
    result.receipts = sum(len(s.receipts) for s in sims)
    result.villages = len(sims)
    for sim in sims:
        audit_record(
            actor=None,
            act=BUILD_ACT,
            region=sim.plan.code,
            object_type="finance.Book",
            object_id=str(sim.book.pk),
            after={
                "year": year,
                "through": today.isoformat(),
                "entries": len(sim.entries),
                "closed_through": 0 if sim.programmes else today.month - 1,
                "demo": True,
            },
        )
    return result


# -- the live part through the services -----------------------------------------------------


def _user(prefix: str, code: str) -> Any:
    from kampung.accounts.models import User

    slug = USERNAME_SLUGS.get(code)
    return User.objects.filter(username=f"{prefix}.{slug}").first() if slug else None


def live_fill(*, code: str, today: dt.date) -> list[str]:
    """SPPs in every state for one desa, through the payment and treasury services; a step the
    services refuse is skipped with a warning."""
    from kampung.finance.services import payments

    year = today.year
    book = Book.objects.filter(village_id=code, year=year).first()
    if book is None or Spp.objects.filter(book=book, status=SppStatus.DRAFT).exists():
        return []
    users = {p: _user(p, code) for p in ("pelaksana", "sekdes", "kades", "kaurkeu")}
    if any(u is None for u in users.values()):
        return []
    budget = _budgets_in_force([code], year).get(code)
    if budget is None:
        return []
    activities = {
        a.activity_code.code: a
        for a in BudgetActivity.objects.filter(apbdes_id=budget).select_related("activity_code")
    }
    steps = (
        ("01.01.04", SppKind.DIRECT, "draf"),
        ("01.01.06", SppKind.DIRECT, "diajukan"),
        ("01.01.04", SppKind.DIRECT, "diverifikasi"),
        ("01.01.06", SppKind.DIRECT, "disetujui"),
        ("01.01.04", SppKind.DIRECT, "dibayar"),
        ("04.02.03", SppKind.ADVANCE, "panjar"),
    )
    done: list[str] = []
    start = Spp.objects.filter(book=book).count()
    for n, (activity_code, kind, target) in enumerate(steps, start=1):
        activity = activities.get(activity_code)
        if activity is None:
            continue
        line = activity.lines.order_by("-amount").first()
        if line is None:
            continue
        try:
            with transaction.atomic():
                amount = _live_amount(payments, activity, today)
                if amount <= 0:
                    continue
                spp = payments.spp_create(
                    actor=users["pelaksana"],
                    activity=activity,
                    kind=kind,
                    date=today,
                    description=f"{'Panjar' if kind == SppKind.ADVANCE else 'Belanja'} {activity.name}"[:300],
                    payee_name="Pelaksana Kegiatan"
                    if kind == SppKind.ADVANCE
                    else PROVIDERS[n % len(PROVIDERS)][0],
                    payee_npwp="" if kind == SppKind.ADVANCE else PROVIDERS[n % len(PROVIDERS)][1],
                    lines=[(line.pk, amount, line.description[:255])],
                    number=f"{start + n:04d}/SPP-{kind}/{year}",
                )
                if kind == SppKind.DIRECT:
                    payments.attachment_add(
                        actor=users["pelaksana"],
                        spp=spp,
                        kind=AttachmentKind.HANDOVER,
                        upload=_handover_pdf(),
                    )
                if target != "draf":
                    payments.spp_submit(actor=users["pelaksana"], spp=spp)
                if target not in ("draf", "diajukan"):
                    payments.spp_verify(
                        actor=users["sekdes"], spp=spp, complete=True, correct=True, funds=True
                    )
                if target in ("disetujui", "dibayar", "panjar"):
                    payments.spp_approve(actor=users["kades"], spp=spp)
                if target in ("dibayar", "panjar"):
                    payments.spp_pay(
                        actor=users["kaurkeu"],
                        spp=spp,
                        date=today,
                        method=PaymentMethod.TRANSFER,
                        reference=f"TRF-LIVE-{n}",
                    )
            done.append(f"{code}:{target}")
        except KampungError as exc:
            logger.warning("Demo keuangan: SPP contoh %s (%s) ditolak: %s", code, target, exc.message)
    if done:
        done += _live_receipt(code, today)
    return done


def _handover_pdf() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"%PDF-1.4\n% Berita acara penerimaan barang (demo)\n%%EOF\n"
    return SimpleUploadedFile("berita-acara-penerimaan.pdf", content, content_type="application/pdf")


def _live_receipt(code: str, today: dt.date) -> list[str]:
    """One PAD receipt through the treasury service."""
    from kampung.finance.services import treasury

    treasurer = _user("kaurkeu", code)
    if treasurer is None:
        return []
    try:
        with transaction.atomic():
            treasury.receipt_record(
                actor=treasurer,
                village_code=code,
                year=today.year,
                date=today,
                account_code="4.1.2.01",
                source_code="PAD",
                amount=Decimal(750_000),
                payer="Pedagang pasar desa",
                description="Retribusi pasar desa (contoh)",
                method=PaymentMethod.CASH,
            )
    except KampungError as exc:
        logger.warning("Demo keuangan: TBP contoh %s ditolak: %s", code, exc.message)
        return []
    return [f"{code}:tbp"]


def _live_amount(payments: Any, activity: BudgetActivity, today: dt.date) -> Decimal:
    from kampung.finance.selectors import payments as chosen

    room = min(chosen.remaining_budget(activity), chosen.remaining_rak(activity, today.month))
    return min(Decimal(750_000), _thousands(room / 4))


def execution_fill(
    *,
    village_codes: Iterable[str],
    seed: int,
    today: dt.date | None = None,
    programme_villages: Iterable[str] = (),
) -> ExecutionResult:
    """The demo year of transactions for the given villages (kelurahan and desa without an
    enacted budget are skipped), then the live SPPs of the named desa. In
    ``programme_villages`` the RTLH and BLT kegiatan are left to the assistance demo. When everything is
    there already this costs two queries (``village_codes`` may be a queryset of codes)."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    year = today.year
    codes: Any = village_codes if isinstance(village_codes, QuerySet) else list(village_codes)
    desa_kinds = (Kind.DESA, Kind.DESA_ADAT)
    result = ExecutionResult()
    filled = Book.objects.filter(year=year, next_number__gt=1).values("village_id")
    pending = Apbdes.objects.filter(
        village_id__in=codes, year=year, status__in=IN_FORCE, village__kind__in=desa_kinds
    ).exclude(village_id__in=filled)
    if pending.exists():
        desa = list(
            Region.objects.filter(code__in=codes, kind__in=desa_kinds)
            .order_by("code")
            .values_list("code", flat=True)
        )
        result = execution_bulk(codes=desa, seed=seed, today=today, programme_villages=programme_villages)
    done = set(
        Spp.objects.filter(
            book__year=year, book__village_id__in=LIVE_VILLAGES, status=SppStatus.DRAFT
        ).values_list("book__village_id", flat=True)
    )
    todo = [code for code in LIVE_VILLAGES if code not in done]
    if todo:
        for code in (
            Region.objects.filter(code__in=todo).filter(code__in=codes).values_list("code", flat=True)
        ):
            result.live += live_fill(code=code, today=today)
    result.seconds = time.perf_counter() - started
    return result
