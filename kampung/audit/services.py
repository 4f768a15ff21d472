"""Writing to and checking the audit trail.

Every service that changes data calls :func:`audit_record` inside its own transaction, so
the change and its audit entry commit or roll back together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from kampung.audit.models import AuditAnchor, AuditChainHead, AuditEntry

GENESIS = "0" * 64
# Called with each entry inside the transaction that records it (monitoring's roll-up
# marks). A listener must not write audit entries itself.
_LISTENERS: list[Callable[[AuditEntry], None]] = []
UPPER_SUFFIX = ":atas"
NATIONAL_CHAIN = "nasional"


def chain_for(region_code: str | None) -> str:
    """Villages each have their own chain; districts and the regency share the regency's."""
    if not region_code:
        return NATIONAL_CHAIN
    parts = region_code.split(".")
    if len(parts) == 4:
        return region_code
    if len(parts) >= 2:
        return ".".join(parts[:2]) + UPPER_SUFFIX
    return parts[0] + UPPER_SUFFIX


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, Model):
        return str(value.pk)
    return str(value)


def _normalise(value: Any) -> Any:
    """What the JSON column will give back, so the hash is computed over stored values."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_json_default))


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    chain: str,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    role: str,
    region_code: str,
    act: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    payload = {
        "chain": chain,
        "seq": seq,
        "at": _timestamp(at),
        "actor": actor_id,
        "actor_label": actor_label,
        "role": role,
        "region": region_code,
        "act": act,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "prev": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _region_code(region: Any) -> str:
    if region is None:
        return ""
    if isinstance(region, str):
        return region
    return str(region.code)


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    act: str,
    region: Any,
    object_type: str = "",
    object_id: str | int = "",
    before: Any = None,
    after: Any = None,
    role: str = "",
) -> AuditEntry:
    """Append one entry to the chain of ``region`` (a Region, a code, or None).

    The chain head row is locked for the rest of the transaction: entries of one village
    are numbered one after another, while other villages' chains are not held up.
    """
    region_code = _region_code(region)
    chain = chain_for(region_code)
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(chain=chain, seq=0, hash=GENESIS)], ignore_conflicts=True
    )
    head = AuditChainHead.objects.select_for_update().get(chain=chain)
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    entry = AuditEntry(
        chain=chain,
        seq=head.seq + 1,
        at=timezone.now(),
        actor=actor_obj,
        actor_label=(
            getattr(actor_obj, "display_name", "")
            or getattr(actor, "audit_label", "")
            or str(actor_obj or "sistem")
        )[:150],
        role=role,
        region_code=region_code,
        act=act,
        object_type=object_type,
        object_id=str(object_id),
        before=_normalise(before),
        after=_normalise(after),
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(
        chain=entry.chain,
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor.pk if entry.actor else None,
        actor_label=entry.actor_label,
        role=entry.role,
        region_code=entry.region_code,
        act=entry.act,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=entry.before,
        after=entry.after,
        prev_hash=entry.prev_hash,
    )
    entry.save(force_insert=True)
    AuditChainHead.objects.filter(chain=chain).update(seq=entry.seq, hash=entry.hash)
    for listener in _LISTENERS:
        listener(entry)
    return entry


def on_record(listener: Callable[[AuditEntry], None]) -> None:
    """Call ``listener(entry)`` for every entry recorded from now on (once per listener)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def audit_view(
    *, actor: Any, object_type: str, object_id: str | int, region: Any, what: str = ""
) -> AuditEntry:
    """Record that ``actor`` viewed or exported personal data (one short entry, no copies of it)."""
    return audit_record(
        actor=actor,
        act="view",
        region=region,
        object_type=object_type,
        object_id=object_id,
        after={"what": what} if what else None,
    )


@dataclass
class Problem:
    chain: str
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.chain}#{self.seq}" if self.seq is not None else self.chain
        return f"{where}: {self.message}"


