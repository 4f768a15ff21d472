"""The house (or household) survey by the village field officer, and the assessment that
follows its submission.

Issue #8 step 2 (the survey: floor area and occupants, materials, sanitation, water,
electricity, land, income, earlier housing aid; four photos with time and place; verifier and
date) and step 3 (the checks: housing aid within the last 10 years, a house not on the
household's own land, each refused with its reason). domain.md §6.1 (BSPS household criteria,
Permen PUPR 17/PRT/M/2018 Pasal 11: no BSPS or similar aid in the last 10 years; legal
control of the land) and §6.3 (2) (verifikasi lapangan and scoring).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kampung.accounts.scope import scope_for
from kampung.assistance.access import SURVEYORS
from kampung.assistance.attributes import (
    Attribute,
    answers_clean,
    clean_value,
    survey_attributes,
)
from kampung.assistance.models import (
    AIDED_STATUSES,
    SURVEY_PHOTO_KINDS,
    AidHistory,
    Case,
    CasePhoto,
    CaseStatus,
    LocationSource,
    PhotoKind,
    ProgrammeKind,
    Survey,
)
from kampung.assistance.photos import coordinates, photo_add
from kampung.assistance.scoring import Assessment, assess
from kampung.assistance.timeline import case_event
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.regions.calendar import local_today

__all__ = ["REFUSAL_AID", "REFUSAL_SCORE", "programme_attributes", "photo_add", "survey_save"]

REFUSAL_AID = "bantuan_10_tahun"
REFUSAL_SCORE = "skor"
# Criteria on this attribute are the 10-year rule itself (refused as REFUSAL_AID).
AID_ATTRIBUTE = "tahun_sejak_bantuan"


def _role(actor: Any, case: Case) -> str:
    held = scope_for(actor).roles_at(case.village_id)
    for role in SURVEYORS:
        if role in held:
            return role
    raise NotPermitted("Hanya petugas lapangan atau operator desa ini yang dapat mengisi survei.")


def programme_attributes(case: Case) -> list[Attribute]:
    """What the survey of this case asks: its programme kind's attributes plus any its criteria test."""
    extra = set(case.programme.criteria.filter(active=True).values_list("attribute", flat=True))
    return survey_attributes(case.programme.kind, extra)


def _draft_answers(attributes: list[Attribute], raw: dict[str, Any], *, this_year: int) -> dict[str, Any]:
    """A draft keeps what was filled in; a value given must still be valid."""
    cleaned: dict[str, Any] = {}
    errors: list[str] = []
    for attribute in attributes:
        value = raw.get(attribute.code)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            continue
        try:
            cleaned[attribute.code] = clean_value(attribute, value, this_year=this_year)
        except KampungError as exc:
            errors.append(str(exc))
    if errors:
        raise KampungError(" ".join(errors))
    return cleaned


@dataclass(frozen=True)
class EarlierAid:
    year: int
    source: str


def earlier_housing_aid(case: Case, answers: dict[str, Any]) -> EarlierAid | None:
    """The most recent housing aid of this household (KK or the beneficiary's NIK) within the
    programme's exclusion years: a housing case decided in Kampung, an earlier-aid record of
    the regency, or the year the survey recorded. None when there is none (or no rule)."""
    years = case.programme.aid_exclusion_years
    if not years:
        return None
    first_year = case.year - years + 1
    found: list[EarlierAid] = []
    earlier = (
        Case.objects.filter(
            programme__kind=ProgrammeKind.HOUSING, status__in=AIDED_STATUSES, year__gte=first_year
        )
        .filter(Q(kk_number=case.kk_number) | Q(nik=case.nik))
        .exclude(pk=case.pk)
        .select_related("programme", "village")
        .order_by("-year")
        .first()
    )
    if earlier is not None:
        found.append(
            EarlierAid(
                earlier.year,
                f"{earlier.programme.name} (kasus {earlier.number}, Desa {earlier.village.name})",
            )
        )
    record = (
        AidHistory.objects.filter(regency_id=case.programme.regency_id, year__gte=first_year)
        .filter(Q(nik=case.nik) | Q(kk_number=case.kk_number))
        .exclude(nik="", kk_number="")
        .order_by("-year")
        .first()
    )
    if record is not None:
        found.append(EarlierAid(record.year, record.source))
    stated = answers.get("tahun_bantuan_perumahan")
    if stated not in (None, "") and int(stated) >= first_year:
        found.append(EarlierAid(int(stated), "menurut keterangan keluarga saat survei"))
    if not found:
        return None
    return max(found, key=lambda aid: aid.year)


def refusal_of(case: Case, assessment: Assessment, answers: dict[str, Any]) -> tuple[str, str]:
    """(code, reason shown to the household), or ("", "") when the household is eligible."""
    reasons: list[str] = []
    code = ""
    aid = earlier_housing_aid(case, answers)
    years = case.programme.aid_exclusion_years
    if aid is not None:
        code = REFUSAL_AID
        reasons.append(
            f"Keluarga ini menerima bantuan perumahan pada tahun {aid.year} ({aid.source}); "
            f"bantuan baru baru dapat diberikan {years} tahun setelah bantuan terakhir."
        )
    for line in assessment.failed_knockouts:
        if line.attribute == AID_ATTRIBUTE:
            # The 10-year rule itself: reported once, under its own code.
            if aid is None:
                code = code or REFUSAL_AID
                reasons.append(f"Tidak memenuhi syarat: {line.description}.")
            continue
        code = code or f"syarat:{line.code}"
        answer = f" (hasil survei: {line.answer})" if line.answer != "—" else " (belum terisi)"
        reasons.append(f"Tidak memenuhi syarat: {line.description}{answer}.")
    if not reasons and assessment.below_minimum:
        code = REFUSAL_SCORE
        reasons.append(
            f"Skor {_n(assessment.score)} di bawah skor minimum program ({_n(assessment.min_score)})."
        )
    return code, " ".join(reasons)


