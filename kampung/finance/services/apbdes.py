"""Writes of the village budget (APBDes): drafting its lines and moving it through its life
cycle (Permendagri 20/2018 Pasal 31–40; domain.md §1.3).

draft → agreed with the BPD → submitted to the camat → approved or returned (a returned
draft is fixed and submitted again; silence for 20 working days counts as approval) →
enacted (Perdes) → elaborated (Perkades Penjabaran). A revision (APBDes Perubahan) copies an
enacted version and goes through the same life cycle; when enacted it becomes the current
version. Every write checks the actor's role at the village and is audited; every life-cycle
step goes through :data:`APBDES_FLOW` (``Workflow.apply``: authority, lock, audit).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.formatting import tanggal
from kampung.core.workflow import Workflow
from kampung.finance import defaults
from kampung.finance.access import BUDGET_EDITORS
from kampung.finance.budget import line_amount
from kampung.finance.checks import apbdes_problems, blocking
from kampung.finance.models import (
    Account,
    ActivityCode,
    ActivityLevel,
    Apbdes,
    ApbdesEvaluation,
    ApbdesStatus,
    BudgetActivity,
    BudgetLine,
    Ceiling,
    EvaluationResult,
    FinancingLine,
    FundSource,
    RevenueLine,
    UnitPrice,
)
from kampung.regions.calendar import add_working_days
from kampung.regions.models import Region

S = ApbdesStatus
APBDES_FLOW = Workflow(
    "finance.apbdes",
    [
        (S.DRAFT, "agree", S.AGREED),
        (S.AGREED, "submit", S.SUBMITTED),
        (S.RETURNED, "submit", S.SUBMITTED),
        (S.SUBMITTED, "approve", S.APPROVED),
        (S.SUBMITTED, "return", S.RETURNED),
        (S.APPROVED, "enact", S.ENACTED),
        (S.ENACTED, "elaborate", S.ELABORATED),
    ],
    labels=dict(ApbdesStatus.choices),
)
# The authority act each transition asks ``may_act`` about (kampung/authority/catalogue.py).
ACTS = {
    "agree": "finance.apbdes.agree",
    "submit": "finance.apbdes.submit",
    "approve": "finance.apbdes.evaluate",
    "return": "finance.apbdes.evaluate",
    "enact": "finance.apbdes.enact",
    "elaborate": "finance.apbdes.elaborate",
}
MAX_AMOUNT = Decimal("9999999999999999")
MAX_VOLUME = Decimal("999999999999")
FINAL_STATES = (S.ENACTED, S.ELABORATED)


# -- helpers -------------------------------------------------------------------------------


def _editor_role(actor: Any, village: Region | str) -> str:
    code = village if isinstance(village, str) else village.code
    held = scope_for(actor).roles_at(code)
    for role in BUDGET_EDITORS:
        if role in held:
            return role
    raise NotPermitted("Anda tidak berwenang menyusun APBDes desa ini.")


def _editable_or_refuse(apbdes: Apbdes) -> None:
    if not apbdes.editable:
        raise KampungError(f"{apbdes} berstatus '{apbdes.get_status_display()}' dan tidak dapat diubah lagi.")


def _audit(actor: Any, role: str, act: str, apbdes: Apbdes, obj: Any, **after: Any) -> None:
    audit_record(
        actor=actor,
        act=act,
        region=apbdes.village_id,
        role=role,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        after={"apbdes": apbdes.pk, **after},
    )


def _money(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise KampungError(f"{label} harus berupa angka.") from None
    if not amount.is_finite() or amount <= 0:
        raise KampungError(f"{label} harus lebih dari 0.")
    if amount > MAX_AMOUNT:
        raise KampungError(f"{label} terlalu besar.")
    return amount.quantize(Decimal("0.01"))


def _volume(value: Any) -> Decimal:
    amount = _money(value, "Volume")
    if amount > MAX_VOLUME:
        raise KampungError("Volume terlalu besar.")
    return amount


def _text(value: Any, label: str, max_length: int, *, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise KampungError(f"Isi {label}.")
    if len(text) > max_length:
        raise KampungError(f"{label[:1].upper()}{label[1:]} paling panjang {max_length} huruf.")
    return text


def _date(value: Any, label: str, *, not_before: dt.date | None = None, before_label: str = "") -> dt.date:
    if not isinstance(value, dt.date):
        raise KampungError(f"Isi {label}.")
    if value > timezone.localdate():
        raise KampungError(f"{label[:1].upper()}{label[1:]} tidak boleh di masa depan.")
    if not_before is not None and value < not_before:
        raise KampungError(
            f"{label[:1].upper()}{label[1:]} tidak boleh sebelum {before_label} ({tanggal(not_before)})."
        )
    return value


def _account(village: Region, code: str, prefix: str, what: str) -> Account:
    code = str(code or "").strip()
    account = (
        Account.objects.filter(code=code, level=4, active=True)
        .filter(Q(regency__isnull=True) | Q(regency_id=village.regency_code))
        .order_by("regency_id")
        .first()
    )
    if account is None or not code.startswith(prefix):
        raise KampungError(f"Rekening {code or '(kosong)'} bukan rekening {what} tingkat 4 yang berlaku.")
    return account


def _source(code: str, *, required: bool = True) -> FundSource | None:
    code = str(code or "").strip()
    if not code and not required:
        return None
    source = FundSource.objects.filter(code=code).first()
    if source is None:
        raise KampungError(f"Sumber dana '{code or '(kosong)'}' tidak dikenal.")
    return source


def _activity_code(village: Region, code: str) -> ActivityCode:
    code = str(code or "").strip()
    found = (
        ActivityCode.objects.filter(code=code, level=ActivityLevel.KEGIATAN, active=True)
        .filter(Q(regency__isnull=True) | Q(regency_id=village.regency_code))
        .order_by("regency_id")
        .first()
    )
    if found is None:
        raise KampungError(f"Kode kegiatan {code or '(kosong)'} tidak dikenal (pilih kode tingkat kegiatan).")
    return found


def _village_of(apbdes: Apbdes) -> Region:
    return apbdes.village


# -- creating ------------------------------------------------------------------------------


def revenue_account_for(source: FundSource) -> str:
    """The level-4 account a source's revenue is booked on by default (``4.2.1`` → ``4.2.1.01``)."""
    code = source.revenue_account
    while code.count(".") < 3:
        code += ".01"
    return code


