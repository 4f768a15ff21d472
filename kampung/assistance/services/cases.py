"""Registering a household in a programme year, and cancelling its case.

Issue #8 step 1 (registration by the operator, or an online application by the resident,
linked to the household in the register) and step 3 (duplicates across villages are caught by
NIK/KK). domain.md §6.3 (1): pendataan at RT/dusun becomes the village's register of cases.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kampung.accounts.scope import scope_for
from kampung.assistance.access import REGISTRARS
from kampung.assistance.loader import programme_year_get
from kampung.assistance.models import OPEN_STATUSES, Case, CaseStatus, Channel, Programme
from kampung.assistance.photos import photo_add
from kampung.assistance.timeline import case_event
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.population.models import BasicStatus, Family, Resident
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

__all__ = ["CANCELLABLE", "case_cancel", "case_register", "photo_add"]

# A case leaves the programme by cancellation only before a decision names it; a case in a
# draft decision leaves when the draft is cancelled (decisions service).
CANCELLABLE = (CaseStatus.REGISTERED, CaseStatus.ELIGIBLE, CaseStatus.PRIORITISED)
_NUMBER = re.compile(r"-(\d+)$")


def _role(actor: Any, village_code: str, roles: tuple[str, ...], what: str) -> str:
    held = scope_for(actor).roles_at(village_code)
    for role in roles:
        if role in held:
            return role
    raise NotPermitted(f"Anda tidak berwenang {what}.")


def _portal_resident(actor: Any) -> Resident | None:
    from kampung.population.portal import portal_account

    account = portal_account(actor)
    return account.resident if account is not None else None


def _next_number(programme: Programme, year: int, village: Region) -> str:
    prefix = f"{programme.code.upper()}-{year}-"
    used = Case.objects.filter(village=village, number__startswith=prefix).values_list("number", flat=True)
    highest = 0
    for number in used:
        match = _NUMBER.search(number)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{prefix}{highest + 1:04d}"


def _duplicate(programme: Programme, year: int, family: Family, beneficiary: Resident) -> Case | None:
    return (
        Case.objects.filter(programme=programme, year=year, status__in=OPEN_STATUSES)
        .filter(Q(kk_number=family.kk_number) | Q(nik=beneficiary.nik))
        .select_related("village")
        .order_by("pk")
        .first()
    )


def duplicate_message(case: Case) -> str:
    return (
        f"Keluarga ini sudah terdaftar pada {case.programme.name} tahun {case.year}: kasus "
        f"{case.number} di Desa {case.village.name} (tahap: {case.get_status_display()}). "
        "Satu keluarga hanya boleh satu kasus per tahun; periksa kasus tersebut."
    )


@transaction.atomic
def case_register(
    *,
    actor: Any,
    programme: Programme,
    year: int,
    family: Family,
    beneficiary: Resident | None = None,
    channel: str = Channel.OPERATOR,
    reason: str = "",
    registered_on: dt.date | None = None,
) -> Case:
    """Open a case for ``family`` in ``programme`` ``year``.

    Who: the village office (operator, field officer, secretary, head) of the family's
    village, or the resident through the portal (channel ``daring``) for their own family.
    Refused: an inactive programme; a beneficiary who is not a living member of the family;
    a household that already has an open case of the programme year anywhere in the regency,
    by KK number or by the beneficiary's NIK (issue #8 step 3)."""
    village = family.village
    resident = _portal_resident(actor)
    if channel == Channel.ONLINE and resident is not None:
        if resident.family_id != family.pk:
            raise NotPermitted("Anda hanya dapat mengajukan bantuan untuk keluarga Anda sendiri.")
        role = "warga"
    elif channel in (Channel.OPERATOR, Channel.KIOSK, Channel.ONLINE):
        role = _role(actor, village.code, REGISTRARS, "mendaftarkan keluarga di desa ini")
    else:
        raise KampungError("Asal pendaftaran tidak dikenal.")
    if not programme.active:
        raise KampungError(f"{programme.name} tidak aktif; pendaftaran ditutup.")
    if not village.code.startswith(programme.regency_id + "."):
        raise KampungError("Program ini bukan program kabupaten desa tersebut.")
    today = local_today(village)
    if not 2000 <= year <= today.year + 1:
        raise KampungError(f"Tahun program {year} tidak dapat didaftari; pilih tahun {today.year}.")
    registered_on = registered_on or today
    if registered_on > today:
        raise KampungError("Tanggal daftar tidak boleh di masa depan.")
    if beneficiary is None:
        beneficiary = family.head
    if beneficiary is None:
        beneficiary = (
            Resident.objects.filter(family=family, basic_status=BasicStatus.LIVING)
            .order_by("family_relation", "birth_date", "pk")
            .first()
        )
    if beneficiary is None:
        raise KampungError("Keluarga ini tidak mempunyai anggota yang tercatat hidup di register.")
    if beneficiary.family_id != family.pk:
        raise KampungError(f"{beneficiary.name} bukan anggota keluarga KK {family.kk_number}.")
    if beneficiary.basic_status != BasicStatus.LIVING:
        raise KampungError(
            f"{beneficiary.name} tercatat {beneficiary.get_basic_status_display().lower()} di register "
            "penduduk; pilih anggota keluarga lain sebagai penerima atau perbarui register."
        )
    # Lock the village row: case numbers of one village are handed out one after another.
    Region.objects.select_for_update().filter(code=village.code).first()
    duplicate = _duplicate(programme, year, family, beneficiary)
    if duplicate is not None:
        raise KampungError(duplicate_message(duplicate), code="duplikat")
    programme_year_get(programme, year)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                programme=programme,
                year=year,
                village=village,
                number=_next_number(programme, year, village),
                family=family,
                beneficiary=beneficiary,
                nik=beneficiary.nik,
                kk_number=family.kk_number,
                name=beneficiary.name,
                dusun=family.dusun or beneficiary.dusun,
                rw=family.rw or beneficiary.rw,
                rt=family.rt or beneficiary.rt,
                channel=channel,
                reason=reason.strip()[:2000],
                registered_on=registered_on,
                status=CaseStatus.REGISTERED,
                applicant=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:
        # Another registration of the same household won the race.
        raise KampungError(
            "Keluarga ini baru saja didaftarkan oleh petugas lain pada program dan tahun yang sama.",
            code="duplikat",
        ) from exc
    case_event(
        case,
        actor=actor,
        act="assistance.case.register",
        target=CaseStatus.REGISTERED,
        note=f"Didaftarkan ({case.get_channel_display().lower()})."
        + (f" {case.reason}" if case.reason else ""),
        role=role,
        after={"programme": programme.code, "year": year, "kk_number": case.kk_number},
    )
    return case


