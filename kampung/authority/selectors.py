"""Reads of the delegation register, scoped to the acting user.

The register is kept per regency: the regency admin keeps it, DPMD and the bupati read it.
An instrument or delegation of a regency the actor does not read is "not found". Routed
matters are read by whoever holds the power (the queue) and by whoever sent them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from kampung.accounts.roles import ROLE_LEVEL, VILLAGE_ROLES, Role, role_label
from kampung.accounts.scope import scope_for
from kampung.authority.acts import Act, all_acts, all_families, get_act
from kampung.authority.models import (
    ActRecord,
    Delegation,
    DelegationKind,
    Instrument,
    InstrumentKind,
    MatterStatus,
    RoutedMatter,
    TargetScope,
)
from kampung.authority.services import Basis, Decision, may_act, office_title, signature_block
from kampung.regions.models import Kind, Level, Region

REGISTER_KEEPERS = (Role.ADMIN,)
REGISTER_READERS = (Role.ADMIN, Role.DPMD, Role.BUPATI)
EXPIRING_DAYS_DEFAULT = 60
EXPIRING_DAYS_MAX = 366


# --- Which regencies' registers the actor reads or keeps ---------------------------------


def register_regency_codes(*, actor: Any, manage: bool = False) -> list[str]:
    """Regencies whose register ``actor`` keeps (``manage``) or reads, by code."""
    scope = scope_for(actor)
    roles = REGISTER_KEEPERS if manage else REGISTER_READERS
    return sorted({g.region_code for g in scope.grants if g.role in roles and g.level == Level.REGENCY})


def register_regency_or_404(*, actor: Any, code: str = "", manage: bool = False) -> Region:
    """The regency whose register is shown: the one asked for, else the actor's first."""
    codes = register_regency_codes(actor=actor, manage=manage)
    if not codes:
        raise Http404("Halaman tidak ditemukan.")
    wanted = code or codes[0]
    if wanted not in codes:
        raise Http404("Halaman tidak ditemukan.")
    region = Region.objects.filter(code=wanted).first()
    if region is None:
        raise Http404("Halaman tidak ditemukan.")
    return region


def can_keep_register(*, actor: Any, regency_code: str) -> bool:
    return regency_code in register_regency_codes(actor=actor, manage=True)


# --- Status and timeline of a delegation ---------------------------------------------------


class Status:
    ACTIVE = "berlaku"
    PENDING = "belum"
    EXPIRED = "berakhir"
    REVOKED = "dicabut"


STATUS_LABELS = {
    Status.ACTIVE: "Berlaku",
    Status.PENDING: "Belum berlaku",
    Status.EXPIRED: "Berakhir",
    Status.REVOKED: "Dicabut",
}


def delegation_status(delegation: Delegation, day: dt.date) -> str:
    if delegation.revoked_on is not None and day >= delegation.revoked_on:
        return Status.REVOKED
    if delegation.valid_until is not None and day > delegation.valid_until:
        return Status.EXPIRED
    if day < delegation.valid_from:
        return Status.PENDING
    return Status.ACTIVE


def status_q(status: str, day: dt.date, prefix: str = "") -> Q:
    """The delegations in ``status`` on ``day`` (``prefix`` for a related lookup)."""
    revoked = Q(**{f"{prefix}revoked_on__isnull": False, f"{prefix}revoked_on__lte": day})
    expired = Q(**{f"{prefix}valid_until__isnull": False, f"{prefix}valid_until__lt": day})
    pending = Q(**{f"{prefix}valid_from__gt": day})
    if status == Status.REVOKED:
        return revoked
    if status == Status.EXPIRED:
        return expired & ~revoked
    if status == Status.PENDING:
        return pending & ~revoked & ~expired
    return ~revoked & ~expired & ~pending


def delegation_end(delegation: Delegation) -> dt.date | None:
    """The last day the delegation is in force (its end date, or the day before revocation)."""
    ends = [d for d in (delegation.valid_until,) if d is not None]
    if delegation.revoked_on is not None:
        ends.append(delegation.revoked_on - dt.timedelta(days=1))
    return min(ends) if ends else None


