"""The touch kiosk's self-service: who is at the screen, the letter request, status and
verification look-ups.

The kiosk never logs a resident in. NIK + PIN go through Django's ``authenticate()`` (so
django-axes counts wrong PINs and locks the account exactly as on the resident site), and
what the kiosk then remembers sits under one session key, :data:`SESSION_KEY`: the
resident's id, the village, when the screen was last used, and the draft of the request
between the form and its confirmation. Every step checks that it is still fresh
(:func:`visit_ttl_seconds`); the idle reset and "Selesai" flush the whole session.

Look-ups by tracking code and by verification code are public (anyone at the screen can type
a code): they return only what is printed on a slip or a document, never a name or a NIK of
the requester.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest

from kampung.core.errors import KampungError
from kampung.letters.models import LetterType
from kampung.letters.models_requests import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Channel,
    LetterRequest,
    RequestStatus,
)
from kampung.letters.services_requests import RequestInput, request_submit, tracking_code_normalise
from kampung.population import portal
from kampung.population.models import BasicStatus, Resident, ResidentAccount
from kampung.regions.models import Level, Region

SESSION_KEY = "kiosk"

OTHER_VILLAGE = "Anda terdaftar di desa lain; ajukan di anjungan desa Anda atau daring di situs warga."
MUST_CHANGE_PIN = (
    "PIN Anda masih PIN sementara dari petugas. Ganti PIN dulu di situs warga (menu Warga), "
    "atau minta bantuan petugas loket."
)
NOT_LIVING = "Permohonan surat hanya untuk penduduk yang masih tercatat hidup di desa ini."
STALE = "Waktu sesi habis karena layar lama tidak disentuh. Silakan masukkan NIK dan PIN lagi."


def idle_seconds() -> int:
    return int(getattr(settings, "KAMPUNG_KIOSK_IDLE_SECONDS", 60))


def visit_ttl_seconds() -> int:
    """How long the kiosk keeps a resident between two steps: three idle periods (the screen
    itself resets after one; the server never trusts an older visit)."""
    return max(idle_seconds() * 3, 30)


# --- identifying the resident ----------------------------------------------------------------


@dataclass
class Refusal(Exception):
    """Why the kiosk will not take a request from whoever typed this NIK + PIN."""

    message: str
    kind: str  # "salah", "dikunci", "tutup", "desa_lain", "ganti_pin", "tidak_hidup"
    cooloff_minutes: int = 0


def resident_identify(request: HttpRequest, *, village: Region, nik: str, pin: str) -> Resident:
    """The resident behind ``nik`` + ``pin`` if they may request a letter at this village's
    kiosk; else :class:`Refusal`. A wrong NIK and a wrong PIN get the same answer; a locked
    account (django-axes) gets ``dikunci``. The user is not logged in."""
    from axes.utils import reset as axes_reset

    username = portal.username_for(nik)
    user = authenticate(request, username=username, password=pin)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # Our own page answers, not axes' staff lockout page.
            request.axes_locked_out = False  # type: ignore[attr-defined]
            raise Refusal("Akun dikunci sementara.", "dikunci", portal.cooloff_minutes())
        raise Refusal(portal.GENERIC_LOGIN_ERROR, "salah")
    if not portal.is_resident_user(user):
        raise Refusal(portal.GENERIC_LOGIN_ERROR, "salah")  # a staff account: not here
    if getattr(settings, "AXES_RESET_ON_SUCCESS", False):
        # What a successful login would do (axes resets on the login signal; we never log in).
        axes_reset(username=username)
    account = portal.portal_account(user)  # open, and the resident still living
    if account is None:
        if (
            ResidentAccount.objects.filter(user_id=user.pk, active=True)
            .exclude(resident__basic_status=BasicStatus.LIVING)
            .exists()
        ):
            raise Refusal(NOT_LIVING, "tidak_hidup")
        raise Refusal(portal.CLOSED_ACCOUNT, "tutup")
    resident = account.resident
    if resident.village_id != village.code:
        raise Refusal(OTHER_VILLAGE, "desa_lain")
    if getattr(user, "must_change_password", False):
        raise Refusal(MUST_CHANGE_PIN, "ganti_pin")
    return resident


# --- the visit in the session ------------------------------------------------------------------


def visit_start(session: Any, *, village: Region, resident: Resident) -> None:
    session[SESSION_KEY] = {"resident": resident.pk, "village": village.code, "at": time.time()}


def _visit(session: Any, village: Region) -> dict[str, Any] | None:
    visit = session.get(SESSION_KEY)
    if not isinstance(visit, dict) or visit.get("village") != village.code:
        return None
    try:
        at = float(visit.get("at", 0))
    except (TypeError, ValueError):
        return None
    if time.time() - at > visit_ttl_seconds():
        return None
    return visit


def visit_resident(session: Any, village: Region) -> Resident | None:
    """The resident identified at this village's kiosk a moment ago (and still living there),
    else None (and the stale visit is forgotten). Each use keeps the visit alive."""
    visit = _visit(session, village)
    resident = None
    if visit is not None and visit.get("resident"):
        resident = (
            Resident.objects.select_related("village", "family")
            .filter(pk=visit["resident"], village_id=village.code, basic_status=BasicStatus.LIVING)
            .first()
        )
    if visit is None or resident is None:
        session.pop(SESSION_KEY, None)
        return None
    visit["at"] = time.time()
    session[SESSION_KEY] = visit
    return resident


def draft_save(session: Any, *, slug: str, data: dict[str, str]) -> None:
    visit = session[SESSION_KEY]
    visit["draft"] = {"slug": slug, "data": data, "at": time.time()}
    session[SESSION_KEY] = visit


def draft_get(session: Any, *, slug: str) -> dict[str, Any] | None:
    """The form data kept between the form and its confirmation (for this type only)."""
    draft = (session.get(SESSION_KEY) or {}).get("draft")
    if not isinstance(draft, dict) or draft.get("slug") != slug or not isinstance(draft.get("data"), dict):
        return None
    return draft


def visit_finish(session: Any, *, village: Region, request: LetterRequest) -> None:
    """The request is made: forget the resident and the draft; remember only which slip this
    screen may show (for the few minutes a visit lasts)."""
    session[SESSION_KEY] = {"village": village.code, "done": request.code, "at": time.time()}


def visit_done_code(session: Any, village: Region) -> str:
    visit = _visit(session, village)
    return str(visit.get("done") or "") if visit else ""


def request_for_slip(*, village: Region, code: str) -> LetterRequest | None:
    """The request this screen just made (the caller has checked the session says so)."""
    return (
        LetterRequest.objects.select_related("letter_type", "village")
        .prefetch_related("letter_type__requirements")
        .filter(code=code, village_id=village.code)
        .first()
    )


def visit_forget(session: Any) -> None:
    session.flush()


# --- what the kiosk offers -----------------------------------------------------------------------


@dataclass
class TypeRow:
    letter_type: LetterType
    sla_days: int
    requirements: list[Any] = field(default_factory=list)


def self_service_types(village: Region) -> list[TypeRow]:
    """The types a resident may request here by themself, with the village's service time,
    the fee and the documents to bring (a fixed number of queries)."""
    from kampung.letters.selectors import village_letter_rows

    rows = [r for r in village_letter_rows(village=village) if r.enabled and r.letter_type.self_service]
    types = [r.letter_type for r in rows]
    prefetch_related_objects(types, "requirements")
    return [TypeRow(r.letter_type, r.sla_days, list(r.letter_type.requirements.all())) for r in rows]


def self_service_type(village: Region, slug: str) -> TypeRow | None:
    return next((r for r in self_service_types(village) if r.letter_type.slug == slug), None)


def kiosk_request_submit(
    *, village: Region, data: RequestInput, drafted_at: float
) -> tuple[LetterRequest, bool]:
    """Submit once: a second tap on "Ya, ajukan" (or a reload) for the same draft returns the
    request the first one made instead of a second request. The requester's row is locked so
    two taps arriving together are served one after the other. Returns (request, created)."""
    since = dt.datetime.fromtimestamp(drafted_at, tz=dt.UTC)
    with transaction.atomic():
        Resident.objects.select_for_update().filter(pk=data.requester.pk).first()
        earlier = (
            LetterRequest.objects.filter(
                requester_id=data.requester.pk,
                letter_type=data.letter_type,
                channel=Channel.KIOSK,
                submitted_at__gte=since,
            )
            .order_by("pk")
            .first()
        )
        if earlier is not None:
            return earlier, False
        return request_submit(actor=None, village=village, channel=Channel.KIOSK, data=data), True


# --- public look-ups -------------------------------------------------------------------------------


def tracking_code_clean(text: str) -> str:
    """A typed tracking code as stored (``acef-3479`` → ``ACEF3479``), or raise."""
    code = tracking_code_normalise(text)
    if len(code) != TRACKING_LENGTH or set(code) - set(TRACKING_ALPHABET):
        raise KampungError(
            f"Kode permohonan terdiri atas {TRACKING_LENGTH} huruf/angka, misalnya ACEF-3479. "
            "Periksa kembali slip Anda."
        )
    return code


PLAIN_STATUS = {
    RequestStatus.SUBMITTED: "Permohonan sudah diterima dan menunggu diperiksa petugas.",
    RequestStatus.VERIFIED: "Data sudah diperiksa petugas dan surat menunggu tanda tangan.",
    RequestStatus.SIGNED: "Surat sudah ditandatangani dan sedang disiapkan.",
    RequestStatus.ISSUED: "Surat sudah jadi. Silakan ambil di kantor desa.",
    RequestStatus.HANDED_OVER: "Surat sudah diserahkan. Permohonan selesai.",
    RequestStatus.REJECTED: (
        "Permohonan ditolak. Alasannya dapat dilihat di situs warga atau ditanyakan di loket kantor desa."
    ),
    RequestStatus.CANCELLED: "Permohonan dibatalkan.",
}


def request_status_public(*, code: str, regency: Region) -> dict[str, Any] | None:
    """What anyone holding a tracking code may see of a request of this regency: the type,
    the village, the status in plain words, the steps with their dates, the due date and
    where to collect the letter. No name, NIK or other data of any person."""
    obj = (
        LetterRequest.objects.select_related("letter_type", "village", "village__profile")
        .filter(code=code, village__code__startswith=f"{regency.code}.")
        .first()
    )
    if obj is None:
        return None
    profile = getattr(obj.village, "profile", None)
    status = RequestStatus(obj.status)
    return {
        "code": obj.code_display,
        "type": obj.letter_type.name,
        "village": obj.village,
        "office_address": profile.address if profile else "",
        "office_phone": profile.phone if profile else "",
        "status": status,
        "status_label": status.label,
        "plain": PLAIN_STATUS[status],
        "ready": status == RequestStatus.ISSUED,
        "open": obj.is_open,
        "submitted_at": obj.submitted_at,
        "due_on": obj.due_on,
        "steps": [
            {"label": RequestStatus(e.status_to).label, "at": e.at}
            for e in obj.events.order_by("at", "pk").only("status_to", "at")
        ],
    }


def region_children(region: Region, level: int) -> list[Region]:
    """Districts of a regency or villages of a district, by name (for the regency kiosk)."""
    return list(Region.objects.filter(parent=region, level=level).order_by("name"))


def district_of_regency(regency: Region, code: str) -> Region | None:
    code = str(code or "")[:8]
    if not code.startswith(f"{regency.code}."):
        return None
    return Region.objects.filter(code=code, level=Level.DISTRICT, parent=regency).first()
