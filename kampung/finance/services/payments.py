"""Payment requests (SPP), advances (panjar) and their accountability (SPJ), taxes at payment.

Permendagri 20/2018 Pasal 53–55 (domain.md §1.4): the executor of a kegiatan asks for money
(SPP) against the DPA and the RAK, either as an advance (UM, panjar) or as a direct payment to
a provider after the goods or work are received (LS). The secretary verifies (complete, correct, funds
available), the head approves, the treasurer pays. An advance is accounted for (SPJ) within
10 working days (the regency may set another number) and what is left is returned.

Life cycle (``SPP_FLOW`` for the acts of the authority register; the others audited here)::

    draf ──submit──▶ diajukan ──verify──▶ diverifikasi ──approve──▶ disetujui ──pay──▶ dibayar
      ▲                 │ reject            │ reject                   │ reject       │ (UM) SPJ +
      └─ edit ◀── ditolak ◀─────────────────┴──────────────────────────┘              ▼ return
         cancel ──▶ dibatalkan                                          dipertanggungjawabkan

Every service refuses with a clear message and changes nothing. Checks of money (budget, RAK,
cash) are made after taking the book lock (:func:`kampung.finance.ledger.lock_book`), at
creation and again at verification, approval and payment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.authority.services import may_act
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.formatting import MONTHS_ID, rupiah
from kampung.core.uploads import image_decodes, random_name, read_limited
from kampung.core.workflow import Workflow
from kampung.finance import defaults, taxes
from kampung.finance.access import SPP_DRAFTERS, TREASURY_KEEPERS
from kampung.finance.ledger import Posting, balance, lock_book, post
from kampung.finance.models import (
    ADVANCE,
    BANK,
    CASH,
    TAX_PAYABLE,
    AttachmentKind,
    Book,
    BudgetActivity,
    BudgetLine,
    EntryKind,
    FinanceSetting,
    JournalEntry,
    PaymentMethod,
    ProgressReport,
    Spp,
    SppAttachment,
    SppKind,
    SppLine,
    SppStatus,
    SppTax,
    TaxStage,
)
from kampung.finance.selectors.payments import RESERVING, Funds, execution_ready, funds
from kampung.finance.services.hooks import spp_paid_notify, spp_payment_reversed_notify
from kampung.regions.calendar import add_working_days, local_today
from kampung.regions.models import Region

ZERO = Decimal("0")
CENT = Decimal("0.01")
# What may stand as the basis of an LS payment: goods or works received, or (aid paid to
# households) the decree naming the beneficiaries.
LS_BASIS_KINDS = (AttachmentKind.HANDOVER, AttachmentKind.DECREE)
MAX_AMOUNT = Decimal("9999999999999999")
MAX_STAGE = 20
MAX_UPLOAD = 5 * 1024 * 1024
ALLOWED_UPLOADS = {".pdf": b"%PDF", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG"}
SPJ_ROLES = (*SPP_DRAFTERS, *TREASURY_KEEPERS)
EDITABLE = (SppStatus.DRAFT, SppStatus.REJECTED)

SPP_FLOW = Workflow(
    "finance.spp",
    [
        (SppStatus.SUBMITTED, "verify", SppStatus.VERIFIED),
        (SppStatus.VERIFIED, "approve", SppStatus.APPROVED),
        (SppStatus.APPROVED, "pay", SppStatus.PAID),
        (SppStatus.SUBMITTED, "reject", SppStatus.REJECTED),
        (SppStatus.VERIFIED, "reject", SppStatus.REJECTED),
        (SppStatus.APPROVED, "reject", SppStatus.REJECTED),
    ],
    labels=dict(SppStatus.choices),
)
# Who may send an SPP back at each stage: the one whose act is next.
REJECT_ACT = {
    SppStatus.SUBMITTED: "finance.spp.verify",
    SppStatus.VERIFIED: "finance.spp.approve",
    SppStatus.APPROVED: "finance.spp.pay",
}

T = TypeVar("T")


# -- helpers -------------------------------------------------------------------------------


def _guarded(spp: Spp | None, call: Callable[[], T]) -> T:
    """Run ``call`` in its own transaction; on refusal the caller's ``spp`` is re-read, so it
    shows the unchanged row."""
    try:
        with transaction.atomic():
            return call()
    except KampungError:
        if spp is not None and spp.pk:
            spp.refresh_from_db()
        raise


def _role(actor: Any, village_code: str, roles: Iterable[str], what: str) -> str:
    held = scope_for(actor).roles_at(village_code)
    for role in roles:
        if role in held:
            return role
    raise NotPermitted(f"Anda tidak berwenang {what}.")


def _authority(actor: Any, act: str, village_code: str, amount: Decimal | None = None) -> str:
    decision = may_act(actor, act, village_code, amount)
    if not decision.allowed:
        raise NotPermitted(decision.reason or "Anda tidak berwenang melakukan tindakan ini.")
    return decision.role


def _own_activity(actor: Any, role: str, activity: BudgetActivity) -> None:
    """An executor asks money only for the kegiatan they execute (when one is named)."""
    if role == Role.EXECUTOR and activity.executor_id and activity.executor_id != getattr(actor, "pk", None):
        raise NotPermitted(
            "Hanya pelaksana kegiatan ini (atau sekretaris desa) yang dapat mengajukan SPP-nya."
        )


def _village(code: str) -> Region:
    return Region.objects.get(code=code)


def _amount(value: Any, what: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise KampungError(f"{what}: jumlah tidak sah.") from exc
    if not amount.is_finite() or amount > MAX_AMOUNT or amount != amount.quantize(CENT):
        raise KampungError(f"{what}: jumlah tidak sah.")
    return amount


def _locked(spp: Spp) -> Spp:
    locked = (
        Spp.objects.select_for_update()
        .select_related("book", "activity__activity_code", "activity__apbdes")
        .filter(pk=spp.pk)
        .first()
    )
    if locked is None:
        raise KampungError("SPP tidak ditemukan.")
    return locked


def _audit(actor: Any, act: str, spp: Spp, role: str = "", before: Any = None, after: Any = None) -> None:
    audit_record(
        actor=actor,
        act=act,
        region=spp.book.village_id,
        role=role,
        object_type=spp._meta.label,
        object_id=str(spp.pk),
        before=before,
        after=after,
    )


def _label(activity: BudgetActivity) -> str:
    return f"kegiatan {activity.activity_code.code}"


def _month_range(month: int) -> str:
    return MONTHS_ID[0] if month == 1 else f"{MONTHS_ID[0]}–{MONTHS_ID[month - 1]}"


def settings_of(village_code: str) -> tuple[bool, int]:
    """(require_stage_complete, advance_working_days) of the village's regency."""
    setting = FinanceSetting.objects.filter(regency_id=village_code[:5]).first()
    if setting is None:
        return True, defaults.ADVANCE_WORKING_DAYS
    return setting.require_stage_complete, setting.advance_working_days or defaults.ADVANCE_WORKING_DAYS