def _rkp_rows(village: Region, year: int) -> list[Any]:
    """The RKPDes kegiatan of the year (the enacted RKPDes, or the draft when its Perdes is late)."""
    from kampung.finance.selectors.planning import rkp_activities_for

    return list(rkp_activities_for(village_code=village.code, year=year))


@transaction.atomic
def apbdes_create(*, actor: Any, village: Region, year: int, from_rkp: bool = True) -> Apbdes:
    """A draft APBDes for ``year``: revenue from the village's ceilings, kegiatan from its RKPDes."""
    if not village.keeps_apbdes:
        raise KampungError("Kelurahan tidak memiliki APBDes.")
    role = _editor_role(actor, village)
    if not 2000 <= int(year) <= 2100:
        raise KampungError("Tahun anggaran tidak sah.")
    if Apbdes.objects.filter(village=village, year=year, revision=0).exists():
        raise KampungError(f"APBDes {year} desa ini sudah ada; untuk mengubahnya buat APBDes Perubahan.")
    apbdes = Apbdes.objects.create(village=village, year=year, revision=0, is_current=True)
    ceilings = Ceiling.objects.filter(village=village, year=year, source__is_transfer=True).select_related(
        "source"
    )
    revenues = 0
    for ceiling in ceilings:
        account = _account(village, revenue_account_for(ceiling.source), "4.", "pendapatan")
        RevenueLine.objects.create(
            apbdes=apbdes,
            account=account,
            source=ceiling.source,
            description=ceiling.source.name,
            amount=ceiling.amount,
        )
        revenues += 1
    activities = 0
    if from_rkp:
        rows = _rkp_rows(village, year)
        for row in rows:
            BudgetActivity.objects.create(
                apbdes=apbdes,
                activity_code_id=row.activity_code_id,
                rkp_activity=row,
                name=row.name,
                location=row.location,
                executor_name=row.executor,
                output_volume=row.output_volume,
                output_unit=row.output_unit,
                start_month=row.start_month,
                end_month=row.end_month,
            )
            activities += 1
        if rows:
            apbdes.rkp_id = rows[0].rkp_id
            apbdes.save(update_fields=["rkp"])
    _audit(
        actor,
        role,
        "finance.apbdes.create",
        apbdes,
        apbdes,
        year=year,
        revenues=revenues,
        activities=activities,
    )
    return apbdes


