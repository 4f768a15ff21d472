"""Execution documents of an enacted APBDes: the DPA per kegiatan and the village cash plan (RAK).

Permendagri 20/2018 Pasal 44: within 3 working days after the Perdes APBDes, each kegiatan's
executor drafts its DPA (the kegiatan, its output target, its RAB and its monthly plan); the
secretary verifies it and the head approves it. Pasal 45: the treasurer drafts the RAK Desa,
the monthly cash plan of every budget line; the secretary verifies and the head approves it.

Both documents exist only once the APBDes version is enacted (or elaborated). Each line's
twelve months must add up to the line's budget: a RAK save that leaves any line off is
refused whole, with one message per line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.workflow import Applied, Workflow
from kampung.finance.models import (
    Apbdes,
    ApbdesStatus,
    BudgetActivity,
    BudgetLine,
    DocStatus,
    Dpa,
    Rak,
    RakEntry,
)
from kampung.regions.calendar import add_working_days, local_today
from kampung.regions.models import Region

MONTHS = 12
ZERO = Decimal("0")
RUPIAH = Decimal("1")
MAX_AMOUNT = Decimal("9999999999999999")
EXECUTION_STATES = frozenset({ApbdesStatus.ENACTED, ApbdesStatus.ELABORATED})
DPA_DUE_WORKING_DAYS = 3  # Pasal 44 ayat (1)
DPA_DRAFTERS = (Role.EXECUTOR, Role.SECRETARY)
RAK_DRAFTERS = (Role.TREASURER, Role.SECRETARY)

_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")

DPA_FLOW = Workflow(
    "finance.dpa",
    [(DocStatus.DRAFT, "verify", DocStatus.VERIFIED), (DocStatus.VERIFIED, "approve", DocStatus.APPROVED)],
    labels=dict(DocStatus.choices),
)
RAK_FLOW = Workflow(
    "finance.rak",
    [(DocStatus.DRAFT, "verify", DocStatus.VERIFIED), (DocStatus.VERIFIED, "approve", DocStatus.APPROVED)],
    labels=dict(DocStatus.choices),
)


class RakNotBalanced(KampungError):
    """Some lines' months do not add up to their budget; ``problems`` maps line pk → message."""

    code = "rak_tidak_seimbang"

    def __init__(self, problems: dict[int, str]) -> None:
        count = len(problems)
        super().__init__(f"RAK tidak disimpan: {count} rincian belum sesuai. " + " ".join(problems.values()))
        self.problems = problems


# -- helpers -------------------------------------------------------------------------------


def execution_available(apbdes: Apbdes) -> bool:
    return apbdes.status in EXECUTION_STATES


def _available_or_refuse(apbdes: Apbdes) -> None:
    if not execution_available(apbdes):
        raise KampungError(
            f"DPA dan RAK baru dapat disusun setelah {apbdes} ditetapkan "
            f"(status sekarang: {apbdes.get_status_display()})."
        )


def _role_of(actor: Any, village_code: str, roles: tuple[str, ...], what: str) -> str:
    held = scope_for(actor).roles_at(village_code)
    for role in roles:
        if role in held:
            return role
    raise NotPermitted(f"Anda tidak berwenang {what}.")


def _village(apbdes: Apbdes) -> Region:
    return Region.objects.get(code=apbdes.village_id)


def dpa_due_date(apbdes: Apbdes) -> dt.date | None:
    """The last day to draft the DPA: 3 working days after the Perdes APBDes (Pasal 44)."""
    if apbdes.perdes_date is None:
        return None
    return add_working_days(_village(apbdes), apbdes.perdes_date, DPA_DUE_WORKING_DAYS)


def spread_evenly(amount: Decimal, start_month: int, end_month: int) -> list[Decimal]:
    """``amount`` over the months start..end in whole rupiah; the rounding rest in the last one."""
    start = min(max(int(start_month or 1), 1), MONTHS)
    end = min(max(int(end_month or MONTHS), start), MONTHS)
    count = end - start + 1
    amount = Decimal(amount)
    share = (amount / count).quantize(RUPIAH, rounding=ROUND_DOWN)
    months = [ZERO] * MONTHS
    for month in range(start, end + 1):
        months[month - 1] = share
    months[end - 1] = amount - share * (count - 1)
    return months


