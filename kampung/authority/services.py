"""The one question: may this person do this act on this matter, for this amount, now —
and on what basis? (UU 30/2014 Administrasi Pemerintahan, Pasal 1 angka 22–24: atribusi,
delegasi, mandat.)

:func:`may_act` answers from the act's holder by law (*atribusi*) and then from the
delegation register: a *delegasi* lets the delegate act in their own name citing the
instrument; a *mandat* lets them act "a.n." the holder. A mandat may be passed on only as a
mandat inside the same office ("u.b."); it is never delegated further.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kampung.accounts.models import RoleAssignment
from kampung.accounts.roles import ROLE_LEVEL, Role
from kampung.accounts.scope import Grant, scope_for
from kampung.authority.acts import Act, get_act
from kampung.authority.models import ActRecord, Delegation, DelegationKind, MatterStatus, RoutedMatter
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.formatting import rupiah, tanggal
from kampung.regions.models import Kind, Region

MAX_CHAIN = 4


class Basis:
    ATRIBUSI = "atribusi"
    DELEGASI = "delegasi"
    MANDAT = "mandat"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: str = ""
    role: str = ""
    instrument: str = ""
    reason: str = ""
    delegation_id: int | None = None
    chain: tuple[int, ...] = ()
    holder_role: str = ""
    holder_region: str = ""
    holder_label: str = ""
    appointment: str = ""
    grant_region: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def region_at_level(code: str, level: int) -> str:
    """The region at ``level`` that contains ``code`` (35.10.15.2004 at level 3 → 35.10.15)."""
    return ".".join(code.split(".")[:level])


def _grants_on(actor: Any, day: dt.date) -> tuple[Grant, ...]:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return ()
    if day == timezone.localdate():
        return scope_for(actor).grants
    rows = (
        RoleAssignment.objects.active_on(day)
        .filter(user_id=actor.pk)
        .values_list("role", "region_id", "region__level")
    )
    return tuple(Grant(role, code, level) for role, code, level in rows)


def office_title(role: str, region: Region | None) -> str:
    """How an office is written under a signature: "Kepala Desa Sarongan", "Camat Glagah"."""
    if region is None:
        return str(Role(role).label)
    name = region.name
    if role == Role.HEAD:
        return f"Lurah {name}" if region.kind == Kind.KELURAHAN else f"Kepala Desa {name}"
    if role == Role.BUPATI:
        return (
            "Wali Kota " + name.replace("Kota ", "")
            if region.kind == Kind.KOTA
            else "Bupati " + name.replace("Kabupaten ", "")
        )
    if role == Role.CAMAT:
        return f"Camat {name}"
    if role == Role.SECRETARY:
        return f"Sekretaris {'Kelurahan' if region.kind == Kind.KELURAHAN else 'Desa'} {name}"
    if role == Role.BPD:
        return f"Ketua BPD {name}"
    return f"{Role(role).label} {name}"


def holder_of(act: Act, code: str) -> tuple[str, str]:
    """The original holder of ``act`` for a matter at ``code``: (role, region code)."""
    return act.holder_role, region_at_level(code, act.holder_level)


def _chain_valid(
    delegation: Delegation, act: Act, code: str, day: dt.date, amount: Decimal | None, depth: int = 0
) -> tuple[bool, str, list[Delegation]]:
    """Whether the power flows through ``delegation`` for this matter; the chain root first."""
    if depth > MAX_CHAIN:
        return False, "rantai pelimpahan terlalu panjang", []
    if not delegation.covers_act(act.code):
        return False, "", []
    if delegation.revoked_on is not None and day >= delegation.revoked_on:
        return False, f"pelimpahan telah dicabut sejak {tanggal(delegation.revoked_on)}", []
    if delegation.valid_until is not None and day > delegation.valid_until:
        return False, f"pelimpahan berakhir pada {tanggal(delegation.valid_until)}", []
    if day < delegation.valid_from:
        return False, f"pelimpahan baru berlaku mulai {tanggal(delegation.valid_from)}", []
    if amount is not None and delegation.amount_ceiling is not None and amount > delegation.amount_ceiling:
        return (
            False,
            f"nilai {rupiah(amount)} melebihi batas pelimpahan {rupiah(delegation.amount_ceiling)}",
            [],
        )
    from_code = delegation.from_region_id
    if not (code == from_code or code.startswith(from_code + ".")):
        return False, "", []
    if delegation.parent_id is None:
        if delegation.from_role != act.holder_role:
            return False, "", []
        return True, "", [delegation]
    parent = delegation.parent
    assert parent is not None
    if parent.kind == DelegationKind.MANDAT and (
        delegation.kind != DelegationKind.MANDAT or delegation.to_region_id != parent.to_region_id
    ):
        return False, "mandat tidak dapat dilimpahkan lebih lanjut", []
    if parent.to_role != delegation.from_role or not parent.covers_target(from_code):
        return False, "", []
    ok, reason, chain = _chain_valid(parent, act, code, day, amount, depth + 1)
    if not ok:
        return False, reason, []
    return True, "", [*chain, delegation]


def _candidate_delegations(act: Act, code: str, roles: set[str], day: dt.date) -> list[Delegation]:
    ancestors = [region_at_level(code, level) for level in range(1, code.count(".") + 2)]
    qs = (
        Delegation.objects.filter(to_role__in=roles, from_region_id__in=ancestors)
        .select_related("instrument", "instrument__regency", "parent", "parent__instrument")
        .order_by("-valid_from", "-pk")
    )
    return [d for d in qs if d.covers_act(act.code)]


def may_act(
    actor: Any, act: str, region: Any, amount: Decimal | None = None, *, at: dt.date | None = None
) -> Decision:
    """Whether ``actor`` may perform ``act`` on a matter of ``region`` (a Region or code), for
    ``amount``, on ``at`` (today by default); with the basis, or the reason and who holds it.
    """
    definition = get_act(act)
    if definition is None:
        return Decision(False, reason=f"Tindakan '{act}' tidak dikenal.")
    code = region if isinstance(region, str) else getattr(region, "code", "")
    if not code:
        return Decision(False, reason="Wilayah tindakan tidak diketahui.")
    day = at or timezone.localdate()
    if amount is not None:
        amount = Decimal(amount)
    grants = [g for g in _grants_on(actor, day) if g.covers(code)]
    holder_role, holder_region = holder_of(definition, code)
    for grant in grants:
        # A co-holder acts in the holder's own office (same region), never from above it.
        if grant.role == holder_role or (
            grant.role in definition.co_holders and grant.region_code == holder_region
        ):
            return Decision(
                True,
                basis=Basis.ATRIBUSI,
                role=grant.role,
                holder_role=holder_role,
                holder_region=holder_region,
                appointment=_appointment(actor, grant, day),
                grant_region=grant.region_code,
            )
    reasons: list[str] = []
    roles = {g.role for g in grants}
    for delegation in _candidate_delegations(definition, code, roles, day) if roles else []:
        matching = [
            g for g in grants if g.role == delegation.to_role and delegation.covers_target(g.region_code)
        ]
        if not matching:
            continue
        ok, reason, chain = _chain_valid(delegation, definition, code, day, amount)
        if not ok:
            if reason:
                reasons.append(reason)
            continue
        root = chain[0]
        basis = Basis.MANDAT if any(d.kind == DelegationKind.MANDAT for d in chain) else Basis.DELEGASI
        return Decision(
            True,
            basis=basis,
            role=delegation.to_role,
            instrument=root.instrument.citation
            if basis == Basis.DELEGASI
            else delegation.instrument.citation,
            delegation_id=delegation.pk,
            chain=tuple(d.pk for d in chain),
            holder_role=holder_role,
            holder_region=holder_region,
            appointment=_appointment(actor, matching[0], day),
            grant_region=matching[0].region_code,
        )
    who_role, who_region = who_holds(act, code, amount, at=day)
    label = office_title(who_role, Region.objects.filter(code=who_region).first())
    detail = f" ({'; '.join(dict.fromkeys(reasons))})" if reasons else ""
    return Decision(
        False,
        reason=f"Anda tidak berwenang melakukan tindakan ini{detail}. Kewenangan ada pada {label}.",
        holder_role=who_role,
        holder_region=who_region,
        holder_label=label,
    )


def _appointment(actor: Any, grant: Grant, day: dt.date) -> str:
    value = (
        RoleAssignment.objects.active_on(day)
        .filter(user_id=actor.pk, role=grant.role, region_id=grant.region_code)
        .values_list("appointment", flat=True)
        .first()
    )
    return "" if value in (None, "definitif") else str(value)


def who_holds(
    act: str, region: Any, amount: Decimal | None = None, *, at: dt.date | None = None
) -> tuple[str, str]:
    """Who may decide a matter of ``region`` now: the most local recipient of a delegation
    (not a mandat) in force for it, else the holder by law. Used to route matters up."""
    definition = get_act(act)
    if definition is None:
        raise KampungError(f"Tindakan '{act}' tidak dikenal.")
    code = region if isinstance(region, str) else region.code
    day = at or timezone.localdate()
    holder = holder_of(definition, code)
    best: tuple[int, str, str] | None = None
    for delegation in _candidate_delegations(definition, code, set(ROLE_LEVEL), day):
        if delegation.kind != DelegationKind.DELEGASI:
            continue
        ok, _, _ = _chain_valid(delegation, definition, code, day, amount)
        if not ok:
            continue
        level = ROLE_LEVEL[delegation.to_role]
        target = region_at_level(code, level)
        if not delegation.covers_target(target):
            continue
        if best is None or level > best[0]:
            best = (level, delegation.to_role, target)
    return (best[1], best[2]) if best else holder


# --- What is printed under a signature ---------------------------------------------------


@dataclass(frozen=True)
class SignatureBlock:
    """The lines printed above the signature and the signer's name and staff number."""

    lines: list[str]
    name: str
    staff_number: str
    basis_note: str = ""

    def text(self) -> str:
        parts = [*self.lines, "", self.name]
        if self.staff_number:
            parts.append(f"NIP/NIPD {self.staff_number}")
        if self.basis_note:
            parts.append(self.basis_note)
        return "\n".join(parts)