def _next_number(book: Book, kind: str) -> str:
    n = Spp.objects.filter(book=book).count() + 1
    while True:
        number = f"{n:04d}/SPP-{kind}/{book.year}"
        if not Spp.objects.filter(book=book, number=number).exists():
            return number
        n += 1


# -- checks of money -----------------------------------------------------------------------


def _check_ready(activity: BudgetActivity) -> None:
    problem = execution_ready(activity)
    if problem:
        raise KampungError(problem)


def _check_funds(
    activity: BudgetActivity,
    month: int,
    lines: list[tuple[BudgetLine, Decimal]],
    *,
    exclude: Spp | None,
    reserved: bool,
) -> Funds:
    """Refuse when the lines pass what remains of the kegiatan, of a line, or of the RAK."""
    total = sum((amount for _, amount in lines), ZERO)
    figures = funds(activity, month, exclude=exclude, reserved=reserved)
    if figures.activity is None:
        raise KampungError(f"{_label(activity).capitalize()} tidak ada dalam APBDes yang berlaku.")
    committed_words = (
        "panjar belum dipertanggungjawabkan dan SPP lain yang sedang diproses"
        if reserved
        else "panjar belum dipertanggungjawabkan"
    )
    if total > figures.remaining:
        raise KampungError(
            f"Jumlah SPP {rupiah(total)} melebihi sisa anggaran {_label(activity)} "
            f"{rupiah(max(figures.remaining, ZERO))} (anggaran {rupiah(figures.budget)}, "
            f"terealisasi {rupiah(figures.realised)}, {committed_words} {rupiah(figures.committed)})."
        )
    for line, amount in lines:
        lf = figures.lines.get(line.pk)
        if lf is None:
            raise KampungError(
                f"Rincian “{line.description}” bukan bagian dari {_label(activity)} yang berlaku."
            )
        if amount > lf.remaining:
            raise KampungError(
                f"Rincian “{line.description}” diminta {rupiah(amount)}, melebihi sisa anggarannya "
                f"{rupiah(max(lf.remaining, ZERO))} (anggaran {rupiah(lf.budget)}, terealisasi "
                f"{rupiah(lf.realised)}, {committed_words} {rupiah(lf.committed)})."
            )
    if total > figures.remaining_rak:
        raise KampungError(
            f"Jumlah SPP {rupiah(total)} melebihi sisa RAK {_label(activity)} sampai bulan "
            f"{MONTHS_ID[month - 1]} {rupiah(max(figures.remaining_rak, ZERO))} (RAK "
            f"{_month_range(month)} {rupiah(figures.rak_to_month)}, terealisasi "
            f"{rupiah(figures.realised)}, {committed_words} {rupiah(figures.committed)})."
        )
    return figures


def _reserved_in_book(book: Book, exclude: Spp | None) -> Decimal:
    qs = Spp.objects.filter(book=book, status__in=RESERVING)
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    return qs.aggregate(s=Sum("amount"))["s"] or ZERO


def _check_cash(book: Book, total: Decimal, exclude: Spp | None) -> None:
    """Before payment: cash in hand plus bank, less tax withheld not yet deposited (it is
    the state's) and SPP already in process, must cover it."""
    available = (
        balance(book, CASH)
        + balance(book, BANK)
        - balance(book, TAX_PAYABLE)
        - _reserved_in_book(book, exclude)
    )
    if total > available:
        raise KampungError(
            f"Kas desa tidak cukup: tersedia {rupiah(max(available, ZERO))} (kas tunai dan rekening "
            f"kas desa, dikurangi pajak belum disetor dan SPP lain yang sedang diproses), "
            f"SPP meminta {rupiah(total)}."
        )


def _spp_lines(spp: Spp) -> list[tuple[BudgetLine, Decimal]]:
    return [(sl.budget_line, sl.amount) for sl in spp.lines.select_related("budget_line")]


def _check_money(book: Book, locked: Spp) -> None:
    """Check a stored SPP again before it moves on: the funds and RAK of its kegiatan (other
    SPP in process reserved), then the cash."""
    _check_funds(locked.activity, locked.date.month, _spp_lines(locked), exclude=locked, reserved=True)
    _check_cash(book, locked.amount, locked)


def _check_stage(spp: Spp) -> None:
    """Disbursement control: the previous stage reported complete with a photo."""
    required, _ = settings_of(spp.book.village_id)
    if not required or spp.stage <= 1:
        return
    code = spp.activity.activity_code.code
    done = (
        ProgressReport.objects.filter(
            book=spp.book, activity_code=code, stage=spp.stage - 1, stage_complete=True
        )
        .exclude(photo="")
        .exists()
    )
    if not done:
        raise KampungError(
            f"SPP tahap {spp.stage} {_label(spp.activity)} belum dapat disetujui: tahap {spp.stage - 1} "
            "belum dilaporkan selesai dengan foto dalam laporan kemajuan (ketentuan kabupaten)."
        )


