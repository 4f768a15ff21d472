"""BLT Dana Desa: the Dana Desa cap, the month's SPP for every beneficiary household, and the
record of who received the money (domain.md §3.3).

The cash is paid monthly by the village (Rp300.000 per KPM per month by default, a yearly
setting) out of the BLT kegiatan (05.03.00, rekening 5.4.1.01), and the year's BLT may not
pass the regency-set share of the village's Dana Desa (at most 15 % in 2025, PMK 108/2024).
Each month one LS SPP (Permendagri 20/2018 Pasal 53) carries the whole list; the payment per
household and month is then recorded as received (date, method, who took it) or not
collected (with the reason), which is what the village reports per KPM.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from kampung.accounts.scope import scope_for
from kampung.assistance.access import DISTRIBUTORS
from kampung.assistance.loader import programme_year_get
from kampung.assistance.models import (
    AIDED_STATUSES,
    Case,
    CaseStatus,
    MonthlyPayment,
    PaymentMethod,
    Programme,
    ProgrammeYear,
)
from kampung.assistance.timeline import case_event
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.formatting import MONTHS_ID, rupiah
from kampung.finance.access import SPP_DRAFTERS
from kampung.finance.models import BudgetActivity, BudgetLine, RevenueLine, Spp, SppKind, SppStatus
from kampung.finance.selectors.ledger import budget_in_force
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

ZERO = Decimal("0")
HUNDRED = Decimal("100")
DD_SOURCE = "DDS"
# SPP in these states no longer hold the month: the month may be requested again.
RELEASED_SPP = (SppStatus.CANCELLED,)
PAID_SPP = (SppStatus.PAID, SppStatus.ACCOUNTED)
MAX_TEXT = 300
# What the case timeline calls this module's acts (merged into the timeline's labels).
BLT_ACTS = (
    "assistance.blt.request",
    "assistance.blt.paid",
    "assistance.blt.distribute",
    "assistance.blt.not_collected",
    "assistance.blt.unpaid",
)


@dataclass(frozen=True)
class DdFigures:
    """What the cap check compares for one village and year (None: no budget in force)."""

    dana_desa: Decimal
    cap_percent: Decimal | None
    cap_amount: Decimal | None
    line_amount: Decimal
    monthly_amount: Decimal
    months: int
    budget_found: bool
    line_found: bool


def month_name(month: int) -> str:
    return MONTHS_ID[month - 1] if 1 <= month <= 12 else str(month)


def _village_code(village: Region | str) -> str:
    return village if isinstance(village, str) else village.code


def blt_lines(programme: Programme, village: Region | str, year: int) -> list[BudgetLine]:
    """The budget-in-force lines of the programme's kegiatan and rekening (the BLT line)."""
    apbdes = budget_in_force(_village_code(village), year)
    if apbdes is None:
        return []
    return list(
        BudgetLine.objects.filter(
            activity__apbdes=apbdes,
            activity__activity_code__code=programme.activity_code,
            account__code=programme.account_code,
        )
        .select_related("activity__activity_code", "activity__apbdes", "source")
        .order_by("pk")
    )


def dd_figures(*, programme_year: ProgrammeYear, village: Region | str) -> DdFigures:
    """The village's Dana Desa for the year (revenue lines of source DDS in the APBDes in
    force), the cap in rupiah, and the BLT budget line."""
    programme = programme_year.programme
    code = _village_code(village)
    apbdes = budget_in_force(code, programme_year.year)
    dana_desa = ZERO
    if apbdes is not None:
        dana_desa = (
            RevenueLine.objects.filter(apbdes=apbdes, source_id=DD_SOURCE).aggregate(s=Sum("amount"))["s"]
            or ZERO
        )
    lines = blt_lines(programme, code, programme_year.year)
    percent = programme_year.dd_cap_percent
    cap = None if percent is None else (dana_desa * percent / HUNDRED).quantize(Decimal("0.01"))
    return DdFigures(
        dana_desa=dana_desa,
        cap_percent=percent,
        cap_amount=cap,
        line_amount=sum((line.amount for line in lines), ZERO),
        monthly_amount=programme_year.amount,
        months=programme_year.months,
        budget_found=apbdes is not None,
        line_found=bool(lines),
    )