# -- lines ---------------------------------------------------------------------------------


@transaction.atomic
def revenue_line_save(
    *,
    actor: Any,
    apbdes: Apbdes,
    line: RevenueLine | None = None,
    account_code: str,
    source_code: str,
    description: str = "",
    amount: Any,
) -> RevenueLine:
    role = _editor_role(actor, apbdes.village_id)
    _editable_or_refuse(apbdes)
    village = _village_of(apbdes)
    values = {
        "account": _account(village, account_code, "4.", "pendapatan"),
        "source": _source(source_code),
        "description": _text(description, "uraian", 255),
        "amount": _money(amount, "Nilai pendapatan"),
    }
    if line is None:
        line = RevenueLine.objects.create(apbdes=apbdes, **values)
    else:
        if line.apbdes_id != apbdes.pk:
            raise KampungError("Baris pendapatan bukan bagian APBDes ini.")
        for key, value in values.items():
            setattr(line, key, value)
        line.save()
    _audit(
        actor,
        role,
        "finance.apbdes.revenue.save",
        apbdes,
        line,
        account=account_code,
        amount=values["amount"],
    )
    return line


@transaction.atomic
def revenue_line_delete(*, actor: Any, line: RevenueLine) -> None:
    apbdes = line.apbdes
    role = _editor_role(actor, apbdes.village_id)
    _editable_or_refuse(apbdes)
    _audit(actor, role, "finance.apbdes.revenue.delete", apbdes, line, amount=line.amount)
    line.delete()


@transaction.atomic
def activity_save(
    *,
    actor: Any,
    apbdes: Apbdes,
    activity: BudgetActivity | None = None,
    activity_code: str,
    name: str = "",
    location: str = "",
    executor_name: str = "",
    output_volume: Any = 0,
    output_unit: str = "",
    start_month: int = 1,
    end_month: int = 12,
) -> BudgetActivity:
    role = _editor_role(actor, apbdes.village_id)
    _editable_or_refuse(apbdes)
    code = _activity_code(_village_of(apbdes), activity_code)
    try:
        start, end = int(start_month), int(end_month)
        volume = Decimal(str(output_volume or 0))
    except (ValueError, InvalidOperation):
        raise KampungError("Bulan dan target keluaran harus berupa angka.") from None
    if not (1 <= start <= end <= 12):
        raise KampungError("Bulan mulai dan selesai harus 1–12, dan bulan mulai tidak setelah bulan selesai.")
    if not volume.is_finite() or volume < 0 or volume > MAX_VOLUME:
        raise KampungError("Target keluaran (volume) harus angka 0 atau lebih.")
    values = {
        "activity_code": code,
        "name": _text(name, "nama kegiatan", 400) or code.name[:400],
        "location": _text(location, "lokasi", 200),
        "executor_name": _text(executor_name, "nama pelaksana", 120),
        "output_volume": volume.quantize(Decimal("0.01")),
        "output_unit": _text(output_unit, "satuan keluaran", 40),
        "start_month": start,
        "end_month": end,
    }
    if activity is None:
        activity = BudgetActivity.objects.create(apbdes=apbdes, **values)
    else:
        if activity.apbdes_id != apbdes.pk:
            raise KampungError("Kegiatan bukan bagian APBDes ini.")
        for key, value in values.items():
            setattr(activity, key, value)
        activity.save()
    _audit(actor, role, "finance.apbdes.activity.save", apbdes, activity, code=code.code, name=values["name"])
    return activity


@transaction.atomic
def activity_delete(*, actor: Any, activity: BudgetActivity) -> None:
    apbdes = activity.apbdes
    role = _editor_role(actor, apbdes.village_id)
    _editable_or_refuse(apbdes)
    _audit(actor, role, "finance.apbdes.activity.delete", apbdes, activity, code=activity.activity_code_id)
    activity.delete()