_APPOINTMENT_PREFIX = {"plt": "Plt.", "pj": "Pj."}


def signature_block(*, decision: Decision, signer: Any) -> SignatureBlock:
    """The formula for each basis: atribusi — the signer's own office; delegasi — own
    office and name "berdasarkan <instrument>"; mandat — "a.n. <holder's office>" above the
    signer's office, with "u.b." where the mandat was passed on inside the office."""
    if not decision.allowed:
        raise NotPermitted(decision.reason)
    regions = Region.objects.in_bulk([c for c in (decision.grant_region, decision.holder_region) if c])
    own = office_title(decision.role, regions.get(decision.grant_region))
    prefix = _APPOINTMENT_PREFIX.get(decision.appointment)
    if prefix:
        own = f"{prefix} {own}"
    name = getattr(signer, "display_name", str(signer))
    staff_number = getattr(signer, "staff_number", "")
    if decision.basis == Basis.ATRIBUSI:
        return SignatureBlock([own], name, staff_number)
    if decision.basis == Basis.DELEGASI:
        return SignatureBlock([own], name, staff_number, basis_note=f"berdasarkan {decision.instrument}")
    chain = list(Delegation.objects.filter(pk__in=decision.chain).select_related("to_region", "instrument"))
    chain.sort(key=lambda d: decision.chain.index(d.pk))
    first_mandat = next(d for d in chain if d.kind == DelegationKind.MANDAT)
    position = chain.index(first_mandat)
    matter_code = decision.holder_region or decision.grant_region
    mandator_code = region_at_level(decision.grant_region or matter_code, ROLE_LEVEL[first_mandat.from_role])
    mandator = office_title(first_mandat.from_role, Region.objects.filter(code=mandator_code).first())
    # A delegasi before the mandat: the mandator holds the power under that instrument.
    note = f"berdasarkan {chain[0].instrument.citation}" if position > 0 else ""
    mandated = chain[position:]
    if len(mandated) == 1:
        return SignatureBlock([f"a.n. {mandator}", own], name, staff_number, basis_note=note)
    middle = office_title(mandated[0].to_role, mandated[0].to_region)
    return SignatureBlock([f"a.n. {mandator}", middle, f"u.b. {own}"], name, staff_number, basis_note=note)