def dd_cap_check(
    *,
    programme_year: ProgrammeYear,
    village: Region | str,
    households: int,
    extra_months: int | None = None,
) -> None:
    """Refuse when the year's BLT of ``village`` would pass the cap on Dana Desa or the BLT
    budget line.

    ``households`` is the total number of beneficiary households of the village in that
    programme year the caller wants to allow (those already decided plus those being
    proposed). The year's BLT is ``households × monthly amount × months`` (``extra_months``,
    when given, replaces the year's number of months, e.g. for an extension). It must not pass
    ``dd_cap_percent`` % of the village's Dana Desa — the DDS revenue of the APBDes in force
    (domain.md §3.3: at most 15 % in 2025, PMK 108/2024; 25 % in 2024) — nor the amount of the
    programme's budget line (kegiatan 05.03.00, rekening 5.4.1.01 by default).
    """
    programme = programme_year.programme
    if households < 0:
        raise KampungError("Jumlah keluarga penerima tidak sah.")
    months = programme_year.months if extra_months is None else extra_months
    if months < 0 or months > 12:
        raise KampungError("Jumlah bulan BLT harus antara 0 dan 12.")
    figures = dd_figures(programme_year=programme_year, village=village)
    total = Decimal(households) * programme_year.amount * Decimal(months)
    year = programme_year.year
    if not figures.budget_found:
        raise KampungError(
            f"APBDes {year} desa ini belum ditetapkan: BLT Dana Desa hanya dapat diputuskan "
            "dan dibayar dari APBDes yang berlaku."
        )
    if figures.cap_amount is not None and total > figures.cap_amount:
        raise KampungError(
            f"BLT Dana Desa {year} untuk {households} keluarga × {rupiah(programme_year.amount)} × "
            f"{months} bulan = {rupiah(total)} melebihi batas {figures.cap_percent:g}% Dana Desa "
            f"({rupiah(figures.cap_amount)} dari Dana Desa {rupiah(figures.dana_desa)}). "
            "Kurangi jumlah penerima atau ubah batas persen tahun ini di pengaturan program."
        )
    if not figures.line_found:
        raise KampungError(
            f"APBDes {year} yang berlaku tidak memuat kegiatan {programme.activity_code} rekening "
            f"{programme.account_code} untuk {programme.name}. Anggarkan dahulu (APBDes perubahan)."
        )
    if total > figures.line_amount:
        raise KampungError(
            f"BLT Dana Desa {year} untuk {households} keluarga × {rupiah(programme_year.amount)} × "
            f"{months} bulan = {rupiah(total)} melebihi anggaran kegiatan {programme.activity_code} "
            f"rekening {programme.account_code} {rupiah(figures.line_amount)}."
        )


# -- the month's SPP -----------------------------------------------------------------------


def beneficiaries(programme: Programme, village: Region | str, year: int) -> list[Case]:
    """The households decided (or later) for the year in the village, in number order."""
    return list(
        Case.objects.filter(
            programme=programme, village_id=_village_code(village), year=year, status__in=AIDED_STATUSES
        )
        .select_related("decision__document")
        .order_by("number")
    )


def active_payments(programme: Programme, village: Region | str, year: int, month: int) -> Any:
    """The month's payment rows whose SPP still holds them (not cancelled)."""
    return MonthlyPayment.objects.filter(
        case__programme=programme,
        case__village_id=_village_code(village),
        year=year,
        month=month,
        spp__isnull=False,
    ).exclude(spp__status__in=RELEASED_SPP)


def _check_monthly(programme: Programme) -> None:
    if not programme.is_monthly:
        raise KampungError(f"{programme.name} bukan program bantuan bulanan.")


def _check_month(programme_year: ProgrammeYear, month: int) -> None:
    months = programme_year.months
    if not 1 <= month <= months:
        last = month_name(months) if months else "-"
        raise KampungError(
            f"Bulan {month} di luar masa BLT {programme_year.year}: {programme_year.programme.name} "
            f"dibayar {months} bulan (Januari sampai {last}) menurut pengaturan tahun ini."
        )