@transaction.atomic
def budget_line_save(
    *,
    actor: Any,
    activity: BudgetActivity,
    line: BudgetLine | None = None,
    account_code: str,
    source_code: str,
    description: str,
    volume: Any,
    unit: str = "",
    unit_price: Any = None,
    unit_price_id: int | None = None,
) -> BudgetLine:
    """One RAB line; amount = volume x unit price. With an SSH item (``unit_price_id``) the unit
    and price come from the item unless given here; the item is recorded on the line."""
    apbdes = activity.apbdes
    role = _editor_role(actor, apbdes.village_id)
    _editable_or_refuse(apbdes)
    village = _village_of(apbdes)
    ssh: UnitPrice | None = None
    if unit_price_id:
        ssh = UnitPrice.objects.filter(
            pk=unit_price_id, regency_id=village.regency_code, year=apbdes.year, active=True
        ).first()
        if ssh is None:
            raise KampungError("Item SSH tidak ditemukan untuk kabupaten dan tahun anggaran ini.")
    if ssh is not None and (unit_price is None or str(unit_price).strip() == ""):
        unit_price = ssh.price
    if ssh is not None and not str(unit or "").strip():
        unit = ssh.unit
    if unit_price is None or str(unit_price).strip() == "":
        raise KampungError("Isi harga satuan.")
    vol = _volume(volume)
    price = _money(unit_price, "Harga satuan")
    amount = line_amount(vol, price)
    if amount > MAX_AMOUNT:
        raise KampungError("Jumlah (volume x harga satuan) terlalu besar.")
    values = {
        "account": _account(village, account_code, "5.", "belanja"),
        "source": _source(source_code),
        "description": _text(description, "uraian", 255, required=True),
        "volume": vol,
        "unit": _text(unit, "satuan", 30, required=True),
        "unit_price": price,
        "amount": amount,
        "unit_price_ref": ssh,
    }
    if line is None:
        line = BudgetLine.objects.create(activity=activity, **values)
    else:
        if line.activity_id != activity.pk:
            raise KampungError("Rincian bukan bagian kegiatan ini.")
        for key, value in values.items():
            setattr(line, key, value)
        line.save()
    _audit(
        actor,
        role,
        "finance.apbdes.line.save",
        apbdes,
        line,
        activity=activity.pk,
        account=account_code,
        source=source_code,
        volume=vol,
        unit_price=price,
        amount=amount,
        ssh=ssh.code if ssh else "",
        ssh_price=ssh.price if ssh else None,
    )
    return line


@transaction.atomic
def budget_line_delete(*, actor: Any, line: BudgetLine) -> None:
    apbdes = line.activity.apbdes
    role = _editor_role(actor, apbdes.village_id)
    _editable_or_refuse(apbdes)
    _audit(actor, role, "finance.apbdes.line.delete", apbdes, line, amount=line.amount)
    line.delete()


@transaction.atomic
def financing_line_save(
    *,
    actor: Any,
    apbdes: Apbdes,
    line: FinancingLine | None = None,
    account_code: str,
    source_code: str = "",
    description: str = "",
    amount: Any,
) -> FinancingLine:
    """A financing receipt (6.1, e.g. SiLPA tagged with the source it came from) or expenditure
    (6.2, e.g. reserve funds)."""
    role = _editor_role(actor, apbdes.village_id)
    _editable_or_refuse(apbdes)
    values = {
        "account": _account(_village_of(apbdes), account_code, "6.", "pembiayaan"),
        "source": _source(source_code, required=False),
        "description": _text(description, "uraian", 255),
        "amount": _money(amount, "Nilai pembiayaan"),
    }
    if line is None:
        line = FinancingLine.objects.create(apbdes=apbdes, **values)
    else:
        if line.apbdes_id != apbdes.pk:
            raise KampungError("Baris pembiayaan bukan bagian APBDes ini.")
        for key, value in values.items():
            setattr(line, key, value)
        line.save()
    _audit(
        actor,
        role,
        "finance.apbdes.financing.save",
        apbdes,
        line,
        account=account_code,
        amount=values["amount"],
    )
    return line