def recipient_label(delegation: Delegation) -> str:
    """Who receives the power: "Camat Glagah", "Kepala desa di setiap desa di Kabupaten X"."""
    region = delegation.to_region
    if delegation.to_scope == TargetScope.VILLAGES_UNDER:
        return f"{role_label(delegation.to_role)} di setiap desa/kelurahan di {region}"
    if delegation.to_scope == TargetScope.DISTRICTS_UNDER:
        return f"{role_label(delegation.to_role)} di setiap kecamatan di {region}"
    return office_title(delegation.to_role, region)


def giver_label(delegation: Delegation) -> str:
    return office_title(delegation.from_role, delegation.from_region)


@dataclass
class ActLabel:
    code: str
    description: str
    holder: str
    family: bool


def act_label(code: str) -> ActLabel:
    """An act code (or family pattern) with its description and holder by law."""
    families = {f.code: f for f in all_families()}
    definition: Act | None = families.get(code) or get_act(code)
    if definition is None:
        return ActLabel(code, "(tindakan tidak dikenal)", "", "*" in code)
    return ActLabel(code, definition.description, role_label(definition.holder_role), "*" in code)


@dataclass
class DelegationRow:
    delegation: Delegation
    status: str
    giver: str
    recipient: str
    end: dt.date | None
    bar_start: float = 0.0
    bar_width: float = 0.0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def delegation_row(delegation: Delegation, day: dt.date) -> DelegationRow:
    return DelegationRow(
        delegation=delegation,
        status=delegation_status(delegation, day),
        giver=giver_label(delegation),
        recipient=recipient_label(delegation),
        end=delegation_end(delegation),
    )


@dataclass
class Timeline:
    """A shared time axis for bars drawn on one page (percentages of its width)."""

    start: dt.date
    end: dt.date
    today: float

    @property
    def years(self) -> list[tuple[int, float]]:
        span = (self.end - self.start).days or 1
        return [
            (year, 100 * (dt.date(year, 1, 1) - self.start).days / span)
            for year in range(self.start.year + 1, self.end.year + 1)
        ]


def timeline_place(rows: Sequence[DelegationRow], day: dt.date) -> Timeline | None:
    """Set each row's bar on one axis running from the earliest start to the latest end
    (open-ended delegations run a year past today)."""
    if not rows:
        return None
    start = min(r.delegation.valid_from for r in rows)
    open_end = day + dt.timedelta(days=365)
    end = max([*(r.end or open_end for r in rows), day + dt.timedelta(days=30)])
    span = max((end - start).days, 1)
    for row in rows:
        row_end = row.end or open_end
        row.bar_start = round(100 * (row.delegation.valid_from - start).days / span, 2)
        row.bar_width = max(round(100 * ((row_end - row.delegation.valid_from).days + 1) / span, 2), 0.5)
        row.bar_width = min(row.bar_width, 100 - row.bar_start)
    return Timeline(start=start, end=end, today=round(100 * (day - start).days / span, 2))


# --- Instruments ------------------------------------------------------------------------


@dataclass
class InstrumentRow:
    instrument: Instrument
    delegations: list[DelegationRow] = field(default_factory=list)
    total: int = 0


def _delegations_with_regions() -> QuerySet[Delegation]:
    return Delegation.objects.select_related("from_region", "to_region").order_by("valid_from", "pk")


def instrument_list(
    *, actor: Any, regency: Region, search: str = "", status: str = ""
) -> QuerySet[Instrument]:
    """Instruments of ``regency`` (which ``actor`` must read), with those of their delegations
    in ``status`` today prefetched as ``shown``; with a status, only instruments having one."""
    if regency.code not in register_regency_codes(actor=actor):
        return Instrument.objects.none()
    day = timezone.localdate()
    qs = Instrument.objects.filter(regency=regency).select_related("regency")
    if search:
        matching_acts = (
            Delegation.objects.annotate(acts_text=Cast("acts", TextField()))
            .filter(acts_text__icontains=search)
            .values("instrument_id")
        )
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(title__icontains=search)
            | Q(issuer_name__icontains=search)
            | Q(pk__in=matching_acts)
        )
    shown = _delegations_with_regions()
    if status in STATUS_LABELS:
        qs = qs.filter(pk__in=Delegation.objects.filter(status_q(status, day)).values("instrument_id"))
        shown = shown.filter(status_q(status, day))
    return (
        qs.annotate(delegation_total=Count("delegations"))
        .prefetch_related(Prefetch("delegations", queryset=shown, to_attr="shown"))
        .order_by("-date", "number", "pk")
    )


