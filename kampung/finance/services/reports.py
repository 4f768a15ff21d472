"""Reporting acts of the village: progress reports of each kegiatan (realised output), the
submission of the semester I report and of the LPJ to the regency (acts of the head with a
date), and carrying the year's SiLPA per source into next year's APBDes draft as financing
6.1.1.01.

Permendagri 20/2018 Pasal 68 (semester I report, by the end of July), Pasal 70 (LPJ, at the
latest three months after the year ends), Pasal 72 (SiLPA as financing of the next year).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.authority.services import act_record, may_act
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.formatting import rupiah, tanggal
from kampung.core.uploads import EXTENSIONS, JPEG, random_name, read_limited, sniff
from kampung.finance.ledger import book_for, lock_book, month_name
from kampung.finance.models import (
    EDITABLE_STATES,
    Account,
    Apbdes,
    BudgetActivity,
    FinancingLine,
    FundSource,
    ProgressReport,
    ReportKind,
    ReportSubmission,
)
from kampung.finance.selectors import realisation as sel
from kampung.finance.selectors.ledger import IN_FORCE, budget_in_force
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

ZERO = Decimal("0")
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG"}
PROGRESS_RECORDERS = (Role.SECRETARY, Role.EXECUTOR)
SILPA_CARRIERS = (Role.SECRETARY, Role.TREASURER, Role.OPERATOR, Role.HEAD)
SUBMIT_ACTS = {ReportKind.SEMESTER: "finance.semester.submit", ReportKind.LPJ: "finance.lpj.submit"}
MAX_VOLUME = Decimal("999999999999")


def _role_of(actor: Any, village_code: str, roles: tuple[str, ...], what: str) -> str:
    held = scope_for(actor).roles_at(village_code)
    for role in roles:
        if role in held:
            return role
    raise NotPermitted(f"Anda tidak berwenang {what}.")


def _decimal(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value).strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise KampungError(f"{what} bukan angka.") from exc
    if not number.is_finite():
        raise KampungError(f"{what} bukan angka.")
    return number


def check_photo(photo: Any) -> None:
    """A JPEG or PNG image of at most 5 MB; refuses anything else."""
    size = getattr(photo, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise KampungError("Foto paling besar 5 MB.")
    try:
        from PIL import Image

        position = photo.tell() if hasattr(photo, "tell") else 0
        photo.seek(0)
        with Image.open(photo) as image:
            kind = image.format
            image.verify()
        photo.seek(position)
    except Exception as exc:  # noqa: BLE001 - any decoding error means "not an image"
        raise KampungError("Foto harus berupa gambar JPEG atau PNG.") from exc
    if kind not in PHOTO_FORMATS:
        raise KampungError("Foto harus berupa gambar JPEG atau PNG.")


def _stored_photo(photo: Any) -> ContentFile[bytes]:
    """The checked photo under a random name, with the extension of its content."""
    data = read_limited(photo, max_bytes=MAX_PHOTO_BYTES, what="Foto")
    content_type = sniff(data[:16]) or JPEG
    return ContentFile(data, name=random_name(EXTENSIONS[content_type]))


# -- progress reports ---------------------------------------------------------------------------


@transaction.atomic
def progress_record(
    *,
    actor: Any,
    activity: BudgetActivity,
    date: dt.date,
    volume: Any,
    percent: Any,
    stage: int = 1,
    stage_complete: bool = False,
    notes: str = "",
    photo: Any = None,
) -> ProgressReport:
    """The executor (or the secretary) records the realised output of a kegiatan at a stage:
    cumulative volume against the target, progress 0–100 %, and a photo. A stage reported
    complete needs a photo (the disbursement control reads it)."""
    apbdes = activity.apbdes
    village_code = apbdes.village_id
    role = _role_of(actor, village_code, PROGRESS_RECORDERS, "mencatat kemajuan kegiatan desa ini")
    if role == Role.EXECUTOR and activity.executor_id and activity.executor_id != getattr(actor, "pk", None):
        raise NotPermitted(
            "Hanya pelaksana kegiatan ini (atau sekretaris desa) yang dapat melaporkan kemajuannya."
        )
    if apbdes.status not in IN_FORCE:
        raise KampungError(
            f"Kemajuan kegiatan hanya dicatat untuk APBDes yang telah ditetapkan "
            f"(status sekarang: {apbdes.get_status_display()})."
        )
    if not isinstance(date, dt.date):
        raise KampungError("Tanggal laporan tidak sah.")
    if date.year != apbdes.year:
        raise KampungError(f"Tanggal laporan harus dalam tahun anggaran {apbdes.year}.")
    today = local_today(Region.objects.get(code=village_code))
    if date > today:
        raise KampungError("Tanggal laporan tidak boleh setelah hari ini.")
    volume = _decimal(volume, "Volume keluaran")
    percent = _decimal(percent, "Persentase kemajuan")
    if volume < 0 or volume > MAX_VOLUME or volume != volume.quantize(Decimal("0.01")):
        raise KampungError("Volume keluaran harus angka nol atau lebih (paling banyak 2 desimal).")
    if not ZERO <= percent <= 100 or percent != percent.quantize(Decimal("0.01")):
        raise KampungError("Persentase kemajuan harus antara 0 dan 100.")
    try:
        stage = int(stage)
    except (TypeError, ValueError) as exc:
        raise KampungError("Tahap harus angka.") from exc
    if not 1 <= stage <= 20:
        raise KampungError("Tahap harus antara 1 dan 20.")
    notes = (notes or "").strip()
    if len(notes) > 2000:
        raise KampungError("Catatan paling panjang 2000 karakter.")
    if photo:
        check_photo(photo)
    if stage_complete and not photo:
        raise KampungError("Tahap yang dilaporkan selesai harus disertai foto hasil pekerjaan.")
    book = book_for(village_code, apbdes.year)
    report = ProgressReport(
        activity=activity,
        book=book,
        activity_code=activity.activity_code.code,
        stage=stage,
        date=date,
        volume=volume,
        percent=percent,
        stage_complete=bool(stage_complete),
        notes=notes,
        reported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if photo:
        report.photo = _stored_photo(photo)
    report.save()
    audit_record(
        actor=actor,
        act="finance.progress.record",
        region=village_code,
        role=role,
        object_type=report._meta.label,
        object_id=str(report.pk),
        after={
            "activity": activity.pk,
            "activity_code": report.activity_code,
            "stage": stage,
            "date": date.isoformat(),
            "volume": str(volume),
            "percent": str(percent),
            "stage_complete": bool(stage_complete),
            "photo": bool(photo),
        },
    )
    return report


# -- report submissions -------------------------------------------------------------------------


def _submission_figures(village_code: str, year: int, kind: str) -> dict[str, Any]:
    months = 6 if kind == ReportKind.SEMESTER else 12
    snapshot = sel.lra(village_code, year, through_month=months).totals_snapshot()
    snapshot["dana_desa"] = sel.lra(
        village_code, year, through_month=months, source=sel.DANA_DESA
    ).totals_snapshot()
    if kind == ReportKind.LPJ:
        snapshot["silpa_per_sumber"] = {
            k: sel.money_text(v) for k, v in sel.silpa_by_source(village_code, year).items()
        }
    return snapshot


def report_submit(
    *, actor: Any, village_code: str, year: int, kind: str, date: dt.date, number: str = ""
) -> ReportSubmission:
    """The head sends the semester I report (``kind="semester1"``) or the LPJ (``"lpj"``) to
    the Bupati through the camat: once per kind and year, only after the period's months are
    closed, with the figures kept as sent."""
    if kind not in ReportKind.values:
        raise KampungError("Jenis laporan tidak dikenal.")
    kind = ReportKind(kind)
    act = SUBMIT_ACTS[kind]
    village = Region.objects.filter(code=village_code).first()
    if village is None or not village.keeps_apbdes:
        raise KampungError("Desa tidak ditemukan.")
    if not isinstance(date, dt.date):
        raise KampungError("Tanggal penyampaian tidak sah.")
    number = (number or "").strip()
    if len(number) > 80:
        raise KampungError("Nomor surat paling panjang 80 karakter.")
    decision = may_act(actor, act, village_code)
    if not decision:
        raise NotPermitted(decision.reason or f"Anda tidak berwenang menyampaikan {kind.label.lower()}.")
    today = local_today(village)
    if date > today:
        raise KampungError("Tanggal penyampaian tidak boleh setelah hari ini.")
    with transaction.atomic():
        book = lock_book(village_code, year)
        existing = ReportSubmission.objects.filter(book=book, kind=kind).first()
        if existing is not None:
            raise KampungError(
                f"{kind.label} tahun {year} sudah disampaikan pada {tanggal(existing.submitted_on)}."
            )
        if budget_in_force(village_code, year) is None:
            raise KampungError(f"Belum ada APBDes {year} yang berlaku; tidak ada yang dilaporkan.")
        if kind == ReportKind.SEMESTER:
            if date < dt.date(year, 7, 1):
                raise KampungError("Laporan semester I baru dapat disampaikan mulai 1 Juli.")
            if book.closed_through < 6:
                raise KampungError(
                    "Laporan semester I baru dapat disampaikan setelah buku ditutup sampai bulan Juni "
                    f"(sekarang: {month_name(book.closed_through) if book.closed_through else 'belum ada bulan ditutup'})."
                )
        else:
            if date < dt.date(year + 1, 1, 1):
                raise KampungError(
                    f"LPJ tahun {year} baru dapat disampaikan setelah tahun anggaran berakhir."
                )
            if book.closed_through < 12:
                raise KampungError(
                    "LPJ baru dapat disampaikan setelah buku bulan Desember ditutup "
                    f"(sekarang: {month_name(book.closed_through) if book.closed_through else 'belum ada bulan ditutup'})."
                )
        snapshot = _submission_figures(village_code, year, kind)
        try:
            with transaction.atomic():
                submission = ReportSubmission.objects.create(
                    book=book,
                    kind=kind,
                    submitted_on=date,
                    number=number,
                    snapshot=snapshot,
                    submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError as exc:  # pragma: no cover - the lock serialises submissions
            raise KampungError(f"{kind.label} tahun {year} sudah disampaikan.") from exc
        act_record(
            decision=decision,
            actor=actor,
            act=act,
            region=village_code,
            object_type=submission._meta.label,
            object_id=str(submission.pk),
        )
        audit_record(
            actor=actor,
            act=act,
            region=village_code,
            role=decision.role,
            object_type=submission._meta.label,
            object_id=str(submission.pk),
            after={"kind": str(kind), "year": year, "date": date.isoformat(), "number": number, **snapshot},
        )
    return submission


# -- SiLPA carried into next year's APBDes --------------------------------------------------------


def editable_next_year(village_code: str, year: int) -> Apbdes | None:
    """Next year's APBDes version that may still be edited (the draft or returned original,
    or a revision in drafting): the latest version, when it is editable."""
    latest = Apbdes.objects.filter(village_id=village_code, year=year + 1).order_by("-revision").first()
    if latest is None or latest.status not in EDITABLE_STATES:
        return None
    return latest


@transaction.atomic
def silpa_carry(*, actor: Any, village_code: str, year: int) -> list[FinancingLine]:
    """Write (replacing any earlier ones) the 6.1.1.01 SiLPA financing lines, one per source,
    into next year's APBDes draft from the year's realised SiLPA per source."""
    role = _role_of(actor, village_code, SILPA_CARRIERS, "memindahkan SiLPA ke APBDes tahun berikutnya")
    book = lock_book(village_code, year)
    if book.closed_through < 12:
        raise KampungError(f"SiLPA {year} baru dapat dipindahkan setelah buku bulan Desember {year} ditutup.")
    target = editable_next_year(village_code, year)
    if target is None:
        raise KampungError(
            f"Tidak ada rancangan APBDes {year + 1} yang dapat diubah (berstatus draf atau dikembalikan); "
            "buat rancangannya dulu atau buka APBDes Perubahan."
        )
    silpa = sel.silpa_by_source(village_code, year)
    negative = {k: v for k, v in silpa.items() if v < 0}
    if negative:
        listed = ", ".join(f"{k or 'tanpa sumber'} {rupiah(v)}" for k, v in negative.items())
        raise KampungError(
            f"SiLPA per sumber ada yang negatif ({listed}); periksa pencatatan sumber dana sebelum dipindahkan."
        )
    account = Account.objects.filter(code=sel.SILPA_ACCOUNT, regency__isnull=True).first()
    if account is None:
        raise KampungError(f"Kode rekening {sel.SILPA_ACCOUNT} tidak ditemukan di referensi.")
    sources = {s.code: s for s in FundSource.objects.filter(code__in=[k for k in silpa if k])}
    old = list(
        FinancingLine.objects.filter(apbdes=target, account__code=sel.SILPA_ACCOUNT).values(
            "source_id", "amount"
        )
    )
    FinancingLine.objects.filter(apbdes=target, account__code=sel.SILPA_ACCOUNT).delete()
    created = []
    for code, amount in silpa.items():
        if not amount:  # nothing left of this source: no line of zero
            continue
        source = sources.get(code)
        label = f"SiLPA tahun {year}" + (f" ({source.code})" if source else "")
        created.append(
            FinancingLine.objects.create(
                apbdes=target, account=account, source=source, amount=amount, description=label
            )
        )
    audit_record(
        actor=actor,
        act="finance.silpa.carry",
        region=village_code,
        role=role,
        object_type=target._meta.label,
        object_id=str(target.pk),
        before={"lines": [{"source": o["source_id"], "amount": str(o["amount"])} for o in old]},
        after={"year": year, "lines": [{"source": k, "amount": sel.money_text(v)} for k, v in silpa.items()]},
    )
    return created
