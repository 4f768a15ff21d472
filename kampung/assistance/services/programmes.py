"""Writes of the regency's programme configuration: programmes, their criteria sheet, the
yearly settings and village quotas, and the register of earlier housing aid.

Only the regency's DPMD staff or admin (``access.PROGRAMME_ADMINS``) may write; every write is
audited on the regency's chain. The programme engine follows OpenSPP's shape (eligibility =
criteria, entitlement = amount × months, cycles = the programme year; issue #8). Bad input
changes nothing: each service is atomic and checks everything before it writes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from kampung.accounts.scope import scope_for
from kampung.assistance.access import PROGRAMME_ADMINS
from kampung.assistance.attributes import ATTRIBUTES, AttrType
from kampung.assistance.loader import programme_year_get, register_programme_act
from kampung.assistance.models import (
    AIDED_STATUSES,
    AidHistory,
    Case,
    Criterion,
    CriterionKind,
    Cycle,
    FundingKind,
    Operator,
    Programme,
    ProgrammeKind,
    ProgrammeYear,
    VillageQuota,
)
from kampung.audit.services import audit_record
from kampung.core.errors import KampungError, NotPermitted
from kampung.kiosk.public_cache import public_cache_bump
from kampung.regions.models import Level, Region

MAX_AMOUNT = Decimal("1e13")
# Path words under /bantuan/ringkasan/ and /bantuan/program/ that a programme code would shadow.
RESERVED_CODES = frozenset({"delegasi", "baru"})
CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,29}$")
CRITERION_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,19}$")
NUMBER_RE = re.compile(r"^\d{16}$")
AID_HEADERS = ("NIK", "Nomor KK", "Nama", "Tahun", "Sumber", "Keterangan")
MAX_IMPORT_ROWS = 5000

# Which operators a criterion may use on an attribute of each type.
OPERATORS_FOR_TYPE: dict[str, tuple[str, ...]] = {
    AttrType.NUMBER: (Operator.LT, Operator.LE, Operator.GT, Operator.GE, Operator.EQ),
    AttrType.INTEGER: (Operator.LT, Operator.LE, Operator.GT, Operator.GE, Operator.EQ),
    AttrType.YEAR: (Operator.LT, Operator.LE, Operator.GT, Operator.GE, Operator.EQ),
    AttrType.CHOICE: (Operator.IN, Operator.NOT_IN, Operator.EQ),
    AttrType.BOOL: (Operator.YES, Operator.NO),
}
NUMERIC_OPERATORS = (Operator.LT, Operator.LE, Operator.GT, Operator.GE)


# -- helpers --------------------------------------------------------------------------------


def admin_role(actor: Any, regency_code: str) -> str:
    """The actor's programme-admin role at the regency, or NotPermitted."""
    roles = sorted(scope_for(actor).roles_at(regency_code) & set(PROGRAMME_ADMINS))
    if not roles:
        raise NotPermitted("Hanya petugas DPMD atau admin kabupaten yang dapat mengubah pengaturan program.")
    return roles[0]


def _audit(actor: Any, role: str, act: str, regency: str, obj: Any, **kw: Any) -> None:
    audit_record(
        actor=actor,
        act=act,
        region=regency,
        role=role,
        object_type=f"assistance.{type(obj).__name__}",
        object_id=obj.pk,
        **kw,
    )