def instrument_rows(instruments: Iterable[Instrument]) -> tuple[list[InstrumentRow], Timeline | None]:
    """Rows for a page of :func:`instrument_list`, their delegation bars on one axis."""
    day = timezone.localdate()
    rows = [
        InstrumentRow(
            instrument=i,
            delegations=[delegation_row(d, day) for d in getattr(i, "shown", [])],
            total=getattr(i, "delegation_total", 0),
        )
        for i in instruments
    ]
    timeline = timeline_place([d for r in rows for d in r.delegations], day)
    return rows, timeline


def instrument_get_or_404(*, actor: Any, pk: int, manage: bool = False) -> Instrument:
    codes = register_regency_codes(actor=actor, manage=manage)
    instrument = Instrument.objects.select_related("regency").filter(pk=pk, regency_id__in=codes).first()
    if instrument is None:
        raise Http404("Instrumen tidak ditemukan.")
    return instrument


def instrument_delegations(*, instrument: Instrument) -> list[DelegationRow]:
    day = timezone.localdate()
    return [
        delegation_row(d, day)
        for d in _delegations_with_regions().filter(instrument=instrument).select_related("parent")
    ]


def instrument_choices(*, regency: Region) -> QuerySet[Instrument]:
    return Instrument.objects.filter(regency=regency).select_related("regency")


def regency_regions(*, regency: Region) -> QuerySet[Region]:
    """The regency with its districts and villages (for region-code inputs)."""
    return Region.objects.filter(Q(code=regency.code) | Q(code__startswith=regency.code + ".")).order_by(
        "code"
    )


# --- Delegations --------------------------------------------------------------------------


def delegation_get_or_404(*, actor: Any, pk: int, manage: bool = False) -> Delegation:
    codes = register_regency_codes(actor=actor, manage=manage)
    delegation = (
        Delegation.objects.select_related(
            "instrument",
            "instrument__regency",
            "from_region",
            "to_region",
            "parent",
            "parent__instrument",
            "revoking_instrument",
            "revoking_instrument__regency",
        )
        .filter(pk=pk, instrument__regency_id__in=codes)
        .first()
    )
    if delegation is None:
        raise Http404("Pelimpahan tidak ditemukan.")
    return delegation


def delegation_choices(*, regency: Region) -> QuerySet[Delegation]:
    """Delegations that may be the origin of a chain (not revoked already)."""
    day = timezone.localdate()
    return (
        Delegation.objects.filter(instrument__regency=regency)
        .exclude(status_q(Status.REVOKED, day))
        .select_related("instrument", "instrument__regency")
        .order_by("-valid_from", "-pk")
    )


def _descendants(delegation: Delegation) -> dict[int, Delegation]:
    """The delegation and every delegation chained under it (one query for the regency)."""
    everything = {
        d.pk: d
        for d in Delegation.objects.filter(instrument__regency_id=delegation.instrument.regency_id)
        .select_related("to_region", "from_region", "instrument", "instrument__regency")
        .order_by("pk")
    }
    children: dict[int, list[int]] = defaultdict(list)
    for d in everything.values():
        if d.parent_id is not None:
            children[d.parent_id].append(d.pk)
    found: dict[int, Delegation] = {}
    todo = [delegation.pk]
    while todo:
        pk = todo.pop()
        if pk in found or pk not in everything:
            continue
        found[pk] = everything[pk]
        todo.extend(children[pk])
    return found


def delegation_children(*, delegation: Delegation) -> list[DelegationRow]:
    day = timezone.localdate()
    return [
        delegation_row(d, day)
        for d in _delegations_with_regions().filter(parent=delegation).select_related("instrument__regency")
    ]


@dataclass
class VillageCount:
    code: str
    name: str
    kind: str
    count: int

    @property
    def label(self) -> str:
        return f"{'Kelurahan' if self.kind == Kind.KELURAHAN else 'Desa'} {self.name}"


@dataclass
class DelegationDecisions:
    by_village: list[VillageCount]
    records: QuerySet[ActRecord]
    total: int
    via: dict[int, Delegation]