# -- creating and editing ------------------------------------------------------------------


def _clean_header(
    *,
    activity: BudgetActivity,
    kind: str,
    date: Any,
    description: str,
    payee_name: str,
    payee_npwp: str,
    payee_bank: str,
    payee_account: str,
    stage: Any,
    progress_percent: Any,
    progress_note: str,
) -> dict[str, Any]:
    if kind not in SppKind.values:
        raise KampungError("Jenis SPP harus UM (panjar) atau LS (pembayaran langsung).")
    if not isinstance(date, dt.date):
        raise KampungError("Tanggal SPP wajib diisi.")
    year = activity.apbdes.year
    if date.year != year:
        raise KampungError(f"Tanggal SPP harus dalam tahun anggaran {year}.")
    today = local_today(_village(activity.apbdes.village_id))
    if date > today:
        raise KampungError(
            f"Tanggal SPP {date:%d-%m-%Y} belum tiba; SPP diajukan paling lambat bertanggal hari ini."
        )
    description = (description or "").strip()
    if not description:
        raise KampungError("Uraian SPP wajib diisi.")
    if len(description) > 300:
        raise KampungError("Uraian SPP paling panjang 300 karakter.")
    payee_name = (payee_name or "").strip()
    if not payee_name:
        raise KampungError("Nama penerima wajib diisi.")
    if len(payee_name) > 160:
        raise KampungError("Nama penerima paling panjang 160 karakter.")
    payee_npwp = (payee_npwp or "").strip()
    if payee_npwp and not taxes.valid_npwp(payee_npwp):
        raise KampungError("NPWP penerima harus 15 atau 16 angka (titik dan tanda hubung boleh).")
    payee_bank = (payee_bank or "").strip()
    payee_account = (payee_account or "").strip()
    if len(payee_bank) > 80 or len(payee_account) > 40:
        raise KampungError("Nama bank paling panjang 80 karakter dan nomor rekening 40 karakter.")
    if payee_account and not payee_account.replace("-", "").replace(" ", "").replace(".", "").isdigit():
        raise KampungError("Nomor rekening penerima hanya berisi angka.")
    try:
        stage_n = int(stage)
    except (TypeError, ValueError) as exc:
        raise KampungError("Tahap harus berupa angka.") from exc
    if not 1 <= stage_n <= MAX_STAGE:
        raise KampungError(f"Tahap harus antara 1 dan {MAX_STAGE}.")
    percent = _amount(progress_percent if progress_percent not in (None, "") else 0, "Kemajuan kegiatan")
    if not ZERO <= percent <= 100:
        raise KampungError("Kemajuan kegiatan harus antara 0 dan 100 persen.")
    return {
        "kind": kind,
        "date": date,
        "description": description,
        "payee_name": payee_name,
        "payee_npwp": payee_npwp,
        "payee_bank": payee_bank,
        "payee_account": payee_account,
        "stage": stage_n,
        "progress_percent": percent,
        "progress_note": (progress_note or "").strip(),
    }


def _clean_lines(activity: BudgetActivity, lines: Iterable[Any]) -> list[tuple[BudgetLine, Decimal, str]]:
    known = {line.pk: line for line in BudgetLine.objects.filter(activity=activity)}
    cleaned: list[tuple[BudgetLine, Decimal, str]] = []
    seen: set[int] = set()
    for item in lines or []:
        try:
            line_id, amount, text = item
            line_id = int(line_id)
        except (TypeError, ValueError) as exc:
            raise KampungError("Rincian SPP tidak sah.") from exc
        line = known.get(line_id)
        if line is None:
            raise KampungError(f"Rincian yang dipilih bukan bagian dari {_label(activity)}.")
        if line_id in seen:
            raise KampungError(f"Rincian “{line.description}” dipilih lebih dari sekali.")
        seen.add(line_id)
        value = _amount(amount, f"Rincian “{line.description}”")
        if value <= 0:
            raise KampungError(f"Rincian “{line.description}”: jumlah harus lebih dari nol.")
        text = (text or "").strip() or line.description
        cleaned.append((line, value, text[:255]))
    if not cleaned:
        raise KampungError("SPP harus berisi paling sedikit satu rincian dengan jumlah lebih dari nol.")
    return cleaned


def _checked_request(
    book: Book, activity: BudgetActivity, exclude: Spp | None, lines: Iterable[Any], **header_input: Any
) -> tuple[dict[str, Any], list[tuple[BudgetLine, Decimal, str]], Decimal]:
    """Clean an SPP's header and lines as drafted or edited, then check them in this order:
    the kegiatan is ready, its funds and RAK (other SPP in process reserved; ``exclude``: the
    SPP being edited), the cash. Returns (header, lines, total)."""
    header = _clean_header(activity=activity, **header_input)
    _check_ready(activity)
    cleaned = _clean_lines(activity, lines)
    pairs = [(line, amount) for line, amount, _ in cleaned]
    _check_funds(activity, header["date"].month, pairs, exclude=exclude, reserved=True)
    total = sum((a for _, a in pairs), ZERO)
    _check_cash(book, total, exclude)
    return header, cleaned, total


def _write_lines(spp: Spp, cleaned: list[tuple[BudgetLine, Decimal, str]]) -> None:
    """Save the cleaned lines (budget line, amount, text) of ``spp``."""
    SppLine.objects.bulk_create(
        [SppLine(spp=spp, budget_line=line, amount=amount, description=t) for line, amount, t in cleaned]
    )