def parse_month_amount(value: Any) -> Decimal:
    """A month's figure from a form field ("1.500.000", "1500000", "") or a number."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal | int):
        return Decimal(value)
    text = str(value).strip().replace(" ", "").replace("Rp", "")
    if not text:
        return ZERO
    if "," in text or _THOUSANDS.match(text):  # Indonesian: 1.500.000,50
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(value)
    return amount


# -- DPA -----------------------------------------------------------------------------------


@transaction.atomic
def dpa_create(*, actor: Any, activity: BudgetActivity, number: str = "") -> Dpa:
    """Draft the DPA of one kegiatan (by its executor or the secretary)."""
    apbdes = activity.apbdes
    _available_or_refuse(apbdes)
    role = _role_of(actor, apbdes.village_id, DPA_DRAFTERS, "menyusun DPA desa ini")
    if Dpa.objects.filter(activity=activity).exists():
        raise KampungError(f"DPA kegiatan {activity.activity_code.code} sudah ada.")
    number = (number or "").strip()
    if len(number) > 60:
        raise KampungError("Nomor DPA paling panjang 60 karakter.")
    if not number:
        number = f"DPA/{activity.activity_code.code}/{apbdes.year}" + (
            f"/P{apbdes.revision}" if apbdes.revision else ""
        )
    dpa = Dpa.objects.create(activity=activity, number=number)
    audit_record(
        actor=actor,
        act="finance.dpa.create",
        region=apbdes.village_id,
        role=role,
        object_type=dpa._meta.label,
        object_id=str(dpa.pk),
        after={"apbdes": apbdes.pk, "activity": activity.pk, "number": number},
    )
    return dpa


@transaction.atomic
def dpa_create_all(*, actor: Any, apbdes: Apbdes) -> list[Dpa]:
    """Draft the DPA of every kegiatan that has none yet."""
    _available_or_refuse(apbdes)
    _role_of(actor, apbdes.village_id, DPA_DRAFTERS, "menyusun DPA desa ini")
    missing = BudgetActivity.objects.filter(apbdes=apbdes, dpa__isnull=True).select_related(
        "activity_code", "apbdes"
    )
    return [dpa_create(actor=actor, activity=activity) for activity in missing]


def _dpa_move(dpa: Dpa, act: str, actor: Any, day_field: str) -> Applied:
    apbdes = dpa.activity.apbdes
    _available_or_refuse(apbdes)
    day = local_today(_village(apbdes))
    setattr(dpa, day_field, day)
    return DPA_FLOW.apply(
        dpa,
        act=act,
        actor=actor,
        region=apbdes.village_id,
        check_act=f"finance.dpa.{act}",
        update_fields=[day_field, "updated_at"],
        extra={"apbdes": apbdes.pk, "activity": dpa.activity_id, day_field: day},
    )


def _refresh_on_failure(obj: Any) -> None:
    obj.refresh_from_db()


@transaction.atomic
def dpa_verify(*, actor: Any, dpa: Dpa) -> Dpa:
    try:
        _dpa_move(dpa, "verify", actor, "verified_on")
    except KampungError:
        _refresh_on_failure(dpa)
        raise
    return dpa


@transaction.atomic
def dpa_approve(*, actor: Any, dpa: Dpa) -> Dpa:
    try:
        _dpa_move(dpa, "approve", actor, "approved_on")
    except KampungError:
        _refresh_on_failure(dpa)
        raise
    return dpa


# -- RAK -----------------------------------------------------------------------------------


def _lines_of(apbdes: Apbdes) -> list[BudgetLine]:
    return list(
        BudgetLine.objects.filter(activity__apbdes=apbdes)
        .select_related("activity", "activity__activity_code", "account")
        .order_by("activity__activity_code__code", "activity_id", "account__code", "pk")
    )


def _rak_for_edit(apbdes: Apbdes) -> Rak:
    rak, _ = Rak.objects.get_or_create(apbdes=apbdes)
    rak = Rak.objects.select_for_update().get(pk=rak.pk)
    if rak.status != DocStatus.DRAFT:
        raise KampungError(f"RAK berstatus '{rak.get_status_display()}' dan tidak dapat diubah lagi.")
    return rak


def _line_label(line: BudgetLine) -> str:
    return f"{line.activity.activity_code.code} {line.account.code} “{line.description}”"


def rak_line_problem(line: BudgetLine, months: list[Decimal]) -> str:
    """Why a line's months are not acceptable ("" when they are)."""
    from kampung.core.formatting import rupiah

    if len(months) != MONTHS:
        return f"{_line_label(line)}: harus 12 bulan."
    if any(m < 0 for m in months):
        return f"{_line_label(line)}: rencana bulanan tidak boleh negatif."
    if any(m > MAX_AMOUNT for m in months) or any(m != m.quantize(Decimal("0.01")) for m in months):
        return f"{_line_label(line)}: nilai bulanan tidak sah."
    total = sum(months, ZERO)
    if total != line.amount:
        diff = total - line.amount
        word = "lebih" if diff > 0 else "kurang"
        return (
            f"{_line_label(line)}: jumlah 12 bulan {rupiah(total)} tidak sama dengan anggaran "
            f"{rupiah(line.amount)} ({word} {rupiah(abs(diff))})."
        )
    return ""


def _write_entries(lines: dict[int, list[Decimal]]) -> None:
    RakEntry.objects.filter(line_id__in=list(lines)).delete()
    RakEntry.objects.bulk_create(
        [
            RakEntry(line_id=pk, month=i + 1, amount=amount)
            for pk, months in lines.items()
            for i, amount in enumerate(months)
            if amount
        ]
    )