def delegation_decisions(*, delegation: Delegation) -> DelegationDecisions:
    """Acts done under the delegation, including those done under delegations chained from
    it (a head's mandat to the secretary rests on the Perbup). Counts by village come from
    one grouped query; the records are a queryset to paginate."""
    chain = _descendants(delegation)
    records = (
        ActRecord.objects.filter(delegation_id__in=sorted(chain))
        .select_related("region", "actor")
        .order_by("-at", "-pk")
    )
    grouped = (
        ActRecord.objects.filter(delegation_id__in=sorted(chain))
        .values("region_id", "region__name", "region__kind")
        .annotate(n=Count("id"))
        .order_by("-n", "region_id")
    )
    by_village = [VillageCount(g["region_id"], g["region__name"], g["region__kind"], g["n"]) for g in grouped]
    return DelegationDecisions(
        by_village=by_village,
        records=records,
        total=sum(v.count for v in by_village),
        via={pk: d for pk, d in chain.items() if pk != delegation.pk},
    )


# --- Expiring soon ------------------------------------------------------------------------


def expiring_days(value: Any) -> int:
    """The look-ahead window from a query parameter; a bad value gives the default."""
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        return EXPIRING_DAYS_DEFAULT
    return min(max(days, 1), EXPIRING_DAYS_MAX)


def expiring_list(*, actor: Any, regency: Region, days: int = EXPIRING_DAYS_DEFAULT) -> list[DelegationRow]:
    """Delegations in force today whose last day falls within ``days`` days (by their end
    date, or by a revocation already recorded for a coming date), soonest first."""
    if regency.code not in register_regency_codes(actor=actor):
        return []
    day = timezone.localdate()
    horizon = day + dt.timedelta(days=days)
    qs = (
        _delegations_with_regions()
        .filter(instrument__regency=regency)
        .filter(status_q(Status.ACTIVE, day))
        .filter(Q(valid_until__lte=horizon) | Q(revoked_on__lte=horizon + dt.timedelta(days=1)))
        .select_related("instrument", "instrument__regency")
    )
    rows = [delegation_row(d, day) for d in qs]
    rows.sort(key=lambda r: (r.end or horizon, r.delegation.pk))
    return rows


# --- Which villages hold which powers -----------------------------------------------------


@dataclass
class PowerCell:
    role: str
    kind: str
    ceiling: Decimal | None
    instrument: str
    delegation_id: int


@dataclass
class VillagePowers:
    columns: list[ActLabel]
    rows: list[tuple[Region, list[list[PowerCell]]]]


def _in_force_chain(delegation: Delegation, by_pk: dict[int, Delegation], day: dt.date) -> bool:
    seen: set[int] = set()
    current: Delegation | None = delegation
    while current is not None:
        if current.pk in seen or not current.in_force_on(day):
            return False
        seen.add(current.pk)
        if current.parent_id is None:
            return True
        current = by_pk.get(current.parent_id)
    return False


def village_power_delegations(*, regency: Region, day: dt.date | None = None) -> list[Delegation]:
    """Delegations of the regency in force on ``day`` (with their whole chain) that give a
    power to a village role. One query."""
    day = day or timezone.localdate()
    everything = {
        d.pk: d
        for d in Delegation.objects.filter(instrument__regency=regency)
        .select_related("instrument", "instrument__regency")
        .order_by("pk")
    }
    return [
        d for d in everything.values() if d.to_role in VILLAGE_ROLES and _in_force_chain(d, everything, day)
    ]


def village_powers(
    *, actor: Any, regency: Region, villages: Sequence[Region], day: dt.date | None = None
) -> VillagePowers:
    """For a page of villages, which delegated acts each holds today and through whom:
    columns are the acts and families delegated to village roles, cells the holders. The
    number of queries does not grow with the villages (one for the delegations)."""
    if regency.code not in register_regency_codes(actor=actor):
        return VillagePowers(columns=[], rows=[])
    delegations = village_power_delegations(regency=regency, day=day)
    codes = sorted({code for d in delegations for code in d.acts})
    columns = [act_label(code) for code in codes]
    index = {code: i for i, code in enumerate(codes)}
    rows: list[tuple[Region, list[list[PowerCell]]]] = []
    for village in villages:
        cells: list[list[PowerCell]] = [[] for _ in codes]
        for d in delegations:
            if not d.covers_target(village.code):
                continue
            for code in d.acts:
                cells[index[code]].append(
                    PowerCell(
                        role=role_label(d.to_role, kelurahan=village.kind == Kind.KELURAHAN),
                        kind=d.get_kind_display(),
                        ceiling=d.amount_ceiling,
                        instrument=d.instrument.citation,
                        delegation_id=d.pk,
                    )
                )
        rows.append((village, cells))
    return VillagePowers(columns=columns, rows=rows)