def _money(value: Any, label: str, *, required: bool = True, positive: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise KampungError(f"{label} wajib diisi.")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise KampungError(f"{label} harus berupa angka.") from exc
    if not amount.is_finite() or amount < 0 or (positive and amount == 0):
        raise KampungError(f"{label} harus {'lebih dari' if positive else 'paling sedikit'} nol.")
    if amount >= MAX_AMOUNT:
        raise KampungError(f"{label} terlalu besar.")
    return amount.quantize(Decimal("0.01"))


def _percent(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not Decimal(0) < value <= Decimal(100):
        raise KampungError("Batas persen dari Dana Desa harus lebih dari 0 dan paling banyak 100.")
    return value


def _months(value: int) -> int:
    if not 1 <= int(value) <= 12:
        raise KampungError("Jumlah bulan bantuan harus antara 1 dan 12.")
    return int(value)


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {
        f: (str(v) if isinstance(v, Decimal) else v) for f in fields if (v := getattr(obj, f)) is not None
    }


# -- programmes -----------------------------------------------------------------------------


@dataclass
class ProgrammeData:
    name: str
    kind: str
    funding_kind: str
    cycle: str
    amount: Decimal
    description: str = ""
    activity_code: str = ""
    account_code: str = ""
    quota_per_village: int = 0
    months: int = 12
    dd_cap_percent: Decimal | None = None
    min_score: Decimal = Decimal(0)
    aid_exclusion_years: int = 0
    publish_names: bool = False
    active: bool = True


PROGRAMME_FIELDS = (
    "name",
    "kind",
    "description",
    "funding_kind",
    "activity_code",
    "account_code",
    "cycle",
    "amount",
    "quota_per_village",
    "months",
    "dd_cap_percent",
    "min_score",
    "aid_exclusion_years",
    "publish_names",
    "active",
)


def _check_budget_codes(regency: Region, activity_code: str, account_code: str) -> None:
    """An APBDes programme names a kegiatan and an object account of the finance reference
    (Permendagri 20/2018 Lampiran, or the regency's local 90–99 codes)."""
    from kampung.finance.models.ref import Account, ActivityCode, ActivityLevel

    if not activity_code or not account_code:
        raise KampungError(
            "Program yang didanai APBDes harus menyebut kode kegiatan (misalnya 02.04.01) "
            "dan kode rekening belanja (misalnya 5.2.7.03)."
        )
    local = Q(regency__isnull=True) | Q(regency=regency)
    if not ActivityCode.objects.filter(local, code=activity_code, level=ActivityLevel.KEGIATAN).exists():
        raise KampungError(f"Kode kegiatan {activity_code} tidak ada di daftar kegiatan APBDes.")
    if not Account.objects.filter(local, code=account_code, level=4).exists():
        raise KampungError(f"Kode rekening {account_code} tidak ada di daftar rekening (tingkat obyek).")


def _clean_programme(regency: Region, data: ProgrammeData) -> dict[str, Any]:
    name = " ".join(data.name.split())
    if not name:
        raise KampungError("Nama program wajib diisi.")
    if data.kind not in ProgrammeKind.values:
        raise KampungError("Jenis program tidak dikenal.")
    if data.funding_kind not in FundingKind.values:
        raise KampungError("Sumber pendanaan tidak dikenal.")
    if data.cycle not in Cycle.values:
        raise KampungError("Siklus program tidak dikenal.")
    activity, account = data.activity_code.strip(), data.account_code.strip()
    if data.funding_kind == FundingKind.APBDES:
        _check_budget_codes(regency, activity, account)
    if data.kind == ProgrammeKind.CASH and data.cycle != Cycle.MONTHLY:
        raise KampungError("BLT Dana Desa dibayar per bulan: pilih siklus bulanan.")
    if data.quota_per_village < 0 or data.aid_exclusion_years < 0 or data.aid_exclusion_years > 50:
        raise KampungError(
            "Kuota dan larangan bantuan ulang tidak boleh negatif (larangan paling lama 50 tahun)."
        )
    if data.min_score < 0:
        raise KampungError("Skor minimum tidak boleh negatif.")
    return {
        "name": name,
        "kind": data.kind,
        "description": data.description.strip(),
        "funding_kind": data.funding_kind,
        "activity_code": activity,
        "account_code": account,
        "cycle": data.cycle,
        "amount": _money(data.amount, "Bantuan per penerima"),
        "quota_per_village": int(data.quota_per_village),
        "months": _months(data.months),
        "dd_cap_percent": _percent(data.dd_cap_percent),
        "min_score": data.min_score,
        "aid_exclusion_years": int(data.aid_exclusion_years),
        "publish_names": bool(data.publish_names),
        "active": bool(data.active),
    }


def _clean_code(code: str) -> str:
    code = code.strip().lower()
    if code in RESERVED_CODES:
        raise KampungError(f"Kode program “{code}” dipakai oleh halaman lain. Pilih kode lain.")
    if not CODE_RE.match(code):
        raise KampungError(
            "Kode program 2–30 karakter: huruf kecil, angka dan tanda minus, diawali huruf (misalnya rtlh)."
        )
    return code


@transaction.atomic
def programme_create(*, actor: Any, regency: Region, code: str, data: ProgrammeData) -> Programme:
    """A new programme of the regency. Its decision act ``assistance.<code>.decide`` is named
    in the authority register (holder: the bupati) so a delegation can pass it to village heads."""
    if regency.level != Level.REGENCY:
        raise KampungError("Program bantuan dibuat oleh kabupaten.")
    role = admin_role(actor, regency.code)
    code = _clean_code(code)
    values = _clean_programme(regency, data)
    if Programme.objects.filter(code=code).exists():
        raise KampungError(f"Kode program {code} sudah dipakai. Pilih kode lain.")
    try:
        with transaction.atomic():
            programme = Programme.objects.create(regency=regency, code=code, **values)
    except IntegrityError as exc:
        raise KampungError(f"Kode program {code} sudah dipakai. Pilih kode lain.") from exc
    register_programme_act(programme)
    _audit(
        actor,
        role,
        "assistance.programme.create",
        regency.code,
        programme,
        after=_snapshot(programme, ("code", *PROGRAMME_FIELDS)),
    )
    return programme


@transaction.atomic
def programme_update(
    *, actor: Any, programme: Programme, data: ProgrammeData, code: str | None = None
) -> Programme:
    """Change a programme. The code names the decision act and the case numbers, so it cannot
    change once the programme has cases. The kind and cycle cannot change once cases exist
    either (the cases were surveyed and paid by them)."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    role = admin_role(actor, programme.regency_id)
    values = _clean_programme(programme.regency, data)
    has_cases = Case.objects.filter(programme=programme).exists()
    new_code = programme.code if code is None else _clean_code(code)
    if has_cases and new_code != programme.code:
        raise KampungError("Kode program tidak dapat diubah karena program ini sudah memiliki kasus.")
    if has_cases and (values["kind"] != programme.kind or values["cycle"] != programme.cycle):
        raise KampungError(
            "Jenis dan siklus program tidak dapat diubah karena program ini sudah memiliki kasus."
        )
    if new_code != programme.code and Programme.objects.filter(code=new_code).exists():
        raise KampungError(f"Kode program {new_code} sudah dipakai. Pilih kode lain.")
    before = _snapshot(programme, ("code", *PROGRAMME_FIELDS))
    old_code = programme.code
    programme.code = new_code
    for name, value in values.items():
        setattr(programme, name, value)
    programme.save()
    if new_code != old_code:
        register_programme_act(programme)
    if before.get("publish_names") != programme.publish_names:
        # The public pages list (or stop listing) the beneficiaries' names at once.
        transaction.on_commit(public_cache_bump)
    _audit(
        actor,
        role,
        "assistance.programme.update",
        programme.regency_id,
        programme,
        before=before,
        after=_snapshot(programme, ("code", *PROGRAMME_FIELDS)),
    )
    return programme


# -- criteria -------------------------------------------------------------------------------


@dataclass
class CriterionData:
    code: str
    description: str
    kind: str
    attribute: str
    operator: str
    value: str = ""
    weight: Decimal = Decimal(0)
    group: str = ""
    order: int = 0
    active: bool = True
    source: str = ""


def criterion_value_clean(attribute_code: str, operator: str, value: str) -> str:
    """The value of a criterion as stored, checked against its attribute: numbers for
    lt/le/gt/ge (and eq on a number), known choice codes for in/not_in (and eq on a choice),
    nothing for ya/tidak. Raises KampungError naming what is wrong."""
    attribute = ATTRIBUTES.get(attribute_code)
    if attribute is None:
        raise KampungError(f"Data survei “{attribute_code[:40]}” tidak dikenal.")
    allowed = OPERATORS_FOR_TYPE.get(attribute.type, ())
    if operator not in allowed:
        names = ", ".join(str(Operator(o).label) for o in allowed)
        raise KampungError(f"Syarat untuk {attribute.label} harus salah satu dari: {names}.")
    value = value.strip()
    if operator in (Operator.YES, Operator.NO):
        return ""
    if attribute.type == AttrType.CHOICE:
        codes = [v.strip() for v in value.split(",") if v.strip()]
        if not codes:
            raise KampungError(f"Isi nilai {attribute.label}: satu kode pilihan atau lebih, dipisah koma.")
        if operator == Operator.EQ and len(codes) != 1:
            raise KampungError("Syarat “sama dengan” hanya untuk satu pilihan; pakai “salah satu dari”.")
        known = dict(attribute.choices)
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise KampungError(
                f"Pilihan tidak dikenal untuk {attribute.label}: {', '.join(unknown)[:120]}. "
                f"Pilihan yang ada: {', '.join(known)}."
            )
        return ",".join(dict.fromkeys(codes))
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation as exc:
        raise KampungError(f"Nilai untuk {attribute.label} harus berupa angka.") from exc
    if not number.is_finite():
        raise KampungError(f"Nilai untuk {attribute.label} harus berupa angka.")
    if attribute.type in (AttrType.INTEGER, AttrType.YEAR) and number != number.to_integral_value():
        raise KampungError(f"Nilai untuk {attribute.label} harus bilangan bulat.")
    return format(number.normalize(), "f")


def _clean_criterion(data: CriterionData) -> dict[str, Any]:
    if data.kind not in CriterionKind.values:
        raise KampungError("Jenis kriteria tidak dikenal.")
    description = " ".join(data.description.split())
    if not description:
        raise KampungError("Uraian kriteria wajib diisi.")
    value = criterion_value_clean(data.attribute, data.operator, data.value)
    weight = Decimal(data.weight or 0)
    if not weight.is_finite() or weight < 0 or weight > 1000:
        raise KampungError("Bobot harus antara 0 dan 1000.")
    if data.kind == CriterionKind.KNOCKOUT:
        weight = Decimal(0)
    if not 0 <= int(data.order) <= 32000:
        raise KampungError("Urutan harus antara 0 dan 32000.")
    return {
        "description": description[:300],
        "kind": data.kind,
        "attribute": data.attribute,
        "operator": data.operator,
        "value": value,
        "weight": weight,
        "group": data.group.strip()[:60],
        "order": int(data.order),
        "active": bool(data.active),
        "source": data.source.strip()[:400],
    }


CRITERION_FIELDS = (
    "code",
    "description",
    "kind",
    "attribute",
    "operator",
    "value",
    "weight",
    "group",
    "order",
    "active",
)


@transaction.atomic
def criterion_create(*, actor: Any, programme: Programme, data: CriterionData) -> Criterion:
    """A new line of the programme's criteria sheet (a score indicator or a knock-out)."""
    role = admin_role(actor, programme.regency_id)
    code = data.code.strip().upper()
    if not CRITERION_CODE_RE.match(code):
        raise KampungError(
            "Kode kriteria 1–20 karakter: huruf besar, angka, titik atau minus (misalnya RTLH-R08)."
        )
    values = _clean_criterion(data)
    if Criterion.objects.filter(programme=programme, code=code).exists():
        raise KampungError(f"Kode kriteria {code} sudah ada di program ini.")
    criterion = Criterion.objects.create(programme=programme, code=code, **values)
    _audit(
        actor,
        role,
        "assistance.criterion.create",
        programme.regency_id,
        criterion,
        after=_snapshot(criterion, CRITERION_FIELDS),
    )
    return criterion


@transaction.atomic
def criterion_update(*, actor: Any, criterion: Criterion, data: CriterionData) -> Criterion:
    """Change a line of the criteria sheet (its code stays). Surveys already submitted keep
    their score; the change applies to surveys submitted from now on."""
    criterion = Criterion.objects.select_for_update().select_related("programme").get(pk=criterion.pk)
    role = admin_role(actor, criterion.programme.regency_id)
    values = _clean_criterion(data)
    before = _snapshot(criterion, CRITERION_FIELDS)
    for name, value in values.items():
        setattr(criterion, name, value)
    criterion.save()
    _audit(
        actor,
        role,
        "assistance.criterion.update",
        criterion.programme.regency_id,
        criterion,
        before=before,
        after=_snapshot(criterion, CRITERION_FIELDS),
    )
    return criterion


# -- yearly settings and quotas -------------------------------------------------------------


def _year(year: int) -> int:
    if not 2000 <= int(year) <= 2100:
        raise KampungError("Tahun program tidak sah.")
    return int(year)


def decided_counts(programme: Programme, year: int) -> dict[str, int]:
    """Households decided (ditetapkan or later) per village for the programme year."""
    rows = (
        Case.objects.filter(programme=programme, year=year, status__in=AIDED_STATUSES)
        .values("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )
    return dict(rows)


@dataclass
class YearData:
    amount: Decimal
    quota_per_village: int
    months: int
    dd_cap_percent: Decimal | None = None
    budget_ceiling: Decimal | None = None


YEAR_FIELDS = ("amount", "quota_per_village", "months", "dd_cap_percent", "budget_ceiling")


@transaction.atomic
def programme_year_update(*, actor: Any, programme: Programme, year: int, data: YearData) -> ProgrammeYear:
    """The programme's settings for one year (BLT: Rp300.000 a month and at most 15 % of Dana
    Desa in 2025, domain.md §3.3). A default quota below what a village (without its own quota)
    has already decided is refused; so is a regency ceiling below what decisions committed."""
    role = admin_role(actor, programme.regency_id)
    year = _year(year)
    amount = _money(data.amount, "Bantuan per penerima")
    ceiling = _money(data.budget_ceiling, "Pagu program kabupaten", required=False, positive=False)
    if data.quota_per_village < 0:
        raise KampungError("Kuota per desa tidak boleh negatif.")
    months = _months(data.months)
    cap = _percent(data.dd_cap_percent)
    if programme.is_monthly and cap is None and programme.kind == ProgrammeKind.CASH:
        raise KampungError("BLT Dana Desa memerlukan batas persen dari Dana Desa.")
    row = programme_year_get(programme, year)
    row = ProgrammeYear.objects.select_for_update().get(pk=row.pk)
    own = set(VillageQuota.objects.filter(programme_year=row).values_list("village_id", flat=True))
    over = sorted(
        (code, n)
        for code, n in decided_counts(programme, year).items()
        if code not in own and n > data.quota_per_village
    )
    if over:
        names = dict(Region.objects.filter(code__in=[c for c, _ in over]).values_list("code", "name"))
        listed = ", ".join(f"{names.get(c, c)} ({n})" for c, n in over[:5])
        raise KampungError(
            f"Kuota {data.quota_per_village} lebih kecil dari penerima yang sudah ditetapkan di desa: {listed}. "
            "Beri desa tersebut kuota sendiri atau naikkan kuota."
        )
    if ceiling is not None:
        from django.db.models import Sum

        committed = Case.objects.filter(programme=programme, year=year, status__in=AIDED_STATUSES).aggregate(
            s=Sum("amount")
        )["s"] or Decimal(0)
        if ceiling < committed:
            from kampung.core.formatting import rupiah

            raise KampungError(
                f"Pagu {rupiah(ceiling)} lebih kecil dari bantuan yang sudah ditetapkan ({rupiah(committed)})."
            )
    before = _snapshot(row, YEAR_FIELDS)
    row.amount = amount or row.amount
    row.quota_per_village = int(data.quota_per_village)
    row.months = months
    row.dd_cap_percent = cap
    row.budget_ceiling = ceiling
    row.save()
    _audit(
        actor,
        role,
        "assistance.programme_year.update",
        programme.regency_id,
        row,
        before={"year": year, **before},
        after={"year": year, **_snapshot(row, YEAR_FIELDS)},
    )
    return row


@transaction.atomic
def village_quota_set(
    *, actor: Any, programme: Programme, year: int, village: Region, quota: int | None
) -> VillageQuota | None:
    """A village's own quota for the programme year; ``None`` removes it (the year's default
    applies again). A quota below the households the village has already decided is refused."""
    role = admin_role(actor, programme.regency_id)
    year = _year(year)
    if village.level != Level.VILLAGE or village.regency_code != programme.regency_id:
        raise KampungError("Desa tidak termasuk kabupaten program ini.")
    programme_year = programme_year_get(programme, year)
    effective = programme_year.quota_per_village if quota is None else quota
    if effective < 0:
        raise KampungError("Kuota tidak boleh negatif.")
    decided = Case.objects.filter(
        programme=programme, year=programme_year.year, village=village, status__in=AIDED_STATUSES
    ).count()
    if effective < decided:
        raise KampungError(
            f"Desa {village.name} sudah menetapkan {decided} penerima; kuota tidak boleh kurang dari itu."
        )
    current = (
        VillageQuota.objects.select_for_update()
        .filter(programme_year=programme_year, village=village)
        .first()
    )
    before = {"village": village.code, "quota": current.quota if current else None}
    if quota is None:
        if current is not None:
            current.delete()
        result = None
    elif current is None:
        result = VillageQuota.objects.create(programme_year=programme_year, village=village, quota=quota)
    else:
        current.quota = quota
        current.save(update_fields=["quota"])
        result = current
    audit_record(
        actor=actor,
        act="assistance.village_quota.set",
        region=village.code,
        role=role,
        object_type="assistance.ProgrammeYear",
        object_id=programme_year.pk,
        before=before,
        after={
            "village": village.code,
            "quota": quota,
            "programme": programme.code,
            "year": programme_year.year,
        },
    )
    return result


# -- earlier housing aid --------------------------------------------------------------------


@dataclass
class AidData:
    nik: str
    kk_number: str
    name: str
    year: int | None
    source: str
    note: str = ""


def _clean_aid(data: AidData, *, this_year: int) -> dict[str, Any]:
    """One earlier-aid record checked; every problem named at once (a list of messages)."""
    problems: list[str] = []
    nik = re.sub(r"\s", "", data.nik or "")
    kk = re.sub(r"\s", "", data.kk_number or "")
    if nik and not NUMBER_RE.match(nik):
        problems.append("NIK harus 16 angka.")
    if kk and not NUMBER_RE.match(kk):
        problems.append("Nomor KK harus 16 angka.")
    if not nik and not kk:
        problems.append("Isi NIK atau nomor KK (salah satu wajib).")
    name = " ".join((data.name or "").split())
    if not name:
        problems.append("Nama wajib diisi.")
    source = " ".join((data.source or "").split())
    if not source:
        problems.append("Sumber bantuan wajib diisi (misalnya BSPS Kementerian PUPR).")
    year = data.year
    if year is None or not 1950 <= year <= this_year:
        problems.append(f"Tahun bantuan harus antara 1950 dan {this_year}.")
    if problems:
        raise KampungError(" ".join(problems))
    return {
        "nik": nik,
        "kk_number": kk,
        "name": name[:150],
        "year": year,
        "source": source[:120],
        "note": " ".join((data.note or "").split())[:300],
    }


def _aid_exists(regency: Region, values: dict[str, Any]) -> bool:
    match = Q()
    if values["nik"]:
        match |= Q(nik=values["nik"])
    if values["kk_number"]:
        match |= Q(kk_number=values["kk_number"])
    return AidHistory.objects.filter(
        match, regency=regency, year=values["year"], source__iexact=values["source"]
    ).exists()


KnownAid = dict[tuple[int, str], tuple[set[str], set[str]]]


def _known_aid(regency: Region, rows: list[dict[str, Any]]) -> KnownAid:
    """Records already there that rows of an import may repeat, by (year, source): one query."""
    niks = sorted({r["nik"] for r in rows if r["nik"]})
    kks = sorted({r["kk_number"] for r in rows if r["kk_number"]})
    known: KnownAid = {}
    for nik, kk, year, source in AidHistory.objects.filter(
        Q(nik__in=niks) | Q(kk_number__in=kks), regency=regency
    ).values_list("nik", "kk_number", "year", "source"):
        by_nik, by_kk = known.setdefault((year, source.lower()), (set(), set()))
        if nik:
            by_nik.add(nik)
        if kk:
            by_kk.add(kk)
    return known


def _matches_known(known: KnownAid, values: dict[str, Any]) -> bool:
    by_nik, by_kk = known.get((values["year"], values["source"].lower()), (set(), set()))
    return bool(
        (values["nik"] and values["nik"] in by_nik) or (values["kk_number"] and values["kk_number"] in by_kk)
    )


@transaction.atomic
def aid_history_add(*, actor: Any, regency: Region, data: AidData) -> AidHistory:
    """Record housing aid a household received outside Kampung (BSPS, earlier APBD or CSR
    programmes), so the 10-year rule (BSPS: no repeat aid within 10 years) sees it."""
    role = admin_role(actor, regency.code)
    values = _clean_aid(data, this_year=timezone.localdate().year)
    if _aid_exists(regency, values):
        raise KampungError("Riwayat bantuan ini (NIK/KK, tahun dan sumber yang sama) sudah tercatat.")
    record = AidHistory.objects.create(regency=regency, recorded_by=_user(actor), **values)
    _audit(actor, role, "assistance.aid_history.add", regency.code, record, after={**values})
    return record


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


class ImportRejected(KampungError):
    """An upload with problems: nothing was written; ``problems`` lists each one with its row."""

    code = "impor_ditolak"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"Berkas ditolak: {len(problems)} masalah ditemukan, tidak ada data yang disimpan.")
        self.problems = problems


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return f"{self.created} riwayat bantuan baru disimpan, {self.skipped} sudah tercatat dilewati."


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") else text


def _cell_number(value: Any, label: str) -> str:
    """A NIK/KK cell: text of 16 digits. Excel keeps only 15 significant digits of a number,
    so a NIK typed as a number has already lost its last digit: refuse it."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise KampungError(
            f"{label} tersimpan sebagai angka (Excel membulatkan 16 digit). Format kolom sebagai Teks lalu ketik ulang."
        )
    return _cell_text(value)


def _cell_year(value: Any) -> int | None:
    if isinstance(value, dt.date):
        return value.year
    text = _cell_text(value)
    return int(text) if text.isascii() and text.isdigit() else None


def aid_history_template() -> bytes:
    """The import template: the header row, one example row, NIK/KK columns formatted as text."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws: Any = wb.active
    ws.title = "Riwayat bantuan"
    widths = (20, 20, 30, 8, 30, 40)
    for col, (label, width) in enumerate(zip(AID_HEADERS, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=col, value=label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBE4")
        ws.column_dimensions[get_column_letter(col)].width = width
    for letter in ("A", "B"):
        for row in range(2, 502):
            ws[f"{letter}{row}"].number_format = "@"
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("Petunjuk")
    for line in (
        "Isi lembar 'Riwayat bantuan' mulai baris 2, satu baris untuk satu bantuan perumahan yang pernah diterima.",
        "NIK dan nomor KK: 16 angka, diketik sebagai teks (kolom sudah berformat Teks). Salah satu wajib diisi.",
        "Tahun: tahun bantuan diterima (misalnya 2019). Sumber: misalnya BSPS Kementerian PUPR, APBD 2018, CSR.",
        "Jika ada satu baris yang salah, tidak ada data yang disimpan. Perbaiki lalu unggah ulang.",
        "Baris yang sudah tercatat (NIK/KK, tahun dan sumber sama) dilewati.",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@transaction.atomic
def aid_history_import(*, actor: Any, regency: Region, upload: Any) -> ImportResult:
    """Import earlier housing aid from an Excel sheet (columns NIK, Nomor KK, Nama, Tahun,
    Sumber, Keterangan). Every row is checked first; one wrong row rejects the whole file
    (``ImportRejected`` lists each problem with its row) and nothing is saved."""
    from kampung.finance.excel_ref import read_upload

    role = admin_role(actor, regency.code)
    rows = read_upload(upload, required=("NIK", "Nomor KK", "Nama", "Tahun", "Sumber"))
    if not rows:
        raise KampungError("Tidak ada baris data. Isi data mulai baris 2 (gunakan templat).")
    if len(rows) > MAX_IMPORT_ROWS:
        raise KampungError(
            f"Terlalu banyak baris (paling banyak {MAX_IMPORT_ROWS}). Bagi menjadi beberapa berkas."
        )
    this_year = timezone.localdate().year
    problems: list[str] = []
    cleaned: list[tuple[int, dict[str, Any]]] = []
    seen: set[tuple[str, str, int, str]] = set()
    for number, record in rows:
        try:
            nik = _cell_number(record.get("nik"), "NIK")
            kk = _cell_number(record.get("nomor kk"), "Nomor KK")
            values = _clean_aid(
                AidData(
                    nik=nik,
                    kk_number=kk,
                    name=_cell_text(record.get("nama")),
                    year=_cell_year(record.get("tahun")),
                    source=_cell_text(record.get("sumber")),
                    note=_cell_text(record.get("keterangan")),
                ),
                this_year=this_year,
            )
        except KampungError as exc:
            problems.append(f"Baris {number}: {exc.message}")
            continue
        key = (values["nik"], values["kk_number"], values["year"], values["source"].lower())
        if key in seen:
            problems.append(f"Baris {number}: sama dengan baris sebelumnya.")
            continue
        seen.add(key)
        cleaned.append((number, values))
    if problems:
        raise ImportRejected(problems)
    result = ImportResult()
    new: list[AidHistory] = []
    known = _known_aid(regency, [values for _, values in cleaned])
    for number, values in cleaned:
        if _matches_known(known, values):
            result.skipped += 1
            result.details.append(f"Baris {number}: sudah tercatat, dilewati.")
            continue
        new.append(AidHistory(regency=regency, recorded_by=_user(actor), **values))
    AidHistory.objects.bulk_create(new)
    result.created = len(new)
    audit_record(
        actor=actor,
        act="assistance.aid_history.import",
        region=regency.code,
        role=role,
        object_type="assistance.AidHistory",
        after={
            "created": result.created,
            "skipped": result.skipped,
            "file": getattr(upload, "name", "")[:100],
        },
    )
    return result