def _n(value: Decimal) -> str:
    return (
        f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}".replace(".", ",")
    )


def _check_photos(case: Case) -> None:
    have = set(
        CasePhoto.objects.filter(case=case, kind__in=SURVEY_PHOTO_KINDS).values_list("kind", flat=True)
    )
    missing = [str(PhotoKind(k).label).lower() for k in SURVEY_PHOTO_KINDS if k not in have]
    if missing:
        raise KampungError(
            f"Foto {', '.join(missing)} belum diunggah. Survei rumah memerlukan foto atap, dinding, "
            "lantai dan jamban."
        )


def _verifier_name(actor: Any) -> str:
    name = getattr(actor, "full_name", "") or ""
    if not name and hasattr(actor, "get_full_name"):
        name = actor.get_full_name()
    return (name or getattr(actor, "username", "") or "Petugas")[:150]


@transaction.atomic
def survey_save(
    *,
    actor: Any,
    case: Case,
    answers: dict[str, Any],
    surveyed_on: dt.date,
    notes: str = "",
    latitude: Any = None,
    longitude: Any = None,
    location_source: str = "",
    submit: bool = False,
) -> Survey:
    """Save the survey of a case waiting for it (a draft may be saved any number of times).

    On ``submit``: every answer must be valid and, for a house (RTLH), the four photos (atap,
    dinding, lantai, jamban) present; then the case is assessed — housing aid within the
    programme's exclusion years (BSPS: 10) refuses it (``bantuan_10_tahun``); each failed
    knock-out refuses it with its description (land not the household's own:
    ``syarat:RTLH-B02``); a score below the programme's minimum refuses it (``skor``);
    otherwise it is eligible (``layak``) with its score. The reason is shown to the household."""
    role = _role(actor, case)
    locked = Case.objects.select_for_update().select_related("programme", "village").get(pk=case.pk)
    if locked.status != CaseStatus.REGISTERED:
        raise InvalidTransition(
            f"Survei hanya dapat diisi untuk kasus yang menunggu survei (kasus ini: "
            f"{locked.get_status_display().lower()})."
        )
    today = local_today(locked.village)
    if surveyed_on > today:
        raise KampungError("Tanggal survei tidak boleh di masa depan.")
    if surveyed_on < locked.registered_on:
        raise KampungError("Tanggal survei tidak boleh sebelum tanggal pendaftaran.")
    attributes = programme_attributes(locked)
    raw = dict(answers)
    this_year = max(locked.year, surveyed_on.year)
    if submit:
        cleaned = answers_clean(attributes, raw, this_year=this_year)
    else:
        cleaned = _draft_answers(attributes, raw, this_year=this_year)
    place = coordinates(latitude, longitude)
    if submit and locked.programme.kind == ProgrammeKind.HOUSING:
        _check_photos(locked)
    survey = Survey.objects.filter(case=locked).first() or Survey(case=locked)
    survey.answers = cleaned
    survey.surveyed_on = surveyed_on
    survey.verifier = actor if getattr(actor, "pk", None) else None
    survey.verifier_name = _verifier_name(actor)
    survey.notes = (notes or "").strip()[:4000]
    if place is not None:
        survey.latitude, survey.longitude = place
        survey.location_source = (
            location_source if location_source in LocationSource.values else LocationSource.BROWSER
        )
    elif survey.latitude is None:
        located = (
            CasePhoto.objects.filter(case=locked, latitude__isnull=False)
            .order_by("kind", "created_at")
            .first()
        )
        if located is not None:
            survey.latitude, survey.longitude = located.latitude, located.longitude
            survey.location_source = located.location_source
    if not submit:
        survey.save()
        case_event(
            locked,
            actor=actor,
            act="assistance.survey.save",
            note="Draf survei disimpan.",
            role=role,
            after={"answers": len(cleaned)},
        )
        return survey
    assessment = assess(locked.programme, cleaned, this_year=this_year)
    survey.submitted_at = timezone.now()
    survey.assessment = assessment.to_json()
    survey.save()
    code, reason = refusal_of(locked, assessment, cleaned)
    locked.score = assessment.score
    if code:
        locked.status = CaseStatus.REFUSED
        locked.refusal_code = code
        locked.refusal_reason = reason
        locked.closed_at = timezone.now()
        note = reason
    else:
        locked.status = CaseStatus.ELIGIBLE
        locked.refusal_code = ""
        locked.refusal_reason = ""
        note = f"Layak dengan skor {_n(assessment.score)} dari {_n(assessment.max_score)}."
    locked.save(
        update_fields=["status", "score", "refusal_code", "refusal_reason", "closed_at", "updated_at"]
    )
    case_event(
        locked,
        actor=actor,
        act="assistance.survey.submit",
        source=CaseStatus.REGISTERED,
        target=locked.status,
        note=note,
        role=role,
        after={"score": str(assessment.score), "refusal_code": code, "surveyed_on": surveyed_on.isoformat()},
    )
    case.refresh_from_db()
    return survey