def spp_create(
    *,
    actor: Any,
    activity: BudgetActivity,
    kind: str,
    date: dt.date,
    description: str,
    payee_name: str,
    lines: list[tuple[int, Decimal, str]],
    payee_npwp: str = "",
    payee_bank: str = "",
    payee_account: str = "",
    stage: int = 1,
    progress_percent: Decimal | int = 0,
    progress_note: str = "",
    number: str = "",
) -> Spp:
    """Draft an SPP of ``activity`` (the executor or the secretary); refused when it passes
    what remains of the kegiatan, a line, the RAK to the SPP's month, or the cash."""

    def run() -> Spp:
        apbdes = activity.apbdes
        village_code = apbdes.village_id
        role = _role(actor, village_code, SPP_DRAFTERS, "mengajukan SPP desa ini")
        _own_activity(actor, role, activity)
        book = lock_book(village_code, apbdes.year)
        header, cleaned, total = _checked_request(
            book,
            activity,
            None,
            lines,
            kind=kind,
            date=date,
            description=description,
            payee_name=payee_name,
            payee_npwp=payee_npwp,
            payee_bank=payee_bank,
            payee_account=payee_account,
            stage=stage,
            progress_percent=progress_percent,
            progress_note=progress_note,
        )
        text = (number or "").strip()
        if len(text) > 80:
            raise KampungError("Nomor SPP paling panjang 80 karakter.")
        if text and Spp.objects.filter(book=book, number=text).exists():
            raise KampungError(f"Nomor SPP {text} sudah dipakai.")
        spp = Spp.objects.create(
            book=book,
            activity=activity,
            number=text or _next_number(book, header["kind"]),
            amount=total,
            created_by=actor if getattr(actor, "pk", None) else None,
            **header,
        )
        _write_lines(spp, cleaned)
        _audit(
            actor,
            "finance.spp.create",
            spp,
            role,
            after={"number": spp.number, "kind": spp.kind, "amount": str(total), "activity": activity.pk},
        )
        return spp

    return _guarded(None, run)


def spp_update(
    *,
    actor: Any,
    spp: Spp,
    kind: str,
    date: dt.date,
    description: str,
    payee_name: str,
    lines: list[tuple[int, Decimal, str]],
    payee_npwp: str = "",
    payee_bank: str = "",
    payee_account: str = "",
    stage: int = 1,
    progress_percent: Decimal | int = 0,
    progress_note: str = "",
) -> Spp:
    """Edit a draft or a rejected SPP (its lines are replaced)."""

    def run() -> Spp:
        role = _role(actor, spp.book.village_id, SPP_DRAFTERS, "mengubah SPP desa ini")
        book = lock_book(spp.book.village_id, spp.book.year)
        locked = _locked(spp)
        if locked.status not in EDITABLE:
            raise KampungError(f"SPP berstatus '{locked.get_status_display()}' tidak dapat diubah.")
        activity = locked.activity
        header, cleaned, total = _checked_request(
            book,
            activity,
            locked,
            lines,
            kind=kind,
            date=date,
            description=description,
            payee_name=payee_name,
            payee_npwp=payee_npwp,
            payee_bank=payee_bank,
            payee_account=payee_account,
            stage=stage,
            progress_percent=progress_percent,
            progress_note=progress_note,
        )
        before = {"amount": str(locked.amount), "kind": locked.kind}
        for name, value in header.items():
            setattr(spp, name, value)
        spp.amount = total
        spp.save(update_fields=[*header, "amount", "updated_at"])
        SppLine.objects.filter(spp=spp).delete()
        _write_lines(spp, cleaned)
        _audit(
            actor,
            "finance.spp.update",
            spp,
            role,
            before=before,
            after={"amount": str(total), "kind": spp.kind},
        )
        return spp

    return _guarded(spp, run)


def spp_submit(*, actor: Any, spp: Spp) -> Spp:
    """The executor sends the draft (or the corrected rejected SPP) to the secretary."""

    def run() -> Spp:
        role = _role(actor, spp.book.village_id, SPP_DRAFTERS, "mengajukan SPP desa ini")
        book = lock_book(spp.book.village_id, spp.book.year)
        locked = _locked(spp)
        if locked.status not in EDITABLE:
            raise KampungError(f"SPP berstatus '{locked.get_status_display()}' tidak dapat diajukan.")
        if (
            locked.kind == SppKind.DIRECT
            and not SppAttachment.objects.filter(spp=locked, kind__in=LS_BASIS_KINDS, for_spj=False).exists()
        ):
            raise KampungError(
                "SPP LS hanya untuk barang/pekerjaan yang sudah diterima: unggah berita acara "
                "penerimaan barang/pekerjaan (atau, untuk bantuan kepada masyarakat, keputusan "
                "penetapan penerima bantuan) terlebih dahulu."
            )
        _check_ready(locked.activity)
        _check_money(book, locked)
        before = locked.status
        spp.status = SppStatus.SUBMITTED
        spp.check_complete = spp.check_correct = spp.check_funds = False
        spp.save(update_fields=["status", "check_complete", "check_correct", "check_funds", "updated_at"])
        _audit(
            actor, "finance.spp.submit", spp, role, before={"status": before}, after={"status": spp.status}
        )
        return spp

    return _guarded(spp, run)


def spp_cancel(*, actor: Any, spp: Spp, note: str = "") -> Spp:
    def run() -> Spp:
        role = _role(actor, spp.book.village_id, SPP_DRAFTERS, "membatalkan SPP desa ini")
        locked = _locked(spp)
        if locked.status not in EDITABLE:
            raise KampungError(f"SPP berstatus '{locked.get_status_display()}' tidak dapat dibatalkan.")
        before = locked.status
        spp.status = SppStatus.CANCELLED
        spp.save(update_fields=["status", "updated_at"])
        _audit(
            actor,
            "finance.spp.cancel",
            spp,
            role,
            before={"status": before},
            after={"status": spp.status, "note": (note or "").strip()},
        )
        return spp

    return _guarded(spp, run)


# -- verification, approval, rejection -----------------------------------------------------