def regency_villages(*, regency: Region, district: str = "") -> QuerySet[Region]:
    qs = Region.objects.filter(level=Level.VILLAGE, code__startswith=regency.code + ".").select_related(
        "parent"
    )
    if district:
        qs = qs.filter(parent_id=district)
    return qs.order_by("code")


def regency_districts(*, regency: Region) -> QuerySet[Region]:
    return Region.objects.filter(level=Level.DISTRICT, parent=regency).order_by("code")


# --- What may I do, and why ---------------------------------------------------------------


REPRESENTATIVE = "contoh"


@dataclass
class PowerLine:
    act: ActLabel
    decision: Decision
    delegation: Delegation | None = None
    ceiling: Decimal | None = None
    end: dt.date | None = None
    signature_lines: list[str] = field(default_factory=list)
    signature_note: str = ""
    holder_text: str = ""

    @property
    def basis_label(self) -> str:
        return {
            Basis.ATRIBUSI: "Atribusi",
            Basis.DELEGASI: "Delegasi",
            Basis.MANDAT: "Mandat",
        }.get(self.decision.basis, "")


@dataclass
class GrantPowers:
    role: str
    region: Region
    title: str
    allowed: list[PowerLine]
    refused: list[PowerLine]


def representative_code(pattern: str) -> str:
    """A member of a family to ask about (``letters.sign.*`` → ``letters.sign.contoh``)."""
    return pattern.replace("*", REPRESENTATIVE)


def my_powers(*, actor: Any, day: dt.date | None = None) -> list[GrantPowers]:
    """For each role the actor holds today, every act the system knows (exact acts and
    families): whether the actor may do it at that region now, on what basis, and how the
    signature would read. Answered by :func:`may_act` itself, so the page and the acts agree."""
    day = day or timezone.localdate()
    grants = [g for g in scope_for(actor).grants if g.role != Role.RESIDENT]
    if not grants:
        return []
    regions = Region.objects.in_bulk([g.region_code for g in grants])
    acts = [(act_label(f.code), representative_code(f.code)) for f in all_families()]
    acts += [(act_label(a.code), a.code) for a in all_acts()]
    result: list[GrantPowers] = []
    decisions: list[tuple[GrantPowers, ActLabel, Decision, Act]] = []
    for grant in grants:
        region = regions.get(grant.region_code)
        if region is None:
            continue
        group = GrantPowers(
            role=grant.role, region=region, title=office_title(grant.role, region), allowed=[], refused=[]
        )
        result.append(group)
        for label, code in acts:
            definition = get_act(code)
            if definition is None:
                continue
            decisions.append((group, label, may_act(actor, code, region, at=day), definition))
    delegation_ids = {pk for _, _, d, _ in decisions for pk in d.chain}
    chains = Delegation.objects.in_bulk(sorted(delegation_ids)) if delegation_ids else {}
    for group, label, decision, definition in decisions:
        line = PowerLine(act=label, decision=decision)
        if decision.allowed:
            if decision.role != group.role:
                continue  # shown under the role that gives it
            chain = [chains[pk] for pk in decision.chain if pk in chains]
            if chain:
                line.delegation = chain[-1]
                ceilings = [d.amount_ceiling for d in chain if d.amount_ceiling is not None]
                line.ceiling = min(ceilings) if ceilings else None
                ends = [e for e in (delegation_end(d) for d in chain) if e is not None]
                line.end = min(ends) if ends else None
            block = signature_block(decision=decision, signer=actor)
            line.signature_lines = block.lines
            line.signature_note = block.basis_note
            group.allowed.append(line)
        else:
            if definition.holder_level > ROLE_LEVEL[group.role]:
                line.holder_text = (
                    f"Dipegang {role_label(definition.holder_role).lower()} di tiap "
                    f"{'desa/kelurahan' if definition.holder_level == Level.VILLAGE else 'kecamatan'}."
                )
            else:
                line.holder_text = decision.reason
            group.refused.append(line)
    return result


# --- Routed matters -----------------------------------------------------------------------


def matter_queue_list(*, actor: Any) -> list[RoutedMatter]:
    """Matters waiting for a power the actor holds, oldest first."""
    from kampung.authority.services import matter_queue

    matters = matter_queue(actor=actor)
    matters.sort(key=lambda m: (m.created_at, m.pk))
    return matters


