"""Writes of village planning: the RPJMDes, the yearly RKPDes, Musdes records and residents'
proposals (Permendagri 114/2014 Pedoman Pembangunan Desa; domain.md §1.2).

Every service checks the actor's role at the village, refuses with an Indonesian message
(``KampungError``) and writes an audit entry in the same transaction. An enacted plan
(Perdes) is read-only: changing it takes a new Perdes, which this module does not model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.uploads import random_name
from kampung.finance.access import PLAN_EDITORS
from kampung.finance.models import (
    ActivityCode,
    ActivityLevel,
    FundSource,
    GoalKind,
    Musdes,
    PlanStatus,
    Proposal,
    ProposalChannel,
    ProposalStatus,
    RkpActivity,
    Rkpdes,
    RpjmActivity,
    RpjmAmount,
    Rpjmdes,
    RpjmGoal,
)
from kampung.population.models import BasicStatus, Resident
from kampung.regions.models import Region

# Who enacts a plan in the system: the head signs the Perdes, the secretary records it.
ENACTORS = (Role.HEAD, Role.SECRETARY)
MIN_TERM_YEARS = 1
MAX_TERM_YEARS = 10
MAX_MINUTES_BYTES = 10 * 1024 * 1024
MAX_AMOUNT = Decimal("9999999999999999")  # fits DecimalField(max_digits=18, decimal_places=2)
GOAL_PARENT_KIND = {GoalKind.MISSION: None, GoalKind.GOAL: GoalKind.MISSION, GoalKind.TARGET: GoalKind.GOAL}


# -- helpers -------------------------------------------------------------------------------


def _role_at(actor: Any, village: Region | str, roles: tuple[str, ...], what: str) -> str:
    """The first of ``roles`` the actor holds at the village, or NotPermitted."""
    code = village if isinstance(village, str) else village.code
    held = scope_for(actor).roles_at(code)
    for role in roles:
        if role in held:
            return role
    raise NotPermitted(f"Anda tidak berwenang {what}.")


def _enact_decision(actor: Any, village_id: str, act: str) -> Any:
    """The head holds the enactment of the village plans (Perdes); the secretary records it as a
    co-holder. Asked of the authority register, so a delegation or mandate applies too."""
    from kampung.authority.services import may_act

    decision = may_act(actor, act, village_id)
    if not decision.allowed:
        raise NotPermitted(decision.reason or "Anda tidak berwenang menetapkan rencana ini.")
    return decision


def _enact_record(decision: Any, actor: Any, act: str, obj: Any) -> None:
    from kampung.authority.services import act_record

    act_record(
        decision=decision, actor=actor, act=act, region=obj.village_id,
        object_type=obj._meta.label, object_id=str(obj.pk),
    )  # fmt: skip


def _audit(
    *,
    actor: Any,
    role: str,
    act: str,
    village: Region | str,
    obj: Any,
    after: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor,
        act=act,
        region=village,
        role=role,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        before=before,
        after=after,
    )


def _text(value: Any, label: str, *, max_length: int, required: bool = False) -> str:
    text = " ".join(str(value or "").split()) if max_length <= 400 else str(value or "").strip()
    if required and not text:
        raise KampungError(f"Isi {label}.")
    if len(text) > max_length:
        raise KampungError(f"{label[:1].upper()}{label[1:]} paling panjang {max_length} huruf.")
    return text


def _amount(value: Any, label: str, *, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value))
    except Exception:
        raise KampungError(f"{label} harus berupa angka.") from None
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        raise KampungError(f"{label} harus angka {'0 atau lebih' if allow_zero else 'lebih dari 0'}.")
    if amount > MAX_AMOUNT:
        raise KampungError(f"{label} terlalu besar.")
    return amount.quantize(Decimal("0.01"))


def activity_codes_for(village: Region) -> Any:
    """Kegiatan codes a village may plan: national and its regency's own, active, level kegiatan."""
    return ActivityCode.objects.filter(
        Q(regency__isnull=True) | Q(regency_id=village.regency_code),
        active=True,
        level=ActivityLevel.KEGIATAN,
    ).order_by("code", "regency_id")


def _check_activity_code(village: Region, code: ActivityCode) -> ActivityCode:
    if not activity_codes_for(village).filter(pk=code.pk).exists():
        raise KampungError(
            "Pilih kegiatan dari daftar kode kegiatan yang berlaku (nasional atau kabupaten ini)."
        )
    return code