def spp_verify(*, actor: Any, spp: Spp, complete: bool, correct: bool, funds: bool, note: str = "") -> Spp:
    """The secretary's check (Pasal 53): every item ticked, else send the SPP back."""

    def run() -> Spp:
        village_code = spp.book.village_id
        _authority(actor, "finance.spp.verify", village_code)
        book = lock_book(village_code, spp.book.year)
        locked = _locked(spp)
        if locked.status != SppStatus.SUBMITTED:
            raise KampungError(f"SPP berstatus '{locked.get_status_display()}' tidak dapat diverifikasi.")
        if not (complete and correct and funds):
            raise KampungError(
                "Semua butir pemeriksaan (kelengkapan dokumen, kebenaran perhitungan, ketersediaan "
                "dana) harus dicentang; bila ada yang kurang, kembalikan SPP dengan catatan."
            )
        _check_ready(locked.activity)
        _check_money(book, locked)
        day = local_today(_village(village_code))
        spp.check_complete = spp.check_correct = spp.check_funds = True
        spp.verification_note = (note or "").strip()
        spp.verified_on = day
        SPP_FLOW.apply(
            spp,
            act="verify",
            actor=actor,
            region=village_code,
            check_act="finance.spp.verify",
            amount=locked.amount,
            note=spp.verification_note,
            update_fields=[
                "check_complete",
                "check_correct",
                "check_funds",
                "verification_note",
                "verified_on",
                "updated_at",
            ],
            extra={"verified_on": day.isoformat()},
        )
        return spp

    return _guarded(spp, run)


def spp_reject(*, actor: Any, spp: Spp, note: str) -> Spp:
    """Send the SPP back to the executor with a note (the secretary at verification, the head
    at approval, the treasurer at payment)."""

    def run() -> Spp:
        note_text = (note or "").strip()
        if not note_text:
            raise KampungError("Catatan alasan pengembalian wajib diisi.")
        locked = _locked(spp)
        act = REJECT_ACT.get(SppStatus(locked.status)) if locked.status in REJECT_ACT else None
        if act is None:
            raise KampungError(f"SPP berstatus '{locked.get_status_display()}' tidak dapat dikembalikan.")
        _authority(actor, act, locked.book.village_id)
        spp.verification_note = note_text
        spp.check_complete = spp.check_correct = spp.check_funds = False
        SPP_FLOW.apply(
            spp,
            act="reject",
            actor=actor,
            region=locked.book.village_id,
            check_act=act,
            note=note_text,
            update_fields=[
                "verification_note",
                "check_complete",
                "check_correct",
                "check_funds",
                "updated_at",
            ],
            extra={"rejected": True},
        )
        return spp

    return _guarded(spp, run)


def spp_approve(*, actor: Any, spp: Spp) -> Spp:
    """The head approves (act ``finance.spp.approve``), checking funds again and, when the
    regency requires it, that the previous stage was reported complete."""

    def run() -> Spp:
        village_code = spp.book.village_id
        _authority(actor, "finance.spp.approve", village_code, spp.amount)
        book = lock_book(village_code, spp.book.year)
        locked = _locked(spp)
        if locked.status != SppStatus.VERIFIED:
            raise KampungError(
                f"SPP berstatus '{locked.get_status_display()}' tidak dapat disetujui "
                "(harus diverifikasi sekretaris desa lebih dahulu)."
            )
        _check_ready(locked.activity)
        _check_stage(locked)
        _check_money(book, locked)
        day = local_today(_village(village_code))
        spp.approved_on = day
        SPP_FLOW.apply(
            spp,
            act="approve",
            actor=actor,
            region=village_code,
            check_act="finance.spp.approve",
            amount=locked.amount,
            update_fields=["approved_on", "updated_at"],
            extra={"approved_on": day.isoformat()},
        )
        return spp

    return _guarded(spp, run)


# -- payment, SPJ, return ------------------------------------------------------------------


def cash_account(method: str) -> str:
    return CASH if method == PaymentMethod.CASH else BANK


def _check_method(method: str, reference: str) -> str:
    if method not in PaymentMethod.values:
        raise KampungError("Cara bayar harus tunai, transfer bank atau cek.")
    reference = (reference or "").strip()
    if method != PaymentMethod.CASH and not reference:
        raise KampungError("Nomor referensi transfer atau nomor cek wajib diisi.")
    if len(reference) > 60:
        raise KampungError("Nomor referensi paling panjang 60 karakter.")
    return reference


def _check_date(spp: Spp, date: Any, after: dt.date | None, what: str) -> dt.date:
    if not isinstance(date, dt.date):
        raise KampungError(f"Tanggal {what} wajib diisi.")
    if date.year != spp.book.year:
        raise KampungError(f"Tanggal {what} harus dalam tahun anggaran {spp.book.year}.")
    if after is not None and date < after:
        raise KampungError(f"Tanggal {what} tidak boleh sebelum {after:%d-%m-%Y}.")
    return date


def _compute_taxes(
    spp: Spp, picks: Iterable[Any] | None, bases: dict[int, Decimal], day: dt.date
) -> list[tuple[SppLine, taxes.TaxAmount]]:
    """The taxes of ``picks`` (line id, tax code) on ``bases`` (line id → base)."""
    lines = {sl.pk: sl for sl in spp.lines.all()}
    has_npwp = taxes.valid_npwp(spp.payee_npwp)
    out: list[tuple[SppLine, taxes.TaxAmount]] = []
    seen: set[tuple[int, str]] = set()
    for pick in picks or []:
        try:
            line_id, code = pick
            line_id = int(line_id)
        except (TypeError, ValueError) as exc:
            raise KampungError("Pilihan pajak tidak sah.") from exc
        code = str(code or "").strip()
        if not code:
            continue
        line = lines.get(line_id)
        if line is None:
            raise KampungError("Pajak dipilih pada rincian yang bukan bagian dari SPP ini.")
        if (line_id, code) in seen:
            raise KampungError(f"Pajak {code} dipilih dua kali pada rincian “{line.description}”.")
        seen.add((line_id, code))
        base = bases.get(line_id, ZERO)
        if base <= 0:
            raise KampungError(f"Pajak {code} tidak dapat dikenakan pada rincian tanpa belanja.")
        tax = taxes.tax_on(code, base, day, spp.book.village_id[:5], has_npwp=has_npwp)
        if tax.amount > 0:
            out.append((line, tax))
    return out