# --- Acts done, and matters routed up -----------------------------------------------------


def act_record(
    *,
    decision: Decision,
    actor: Any,
    act: str,
    region: Any,
    object_type: str = "",
    object_id: str = "",
    amount: Decimal | None = None,
) -> ActRecord:
    """Keep the act with its basis, so the register can show what was decided under each
    delegation. Called inside the act's own transaction."""
    code = region if isinstance(region, str) else region.code
    return ActRecord.objects.create(
        act=act,
        region_id=code,
        actor=actor,
        role=decision.role,
        basis=decision.basis,
        delegation_id=decision.delegation_id,
        object_type=object_type,
        object_id=object_id,
        amount=amount,
        at=timezone.now(),
    )


MatterHandler = Callable[[RoutedMatter, Any, Decision, bool], None]
_MATTER_HANDLERS: dict[str, MatterHandler] = {}


def register_matter_handler(object_type: str, handler: MatterHandler) -> None:
    """The owning app's callback that signs (or returns) its object when the holder decides."""
    _MATTER_HANDLERS[object_type] = handler


@transaction.atomic
def matter_route(
    *,
    actor: Any,
    act: str,
    region: Region,
    object_type: str,
    object_id: str,
    title: str,
    amount: Decimal | None = None,
) -> RoutedMatter:
    """Send a matter the actor may not decide to the queue of whoever holds the power."""
    from kampung.audit.services import audit_record

    decision = may_act(actor, act, region, amount)
    if decision.allowed:
        raise KampungError("Anda berwenang memutuskan perkara ini sendiri; tidak perlu diteruskan.")
    if not scope_for(actor).covers(region.code):
        raise NotPermitted("Perkara ini bukan bagian dari wilayah kerja Anda.")
    existing = RoutedMatter.objects.filter(
        act=act, object_type=object_type, object_id=str(object_id), status=MatterStatus.WAITING
    ).first()
    if existing is not None:
        return existing
    matter = RoutedMatter.objects.create(
        act=act,
        region=region,
        object_type=object_type,
        object_id=str(object_id),
        title=title,
        amount=amount,
        requested_by=actor,
        reason=decision.reason[:255],
        holder_role=decision.holder_role,
        holder_region_id=decision.holder_region,
    )
    audit_record(
        actor=actor,
        act="authority.matter.route",
        region=region,
        object_type="authority.RoutedMatter",
        object_id=matter.pk,
        after={
            "act": act,
            "object": f"{object_type}:{object_id}",
            "to": f"{matter.holder_role}@{matter.holder_region_id}",
        },
    )
    return matter