@transaction.atomic
def case_cancel(*, actor: Any, case: Case, reason: str) -> Case:
    """Withdraw a case before any decision names it (registered, eligible or prioritised).
    The village office cancels; a resident may withdraw their own online application while it
    waits for the survey. The reason is kept on the timeline."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    resident = _portal_resident(actor)
    if (
        resident is not None
        and locked.family_id == resident.family_id
        and locked.status == CaseStatus.REGISTERED
    ):
        role = "warga"
    else:
        role = _role(actor, locked.village_id, REGISTRARS, "membatalkan kasus di desa ini")
    reason = (reason or "").strip()
    if not reason:
        raise KampungError("Tuliskan alasan pembatalan.")
    if locked.status == CaseStatus.PROPOSED:
        raise InvalidTransition(
            "Kasus ini ada dalam rancangan keputusan; batalkan rancangan keputusannya terlebih dahulu."
        )
    if locked.status not in CANCELLABLE:
        raise InvalidTransition(f"Kasus berstatus '{locked.get_status_display()}' tidak dapat dibatalkan.")
    source = locked.status
    locked.status = CaseStatus.CANCELLED
    locked.priority = None
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "priority", "closed_at", "updated_at"])
    case_event(
        locked,
        actor=actor,
        act="assistance.case.cancel",
        source=source,
        target=CaseStatus.CANCELLED,
        note=reason[:1000],
        role=role,
    )
    case.refresh_from_db()
    return locked
