"""Writes of letter requests: one submit service for every channel, and the life cycle.

submitted (diajukan) → verified (diverifikasi) → signed (ditandatangani) → issued
(diterbitkan) → handed over (diserahkan); rejected (ditolak, with a reason the resident sees)
and cancelled (dibatalkan, before signing).

Verifying, signing and rejecting are acts that need authority (UU 30/2014): they go through
:meth:`kampung.core.workflow.Workflow.apply` with the act codes ``letters.verify.<slug>`` and
``letters.sign.<slug>`` (may_act + audit + act record in one transaction). Issuing, handing
over and cancelling are clerical steps of the office (no legal power is used): they follow
the same transition table and are audited, checked by the actor's role in the village.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.core.workflow import Workflow
from kampung.letters.models import LetterType
from kampung.letters.models_requests import (
    SUBJECT_KEY,
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Channel,
    LetterRequest,
    RequestAttachment,
    RequestEvent,
    RequestParty,
    RequestStatus,
)
from kampung.population.checks import mask_nik
from kampung.population.models import BasicStatus, Resident
from kampung.regions.models import Region

logger = logging.getLogger(__name__)

# Who works requests at the village office.
STAFF_ROLES = (Role.OPERATOR, Role.SECRETARY, Role.HEAD)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_TEXT = 200
MAX_PARAGRAPH = 2000

SOURCE_VILLAGE = "penduduk desa"
SOURCE_OUTSIDE_FULL = "penduduk luar desa (lengkap)"
SOURCE_OUTSIDE_SHORT = "penduduk luar desa (nama+NIK)"
SOURCE_FIELDS = "data isian"

# What is typed for a person from outside the register.
OUTSIDER_FULL_KEYS = ("nama", "nik", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "pekerjaan", "alamat")
OUTSIDER_SHORT_KEYS = ("nama", "nik")
OUTSIDER_LABELS = {
    "nama": "nama",
    "nik": "NIK",
    "tempat_lahir": "tempat lahir",
    "tanggal_lahir": "tanggal lahir",
    "jenis_kelamin": "jenis kelamin",
    "pekerjaan": "pekerjaan",
    "alamat": "alamat",
}
SEX_CHOICES = ("Laki-laki", "Perempuan")

WORKFLOW = Workflow(
    "letter_request",
    [
        (RequestStatus.SUBMITTED, "verify", RequestStatus.VERIFIED),
        (RequestStatus.VERIFIED, "sign", RequestStatus.SIGNED),
        (RequestStatus.SIGNED, "issue", RequestStatus.ISSUED),
        (RequestStatus.ISSUED, "hand_over", RequestStatus.HANDED_OVER),
        (RequestStatus.SUBMITTED, "reject", RequestStatus.REJECTED),
        (RequestStatus.VERIFIED, "reject", RequestStatus.REJECTED),
        (RequestStatus.SUBMITTED, "cancel", RequestStatus.CANCELLED),
        (RequestStatus.VERIFIED, "cancel", RequestStatus.CANCELLED),
    ],
    labels={str(value): str(label) for value, label in RequestStatus.choices},
)


def verify_act(letter_type: LetterType) -> str:
    return f"letters.verify.{letter_type.slug}"


def sign_act(letter_type: LetterType) -> str:
    return f"letters.sign.{letter_type.slug}"


# --- tracking codes ----------------------------------------------------------------------


def tracking_code_generate() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def tracking_code_normalise(text: str) -> str:
    """What someone typed (``acef-3479``, with spaces or a dash) as a stored code."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:20]


# --- input --------------------------------------------------------------------------------


@dataclass
class PartyInput:
    """A person picked from the register (``resident``) or typed in full (``data``)."""

    resident: Resident | None = None
    data: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.resident is None and not any(str(v).strip() for v in self.data.values())


@dataclass
class RequestInput:
    letter_type: LetterType
    requester: Resident
    subject: PartyInput | None = None  # None: the requester is the subject
    parties: dict[str, PartyInput] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    purpose: str = ""
    uploads: dict[int, UploadedFile] = field(default_factory=dict)  # requirement id -> file
    seen_at_counter: set[int] = field(default_factory=set)  # requirement ids