@dataclass
class VerifyResult:
    chains: int = 0
    entries: int = 0
    anchors: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _recompute(entry: AuditEntry) -> str:
    return entry_hash(
        chain=entry.chain,
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        role=entry.role,
        region_code=entry.region_code,
        act=entry.act,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=entry.before,
        after=entry.after,
        prev_hash=entry.prev_hash,
    )


def audit_verify(*, chain: str | None = None) -> VerifyResult:
    """Check every chain: numbering without gaps, each hash, each link, head and anchors.

    Reports the first bad entry of each broken chain.
    """
    result = VerifyResult()
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    entries = AuditEntry.objects.order_by("chain", "seq")
    if chain:
        entries = entries.filter(chain=chain)
        heads = {k: v for k, v in heads.items() if k == chain}
    anchors = AuditAnchor.objects.order_by("chain", "seq")
    if chain:
        anchors = anchors.filter(chain=chain)
    anchor_list = list(anchors)
    anchored = {(a.chain, a.seq) for a in anchor_list}
    last: dict[str, tuple[int, str]] = {}
    hashes: dict[tuple[str, int], str] = {}
    broken: set[str] = set()
    current: str | None = None
    expected_seq = 1
    prev = GENESIS
    for entry in entries.iterator(chunk_size=2000):
        if entry.chain != current:
            current, expected_seq, prev = entry.chain, 1, GENESIS
            result.chains += 1
        result.entries += 1
        if entry.chain in broken:
            continue
        problem = None
        if entry.seq != expected_seq:
            problem = f"nomor urut {entry.seq}, seharusnya {expected_seq} (entri hilang atau disisipkan)"
        elif entry.prev_hash != prev:
            problem = "tautan ke entri sebelumnya tidak cocok (entri dihapus, diubah atau disisipkan)"
        elif _recompute(entry) != entry.hash:
            problem = "isi entri tidak cocok dengan hash-nya (entri diubah)"
        if problem:
            result.problems.append(Problem(entry.chain, entry.seq, problem))
            broken.add(entry.chain)
            continue
        expected_seq, prev = entry.seq + 1, entry.hash
        last[entry.chain] = (entry.seq, entry.hash)
        if (entry.chain, entry.seq) in anchored:
            hashes[(entry.chain, entry.seq)] = entry.hash
    for name, head in sorted(heads.items()):
        if name in broken or head.seq == 0:
            continue
        seen = last.get(name)
        if seen is None:
            result.problems.append(Problem(name, head.seq, "semua entri rantai ini hilang"))
        elif seen != (head.seq, head.hash):
            result.problems.append(
                Problem(
                    name, seen[0] + 1, f"rantai berakhir di #{seen[0]}, kepala rantai mencatat #{head.seq}"
                )
            )
            broken.add(name)
    for name in sorted(set(last) - set(heads)):
        result.problems.append(Problem(name, None, "kepala rantai hilang"))
    for anchor in anchor_list:
        result.anchors += 1
        if anchor.chain in broken:
            continue
        stored = hashes.get((anchor.chain, anchor.seq))
        if stored is None:
            result.problems.append(
                Problem(anchor.chain, anchor.seq, "entri yang dijangkarkan hilang (rantai dipotong)")
            )
            broken.add(anchor.chain)
        elif stored != anchor.hash:
            result.problems.append(Problem(anchor.chain, anchor.seq, "hash berbeda dengan jangkar"))
            broken.add(anchor.chain)
    result.problems.sort(key=lambda p: (p.chain, p.seq or 0))
    return result


@transaction.atomic
def audit_anchor() -> list[AuditAnchor]:
    """Record every chain head that moved since its last anchor, with the time."""
    now = timezone.now()
    created = []
    for head in AuditChainHead.objects.exclude(seq=0).order_by("chain"):
        anchor, made = AuditAnchor.objects.get_or_create(
            chain=head.chain, seq=head.seq, defaults={"hash": head.hash, "anchored_at": now}
        )
        if made:
            created.append(anchor)
    return created