def preview_taxes(
    spp: Spp, picks: Iterable[Any] | None, day: dt.date, *, stage: str = TaxStage.PAYMENT
) -> list[tuple[SppLine, taxes.TaxAmount]]:
    """The taxes the pay (or SPJ) form would record, for showing them before saving."""
    bases = {
        sl.pk: (sl.amount if stage == TaxStage.PAYMENT else (sl.spent or sl.amount)) for sl in spp.lines.all()
    }
    return _compute_taxes(spp, picks, bases, day)


def _save_taxes(spp: Spp, stage: str, found: list[tuple[SppLine, taxes.TaxAmount]]) -> None:
    SppTax.objects.bulk_create(
        [
            SppTax(
                spp=spp, line=line, stage=stage, tax_code=t.code, base=t.base, rate=t.rate, amount=t.amount
            )
            for line, t in found
        ]
    )


def _tax_postings(found: list[tuple[SppLine, taxes.TaxAmount]]) -> dict[str, Decimal]:
    per_code: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for _, t in found:
        per_code[t.code] += t.amount
    return dict(per_code)


def spp_pay(
    *,
    actor: Any,
    spp: Spp,
    date: dt.date,
    method: str,
    reference: str = "",
    taxes: list[tuple[int, str]] | None = None,
) -> JournalEntry:
    """The treasurer pays an approved SPP (act ``finance.spp.pay``). LS: spending per line,
    taxes withheld to the tax payable, the net out of bank or cash. UM: the advance."""

    def run() -> JournalEntry:
        village_code = spp.book.village_id
        _authority(actor, "finance.spp.pay", village_code, spp.amount)
        book = lock_book(village_code, spp.book.year)
        locked = _locked(spp)
        if locked.status != SppStatus.APPROVED:
            raise KampungError(
                f"SPP berstatus '{locked.get_status_display()}' tidak dapat dibayar "
                "(harus disetujui kepala desa lebih dahulu)."
            )
        ref = _check_method(method, reference)
        day = _check_date(locked, date, locked.date, "pembayaran")
        if locked.kind == SppKind.ADVANCE and taxes:
            raise KampungError("Panjar (UM) tidak dipotong pajak saat dibayar; pajak dicatat saat SPJ.")
        _check_ready(locked.activity)
        _check_funds(locked.activity, locked.date.month, _spp_lines(locked), exclude=locked, reserved=False)
        lines = list(locked.lines.select_related("budget_line__account", "budget_line__source"))
        found = _compute_taxes(locked, taxes, {sl.pk: sl.amount for sl in lines}, day)
        per_code = _tax_postings(found)
        tax_total = sum(per_code.values(), ZERO)
        net = locked.amount - tax_total
        if net <= 0:
            raise KampungError("Jumlah pajak tidak boleh sama dengan atau melebihi jumlah SPP.")
        account = cash_account(method)
        available = balance(book, account)
        if net > available:
            place = "Kas tunai" if account == CASH else "Saldo rekening kas desa"
            raise KampungError(
                f"{place} tidak cukup: tersedia {rupiah(available)}, dibutuhkan {rupiah(net)}."
            )
        activity = locked.activity
        if locked.kind == SppKind.DIRECT:
            postings = [
                Posting(
                    sl.budget_line.account.code,
                    debit=sl.amount,
                    source=sl.budget_line.source_id,
                    activity=activity,
                    budget_line_id=sl.budget_line_id,
                )
                for sl in lines
            ]
            postings += [Posting(TAX_PAYABLE, credit=amount, tax=code) for code, amount in per_code.items()]
            postings.append(Posting(account, credit=net))
            kind = EntryKind.PAYMENT
        else:
            postings = [
                Posting(ADVANCE, debit=locked.amount, activity=activity),
                Posting(account, credit=net),
            ]
            kind = EntryKind.ADVANCE
        entry = post(
            book=book,
            date=day,
            kind=kind,
            description=f"SPP {locked.kind} {locked.number}: {locked.description} — {locked.payee_name}",
            postings=postings,
            actor=actor,
            doc=locked,
            doc_number=locked.number,
        )
        _save_taxes(locked, TaxStage.PAYMENT, found)
        spp.method = method
        spp.payment_reference = ref
        spp.paid_on = day
        spp.entry = entry
        fields = ["method", "payment_reference", "paid_on", "entry", "updated_at"]
        if locked.kind == SppKind.ADVANCE:
            _, days = settings_of(village_code)
            spp.spj_due = add_working_days(_village(village_code), day, days)
            fields.append("spj_due")
        SPP_FLOW.apply(
            spp,
            act="pay",
            actor=actor,
            region=village_code,
            check_act="finance.spp.pay",
            amount=locked.amount,
            update_fields=fields,
            extra={
                "entry": entry.number,
                "method": method,
                "reference": ref,
                "paid_on": day.isoformat(),
                "taxes": {code: str(amount) for code, amount in per_code.items()},
                "net": str(net),
            },
        )
        spp_paid_notify(spp, actor, day)
        return entry

    return _guarded(spp, run)


