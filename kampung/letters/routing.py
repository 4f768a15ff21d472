"""Letters signed above the village: sent up to whoever holds the power, signed there.

The catalogue says at which level a letter type is signed (``LetterType.signing_level``):
the village head by default, or the camat or the bupati. The holder by law of
``letters.sign.<slug>`` follows that level (:func:`sign_holder_role`, the act family's
holder resolver), and a delegation in the authority register may give the power back down
(a Perbup delegating the type to village heads): then ``may_act`` lets the head sign it
directly at the village (UU 30/2014 Pasal 13, delegasi).

Otherwise the village sends the verified request up (:func:`request_route_up`, through
``authority.services.matter_route``): it waits in the holder's decision queue
(/kewenangan/antrian/). When the holder decides (``authority.services.matter_decide``),
:func:`_matter_decided` signs the request exactly as a village signature would be — the
number from the village's service-letter series inside the signing transaction, the act
recorded with its basis, the PDF rendered after commit with the signer's formula — and the
request returns to the village for issuing; a refusal rejects it with the holder's reason.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kampung.accounts.roles import ROLE_LEVEL, Role
from kampung.accounts.scope import scope_for
from kampung.audit.services import audit_record
from kampung.authority.models import MatterStatus, RoutedMatter
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.letters.models import LetterType, SigningLevel
from kampung.letters.models_requests import SUBJECT_KEY, LetterRequest, RequestStatus
from kampung.letters.services_requests import (
    STAFF_ROLES,
    WORKFLOW,
    _event,
    _notify_after_commit,
    letter_number_and_render,
    request_reject,
    sign_act,
)
from kampung.regions.models import Level, Region

OBJECT_TYPE = LetterRequest._meta.label  # "letters.LetterRequest"
SIGN_FAMILY = "letters.sign.*"
SIGN_PREFIX = "letters.sign."

# Who holds the signature of a type by law, by the catalogue's signing level.
LEVEL_HOLDER: dict[str, str] = {
    SigningLevel.VILLAGE: Role.HEAD,
    SigningLevel.DISTRICT: Role.CAMAT,
    SigningLevel.REGENCY: Role.BUPATI,
}


def sign_holder_role(act: str) -> str | None:
    """The holder by law of ``letters.sign.<slug>``: the role at the type's signing level
    (None for an unknown type: the family's default, the village head)."""
    slug = act.removeprefix(SIGN_PREFIX)
    level = LetterType.objects.filter(slug=slug).values_list("signing_level", flat=True).first()
    return LEVEL_HOLDER.get(level) if level else None


def sign_holder(request: LetterRequest) -> tuple[str, str]:
    """Who may sign this request's letter now: (role, region code) — the most local
    recipient of a delegasi in force, else the holder by law."""
    from kampung.authority.services import who_holds

    return who_holds(sign_act(request.letter_type), request.village_id)


def signed_above_village(request: LetterRequest) -> bool:
    """Whether the signature is held by an office above the village (camat, bupati)."""
    role, _region = sign_holder(request)
    return ROLE_LEVEL[role] < Level.VILLAGE


def waiting_matter(request: LetterRequest) -> RoutedMatter | None:
    """The routed matter of this request still waiting for the holder, if any."""
    return (
        RoutedMatter.objects.filter(
            object_type=OBJECT_TYPE, object_id=str(request.pk), status=MatterStatus.WAITING
        )
        .select_related("holder_region")
        .first()
    )


def holder_label(request: LetterRequest) -> str:
    """Where the signature is held: "Bupati Banyuwangi", "Camat Glagah"."""
    from kampung.authority.services import office_title

    role, code = sign_holder(request)
    return office_title(role, Region.objects.filter(code=code).first())


def _title(request: LetterRequest) -> str:
    subject = request.parties.filter(key=SUBJECT_KEY).select_related("resident").first()
    name = subject.name if subject is not None else request.requester.name
    return f"Surat {request.letter_type.name} {request.code_display} ({name}, {request.village})"[:255]


def request_route_up(*, actor: Any, request: LetterRequest) -> RoutedMatter:
    """Send a verified request whose signature is held above the village to the holder's
    decision queue (the village staff: operator, secretary or head). Sending it again while
    it waits gives the same matter."""
    from kampung.authority.services import matter_route

    if not scope_for(actor).covers(request.village_id, *STAFF_ROLES):
        raise NotPermitted("Hanya petugas desa yang dapat meneruskan permohonan ini.")
    with transaction.atomic():
        locked = (
            LetterRequest.objects.select_for_update()
            .select_related("letter_type", "village", "requester")
            .get(pk=request.pk)
        )
        if locked.status != RequestStatus.VERIFIED:
            raise InvalidTransition(
                "Hanya permohonan yang sudah diverifikasi yang dapat diteruskan untuk ditandatangani."
            )
        if not signed_above_village(locked):
            raise KampungError("Surat ini ditandatangani di desa; tidak perlu diteruskan.")
        existing = waiting_matter(locked)
        if existing is not None:
            return existing
        matter = matter_route(
            actor=actor,
            act=sign_act(locked.letter_type),
            region=locked.village,
            object_type=OBJECT_TYPE,
            object_id=str(locked.pk),
            title=_title(locked),
        )
        _event(
            locked,
            actor=actor,
            source=locked.status,
            target=locked.status,
            note=f"Diteruskan kepada {holder_label(locked)} untuk ditandatangani.",
        )
    return matter


def _matter_decided(matter: RoutedMatter, actor: Any, decision: Any, approve: bool) -> None:
    """The holder decided (inside ``matter_decide``'s transaction, the holder's authority
    already checked): sign and number the letter, or reject the request with the reason."""
    request = (
        LetterRequest.objects.select_for_update()
        .select_related("letter_type", "letter_type__classification", "village", "requester")
        .filter(pk=int(matter.object_id))
        .first()
    )
    if request is None:
        raise KampungError("Permohonan surat tidak ditemukan.")
    if not approve:
        if request.status not in (RequestStatus.SUBMITTED, RequestStatus.VERIFIED):
            return  # cancelled meanwhile: nothing to reject
        from kampung.authority.services import office_title

        office = office_title(decision.role, Region.objects.filter(code=decision.grant_region).first())
        reason = f"Tidak disetujui oleh {office}" + (f": {matter.note}" if matter.note else ".")
        request_reject(actor=actor, request=request, reason=reason)
        return
    source = request.status
    target = WORKFLOW.target(source, "sign")
    if target is None:
        raise InvalidTransition(
            f"Permohonan {request.code_display} berstatus '{WORKFLOW.label(source)}'; tidak dapat ditandatangani."
        )
    request.status = target
    request.wet_signed = False
    request.save(update_fields=["status", "wet_signed", "updated_at"])
    payload: dict[str, Any] = {"status": target, "basis": decision.basis, "routed_matter": matter.pk}
    if decision.instrument:
        payload["instrument"] = decision.instrument
    audit_record(
        actor=actor,
        act=matter.act,
        region=request.village,
        object_type=OBJECT_TYPE,
        object_id=str(request.pk),
        before={"status": source},
        after=payload,
        role=decision.role,
    )
    # The act record itself is written by matter_decide (one per act).
    letter_number_and_render(request=request, actor=actor, decision=decision)
    _event(request, actor=actor, source=source, target=target, basis=decision.basis)
    _notify_after_commit(request)


def register() -> None:
    """Called from the app's ``ready``: the sign act's holder follows the catalogue, and the
    authority queue hands decided letter requests back here."""
    from kampung.authority.acts import register_holder_resolver
    from kampung.authority.services import register_matter_handler

    register_holder_resolver(SIGN_FAMILY, sign_holder_role)
    register_matter_handler(OBJECT_TYPE, _matter_decided)