def _drafter_role(actor: Any, village_code: str) -> None:
    held = scope_for(actor).roles_at(village_code)
    if not any(role in held for role in SPP_DRAFTERS):
        raise NotPermitted(
            "Hanya pelaksana kegiatan BLT atau sekretaris desa yang dapat mengajukan SPP BLT bulanan."
        )


@transaction.atomic
def blt_month_request(
    *, actor: Any, programme: Programme, village: Region, year: int, month: int, date: dt.date
) -> Spp:
    """One LS SPP for ``month`` paying every household decided (or later) in the village and
    year the year's monthly amount, on the BLT budget line (Permendagri 20/2018 Pasal 53; the
    finance rules on funds, RAK and cash apply through ``spp_create``). A payment row per
    household is written (not yet collected) and linked to the SPP.

    Refused: a programme that is not monthly, a month outside the year's months, no
    beneficiaries, or a month already requested for every beneficiary (a household decided
    after the month was requested is paid with a second SPP for the month)."""
    from kampung.assistance.services.basis import attach_decree
    from kampung.finance.services.payments import spp_create

    _check_monthly(programme)
    if not village.code.startswith(programme.regency_id + "."):
        raise KampungError(f"{programme.name} bukan program kabupaten desa ini.")
    _drafter_role(actor, village.code)
    # The year's row is the lock that keeps two requests for one month apart.
    programme_year = ProgrammeYear.objects.select_for_update().get(pk=programme_year_get(programme, year).pk)
    _check_month(programme_year, month)
    if not isinstance(date, dt.date):
        raise KampungError("Tanggal SPP wajib diisi.")
    cases = beneficiaries(programme, village, year)
    if not cases:
        raise KampungError(
            f"Belum ada keluarga penerima {programme.name} {year} yang ditetapkan di desa ini; "
            "tetapkan penerima dengan keputusan kepala desa lebih dahulu."
        )
    held = dict(active_payments(programme, village, year, month).values_list("case_id", "spp__number"))
    due = [case for case in cases if case.pk not in held]
    if not due:
        numbers = ", ".join(sorted(set(held.values())))
        raise KampungError(
            f"BLT bulan {month_name(month)} {year} sudah diajukan untuk semua penerima (SPP {numbers})."
        )
    amount = programme_year.amount
    if amount <= 0:
        raise KampungError("Besaran BLT per bulan tahun ini belum diatur di pengaturan program.")
    lines = blt_lines(programme, village, year)
    if not lines:
        raise KampungError(
            f"APBDes {year} yang berlaku tidak memuat kegiatan {programme.activity_code} rekening "
            f"{programme.account_code}; SPP BLT tidak dapat dibuat."
        )
    line = lines[0]
    activity: BudgetActivity = line.activity
    total = amount * len(due)
    label = f"{programme.name} bulan {month_name(month)} {year}"
    spp = spp_create(
        actor=actor,
        activity=activity,
        kind=SppKind.DIRECT,
        date=date,
        description=f"{label} untuk {len(due)} KPM × {rupiah(amount)}"[:MAX_TEXT],
        payee_name=f"Penerima {programme.name} ({len(due)} KPM)"[:160],
        lines=[(line.pk, total, label[:255])],
    )
    # The decrees naming these households are the basis of the payment (finance's LS rule).
    for decision in {case.decision for case in due if case.decision is not None}:
        attach_decree(actor=actor, spp=spp, decision=decision)
    existing = {
        p.case_id: p
        for p in MonthlyPayment.objects.select_for_update().filter(case__in=due, year=year, month=month)
    }
    for case in due:
        payment = existing.get(case.pk)
        if payment is None:
            MonthlyPayment.objects.create(case=case, year=year, month=month, amount=amount, spp=spp)
        else:
            # The row of a cancelled SPP: reused for the new one, its record cleared.
            payment.amount = amount
            payment.spp = spp
            payment.paid_on = None
            payment.method = ""
            payment.received_by = ""
            payment.collected = False
            payment.note = ""
            payment.recorded_by = None
            payment.save()
        case_event(
            case,
            actor=actor,
            act="assistance.blt.request",
            note=f"SPP {spp.number}: BLT bulan {month_name(month)} {year} {rupiah(amount)}",
        )
    return spp


# -- distribution --------------------------------------------------------------------------