def spj_record(
    *,
    actor: Any,
    spp: Spp,
    date: dt.date,
    spent: dict[int, Decimal],
    taxes: list[tuple[int, str]] | None = None,
) -> JournalEntry:
    """Account for an advance (SPJ): what was really spent per line (≤ requested) becomes
    spending; taxes withheld by the executor are handed to the treasurer (cash)."""

    def run() -> JournalEntry:
        village_code = spp.book.village_id
        role = _role(actor, village_code, SPJ_ROLES, "mencatat SPJ panjar desa ini")
        book = lock_book(village_code, spp.book.year)
        locked = _locked(spp)
        if locked.kind != SppKind.ADVANCE:
            raise KampungError("SPJ hanya untuk SPP panjar (UM).")
        if locked.status != SppStatus.PAID or locked.spj_entry_id is not None:
            raise KampungError(
                f"SPJ tidak dapat dicatat untuk SPP berstatus '{locked.get_status_display()}'."
            )
        day = _check_date(locked, date, locked.paid_on, "SPJ")
        if not SppAttachment.objects.filter(spp=locked, for_spj=True).exists():
            raise KampungError("Unggah bukti SPJ (kuitansi/nota) terlebih dahulu.")
        lines = {sl.pk: sl for sl in locked.lines.select_related("budget_line__account")}
        values: dict[int, Decimal] = {}
        for key, raw in (spent or {}).items():
            try:
                line_id = int(key)
            except (TypeError, ValueError) as exc:
                raise KampungError("Rincian SPJ tidak sah.") from exc
            line = lines.get(line_id)
            if line is None:
                raise KampungError("Rincian SPJ bukan bagian dari SPP ini.")
            value = _amount(raw if raw not in (None, "") else 0, f"Realisasi “{line.description}”")
            if value < 0:
                raise KampungError(f"Realisasi “{line.description}” tidak boleh negatif.")
            if value > line.amount:
                raise KampungError(
                    f"Realisasi “{line.description}” {rupiah(value)} melebihi jumlah panjar rincian itu "
                    f"{rupiah(line.amount)}."
                )
            values[line_id] = value
        total = sum(values.values(), ZERO)
        if total <= 0:
            raise KampungError(
                "Realisasi belanja panjar harus lebih dari nol; bila tidak ada yang dibelanjakan, "
                "batalkan pembayaran panjar dengan jurnal koreksi."
            )
        found = _compute_taxes(locked, taxes, values, day)
        per_code = _tax_postings(found)
        activity = locked.activity
        postings = [
            Posting(
                lines[pk].budget_line.account.code,
                debit=value,
                source=lines[pk].budget_line.source_id,
                activity=activity,
                budget_line_id=lines[pk].budget_line_id,
            )
            for pk, value in sorted(values.items())
            if value > 0
        ]
        postings.append(Posting(ADVANCE, credit=total, activity=activity))
        for code, amount in per_code.items():
            postings += [Posting(CASH, debit=amount), Posting(TAX_PAYABLE, credit=amount, tax=code)]
        entry = post(
            book=book,
            date=day,
            kind=EntryKind.ACCOUNTABILITY,
            description=f"SPJ panjar {locked.number}: {locked.description}",
            postings=postings,
            actor=actor,
            doc=locked,
            doc_number=locked.number,
        )
        for pk, line in lines.items():
            line.spent = values.get(pk, ZERO)
            line.save(update_fields=["spent"])
        _save_taxes(locked, TaxStage.SPJ, found)
        spp.spj_on = day
        spp.spj_entry = entry
        spp.save(update_fields=["spj_on", "spj_entry", "updated_at"])
        _audit(
            actor,
            "finance.spp.spj",
            spp,
            role,
            after={
                "entry": entry.number,
                "spent": str(total),
                "rest": str(locked.amount - total),
                "taxes": {code: str(amount) for code, amount in per_code.items()},
            },
        )
        return entry

    return _guarded(spp, run)


def advance_rest(spp: Spp) -> Decimal:
    """What is left of an advance after its SPJ (requested − spent)."""
    spent = spp.lines.aggregate(s=Sum("spent"))["s"] or ZERO
    return spp.amount - spent


def advance_return(*, actor: Any, spp: Spp, date: dt.date, method: str) -> JournalEntry | None:
    """The treasurer receives what is left of the advance; the SPP is then accounted for.
    Returns None (and posts nothing) when nothing is left."""

    def run() -> JournalEntry | None:
        village_code = spp.book.village_id
        role = _role(actor, village_code, TREASURY_KEEPERS, "menerima pengembalian sisa panjar")
        book = lock_book(village_code, spp.book.year)
        locked = _locked(spp)
        if locked.kind != SppKind.ADVANCE or locked.status != SppStatus.PAID:
            raise KampungError(
                f"Pengembalian sisa panjar tidak dapat dicatat untuk SPP berstatus '{locked.get_status_display()}'."
            )
        if locked.spj_entry_id is None:
            raise KampungError("Catat SPJ panjar terlebih dahulu, baru sisa panjar dikembalikan.")
        if method not in PaymentMethod.values:
            raise KampungError("Sisa panjar diterima tunai, lewat transfer bank atau cek.")
        day = _check_date(locked, date, locked.spj_on, "pengembalian")
        rest = advance_rest(locked)
        entry = None
        if rest > 0:
            entry = post(
                book=book,
                date=day,
                kind=EntryKind.ADVANCE_RETURN,
                description=f"Pengembalian sisa panjar {locked.number}",
                postings=[
                    Posting(cash_account(method), debit=rest),
                    Posting(ADVANCE, credit=rest, activity=locked.activity),
                ],
                actor=actor,
                doc=locked,
                doc_number=locked.number,
            )
        spp.returned_amount = rest if rest > 0 else ZERO
        spp.return_entry = entry
        spp.status = SppStatus.ACCOUNTED
        spp.save(update_fields=["returned_amount", "return_entry", "status", "updated_at"])
        _audit(
            actor,
            "finance.spp.account",
            spp,
            role,
            before={"status": SppStatus.PAID},
            after={
                "status": SppStatus.ACCOUNTED,
                "returned": str(spp.returned_amount),
                "entry": entry.number if entry else None,
            },
        )
        return entry

    return _guarded(spp, run)