def _clean_field(spec: Mapping[str, Any], raw: Any) -> str:
    label = str(spec.get("label") or spec.get("key"))
    kind = str(spec.get("type", "teks"))
    value = " ".join(str(raw or "").split()) if kind != "paragraf" else str(raw or "").strip()
    if not value:
        if spec.get("required"):
            raise KampungError(f"Isian '{label}' wajib diisi.")
        return ""
    if kind == "paragraf":
        if len(value) > MAX_PARAGRAPH:
            raise KampungError(f"Isian '{label}' paling panjang {MAX_PARAGRAPH} huruf.")
    elif kind == "tanggal":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise KampungError(f"Isian '{label}' harus tanggal (tttt-bb-hh).") from None
    elif kind == "jam":
        if not re.fullmatch(r"([01]\d|2[0-3])[.:][0-5]\d", value):
            raise KampungError(f"Isian '{label}' harus jam, misalnya 09.30.")
        value = value.replace(":", ".")
    elif kind in ("angka", "uang"):
        digits = value.replace(".", "") if kind == "uang" else value
        try:
            number = Decimal(digits)
        except InvalidOperation:
            raise KampungError(f"Isian '{label}' harus angka.") from None
        if number < 0 or number != number.to_integral_value() or number > Decimal(10) ** 15:
            raise KampungError(f"Isian '{label}' harus bilangan bulat yang wajar (tidak negatif).")
        value = str(int(number))
    elif kind == "pilihan":
        options = [str(o) for o in spec.get("options") or []]
        if options and value not in options:
            raise KampungError(f"Pilihan '{label}' tidak dikenal; pilih salah satu: {', '.join(options)}.")
    elif len(value) > MAX_TEXT:
        raise KampungError(f"Isian '{label}' paling panjang {MAX_TEXT} huruf.")
    return value


def fields_clean(letter_type: LetterType, raw: Mapping[str, Any]) -> dict[str, str]:
    """The type's extra fields checked against its field list (required, kind, options)."""
    return {
        str(spec["key"]): _clean_field(spec, raw.get(str(spec["key"]))) for spec in letter_type.extra_fields
    }


def _check_status(letter_type: LetterType, resident: Resident, label: str) -> None:
    allowed = letter_type.allowed_basic_statuses()
    if allowed and resident.basic_status not in allowed:
        wanted = ", ".join(str(BasicStatus(code).label).lower() for code in allowed)
        raise KampungError(
            f"{label} ({resident.name}) berstatus '{resident.get_basic_status_display().lower()}' "
            f"di buku induk; surat {letter_type.name} hanya untuk orang yang berstatus {wanted}."
        )