def matter_for_holder_or_404(*, actor: Any, pk: int) -> RoutedMatter:
    """A matter addressed to a power the actor holds at its region (decided or not)."""
    grants = scope_for(actor).grants
    matter = RoutedMatter.objects.select_related("region").filter(pk=pk).first()
    if matter is None or not any(g.role == matter.holder_role and g.covers(matter.region_id) for g in grants):
        raise Http404("Perkara tidak ditemukan.")
    return matter


@dataclass
class SentMatter:
    matter: RoutedMatter
    waits_at: str
    act: ActLabel


def matter_sent_list(*, actor: Any, status: str = "") -> QuerySet[RoutedMatter]:
    """Matters the actor routed up, newest first."""
    if not getattr(actor, "is_authenticated", False):
        return RoutedMatter.objects.none()
    qs = RoutedMatter.objects.filter(requested_by_id=actor.pk).select_related(
        "region", "holder_region", "decided_by"
    )
    if status in MatterStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def sent_rows(matters: Iterable[RoutedMatter]) -> list[SentMatter]:
    return [
        SentMatter(matter=m, waits_at=office_title(m.holder_role, m.holder_region), act=act_label(m.act))
        for m in matters
    ]


# --- A village head's own mandates -------------------------------------------------------


def village_mandate_list(*, village: Region) -> QuerySet[Delegation]:
    """What the head of ``village`` gave (from HEAD@village), newest first, with the number of
    decisions taken under each (the caller has checked the head's scope)."""
    return (
        Delegation.objects.filter(from_role=Role.HEAD, from_region=village)
        .select_related("instrument", "instrument__regency", "from_region", "to_region", "parent__instrument")
        .annotate(decisions=Count("records"))
        .order_by("-valid_from", "-pk")
    )


def village_mandate_revocable(*, village: Region) -> QuerySet[Delegation]:
    """The mandates the head recorded by their own SK, which they may revoke themselves."""
    return village_mandate_list(village=village).filter(instrument__kind=InstrumentKind.SK_KADES)


@dataclass
class MandateRow:
    row: DelegationRow
    decisions: int
    acts: list[ActLabel]
    source: str
    can_revoke: bool


def village_mandate_rows(*, village: Region, day: dt.date | None = None) -> list[MandateRow]:
    day = day or timezone.localdate()
    rows = []
    for delegation in village_mandate_list(village=village):
        parent = delegation.parent
        rows.append(
            MandateRow(
                row=delegation_row(delegation, day),
                decisions=getattr(delegation, "decisions", 0),
                acts=[act_label(code) for code in delegation.acts],
                source=parent.instrument.citation if parent is not None else "",
                can_revoke=delegation.revoked_on is None
                and delegation.instrument.kind == InstrumentKind.SK_KADES,
            )
        )
    return rows


def village_mandate_act_choices(
    *, actor: Any, village: Region, day: dt.date | None = None
) -> list[tuple[str, str]]:
    """The acts and families the actor holds as head of ``village`` on ``day`` — by law or by a
    delegasi in force (for example ``assistance.rtlh.decide`` under a Perbup) — and so may pass on
    as a mandat. Answered by :func:`may_act`, as the register will check it."""
    day = day or timezone.localdate()
    codes = [f.code for f in all_families()] + [a.code for a in all_acts()]
    ancestors = [".".join(village.code.split(".")[:n]) for n in range(1, village.code.count(".") + 2)]
    delegated = Delegation.objects.filter(
        Q(to_role=Role.HEAD, kind=DelegationKind.DELEGASI, from_region_id__in=ancestors)
        & status_q(Status.ACTIVE, day)
    )
    for delegation in delegated:
        if delegation.covers_target(village.code):
            codes.extend(delegation.acts)
    choices = []
    for code in dict.fromkeys(codes):
        decision = may_act(actor, representative_code(code), village, at=day)
        if not decision.allowed or decision.role != Role.HEAD or decision.basis == Basis.MANDAT:
            continue
        label = act_label(code)
        basis = (
            f"delegasi, {decision.instrument}"
            if decision.basis == Basis.DELEGASI
            else "menurut undang-undang"
        )
        family = " (semua jenis)" if label.family else ""
        choices.append((code, f"{label.description}{family} — {code}; {basis}"))
    return choices