def after_reversal(entry: JournalEntry) -> Spp | None:
    """Put the SPP of a reversed payment, SPJ or return entry back to the state before it.

    Called by the treasury's ``entry_reverse`` inside its transaction (``entry`` is the
    reversed entry or its mirror). An SPJ cannot be undone while its return stands: reverse
    the return first.
    """
    original = entry.reverses if entry.reverses_id else entry
    if original is None:
        return None
    spp = (
        Spp.objects.select_for_update()
        .select_related("book")
        .filter(Q(entry=original) | Q(spj_entry=original) | Q(return_entry=original))
        .first()
    )
    if spp is None:
        return None
    before = {"status": spp.status}
    if spp.return_entry_id == original.pk:
        spp.return_entry = None
        spp.returned_amount = ZERO
        spp.status = SppStatus.PAID
        what = "return"
    elif spp.spj_entry_id == original.pk:
        if spp.return_entry_id is not None:
            raise KampungError("Batalkan dulu jurnal pengembalian sisa panjar, baru SPJ-nya.")
        if spp.status == SppStatus.ACCOUNTED:
            spp.status = SppStatus.PAID
            spp.returned_amount = ZERO
        spp.spj_entry = None
        spp.spj_on = None
        SppLine.objects.filter(spp=spp).update(spent=None)
        SppTax.objects.filter(spp=spp, stage=TaxStage.SPJ).delete()
        what = "spj"
    else:
        if spp.spj_entry_id is not None or spp.return_entry_id is not None:
            raise KampungError("Batalkan dulu SPJ dan pengembalian panjar, baru pembayarannya.")
        spp.entry = None
        spp.paid_on = None
        spp.method = ""
        spp.payment_reference = ""
        spp.spj_due = None
        spp.status = SppStatus.APPROVED
        SppTax.objects.filter(spp=spp, stage=TaxStage.PAYMENT).delete()
        what = "payment"
    spp.save()
    mirror = entry if entry.reverses_id else JournalEntry.objects.filter(reverses=original).first()
    if what == "payment":
        spp_payment_reversed_notify(spp, getattr(mirror, "posted_by", None))
    audit_record(
        actor=getattr(mirror, "posted_by", None),
        act="finance.spp.reversal",
        region=spp.book.village_id,
        role=Role.TREASURER,
        object_type=spp._meta.label,
        object_id=str(spp.pk),
        before=before,
        after={"status": spp.status, "reversed": what, "entry": original.number},
    )
    return spp


# -- documents -----------------------------------------------------------------------------


def _check_upload(upload: Any) -> str:
    if upload is None:
        raise KampungError("Pilih berkas yang akan diunggah.")
    name = str(getattr(upload, "name", "") or "").strip()
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    magic = ALLOWED_UPLOADS.get(ext)
    if magic is None:
        raise KampungError("Berkas harus PDF, JPEG atau PNG.")
    size = getattr(upload, "size", None) or 0
    if size > MAX_UPLOAD:
        raise KampungError(f"Berkas {name} terlalu besar ({size / 1024 / 1024:.1f} MB); paling besar 5 MB.")
    if size <= 0:
        raise KampungError(f"Berkas {name} kosong.")
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(magic):
        raise KampungError(f"Isi berkas {name} bukan PDF, JPEG atau PNG yang sah.")
    if magic != ALLOWED_UPLOADS[".pdf"] and not image_decodes(read_limited(upload, max_bytes=MAX_UPLOAD)):
        raise KampungError(f"Gambar {name} rusak atau tidak dapat dibaca.")
    return name[-200:]


def _stored(upload: Any, name: str) -> ContentFile[bytes]:
    """The checked upload under a random name (never the name the user gave it)."""
    extension = name.rsplit(".", 1)[-1].lower().replace("jpeg", "jpg")
    return ContentFile(read_limited(upload, max_bytes=MAX_UPLOAD), name=random_name(extension))


def attachment_add(*, actor: Any, spp: Spp, kind: str, upload: Any, for_spj: bool = False) -> SppAttachment:
    """A supporting document: while drafting (or after rejection), or a receipt for the SPJ
    of a paid advance."""

    def run() -> SppAttachment:
        village_code = spp.book.village_id
        roles = SPJ_ROLES if for_spj else SPP_DRAFTERS
        role = _role(actor, village_code, roles, "mengunggah dokumen SPP desa ini")
        locked = _locked(spp)
        if kind not in AttachmentKind.values:
            raise KampungError("Jenis dokumen tidak dikenal.")
        if for_spj:
            if locked.kind != SppKind.ADVANCE or locked.status != SppStatus.PAID or locked.spj_entry_id:
                raise KampungError("Bukti SPJ hanya untuk panjar yang sudah dibayar dan belum di-SPJ-kan.")
        elif locked.status not in EDITABLE:
            raise KampungError(f"Dokumen SPP berstatus '{locked.get_status_display()}' tidak dapat diubah.")
        name = _check_upload(upload)
        attachment = SppAttachment.objects.create(
            spp=locked,
            kind=kind,
            for_spj=bool(for_spj),
            file=_stored(upload, name),
            name=name,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        _audit(
            actor,
            "finance.spp.attach",
            locked,
            role,
            after={"attachment": attachment.pk, "kind": kind, "name": name, "for_spj": bool(for_spj)},
        )
        return attachment

    return _guarded(None, run)


def attachment_remove(*, actor: Any, attachment: SppAttachment) -> None:
    def run() -> None:
        spp = attachment.spp
        village_code = spp.book.village_id
        roles = SPJ_ROLES if attachment.for_spj else SPP_DRAFTERS
        role = _role(actor, village_code, roles, "menghapus dokumen SPP desa ini")
        locked = _locked(spp)
        if attachment.for_spj:
            if locked.status != SppStatus.PAID or locked.spj_entry_id:
                raise KampungError("Bukti SPJ yang sudah dicatat tidak dapat dihapus.")
        elif locked.status not in EDITABLE:
            raise KampungError(f"Dokumen SPP berstatus '{locked.get_status_display()}' tidak dapat diubah.")
        name, pk = attachment.name, attachment.pk
        attachment.delete()
        _audit(actor, "finance.spp.detach", locked, role, after={"attachment": pk, "name": name})

    _guarded(None, run)