@transaction.atomic
def financing_line_delete(*, actor: Any, line: FinancingLine) -> None:
    apbdes = line.apbdes
    role = _editor_role(actor, apbdes.village_id)
    _editable_or_refuse(apbdes)
    _audit(actor, role, "finance.apbdes.financing.delete", apbdes, line, amount=line.amount)
    line.delete()


# -- life cycle ----------------------------------------------------------------------------


def _apply(apbdes: Apbdes, act: str, actor: Any, *, extra: dict[str, Any], fields: list[str]) -> Any:
    return APBDES_FLOW.apply(
        apbdes,
        act=act,
        actor=actor,
        region=apbdes.village_id,
        check_act=ACTS[act],
        extra={"apbdes": str(apbdes), **extra},
        update_fields=[*fields, "updated_at"] if hasattr(apbdes, "updated_at") else fields,
    )


def _refuse_problems(apbdes: Apbdes) -> None:
    problems = blocking(apbdes_problems(apbdes))
    if problems:
        listed = " ".join(f"({i}) {p.message}" for i, p in enumerate(problems, start=1))
        raise KampungError(f"APBDes belum lolos pemeriksaan: {listed}", code="apbdes_bermasalah")


@transaction.atomic
def apbdes_agree(*, actor: Any, apbdes: Apbdes, agreed_on: dt.date, minutes_number: str) -> Apbdes:
    """The BPD agrees the draft (Pasal 32); refused while any blocking problem remains."""
    agreed_on = _date(agreed_on, "tanggal kesepakatan BPD")
    number = _text(minutes_number, "nomor berita acara BPD", 80, required=True)
    if apbdes.status == S.DRAFT:
        _refuse_problems(apbdes)
    apbdes.bpd_agreed_on = agreed_on
    apbdes.bpd_minutes_number = number
    _apply(
        apbdes,
        "agree",
        actor,
        extra={"agreed_on": agreed_on, "minutes": number},
        fields=["bpd_agreed_on", "bpd_minutes_number"],
    )
    return apbdes


@transaction.atomic
def apbdes_submit(*, actor: Any, apbdes: Apbdes, submitted_on: dt.date) -> Apbdes:
    """The head sends the agreed (or fixed, after a return) draft to the camat; the evaluation
    is due 20 working days later (Pasal 34–35)."""
    submitted_on = _date(
        submitted_on,
        "tanggal pengiriman",
        not_before=apbdes.evaluated_on or apbdes.bpd_agreed_on,
        before_label="tanggal kesepakatan/evaluasi sebelumnya",
    )
    if apbdes.status == S.RETURNED:
        _refuse_problems(apbdes)
    apbdes.submitted_on = submitted_on
    apbdes.evaluation_due = add_working_days(
        _village_of(apbdes), submitted_on, defaults.EVALUATION_WORKING_DAYS
    )
    _apply(
        apbdes,
        "submit",
        actor,
        extra={"submitted_on": submitted_on, "evaluation_due": apbdes.evaluation_due},
        fields=["submitted_on", "evaluation_due"],
    )
    return apbdes


@transaction.atomic
def apbdes_evaluate(
    *, actor: Any, apbdes: Apbdes, approve: bool, notes: str, decided_on: dt.date
) -> ApbdesEvaluation:
    """The bupati (or the camat under delegation) approves the draft or returns it with notes."""
    decided_on = _date(
        decided_on, "tanggal evaluasi", not_before=apbdes.submitted_on, before_label="tanggal pengiriman"
    )
    if apbdes.evaluation_due is not None and decided_on > apbdes.evaluation_due:
        raise KampungError(
            f"Batas evaluasi {tanggal(apbdes.evaluation_due)} telah lewat: menurut Pasal 35 ayat (4) "
            "rancangan dianggap disetujui, sehingga tidak dapat dievaluasi lagi."
        )
    notes = str(notes or "").strip()
    if len(notes) > 5000:
        raise KampungError("Catatan evaluasi paling panjang 5000 huruf.")
    if not approve and not notes:
        raise KampungError("Tuliskan catatan perbaikan bila rancangan dikembalikan.")
    apbdes.evaluated_on = decided_on
    applied = _apply(
        apbdes,
        "approve" if approve else "return",
        actor,
        extra={"decided_on": decided_on, "notes": notes},
        fields=["evaluated_on"],
    )
    basis = applied.basis + (f" — {applied.instrument}" if applied.instrument else "")
    return ApbdesEvaluation.objects.create(
        apbdes=apbdes,
        result=EvaluationResult.APPROVED if approve else EvaluationResult.RETURNED,
        notes=notes,
        decided_on=decided_on,
        evaluator=actor,
        basis=basis[:300],
    )