def matter_queue(*, actor: Any) -> list[RoutedMatter]:
    """Matters waiting for a power the actor holds (by law or by delegation)."""
    grants = scope_for(actor).grants
    if not grants:
        return []
    waiting = RoutedMatter.objects.filter(
        status=MatterStatus.WAITING, holder_role__in={g.role for g in grants}
    ).select_related("region", "requested_by")
    return [m for m in waiting if any(g.role == m.holder_role and g.covers(m.region_id) for g in grants)]


@dataclass
class MatterOutcome:
    matter: RoutedMatter
    decision: Decision
    signature: SignatureBlock | None = field(default=None)


@transaction.atomic
def matter_decide(*, actor: Any, matter: RoutedMatter, approve: bool, note: str = "") -> MatterOutcome:
    """The holder decides a routed matter; the owning app's handler signs or returns its object."""
    from kampung.audit.services import audit_record

    matter = RoutedMatter.objects.select_for_update().get(pk=matter.pk)
    if matter.status != MatterStatus.WAITING:
        raise KampungError("Perkara ini sudah diputuskan.")
    decision = may_act(actor, matter.act, matter.region_id, matter.amount)
    if not decision.allowed:
        raise NotPermitted(decision.reason)
    handler = _MATTER_HANDLERS.get(matter.object_type)
    matter.note = note.strip()  # the handler may pass the holder's reason on (a refusal)
    if handler is not None:
        handler(matter, actor, decision, approve)
    matter.status = MatterStatus.DONE if approve else MatterStatus.RETURNED
    matter.decided_by = actor
    matter.decided_at = timezone.now()
    matter.basis = decision.basis
    matter.note = note.strip()
    matter.save()
    if approve:
        act_record(
            decision=decision,
            actor=actor,
            act=matter.act,
            region=matter.region_id,
            object_type=matter.object_type,
            object_id=matter.object_id,
            amount=matter.amount,
        )
    audit_record(
        actor=actor,
        act="authority.matter.decide",
        region=matter.region_id,
        object_type="authority.RoutedMatter",
        object_id=matter.pk,
        after={
            "status": matter.status,
            "basis": decision.basis,
            "instrument": decision.instrument,
            "note": note,
        },
        role=decision.role,
    )
    return MatterOutcome(
        matter, decision, signature_block(decision=decision, signer=actor) if approve else None
    )