def _distributor(actor: Any, village_code: str) -> None:
    if not scope_for(actor).covers(village_code, *DISTRIBUTORS):
        raise NotPermitted("Hanya bendahara atau sekretaris desa yang dapat mencatat penyaluran BLT.")


def _check_paid_spp(payment: MonthlyPayment) -> Spp:
    spp = payment.spp
    if spp is None or spp.status != SppStatus.PAID or spp.paid_on is None:
        raise KampungError(
            f"SPP BLT bulan {month_name(payment.month)} {payment.year} belum dibayar bendahara; "
            "penyaluran dicatat setelah SPP dibayar."
        )
    return spp


def _record(
    *,
    actor: Any,
    payment: MonthlyPayment,
    spp: Spp,
    paid_on: dt.date | None,
    method: str,
    received_by: str,
    collected: bool,
    note: str,
    today: dt.date,
) -> MonthlyPayment:
    note = (note or "").strip()
    received_by = (received_by or "").strip()
    month = f"{month_name(payment.month)} {payment.year}"
    if len(note) > MAX_TEXT:
        raise KampungError(f"Catatan paling panjang {MAX_TEXT} karakter.")
    if len(received_by) > 150:
        raise KampungError("Nama penerima paling panjang 150 karakter.")
    case = payment.case
    if collected:
        if not isinstance(paid_on, dt.date):
            raise KampungError(f"Tanggal diterima BLT {case.name} bulan {month} wajib diisi.")
        if spp.paid_on is not None and paid_on < spp.paid_on:
            raise KampungError(f"Tanggal diterima tidak boleh sebelum SPP dibayar ({spp.paid_on:%d-%m-%Y}).")
        if paid_on > today:
            raise KampungError(f"Tanggal diterima {paid_on:%d-%m-%Y} belum tiba.")
        if paid_on.year != payment.year:
            raise KampungError(f"Tanggal diterima harus dalam tahun {payment.year}.")
        if method not in PaymentMethod.values:
            raise KampungError("Cara bayar harus tunai atau transfer bank.")
        payment.paid_on = paid_on
        payment.method = method
        payment.received_by = received_by or case.name
        payment.collected = True
        payment.note = note
        act = "assistance.blt.distribute"
        text = f"BLT bulan {month} diterima {payment.received_by} ({paid_on:%d-%m-%Y}, {method})"
    else:
        if not note:
            raise KampungError(
                f"Tulis alasan BLT {case.name} bulan {month} tidak diambil (misalnya pindah, "
                "meninggal, tidak hadir); uangnya kembali ke kas desa."
            )
        payment.paid_on = None
        payment.method = ""
        payment.received_by = ""
        payment.collected = False
        payment.note = note
        act = "assistance.blt.not_collected"
        text = f"BLT bulan {month} tidak diambil"
    payment.recorded_by = actor if getattr(actor, "pk", None) else None
    payment.save()
    case_event(case, actor=actor, act=act, note=f"{text}. {note}".strip().rstrip("."))
    return payment


@transaction.atomic
def blt_distribution_record(
    *,
    actor: Any,
    payment: MonthlyPayment,
    paid_on: dt.date | None,
    method: str,
    received_by: str,
    collected: bool = True,
    note: str = "",
) -> MonthlyPayment:
    """Record one household's BLT for one month (domain.md §3.3: recorded per KPM with NIK,
    KK, amount, month and proof): received on ``paid_on`` by ``received_by`` (the
    beneficiary by default) by ``method``, or not collected with the reason in ``note``.
    Only after the month's SPP is paid; the treasurer or the secretary records it; a record
    may be corrected (every change is on the case's timeline)."""
    locked = (
        MonthlyPayment.objects.select_for_update(of=("self",))
        .select_related("case", "spp")
        .filter(pk=payment.pk)
        .first()
    )
    if locked is None:
        raise KampungError("Data pembayaran BLT tidak ditemukan.")
    village_code = locked.case.village_id
    _distributor(actor, village_code)
    spp = _check_paid_spp(locked)
    today = local_today(Region.objects.get(code=village_code))
    return _record(
        actor=actor,
        payment=locked,
        spp=spp,
        paid_on=paid_on,
        method=method,
        received_by=received_by,
        collected=collected,
        note=note,
        today=today,
    )