def is_overdue(apbdes: Apbdes, today: dt.date) -> bool:
    """Submitted and past its evaluation deadline: counts as approved (Pasal 35 ayat 4)."""
    return (
        apbdes.status == S.SUBMITTED and apbdes.evaluation_due is not None and today > apbdes.evaluation_due
    )


def apbdes_deem_overdue(*, today: dt.date) -> list[Apbdes]:
    """Every submitted draft whose evaluator did not answer within 20 working days becomes
    approved, recorded as deemed (no actor: the law decides, the system records)."""
    done: list[Apbdes] = []
    due = Apbdes.objects.filter(status=S.SUBMITTED, evaluation_due__lt=today).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            apbdes = Apbdes.objects.select_for_update().select_related("village").get(pk=pk)
            if not is_overdue(apbdes, today):
                continue
            assert apbdes.evaluation_due is not None
            apbdes.status = S.APPROVED
            apbdes.deemed_approved = True
            apbdes.evaluated_on = today
            apbdes.save(update_fields=["status", "deemed_approved", "evaluated_on", "updated_at"])
            note = (
                f"Tidak ada hasil evaluasi sampai {tanggal(apbdes.evaluation_due)} "
                f"({defaults.EVALUATION_WORKING_DAYS} hari kerja sejak {tanggal(apbdes.submitted_on)}): "
                "rancangan dianggap disetujui."
            )
            ApbdesEvaluation.objects.create(
                apbdes=apbdes,
                result=EvaluationResult.DEEMED,
                notes=note,
                decided_on=today,
                evaluator=None,
                basis="Permendagri 20/2018 Pasal 35 ayat (4)",
            )
            audit_record(
                actor=None,
                act="finance.apbdes.deem",
                region=apbdes.village_id,
                object_type=apbdes._meta.label,
                object_id=str(apbdes.pk),
                before={"status": S.SUBMITTED},
                after={
                    "status": S.APPROVED,
                    "deemed_approved": True,
                    "evaluation_due": apbdes.evaluation_due,
                },
            )
            done.append(apbdes)
    return done


@transaction.atomic
def apbdes_enact(*, actor: Any, apbdes: Apbdes, perdes_number: str, perdes_date: dt.date) -> Apbdes:
    """The head enacts the Perdes APBDes (Pasal 38); an enacted revision becomes current."""
    perdes_date = _date(
        perdes_date, "tanggal Perdes", not_before=apbdes.evaluated_on, before_label="tanggal evaluasi"
    )
    apbdes.perdes_number = _text(perdes_number, "nomor Perdes", 60, required=True)
    apbdes.perdes_date = perdes_date
    apbdes.is_current = True
    _apply(
        apbdes,
        "enact",
        actor,
        extra={"perdes_number": apbdes.perdes_number, "perdes_date": perdes_date},
        fields=["perdes_number", "perdes_date", "is_current"],
    )
    others = Apbdes.objects.filter(village_id=apbdes.village_id, year=apbdes.year, is_current=True).exclude(
        pk=apbdes.pk
    )
    others.update(is_current=False)
    return apbdes


@transaction.atomic
def apbdes_elaborate(*, actor: Any, apbdes: Apbdes, number: str, date: dt.date) -> Apbdes:
    """The head enacts the Perkades Penjabaran APBDes."""
    apbdes.penjabaran_date = _date(
        date, "tanggal Perkades Penjabaran", not_before=apbdes.perdes_date, before_label="tanggal Perdes"
    )
    apbdes.penjabaran_number = _text(number, "nomor Perkades Penjabaran", 60, required=True)
    _apply(
        apbdes,
        "elaborate",
        actor,
        extra={"number": apbdes.penjabaran_number, "date": apbdes.penjabaran_date},
        fields=["penjabaran_number", "penjabaran_date"],
    )
    return apbdes