def _draft_or_refuse(plan: Rpjmdes | Rkpdes) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise KampungError(
            f"{plan} sudah ditetapkan dengan Perdes {plan.perdes_number} dan tidak dapat diubah lagi."
        )


def _perdes(number: str, date: dt.date | None) -> tuple[str, dt.date]:
    number = _text(number, "nomor Perdes", max_length=60, required=True)
    if date is None:
        raise KampungError("Isi tanggal Perdes.")
    if date > timezone.localdate():
        raise KampungError("Tanggal Perdes tidak boleh setelah hari ini.")
    return number, date


# -- RPJMDes -------------------------------------------------------------------------------


def rpjm_deadline(rpjm: Rpjmdes) -> dt.date | None:
    """The Perdes RPJMDes is due 3 months after the head's inauguration (Permendagri 114/2014
    Pasal 8 ayat 3)."""
    start = rpjm.inaugurated_on
    if start is None:
        return None
    month = start.month + 3
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None  # pragma: no cover


def _check_term(village: Region, start_year: int, end_year: int, *, exclude: int | None = None) -> None:
    if not (2000 <= start_year <= 2100 and 2000 <= end_year <= 2100):
        raise KampungError("Tahun awal dan tahun akhir harus tahun yang wajar (2000–2100).")
    length = end_year - start_year + 1
    if length < MIN_TERM_YEARS or length > MAX_TERM_YEARS:
        raise KampungError(
            f"Masa RPJMDes harus {MIN_TERM_YEARS}–{MAX_TERM_YEARS} tahun (6 tahun menurut UU 6/2014, "
            "8 tahun menurut UU 3/2024); tahun akhir tidak boleh sebelum tahun awal."
        )
    overlapping = Rpjmdes.objects.filter(village=village, start_year__lte=end_year, end_year__gte=start_year)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    other = overlapping.order_by("start_year").first()
    if other is not None:
        raise KampungError(
            f"Masa {start_year}–{end_year} bertumpang tindih dengan {other} desa ini. "
            "Satu tahun hanya boleh dicakup satu RPJMDes."
        )


@dataclass(frozen=True)
class RpjmInput:
    start_year: int
    end_year: int
    head_name: str = ""
    inaugurated_on: dt.date | None = None
    vision: str = ""


def _rpjm_values(data: RpjmInput) -> dict[str, Any]:
    return {
        "start_year": data.start_year,
        "end_year": data.end_year,
        "head_name": _text(data.head_name, "nama kepala desa", max_length=120),
        "inaugurated_on": data.inaugurated_on,
        "vision": _text(data.vision, "visi", max_length=4000),
    }


@transaction.atomic
def rpjmdes_create(*, actor: Any, village: Region, data: RpjmInput) -> Rpjmdes:
    """Open a draft RPJMDes for the head's term. The term is what is entered (6 years by UU
    6/2014, 8 by UU 3/2024), 1–10 years, and may not overlap another RPJMDes of the village."""
    role = _role_at(actor, village, PLAN_EDITORS, "menyusun RPJMDes desa ini")
    if not village.keeps_apbdes:
        raise KampungError("Kelurahan tidak menyusun RPJMDes.")
    Region.objects.select_for_update().filter(pk=village.pk).first()  # one term at a time
    values = _rpjm_values(data)
    _check_term(village, data.start_year, data.end_year)
    rpjm = Rpjmdes.objects.create(village=village, **values)
    _audit(actor=actor, role=role, act="finance.rpjmdes.create", village=village, obj=rpjm, after=values)
    return rpjm


@transaction.atomic
def rpjmdes_update(*, actor: Any, rpjm: Rpjmdes, data: RpjmInput) -> Rpjmdes:
    """Change a draft's term, head or vision; amounts outside a shortened term are refused."""
    role = _role_at(actor, rpjm.village_id, PLAN_EDITORS, "mengubah RPJMDes desa ini")
    rpjm = Rpjmdes.objects.select_for_update().select_related("village").get(pk=rpjm.pk)
    _draft_or_refuse(rpjm)
    values = _rpjm_values(data)
    _check_term(rpjm.village, data.start_year, data.end_year, exclude=rpjm.pk)
    outside = (
        RpjmAmount.objects.filter(activity__rpjm=rpjm)
        .exclude(year__gte=data.start_year, year__lte=data.end_year)
        .order_by("year")
        .first()
    )
    if outside is not None:
        raise KampungError(
            f"Masih ada pagu indikatif tahun {outside.year} di luar masa {data.start_year}–{data.end_year}. "
            "Hapus pagu itu dulu."
        )
    before = {k: getattr(rpjm, k) for k in values}
    for key, value in values.items():
        setattr(rpjm, key, value)
    rpjm.save()
    _audit(
        actor=actor, role=role, act="finance.rpjmdes.update", village=rpjm.village_id, obj=rpjm,
        before=before, after=values,
    )  # fmt: skip
    return rpjm