@transaction.atomic
def blt_month_distribute(
    *,
    actor: Any,
    programme: Programme,
    village: Region,
    year: int,
    month: int,
    paid_on: dt.date,
    method: str,
) -> int:
    """Mark every household of the month not yet recorded as received on ``paid_on`` (the
    bulk form: the money was handed out on one day). Households already recorded (received
    or not collected) keep their record. Returns how many were marked."""
    _check_monthly(programme)
    _distributor(actor, village.code)
    payments = list(
        active_payments(programme, village, year, month)
        .filter(collected=False, note="")
        .select_for_update(of=("self",))
        .select_related("case", "spp")
        .order_by("case__number")
    )
    if not payments:
        raise KampungError(
            f"Tidak ada penerima BLT bulan {month_name(month)} {year} yang belum dicatat penyalurannya."
        )
    today = local_today(village)
    for payment in payments:
        spp = _check_paid_spp(payment)
        _record(
            actor=actor,
            payment=payment,
            spp=spp,
            paid_on=paid_on,
            method=method,
            received_by="",
            collected=True,
            note="",
            today=today,
        )
    return len(payments)


# -- hooks ---------------------------------------------------------------------------------


def on_month_spp_paid(spp: Any, actor: Any, paid_on: dt.date) -> None:
    """When a month's SPP is paid, its households still at ``ditetapkan`` move to
    ``dibayar`` (the money left the village cash for them), inside the paying transaction.
    Refuses the payment when the SPP's amount no longer matches its list of households."""
    rows = list(MonthlyPayment.objects.filter(spp=spp).values_list("case_id", "amount"))
    if not rows:
        return
    case_ids = [case_id for case_id, _ in rows]
    listed = sum((amount for _, amount in rows), ZERO)
    if listed != spp.amount:
        # The SPP was edited in finance after the month's list was made: paying it would
        # leave households and money apart.
        raise KampungError(
            f"SPP {spp.number} berjumlah {rupiah(spp.amount)}, tetapi daftar penerima BLT-nya "
            f"berjumlah {rupiah(listed)} ({len(rows)} KPM). Batalkan SPP ini dan ajukan lagi "
            "dari halaman BLT bulanan."
        )
    for case in Case.objects.select_for_update().filter(pk__in=case_ids, status=CaseStatus.DECIDED):
        case.status = CaseStatus.PAID
        case.paid_on = paid_on
        case.save(update_fields=["status", "paid_on", "updated_at"])
        case_event(
            case,
            actor=actor,
            act="assistance.blt.paid",
            source=CaseStatus.DECIDED,
            target=CaseStatus.PAID,
            note=f"SPP {spp.number} dibayar {paid_on:%d-%m-%Y}",
        )


def on_month_spp_reversed(spp: Any, actor: Any) -> None:
    """The payment of a month's SPP was reversed: refused once any household's receipt was
    recorded (the cash was handed out); otherwise households with no other paid month go back
    to ``ditetapkan``."""
    from kampung.assistance.services.payments import case_unpaid

    payments = list(MonthlyPayment.objects.filter(spp=spp))
    if not payments:
        return
    if any(p.paid_on is not None for p in payments):
        raise KampungError(
            f"Pembayaran SPP {spp.number} tidak dapat dibatalkan: penyaluran BLT bulan itu sudah "
            "dicatat. Hapus dulu catatan penyaluran yang keliru."
        )
    others = set(
        MonthlyPayment.objects.filter(case__in=[p.case_id for p in payments], spp__status__in=PAID_SPP)
        .exclude(spp=spp)
        .values_list("case_id", flat=True)
    )
    for case in Case.objects.select_for_update().filter(
        pk__in=[p.case_id for p in payments], status=CaseStatus.PAID
    ):
        if case.pk not in others:
            case_unpaid(case, actor=actor, act="assistance.blt.unpaid", spp=spp)


def register() -> None:
    """Hook this module into other apps at start-up: finance tells us when an SPP is paid,
    or its payment reversed."""
    from kampung.finance.services.hooks import on_spp_paid, on_spp_payment_reversed

    on_spp_paid(on_month_spp_paid)
    on_spp_payment_reversed(on_month_spp_reversed)