# -- revision ------------------------------------------------------------------------------


@transaction.atomic
def apbdes_revision_start(
    *, actor: Any, apbdes: Apbdes, extraordinary: bool = False, reason: str = ""
) -> Apbdes:
    """Start the APBDes Perubahan: a draft copy of the current enacted version, each row linked
    to its original (``origin``). One a year; more only in an extraordinary event (Pasal 40)."""
    role = _editor_role(actor, apbdes.village_id)
    base = Apbdes.objects.select_for_update().get(pk=apbdes.pk)
    if base.status not in FINAL_STATES or not base.is_current:
        raise KampungError(
            "APBDes Perubahan hanya dapat dibuat dari APBDes yang berlaku dan sudah ditetapkan."
        )
    versions = Apbdes.objects.filter(village_id=base.village_id, year=base.year)
    if versions.filter(revision__gt=base.revision).exists():
        raise KampungError("Sudah ada APBDes Perubahan yang sedang disusun untuk tahun ini.")
    reason = str(reason or "").strip()
    done = versions.filter(revision__gt=0).count()
    if done >= defaults.REVISIONS_PER_YEAR:
        if not extraordinary:
            raise KampungError(
                f"APBDes Perubahan tahun {base.year} sudah {done} kali; perubahan berikutnya hanya "
                "dalam keadaan luar biasa (centang 'keadaan luar biasa' dan tuliskan alasannya)."
            )
        if not reason:
            raise KampungError("Tuliskan alasan keadaan luar biasa.")
    number = (versions.aggregate(m=Max("revision"))["m"] or 0) + 1
    new = Apbdes.objects.create(
        village_id=base.village_id,
        year=base.year,
        revision=number,
        base=base,
        extraordinary=bool(extraordinary),
        extraordinary_reason=reason[:5000] if extraordinary else "",
        rkp_id=base.rkp_id,
        is_current=False,
    )
    RevenueLine.objects.bulk_create(
        RevenueLine(
            apbdes=new,
            account_id=r.account_id,
            source_id=r.source_id,
            description=r.description,
            amount=r.amount,
            origin=r,
        )
        for r in base.revenues.all()
    )
    FinancingLine.objects.bulk_create(
        FinancingLine(
            apbdes=new,
            account_id=f.account_id,
            source_id=f.source_id,
            description=f.description,
            amount=f.amount,
            origin=f,
        )
        for f in base.financing.all()
    )
    lines_by_activity: dict[int, list[BudgetLine]] = {}
    for line in BudgetLine.objects.filter(activity__apbdes=base):
        lines_by_activity.setdefault(line.activity_id, []).append(line)
    copies: list[BudgetLine] = []
    for old in base.activities.all():
        activity = BudgetActivity.objects.create(
            apbdes=new,
            activity_code_id=old.activity_code_id,
            rkp_activity_id=old.rkp_activity_id,
            name=old.name,
            location=old.location,
            executor_id=old.executor_id,
            executor_name=old.executor_name,
            output_volume=old.output_volume,
            output_unit=old.output_unit,
            start_month=old.start_month,
            end_month=old.end_month,
            origin=old,
        )
        for line in lines_by_activity.get(old.pk, []):
            copies.append(
                BudgetLine(
                    activity=activity,
                    account_id=line.account_id,
                    source_id=line.source_id,
                    description=line.description,
                    volume=line.volume,
                    unit=line.unit,
                    unit_price=line.unit_price,
                    amount=line.amount,
                    unit_price_ref_id=line.unit_price_ref_id,
                    origin=line,
                )
            )
    BudgetLine.objects.bulk_create(copies)
    _audit(
        actor,
        role,
        "finance.apbdes.revision.start",
        new,
        new,
        base=base.pk,
        revision=number,
        extraordinary=bool(extraordinary),
        reason=reason,
    )
    return new