@transaction.atomic
def rpjm_goal_add(
    *, actor: Any, rpjm: Rpjmdes, kind: str, text: str, parent: RpjmGoal | None = None
) -> RpjmGoal:
    """Add a mission, a goal under a mission, or a target under a goal (in order)."""
    role = _role_at(actor, rpjm.village_id, PLAN_EDITORS, "mengubah RPJMDes desa ini")
    rpjm = Rpjmdes.objects.select_for_update().get(pk=rpjm.pk)
    _draft_or_refuse(rpjm)
    if kind not in GOAL_PARENT_KIND:
        raise KampungError("Pilih jenis: misi, tujuan atau sasaran.")
    body = _text(text, "uraian", max_length=2000, required=True)
    parent_kind = GOAL_PARENT_KIND[GoalKind(kind)]
    if parent_kind is None:
        parent = None
    elif parent is None or parent.rpjm_id != rpjm.pk or parent.kind != parent_kind:
        label = "misi" if parent_kind == GoalKind.MISSION else "tujuan"
        raise KampungError(
            f"Pilih {label} RPJMDes ini yang menjadi induk {GoalKind(kind).label.lower()} ini."
        )
    siblings = RpjmGoal.objects.filter(rpjm=rpjm, kind=kind, parent=parent)
    order = (siblings.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    goal = RpjmGoal.objects.create(rpjm=rpjm, kind=kind, parent=parent, order=order, text=body)
    _audit(
        actor=actor, role=role, act="finance.rpjmdes.goal_add", village=rpjm.village_id, obj=goal,
        after={"rpjm": rpjm.pk, "kind": kind, "parent": parent.pk if parent else None, "text": body},
    )  # fmt: skip
    return goal


@transaction.atomic
def rpjm_goal_delete(*, actor: Any, goal: RpjmGoal) -> None:
    """Remove a mission/goal/target (and what lies under it) from a draft."""
    rpjm = Rpjmdes.objects.select_for_update().get(pk=goal.rpjm_id)
    role = _role_at(actor, rpjm.village_id, PLAN_EDITORS, "mengubah RPJMDes desa ini")
    _draft_or_refuse(rpjm)
    _audit(
        actor=actor, role=role, act="finance.rpjmdes.goal_delete", village=rpjm.village_id, obj=goal,
        before={"kind": goal.kind, "text": goal.text},
    )  # fmt: skip
    goal.delete()


@dataclass(frozen=True)
class RpjmActivityInput:
    activity_code: ActivityCode
    name: str = ""
    location: str = ""
    output_target: str = ""
    beneficiaries: str = ""
    # year → indicative amount; a missing or zero year has no amount.
    amounts: Mapping[int, Decimal | None] | None = None
    source: FundSource | None = None


@transaction.atomic
def rpjm_activity_save(
    *, actor: Any, rpjm: Rpjmdes, data: RpjmActivityInput, activity: RpjmActivity | None = None
) -> RpjmActivity:
    """Add or change a planned kegiatan with its indicative amount for each year of the term.
    A kegiatan from the code list (national + the regency's, active); amounts only inside the
    term (Permendagri 114/2014 Pasal 6: pagu indikatif per tahun)."""
    role = _role_at(actor, rpjm.village_id, PLAN_EDITORS, "mengubah RPJMDes desa ini")
    rpjm = Rpjmdes.objects.select_for_update().select_related("village").get(pk=rpjm.pk)
    _draft_or_refuse(rpjm)
    if activity is not None and activity.rpjm_id != rpjm.pk:
        raise KampungError("Kegiatan ini bukan bagian dari RPJMDes ini.")
    code = _check_activity_code(rpjm.village, data.activity_code)
    amounts: dict[int, Decimal] = {}
    for year, given in (data.amounts or {}).items():
        if given is None or given == "":
            continue
        amount = _amount(given, f"Pagu indikatif tahun {year}")
        if amount == 0:
            continue
        if not rpjm.start_year <= int(year) <= rpjm.end_year:
            raise KampungError(
                f"Tahun {year} di luar masa RPJMDes {rpjm.start_year}–{rpjm.end_year}; "
                "pagu indikatif hanya untuk tahun-tahun dalam masa RPJMDes."
            )
        amounts[int(year)] = amount
    values = {
        "activity_code": code,
        "name": _text(data.name, "nama kegiatan", max_length=400) or code.name[:400],
        "location": _text(data.location, "lokasi", max_length=200),
        "output_target": _text(data.output_target, "sasaran keluaran", max_length=200),
        "beneficiaries": _text(data.beneficiaries, "penerima manfaat", max_length=200),
    }
    act = "finance.rpjmdes.activity_update" if activity else "finance.rpjmdes.activity_add"
    if activity is None:
        activity = RpjmActivity.objects.create(rpjm=rpjm, **values)
    else:
        for key, value in values.items():
            setattr(activity, key, value)
        activity.save()
    activity.amounts.exclude(year__in=list(amounts)).delete()
    for year, amount in amounts.items():
        RpjmAmount.objects.update_or_create(
            activity=activity, year=year, defaults={"amount": amount, "source": data.source}
        )
    _audit(
        actor=actor, role=role, act=act, village=rpjm.village_id, obj=activity,
        after={**values, "activity_code": code.code, "amounts": {str(y): a for y, a in amounts.items()},
               "source": data.source.code if data.source else ""},
    )  # fmt: skip
    return activity


@transaction.atomic
def rpjm_activity_delete(*, actor: Any, activity: RpjmActivity) -> None:
    rpjm = Rpjmdes.objects.select_for_update().get(pk=activity.rpjm_id)
    role = _role_at(actor, rpjm.village_id, PLAN_EDITORS, "mengubah RPJMDes desa ini")
    _draft_or_refuse(rpjm)
    _audit(
        actor=actor, role=role, act="finance.rpjmdes.activity_delete", village=rpjm.village_id,
        obj=activity, before={"name": activity.name, "activity_code": activity.activity_code_id},
    )  # fmt: skip
    activity.delete()


@transaction.atomic
def rpjmdes_enact(*, actor: Any, rpjm: Rpjmdes, perdes_number: str, perdes_date: dt.date | None) -> Rpjmdes:
    """Record the Perdes RPJMDes (Permendagri 114/2014 Pasal 29). Only the head or the
    secretary; the plan must have a vision and at least one kegiatan. Read-only afterwards."""
    decision = _enact_decision(actor, rpjm.village_id, "finance.rpjmdes.enact")
    role = decision.role
    rpjm = Rpjmdes.objects.select_for_update().get(pk=rpjm.pk)
    _draft_or_refuse(rpjm)
    number, date = _perdes(perdes_number, perdes_date)
    if not rpjm.vision.strip():
        raise KampungError("RPJMDes belum memiliki visi. Isi visi sebelum ditetapkan.")
    if not rpjm.activities.exists():
        raise KampungError("RPJMDes belum memiliki kegiatan. Tambahkan kegiatan sebelum ditetapkan.")
    deadline = rpjm_deadline(rpjm)
    rpjm.status = PlanStatus.ENACTED
    rpjm.perdes_number = number
    rpjm.perdes_date = date
    rpjm.save(update_fields=["status", "perdes_number", "perdes_date", "updated_at"])
    _audit(
        actor=actor, role=role, act="finance.rpjmdes.enact", village=rpjm.village_id, obj=rpjm,
        before={"status": PlanStatus.DRAFT},
        after={"status": rpjm.status, "perdes_number": number, "perdes_date": date,
               "late": bool(deadline and date > deadline)},
    )  # fmt: skip
    _enact_record(decision, actor, "finance.rpjmdes.enact", rpjm)
    return rpjm


# -- RKPDes --------------------------------------------------------------------------------


def _enacted_rpjm_for(village: Region, year: int) -> Rpjmdes | None:
    return Rpjmdes.objects.filter(
        village=village, status=PlanStatus.ENACTED, start_year__lte=year, end_year__gte=year
    ).first()


@transaction.atomic
def rkpdes_create(*, actor: Any, village: Region, year: int) -> Rkpdes:
    """Open the RKPDes for ``year`` from the enacted RPJMDes that covers it, prefilled with the
    RPJMDes kegiatan that have an indicative amount for that year (Permendagri 114/2014 Pasal
    31–32: the RKPDes elaborates the RPJMDes)."""
    role = _role_at(actor, village, PLAN_EDITORS, "menyusun RKPDes desa ini")
    if not village.keeps_apbdes:
        raise KampungError("Kelurahan tidak menyusun RKPDes.")
    if not 2000 <= year <= 2100:
        raise KampungError("Tahun anggaran tidak wajar.")
    rpjm = _enacted_rpjm_for(village, year)
    if rpjm is None:
        raise KampungError(
            f"Belum ada RPJMDes yang ditetapkan untuk tahun {year}. Tetapkan RPJMDes dulu: "
            "RKPDes disusun dari RPJMDes."
        )
    if Rkpdes.objects.filter(village=village, year=year).exists():
        raise KampungError(f"RKPDes {year} desa ini sudah ada.")
    try:
        with transaction.atomic():
            rkp = Rkpdes.objects.create(village=village, year=year, rpjm=rpjm)
    except IntegrityError:
        raise KampungError(f"RKPDes {year} desa ini sudah ada.") from None
    default_source = FundSource.objects.filter(code="DDS").first() or FundSource.objects.first()
    amounts = (
        RpjmAmount.objects.filter(activity__rpjm=rpjm, year=year, amount__gt=0)
        .select_related("activity", "source")
        .order_by("activity__activity_code__code", "activity_id")
    )
    if default_source is None:
        raise KampungError("Daftar sumber dana kosong; muat data referensi keuangan dulu.")
    created = RkpActivity.objects.bulk_create(
        [
            RkpActivity(
                rkp=rkp,
                rpjm_activity=a.activity,
                activity_code_id=a.activity.activity_code_id,
                name=a.activity.name,
                location=a.activity.location,
                beneficiaries=a.activity.beneficiaries,
                amount=a.amount,
                source=a.source or default_source,
            )
            for a in amounts
        ]
    )
    _audit(
        actor=actor, role=role, act="finance.rkpdes.create", village=village, obj=rkp,
        after={"year": year, "rpjm": rpjm.pk, "prefilled": len(created)},
    )  # fmt: skip
    return rkp


@dataclass(frozen=True)
class RkpActivityInput:
    activity_code: ActivityCode
    source: FundSource
    amount: Decimal
    name: str = ""
    location: str = ""
    volume: Decimal = Decimal(0)
    unit: str = ""
    beneficiaries: str = ""
    executor: str = ""
    output_volume: Decimal = Decimal(0)
    output_unit: str = ""
    start_month: int = 1
    end_month: int = 12


def _rkp_values(rkp: Rkpdes, data: RkpActivityInput) -> dict[str, Any]:
    if not (1 <= data.start_month <= 12 and 1 <= data.end_month <= 12):
        raise KampungError("Bulan pelaksanaan harus 1–12.")
    if data.end_month < data.start_month:
        raise KampungError("Bulan selesai tidak boleh sebelum bulan mulai.")
    code = _check_activity_code(rkp.village, data.activity_code)
    output_volume = _amount(data.output_volume, "Volume target keluaran")
    output_unit = _text(data.output_unit, "satuan target keluaran", max_length=40)
    if output_volume > 0 and not output_unit:
        raise KampungError("Isi satuan target keluaran (mis. m, unit, orang).")
    return {
        "activity_code": code,
        "name": _text(data.name, "nama kegiatan", max_length=400) or code.name[:400],
        "location": _text(data.location, "lokasi", max_length=200),
        "volume": _amount(data.volume, "Volume"),
        "unit": _text(data.unit, "satuan", max_length=40),
        "beneficiaries": _text(data.beneficiaries, "penerima manfaat", max_length=200),
        "executor": _text(data.executor, "pelaksana kegiatan", max_length=120),
        "amount": _amount(data.amount, "Biaya"),
        "source": data.source,
        "output_volume": output_volume,
        "output_unit": output_unit,
        "start_month": data.start_month,
        "end_month": data.end_month,
    }


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    out["activity_code"] = values["activity_code"].code
    out["source"] = values["source"].code
    return out


@transaction.atomic
def rkp_activity_save(
    *, actor: Any, rkp: Rkpdes, data: RkpActivityInput, activity: RkpActivity | None = None
) -> RkpActivity:
    """Add or change a kegiatan of a draft RKPDes with its output target (what execution and
    the Dana Desa tranche rules measure, e.g. 300 m jalan rabat beton)."""
    role = _role_at(actor, rkp.village_id, PLAN_EDITORS, "mengubah RKPDes desa ini")
    rkp = Rkpdes.objects.select_for_update().select_related("village").get(pk=rkp.pk)
    _draft_or_refuse(rkp)
    if activity is not None and activity.rkp_id != rkp.pk:
        raise KampungError("Kegiatan ini bukan bagian dari RKPDes ini.")
    values = _rkp_values(rkp, data)
    act = "finance.rkpdes.activity_update" if activity else "finance.rkpdes.activity_add"
    if activity is None:
        activity = RkpActivity.objects.create(rkp=rkp, **values)
    else:
        for key, value in values.items():
            setattr(activity, key, value)
        activity.save()
    _audit(actor=actor, role=role, act=act, village=rkp.village_id, obj=activity, after=_audit_values(values))
    return activity


@transaction.atomic
def rkp_activity_delete(*, actor: Any, activity: RkpActivity) -> None:
    rkp = Rkpdes.objects.select_for_update().get(pk=activity.rkp_id)
    role = _role_at(actor, rkp.village_id, PLAN_EDITORS, "mengubah RKPDes desa ini")
    _draft_or_refuse(rkp)
    _audit(
        actor=actor, role=role, act="finance.rkpdes.activity_delete", village=rkp.village_id, obj=activity,
        before={"name": activity.name, "amount": activity.amount},
    )  # fmt: skip
    # A proposal that became this kegiatan goes back to "accepted, not yet in the RKPDes".
    activity.delete()


@transaction.atomic
def rkpdes_set_musdes(*, actor: Any, rkp: Rkpdes, musdes: Musdes | None) -> Rkpdes:
    """Link the RKPDes to the Musdes that agreed it (one of the same village)."""
    role = _role_at(actor, rkp.village_id, PLAN_EDITORS, "mengubah RKPDes desa ini")
    rkp = Rkpdes.objects.select_for_update().get(pk=rkp.pk)
    _draft_or_refuse(rkp)
    if musdes is not None and musdes.village_id != rkp.village_id:
        raise KampungError("Pilih Musdes desa ini.")
    rkp.musdes = musdes
    rkp.save(update_fields=["musdes", "updated_at"])
    _audit(
        actor=actor, role=role, act="finance.rkpdes.musdes", village=rkp.village_id, obj=rkp,
        after={"musdes": musdes.pk if musdes else None},
    )  # fmt: skip
    return rkp


@transaction.atomic
def rkpdes_enact(*, actor: Any, rkp: Rkpdes, perdes_number: str, perdes_date: dt.date | None) -> Rkpdes:
    """Record the Perdes RKPDes (Permendagri 114/2014 Pasal 44). Only the head or the
    secretary; needs at least one kegiatan and its Musdes. Read-only afterwards."""
    decision = _enact_decision(actor, rkp.village_id, "finance.rkpdes.enact")
    role = decision.role
    rkp = Rkpdes.objects.select_for_update().get(pk=rkp.pk)
    _draft_or_refuse(rkp)
    number, date = _perdes(perdes_number, perdes_date)
    if not rkp.activities.exists():
        raise KampungError("RKPDes belum memiliki kegiatan.")
    if rkp.musdes_id is None:
        raise KampungError("Pilih Musdes yang membahas RKPDes ini sebelum ditetapkan.")
    rkp.status = PlanStatus.ENACTED
    rkp.perdes_number = number
    rkp.perdes_date = date
    rkp.save(update_fields=["status", "perdes_number", "perdes_date", "updated_at"])
    _audit(
        actor=actor, role=role, act="finance.rkpdes.enact", village=rkp.village_id, obj=rkp,
        before={"status": PlanStatus.DRAFT},
        after={"status": rkp.status, "perdes_number": number, "perdes_date": date},
    )  # fmt: skip
    _enact_record(decision, actor, "finance.rkpdes.enact", rkp)
    return rkp


# -- Musdes --------------------------------------------------------------------------------


def minutes_check(upload: UploadedFile) -> None:
    """The minutes are a PDF (checked by its first bytes, not its name) of at most 10 MB."""
    if (upload.size or 0) > MAX_MINUTES_BYTES:
        raise KampungError("Berkas berita acara terlalu besar; paling besar 10 MB.")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if not head.startswith(b"%PDF"):
        raise KampungError("Berkas berita acara harus PDF (hasil pindai atau ekspor ke PDF).")


@dataclass(frozen=True)
class MusdesInput:
    kind: str
    title: str
    held_on: dt.date
    place: str = ""
    year: int | None = None
    participant_count: int = 0
    participants: str = ""
    summary: str = ""


@transaction.atomic
def musdes_save(
    *,
    actor: Any,
    village: Region,
    data: MusdesInput,
    musdes: Musdes | None = None,
    minutes: UploadedFile | None = None,
) -> Musdes:
    """Record (or correct) a village deliberation and its minutes (Permendesa 16/2019)."""
    role = _role_at(actor, village, PLAN_EDITORS, "mencatat Musdes desa ini")
    if not village.keeps_apbdes:
        raise KampungError("Kelurahan tidak menyelenggarakan Musdes.")
    if musdes is not None and musdes.village_id != village.code:
        raise KampungError("Musdes ini bukan milik desa ini.")
    if data.held_on > timezone.localdate() + dt.timedelta(days=366):
        raise KampungError("Tanggal Musdes terlalu jauh ke depan.")
    if data.year is not None and not 2000 <= data.year <= 2100:
        raise KampungError("Tahun anggaran tidak wajar.")
    if data.participant_count < 0 or data.participant_count > 100000:
        raise KampungError("Jumlah peserta tidak wajar.")
    from kampung.finance.models import MusdesKind

    if data.kind not in MusdesKind.values:
        raise KampungError("Pilih jenis Musdes.")
    if minutes is not None:
        minutes_check(minutes)
    values = {
        "kind": data.kind,
        "title": _text(data.title, "judul", max_length=200, required=True),
        "held_on": data.held_on,
        "place": _text(data.place, "tempat", max_length=200),
        "year": data.year,
        "participant_count": data.participant_count,
        "participants": _text(data.participants, "daftar peserta", max_length=20000),
        "summary": _text(data.summary, "ringkasan hasil", max_length=20000),
    }
    act = "finance.musdes.update" if musdes else "finance.musdes.create"
    if musdes is None:
        musdes = Musdes(village=village, created_by=actor if getattr(actor, "pk", None) else None)
    else:
        musdes = Musdes.objects.select_for_update().get(pk=musdes.pk)
    for key, value in values.items():
        setattr(musdes, key, value)
    if minutes is not None:
        old_name = musdes.minutes_file.name if musdes.minutes_file else ""
        musdes.minutes_file.save(random_name("pdf"), minutes, save=False)  # not guessable
        if old_name:
            # The replaced file goes only once the new one is committed.
            storage = musdes.minutes_file.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    musdes.save()
    _audit(
        actor=actor, role=role, act=act, village=village, obj=musdes,
        after={**values, "minutes": bool(minutes is not None), "minutes_size": minutes.size if minutes else None},
    )  # fmt: skip
    return musdes


# -- residents' proposals --------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalInput:
    title: str
    description: str
    location: str = ""
    activity_code: ActivityCode | None = None
    estimated_cost: Decimal | None = None
    year: int | None = None


def default_proposal_year() -> int:
    return timezone.localdate().year + 1


@transaction.atomic
def proposal_submit(*, resident: Resident, channel: str, data: ProposalInput, actor: Any = None) -> Proposal:
    """A resident proposes a kegiatan for their own village's plan (Permendagri 114/2014 Pasal
    31: the RKPDes draws on the community's proposals through the Musdes).

    ``channel`` daring (the resident's own account: ``actor`` is the resident's user), loket
    (village staff enter it for the resident: ``actor`` must be a planning editor there) or
    anjungan (the kiosk, issue #10: ``actor`` is the kiosk session's user or None). The
    proposal cannot be changed after it is sent.
    """
    village = Region.objects.get(pk=resident.village_id)
    if channel not in ProposalChannel.values:
        raise KampungError("Saluran usulan tidak dikenal.")
    role: str = Role.RESIDENT
    if channel == ProposalChannel.COUNTER:
        role = _role_at(actor, village, PLAN_EDITORS, "mencatat usulan warga desa ini")
    elif channel == ProposalChannel.ONLINE:
        from kampung.population.portal import portal_account

        account = portal_account(actor)
        if account is None or account.resident_id != resident.pk:
            raise NotPermitted("Usulan daring hanya dapat diajukan oleh warga itu sendiri dari akunnya.")
    if not village.keeps_apbdes:
        raise KampungError("Usulan kegiatan hanya untuk desa (kelurahan tidak memiliki APBDes).")
    if resident.basic_status != BasicStatus.LIVING:
        raise KampungError("Usulan hanya dapat diajukan oleh penduduk yang tercatat hidup di desa ini.")
    this_year = timezone.localdate().year
    year = data.year or default_proposal_year()
    if not this_year <= year <= this_year + 6:
        raise KampungError(f"Tahun usulan harus antara {this_year} dan {this_year + 6}.")
    code = data.activity_code
    if code is not None:
        allowed = ActivityCode.objects.filter(
            Q(regency__isnull=True) | Q(regency_id=village.regency_code), active=True, pk=code.pk
        ).exists()
        if not allowed:
            raise KampungError("Bidang/kegiatan yang dipilih tidak berlaku.")
    cost = None
    if data.estimated_cost is not None:
        cost = _amount(data.estimated_cost, "Perkiraan biaya")
    proposal = Proposal.objects.create(
        village=village,
        resident=resident,
        channel=channel,
        year=year,
        title=_text(data.title, "usulan kegiatan", max_length=200, required=True),
        description=_text(data.description, "uraian dan alasan", max_length=4000, required=True),
        location=_text(data.location, "lokasi", max_length=200),
        activity_code=code,
        estimated_cost=cost,
    )
    _audit(
        actor=actor, role=role, act="finance.proposal.submit", village=village, obj=proposal,
        after={"channel": channel, "year": year, "title": proposal.title, "resident": resident.pk},
    )  # fmt: skip
    return proposal


@transaction.atomic
def proposal_decide(
    *, actor: Any, proposal: Proposal, accepted: bool, musdes: Musdes | None, note: str = ""
) -> Proposal:
    """Record the Musdes's decision on a proposal: accepted or declined, in which Musdes of
    the village (required), with a note the resident reads. Decided once."""
    role = _role_at(actor, proposal.village_id, PLAN_EDITORS, "memutuskan usulan warga desa ini")
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise KampungError(f"Usulan ini sudah diputuskan ({proposal.get_status_display()}).")
    if musdes is None:
        raise KampungError("Pilih Musdes tempat usulan ini diputuskan.")
    if musdes.village_id != proposal.village_id:
        raise KampungError("Musdes yang dipilih bukan Musdes desa ini.")
    body = _text(note, "catatan", max_length=2000)
    if not accepted and not body:
        raise KampungError("Tuliskan alasan usulan tidak diterima; warga akan membacanya.")
    proposal.status = ProposalStatus.ACCEPTED if accepted else ProposalStatus.DECLINED
    proposal.musdes = musdes
    proposal.decision_note = body
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor
    proposal.save()
    _audit(
        actor=actor, role=role, act="finance.proposal.decide", village=proposal.village_id, obj=proposal,
        before={"status": ProposalStatus.SUBMITTED},
        after={"status": proposal.status, "musdes": musdes.pk, "note": body},
    )  # fmt: skip
    return proposal


@transaction.atomic
def proposal_to_rkp(
    *,
    actor: Any,
    proposal: Proposal,
    activity_code: ActivityCode | None,
    source: FundSource,
    amount: Decimal | None = None,
) -> RkpActivity:
    """Put an accepted proposal into the draft RKPDes of its year as a kegiatan, in one step,
    and link the two."""
    role = _role_at(actor, proposal.village_id, PLAN_EDITORS, "mengubah RKPDes desa ini")
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.ACCEPTED:
        raise KampungError("Hanya usulan yang diterima Musdes yang dapat dimasukkan ke RKPDes.")
    if proposal.rkp_activity_id is not None:
        raise KampungError("Usulan ini sudah menjadi kegiatan RKPDes.")
    rkp = Rkpdes.objects.filter(village_id=proposal.village_id, year=proposal.year).first()
    if rkp is None:
        raise KampungError(f"RKPDes {proposal.year} belum dibuat. Buat RKPDes dulu.")
    code = activity_code or proposal.activity_code
    if code is None or code.level != ActivityLevel.KEGIATAN:
        raise KampungError("Pilih kode kegiatan untuk usulan ini.")
    value = amount if amount is not None else proposal.estimated_cost
    if value is None:
        raise KampungError("Isi biaya kegiatan.")
    activity = rkp_activity_save(
        actor=actor,
        rkp=rkp,
        data=RkpActivityInput(
            activity_code=code,
            source=source,
            amount=value,
            name=proposal.title,
            location=proposal.location,
        ),
    )
    proposal.rkp_activity = activity
    proposal.save(update_fields=["rkp_activity", "updated_at"])
    _audit(
        actor=actor, role=role, act="finance.proposal.to_rkp", village=proposal.village_id, obj=proposal,
        after={"rkp": rkp.pk, "rkp_activity": activity.pk},
    )  # fmt: skip
    return activity