@transaction.atomic
def rak_save(*, actor: Any, apbdes: Apbdes, entries: dict[int, list[Decimal]]) -> Rak:
    """Save the months of every budget line; refuses (nothing saved) when any line is off.

    ``entries`` maps each BudgetLine pk of this APBDes version to its 12 monthly amounts;
    a line of the version that is missing from ``entries`` counts as all zero.
    """
    _available_or_refuse(apbdes)
    role = _role_of(actor, apbdes.village_id, RAK_DRAFTERS, "menyusun RAK desa ini")
    rak = _rak_for_edit(apbdes)
    lines = _lines_of(apbdes)
    known = {line.pk for line in lines}
    strangers = [pk for pk in entries if pk not in known]
    if strangers:
        raise KampungError("Ada rincian yang bukan bagian dari APBDes ini; RAK tidak disimpan.")
    problems: dict[int, str] = {}
    cleaned: dict[int, list[Decimal]] = {}
    for line in lines:
        months = [Decimal(m) for m in entries.get(line.pk, [ZERO] * MONTHS)]
        problem = rak_line_problem(line, months)
        if problem:
            problems[line.pk] = problem
        cleaned[line.pk] = months
    if problems:
        raise RakNotBalanced(problems)
    _write_entries(cleaned)
    rak.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        act="finance.rak.save",
        region=apbdes.village_id,
        role=role,
        object_type=rak._meta.label,
        object_id=str(rak.pk),
        after={
            "apbdes": apbdes.pk,
            "lines": len(cleaned),
            "total": sum((line.amount for line in lines), ZERO),
        },
    )
    return rak


@transaction.atomic
def rak_spread_evenly(*, actor: Any, apbdes: Apbdes, line_ids: list[int] | None = None) -> Rak:
    """Spread each chosen line (every line when ``line_ids`` is None) evenly over its
    kegiatan's months; the other lines keep their months."""
    _available_or_refuse(apbdes)
    role = _role_of(actor, apbdes.village_id, RAK_DRAFTERS, "menyusun RAK desa ini")
    rak = _rak_for_edit(apbdes)
    lines = _lines_of(apbdes)
    if line_ids is not None:
        wanted = set(line_ids)
        if wanted - {line.pk for line in lines}:
            raise KampungError("Ada rincian yang bukan bagian dari APBDes ini; RAK tidak disimpan.")
        lines = [line for line in lines if line.pk in wanted]
    spread = {
        line.pk: spread_evenly(line.amount, line.activity.start_month, line.activity.end_month)
        for line in lines
    }
    _write_entries(spread)
    rak.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        act="finance.rak.spread",
        region=apbdes.village_id,
        role=role,
        object_type=rak._meta.label,
        object_id=str(rak.pk),
        after={"apbdes": apbdes.pk, "lines": sorted(spread)},
    )
    return rak


def rak_months(apbdes: Apbdes) -> dict[int, list[Decimal]]:
    """Each line's 12 months as saved (lines without entries are all zero)."""
    months: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * MONTHS)
    for line_id, month, amount in RakEntry.objects.filter(line__activity__apbdes=apbdes).values_list(
        "line_id", "month", "amount"
    ):
        months[line_id][month - 1] = amount
    return dict(months)


def rak_problems(apbdes: Apbdes) -> dict[int, str]:
    saved = rak_months(apbdes)
    problems = {}
    for line in _lines_of(apbdes):
        problem = rak_line_problem(line, saved.get(line.pk, [ZERO] * MONTHS))
        if problem:
            problems[line.pk] = problem
    return problems


def _rak_move(apbdes: Apbdes, act: str, actor: Any, day_field: str) -> Rak:
    _available_or_refuse(apbdes)
    rak = Rak.objects.filter(apbdes=apbdes).first()
    if rak is None:
        raise KampungError("RAK belum disusun.")
    if act == "verify":
        problems = rak_problems(apbdes)
        if problems:
            raise RakNotBalanced(problems)
    day = local_today(_village(apbdes))
    setattr(rak, day_field, day)
    try:
        RAK_FLOW.apply(
            rak,
            act=act,
            actor=actor,
            region=apbdes.village_id,
            check_act=f"finance.rak.{act}",
            update_fields=[day_field, "updated_at"],
            extra={"apbdes": apbdes.pk, day_field: day},
        )
    except KampungError:
        rak.refresh_from_db()
        raise
    return rak


@transaction.atomic
def rak_verify(*, actor: Any, apbdes: Apbdes) -> Rak:
    return _rak_move(apbdes, "verify", actor, "verified_on")


@transaction.atomic
def rak_approve(*, actor: Any, apbdes: Apbdes) -> Rak:
    return _rak_move(apbdes, "approve", actor, "approved_on")