def _typed(data: Mapping[str, str], keys: tuple[str, ...], label: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in keys:
        value = " ".join(str(data.get(key, "")).split())[:MAX_TEXT]
        if not value:
            raise KampungError(f"{label}: {OUTSIDER_LABELS[key]} wajib diisi untuk orang dari luar desa.")
        out[key] = value
    if not (len(out["nik"]) == 16 and out["nik"].isdigit()):
        raise KampungError(f"{label}: NIK harus 16 angka.")
    if "tanggal_lahir" in out:
        try:
            born = dt.date.fromisoformat(out["tanggal_lahir"])
        except ValueError:
            raise KampungError(f"{label}: tanggal lahir harus tanggal (tttt-bb-hh).") from None
        if born > timezone.localdate():
            raise KampungError(f"{label}: tanggal lahir tidak boleh di masa depan.")
    if "jenis_kelamin" in out and out["jenis_kelamin"] not in SEX_CHOICES:
        raise KampungError(f"{label}: jenis kelamin harus Laki-laki atau Perempuan.")
    return out


def _party_clean(
    *, party: PartyInput, sources: list[str], village: Region, label: str, status_rule: LetterType | None
) -> PartyInput:
    if party.resident is not None:
        if SOURCE_VILLAGE not in sources:
            raise KampungError(f"{label} harus diketik lengkap (bukan dari buku induk desa ini).")
        if party.resident.village_id != village.code:
            raise KampungError(f"{label} tidak terdaftar di buku induk {village}.")
        if status_rule is not None:
            _check_status(status_rule, party.resident, label)
        return PartyInput(resident=party.resident)
    if SOURCE_OUTSIDE_FULL in sources:
        return PartyInput(data=_typed(party.data, OUTSIDER_FULL_KEYS, label))
    if SOURCE_OUTSIDE_SHORT in sources:
        return PartyInput(data=_typed(party.data, OUTSIDER_SHORT_KEYS, label))
    raise KampungError(f"{label} harus dipilih dari buku induk penduduk {village}.")


def _may_submit(actor: Any, channel: str, village: Region, requester: Resident) -> None:
    if channel == Channel.COUNTER:
        if not scope_for(actor).covers(village.code, *STAFF_ROLES):
            raise NotPermitted(
                "Hanya operator, sekretaris atau kepala desa ini yang dapat mencatat permohonan di loket."
            )
        return
    if channel == Channel.ONLINE:
        from kampung.population.portal import portal_account

        account = portal_account(actor)
        if account is None or account.resident_id != requester.pk:
            raise NotPermitted("Permohonan daring hanya dapat diajukan oleh warga itu sendiri setelah masuk.")
        return
    if channel == Channel.KIOSK:
        return  # the kiosk identifies the resident itself (NIK + PIN) before calling this
    raise KampungError("Saluran permohonan tidak dikenal.")


def _new_code() -> str:
    for _ in range(10):
        code = tracking_code_generate()
        if not LetterRequest.objects.filter(code=code).exists():
            return code
    raise KampungError("Kode permohonan tidak dapat dibuat; coba lagi.")


def _event(
    request: LetterRequest, *, actor: Any, source: str, target: str, note: str = "", basis: str = ""
) -> RequestEvent:
    name = ""
    if actor is not None and getattr(actor, "pk", None):
        name = str(getattr(actor, "display_name", "") or actor)
    return RequestEvent.objects.create(
        request=request,
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=name[:150],
        status_from=source,
        status_to=target,
        note=note[:2000],
        basis=basis,
    )


def request_submit(*, actor: Any, village: Region, channel: str, data: RequestInput) -> LetterRequest:
    """Record a letter request; the one entry point of the counter, the portal and the kiosk.

    Enforces: the type is offered by the village (and, outside the counter, open to
    self-service); the subject and other parties meet the type's rules (register or typed
    in full where outsiders are allowed; the subject's basic status, e.g. dead for a death
    certificate); the extra fields; every required document uploaded (PDF/JPEG/PNG, 5 MB)
    or — at the counter only — seen by the operator. At the kiosk (which has no scanner) a
    document not uploaded is to be shown at the counter when the letter is collected:
    nothing is recorded for it (no attachment), so the request page lists it as not yet
    checked and the verifier checks the original. The due date counts the village's
    service time in working days.
    """
    from kampung.documents.services import scan_check
    from kampung.letters.selectors import effective_sla_days, letter_types_offered
    from kampung.regions.calendar import add_working_days

    letter_type = data.letter_type
    if not village.is_village:
        raise KampungError("Permohonan surat hanya untuk desa atau kelurahan.")
    _may_submit(actor, channel, village, data.requester)
    if data.requester.village_id != village.code:
        raise KampungError(f"Pemohon tidak terdaftar di buku induk {village}.")
    if data.requester.basic_status != BasicStatus.LIVING:
        raise KampungError("Pemohon harus penduduk yang masih hidup dan tercatat di desa ini.")
    offered = {
        t.pk for t in letter_types_offered(village=village, self_service_only=channel != Channel.COUNTER)
    }
    if letter_type.pk not in offered:
        if channel != Channel.COUNTER and letter_type.active:
            raise KampungError(
                f"Surat {letter_type.name} tidak dapat diajukan sendiri; silakan datang ke kantor desa."
            )
        raise KampungError(f"Surat {letter_type.name} tidak dilayani di {village}.")
    rules = letter_type.subject_rules or {}
    subject_sources = list(rules.get("sumber") or [SOURCE_VILLAGE])
    subject_in = (
        data.subject
        if data.subject is not None and not data.subject.empty
        else PartyInput(resident=data.requester)
    )
    subject = _party_clean(
        party=subject_in,
        sources=subject_sources,
        village=village,
        label=letter_type.subject_label,
        status_rule=letter_type,
    )
    parties: list[tuple[str, str, PartyInput]] = [(SUBJECT_KEY, letter_type.subject_label, subject)]
    for spec in letter_type.other_parties:
        sources = [str(s) for s in spec.get("sumber") or []]
        if sources == [SOURCE_FIELDS]:
            continue  # its data are among the extra fields
        key, label = str(spec["key"]), str(spec.get("label") or spec["key"])
        given = data.parties.get(key) or PartyInput()
        if given.empty:
            raise KampungError(f"Data {label} wajib diisi.")
        parties.append(
            (
                key,
                label,
                _party_clean(party=given, sources=sources, village=village, label=label, status_rule=None),
            )
        )

    fields = fields_clean(letter_type, data.fields)
    purpose = str(data.purpose or "").strip()
    if len(purpose) > MAX_PARAGRAPH:
        raise KampungError(f"Keperluan paling panjang {MAX_PARAGRAPH} huruf.")
    if "keperluan" in fields:
        fields["keperluan"] = fields["keperluan"] or purpose
        purpose = purpose or fields["keperluan"]
    if not purpose:
        raise KampungError("Tuliskan keperluan surat ini (untuk apa surat dipakai).")

    requirements = list(letter_type.requirements.all())
    attachments: list[tuple[Any, UploadedFile | None, str]] = []
    for requirement in requirements:
        upload = data.uploads.get(requirement.pk)
        if upload is not None:
            if (upload.size or 0) > MAX_UPLOAD_BYTES:
                raise KampungError(f"Berkas '{requirement.name}' terlalu besar; paling besar 5 MB.")
            try:
                content_type = scan_check(upload)
            except KampungError:
                raise KampungError(
                    f"Berkas '{requirement.name}' harus PDF, JPEG atau PNG (paling besar 5 MB)."
                ) from None
            attachments.append((requirement, upload, content_type))
        elif channel == Channel.COUNTER and requirement.pk in data.seen_at_counter:
            attachments.append((requirement, None, ""))
        elif channel == Channel.KIOSK:
            continue  # brought to the counter; the verifier checks the original
        else:
            how = (
                "unggah berkasnya atau centang 'dilihat di loket'"
                if channel == Channel.COUNTER
                else "unggah berkasnya"
            )
            raise KampungError(f"Persyaratan '{requirement.name}' belum dipenuhi: {how}.")

    now = timezone.now()
    today = timezone.localdate()
    due = add_working_days(village, today, effective_sla_days(village=village, letter_type=letter_type))
    with transaction.atomic():
        request = LetterRequest(
            village=village,
            letter_type=letter_type,
            channel=channel,
            requester=data.requester,
            fields=fields,
            purpose=purpose,
            submitted_at=now,
            due_on=due,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        for _ in range(3):
            request.code = _new_code()
            try:
                with transaction.atomic():
                    request.save(force_insert=True)
                break
            except IntegrityError:
                request.pk = None
                continue
        else:
            raise KampungError("Kode permohonan tidak dapat dibuat; coba lagi.")
        for key, label, party in parties:
            RequestParty.objects.create(
                request=request, key=key, label=label[:120], resident=party.resident, data=party.data
            )
        for requirement, upload, content_type in attachments:
            attachment = RequestAttachment(
                request=request, requirement=requirement, seen_at_counter=upload is None
            )
            if upload is not None:
                attachment.content_type = content_type
                attachment.original_name = (upload.name or "berkas")[-200:]
                attachment.size = upload.size or 0
                attachment.file.save("berkas", upload, save=False)
            attachment.save()
        _event(request, actor=actor, source="", target=RequestStatus.SUBMITTED, note=Channel(channel).label)
        audit_record(
            actor=actor,
            act="letter_request.submit",
            region=village,
            object_type=LetterRequest._meta.label,
            object_id=request.pk,
            after={
                "code": request.code,
                "type": letter_type.slug,
                "channel": channel,
                "requester": mask_nik(data.requester.nik),
                "due_on": due,
            },
        )
        _notify_after_commit(request)
    return request


# --- the life cycle ------------------------------------------------------------------------


def _locked(request: LetterRequest) -> LetterRequest:
    return (
        LetterRequest.objects.select_for_update().select_related("letter_type", "village").get(pk=request.pk)
    )


def request_verify(*, actor: Any, request: LetterRequest, note: str = "") -> LetterRequest:
    """The data were checked against the register (act ``letters.verify.<slug>``: the
    secretary by law, an operator under a mandat)."""
    with transaction.atomic():
        applied = WORKFLOW.apply(
            request,
            act="verify",
            actor=actor,
            region=request.village,
            note=note.strip(),
            check_act=verify_act(request.letter_type),
        )
        _event(
            request,
            actor=actor,
            source=applied.source,
            target=applied.target,
            note=note.strip(),
            basis=applied.basis,
        )
        _notify_after_commit(request)
    return request


def request_reject(*, actor: Any, request: LetterRequest, reason: str) -> LetterRequest:
    """Refuse a request with a reason the resident sees. Before verification it is the
    verifier's decision; after it, the signer's."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise KampungError(
            "Tuliskan alasan penolakan (paling sedikit 5 huruf) agar pemohon tahu apa yang harus diperbaiki."
        )
    act = (
        verify_act(request.letter_type)
        if request.status == RequestStatus.SUBMITTED
        else sign_act(request.letter_type)
    )
    with transaction.atomic():
        request.rejection_reason = reason[:2000]
        request.closed_at = timezone.now()
        applied = WORKFLOW.apply(
            request,
            act="reject",
            actor=actor,
            region=request.village,
            note=reason,
            check_act=act,
            update_fields=["rejection_reason", "closed_at", "updated_at"],
        )
        _event(
            request,
            actor=actor,
            source=applied.source,
            target=applied.target,
            note=reason,
            basis=applied.basis,
        )
        _notify_after_commit(request)
    return request


def request_sign(*, actor: Any, request: LetterRequest, wet: bool = False) -> LetterRequest:
    """Sign: the actor's authority (``letters.sign.<slug>``: the village head by atribusi, the
    secretary "a.n." under a mandat, the head under a Perbup's delegasi for a type the
    catalogue has signed above the village) is checked, the act recorded, and the letter
    numbered — all in one transaction. The PDF is rendered after it commits. ``wet``: printed
    for a wet signature and stamp; it still gets its number and QR and the act is recorded.
    A type whose power is held above the village is sent up instead
    (:func:`kampung.letters.routing.request_route_up`)."""
    from kampung.authority.services import may_act

    letter_type = request.letter_type
    with transaction.atomic():
        request.wet_signed = bool(wet)
        applied = WORKFLOW.apply(
            request,
            act="sign",
            actor=actor,
            region=request.village,
            check_act=sign_act(letter_type),
            extra={"wet": bool(wet)},
            update_fields=["wet_signed", "updated_at"],
        )
        decision = may_act(actor, sign_act(letter_type), request.village)
        letter_number_and_render(request=request, actor=actor, decision=decision)
        note = "Dicetak untuk tanda tangan basah dan cap." if wet else ""
        _event(
            request, actor=actor, source=applied.source, target=applied.target, note=note, basis=applied.basis
        )
        _notify_after_commit(request)
    return request


def letter_number_and_render(*, request: LetterRequest, actor: Any, decision: Any) -> Any:
    """Number the letter being signed in its village's service-letter series (inside the
    caller's signing transaction) and render its PDF once that commits, with the signature
    formula of ``decision`` (the signer's basis). Returns the document."""
    from kampung.authority.services import signature_block
    from kampung.documents.models import SeriesKind
    from kampung.documents.services import Signer, document_issue, document_pdf_after_commit

    letter_type = request.letter_type
    block = signature_block(decision=decision, signer=actor)
    subject = request.parties.filter(key=SUBJECT_KEY).select_related("resident").first()
    subject_name = subject.name if subject is not None else request.requester.name
    subject_nik = (
        subject.resident.nik
        if subject is not None and subject.resident is not None
        else str((subject.data if subject else {}).get("nik", ""))
    )
    document = document_issue(
        actor=actor,
        village=request.village,
        kind=SeriesKind.SERVICE_LETTER,
        title=f"Surat {letter_type.name}",
        signer=Signer.from_block(block),
        classification=letter_type.classification.code,
        subject_name=subject_name,
        subject_nik=subject_nik if len(subject_nik) == 16 and subject_nik.isdigit() else "",
        valid_until=letter_type.validity_end(timezone.localdate()),
        source=request,
    )
    request.document = document
    request.save(update_fields=["document", "updated_at"])
    request_pk, lines = request.pk, list(block.lines)
    document_pdf_after_commit(document=document, render=lambda doc: _render_pdf(request_pk, doc, lines))
    return document


def _staff_step(
    *, actor: Any, request: LetterRequest, act: str, note: str = "", allow_requester: bool = False
) -> LetterRequest:
    """A clerical step along the transition table (no legal power is used), audited."""
    from kampung.population.portal import portal_account

    with transaction.atomic():
        locked = _locked(request)
        source = locked.status
        target = WORKFLOW.target(source, act)
        if target is None:
            raise InvalidTransition(
                f"Tindakan ini tidak dapat dilakukan saat status '{WORKFLOW.label(source)}'."
            )
        staff = scope_for(actor).covers(locked.village_id, *STAFF_ROLES)
        account = portal_account(actor) if allow_requester and not staff else None
        if not staff and not (account is not None and account.resident_id == locked.requester_id):
            raise NotPermitted("Anda tidak berwenang melakukan tindakan ini pada permohonan ini.")
        locked.status = target
        fields = ["status", "updated_at"]
        if target in (RequestStatus.HANDED_OVER, RequestStatus.CANCELLED):
            locked.closed_at = timezone.now()
            fields.append("closed_at")
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            act=f"letter_request.{act}",
            region=locked.village,
            object_type=LetterRequest._meta.label,
            object_id=locked.pk,
            before={"status": source},
            after={"status": target, "note": note} if note else {"status": target},
        )
        _event(locked, actor=actor, source=source, target=target, note=note)
        _notify_after_commit(locked)
    request.status = locked.status
    request.closed_at = locked.closed_at
    return locked


def request_issue(*, actor: Any, request: LetterRequest) -> LetterRequest:
    """The signed letter is printed/published and ready to collect (the resident is told)."""
    if request.document_id is None:
        raise KampungError("Surat belum bernomor; tanda tangani dahulu.")
    return _staff_step(actor=actor, request=request, act="issue")


def request_hand_over(*, actor: Any, request: LetterRequest, note: str = "") -> LetterRequest:
    """The letter was handed to the resident (or sent); the request is closed."""
    return _staff_step(actor=actor, request=request, act="hand_over", note=(note or "").strip()[:500])


def request_cancel(*, actor: Any, request: LetterRequest, reason: str = "") -> LetterRequest:
    """Withdraw a request before it is signed: by the requester (portal) or the office."""
    return _staff_step(
        actor=actor, request=request, act="cancel", note=(reason or "").strip()[:500], allow_requester=True
    )


# --- the letter's content -------------------------------------------------------------------


def _typed_person(data: Mapping[str, Any]) -> dict[str, Any]:
    born = data.get("tanggal_lahir")
    try:
        birth = dt.date.fromisoformat(str(born)) if born else None
    except ValueError:
        birth = None
    return {
        "nama": data.get("nama", ""),
        "nik": data.get("nik", ""),
        "no_kk": "",
        "tempat_lahir": data.get("tempat_lahir", ""),
        "tanggal_lahir": birth,
        "umur": None,
        "jenis_kelamin": data.get("jenis_kelamin", ""),
        "agama": "",
        "status_perkawinan": "",
        "hubungan_keluarga": "",
        "pendidikan": "",
        "pekerjaan": data.get("pekerjaan", ""),
        "kewarganegaraan": "WNI",
        "golongan_darah": "",
        "status_dasar": "",
        "telepon": "",
        "rt": "",
        "rw": "",
        "dusun": "",
        "alamat": data.get("alamat", ""),
        "alamat_lengkap": data.get("alamat", ""),
    }


def letter_context(
    request: LetterRequest, document: Any = None, *, signature_lines: list[str] | None = None
) -> dict[str, Any]:
    """The template context of a request's letter (see :mod:`kampung.letters.rendering`)."""
    from kampung.letters.rendering import document_context, family_context, resident_context, village_context

    desa = village_context(request.village)
    people: dict[str, dict[str, Any]] = {}
    family = None
    for party in request.parties.select_related("resident", "resident__family", "resident__village"):
        if party.resident is not None:
            people[party.key] = resident_context(party.resident)
            if party.key == SUBJECT_KEY:
                family = party.resident.family
        else:
            people[party.key] = _typed_person(party.data)
    subject = people.pop(SUBJECT_KEY, None) or resident_context(request.requester)
    isian = dict(request.fields)
    isian.setdefault("keperluan", request.purpose)
    surat: dict[str, Any]
    if document is not None:
        from kampung.documents.tokens import document_verification_url, qr_data_uri

        lines = signature_lines or [document.signer_title]
        on_behalf = " / ".join(lines[:-1])
        position = lines[-1]
        suffix = f" {desa['nama']}"
        # Signed by an office above the village (camat, bupati): printed as it is.
        outside = not on_behalf and not position.endswith(suffix)
        if not on_behalf:
            # The print layout adds the village name after the head's own office.
            position = position[: -len(suffix)] if position.endswith(suffix) else position
        surat = document_context(
            letter_type=request.letter_type,
            village=desa,
            number=document.number,
            date=timezone.localtime(document.issued_at).date(),
            signer_name=document.signer_name,
            signer_position=position,
            on_behalf_of=on_behalf,
            legal_basis=document.legal_basis,
            verification_code=document.code_display,
            qr_png=qr_data_uri(document_verification_url(document), scale=3),
        )
        surat["jabatan_luar_desa"] = outside
    else:
        surat = document_context(letter_type=request.letter_type, village=desa)
    return {
        "penduduk": subject,
        "keluarga": family_context(family),
        "desa": desa,
        "isian": isian,
        "pihak": people,
        "surat": surat,
    }


def _render_pdf(request_pk: int, document: Any, lines: list[str]) -> bytes:
    from kampung.letters.rendering import letter_render_pdf

    request = LetterRequest.objects.select_related(
        "letter_type", "letter_type__classification", "village", "requester"
    ).get(pk=request_pk)
    return letter_render_pdf(request.letter_type, letter_context(request, document, signature_lines=lines))


def request_pdf_retry(*, request: LetterRequest) -> None:
    """Render and attach the PDF again when rendering after signing failed."""
    from kampung.documents.services import document_attach_pdf

    document = request.document
    if document is None or document.sha256:
        return
    lines = document.signer_title.split(" / ")
    document_attach_pdf(document=document, pdf_bytes=_render_pdf(request.pk, document, lines))


# --- notifications ----------------------------------------------------------------------------

MESSAGES = {
    RequestStatus.SUBMITTED: "Permohonan {jenis} Anda sudah kami terima dengan kode {kode}. Target selesai: {target}.",
    RequestStatus.VERIFIED: "Data permohonan {jenis} (kode {kode}) sudah diperiksa dan menunggu tanda tangan.",
    RequestStatus.SIGNED: "Surat {jenis} (kode {kode}) sudah ditandatangani dengan nomor {nomor}.",
    RequestStatus.ISSUED: "Surat {jenis} (kode {kode}) sudah jadi dan dapat diambil di kantor {desa}.",
    RequestStatus.HANDED_OVER: "Surat {jenis} (kode {kode}) sudah diserahkan. Terima kasih.",
    RequestStatus.REJECTED: "Permohonan {jenis} (kode {kode}) ditolak. Alasan: {alasan}",
    RequestStatus.CANCELLED: "Permohonan {jenis} (kode {kode}) dibatalkan.",
}


def _notify_after_commit(request: LetterRequest) -> None:
    pk = request.pk
    transaction.on_commit(lambda: _notify(pk))


def _notify(request_pk: int) -> None:
    """Queue a message to the requester; a problem with the message never undoes or blocks
    the request (it is already committed), it is logged."""
    try:
        _notify_queue(request_pk)
    except Exception:  # noqa: BLE001 - the request stands whatever the outbox says
        logger.exception("letter request %s: notification not queued", request_pk)


def _notify_queue(request_pk: int) -> None:
    from kampung.core.formatting import tanggal
    from kampung.notifications.services import message_queue

    request = (
        LetterRequest.objects.select_related("letter_type", "village", "requester", "document")
        .filter(pk=request_pk)
        .first()
    )
    if request is None:
        return
    resident = request.requester
    account = getattr(resident, "account", None) if hasattr(resident, "account") else None
    email = account.user.email if account is not None and account.user_id and account.user.email else ""
    text = MESSAGES[RequestStatus(request.status)].format(
        jenis=request.letter_type.name,
        kode=request.code_display,
        target=tanggal(request.due_on),
        nomor=request.document.number if request.document else "-",
        desa=request.village,
        alasan=request.rejection_reason,
    )
    message_queue(
        recipient_name=resident.name,
        email=email,
        phone=resident.phone,
        subject=f"Permohonan surat {request.code_display}: {WORKFLOW.label(request.status)}",
        body=f"Yth. {resident.name},\n\n{text}\n\n{request.village}",
        source=request,
    )
