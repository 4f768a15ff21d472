"""The decision naming a programme year's beneficiaries in one village (issue #8 step 5).

A draft lists the Musdes-prioritised cases (in Musdes order) and is refused over the
village's quota or over the money: an APBDes-funded programme is limited by the village's
budget in force (the kegiatan ``programme.activity_code`` with the account
``programme.account_code``), a regency/national one by the programme year's ceiling
(``ProgrammeYear.budget_ceiling``) across the regency. BLT also stays under the Dana Desa cap
(domain.md §3.3, checked by :func:`kampung.assistance.services.blt.dd_cap_check`).

Issuing is the act ``assistance.<code>.decide`` of the authority register (domain.md §6):
the village head issues it under a delegasi (UU 30/2014 Pasal 13; "berdasarkan Perbup …" is
printed under the signature) as a Keputusan with the number of the village's decree series,
a PDF and a QR. Without a delegation the village routes it up to the holder's queue
(:func:`kampung.authority.services.matter_route`); when the holder approves,
:func:`_matter_decided` issues it with the holder's signature formula, and a refusal
returns its cases to the Musdes list.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from kampung.accounts.scope import scope_for
from kampung.assistance.access import DECISION_DRAFTERS
from kampung.assistance.loader import programme_year_get
from kampung.assistance.models import (
    Case,
    CaseStatus,
    Decision,
    DecisionStatus,
    FundingKind,
    Programme,
    ProgrammeKind,
    ProgrammeYear,
    VillageQuota,
)
from kampung.assistance.timeline import case_event
from kampung.audit.services import audit_record
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.core.formatting import rupiah
from kampung.regions.models import Region

OBJECT_TYPE = Decision._meta.label  # "assistance.Decision"
ZERO = Decimal("0")
# Decisions that hold their cases' money and places (a refused or cancelled one holds none).
HOLDING = (DecisionStatus.DRAFT, DecisionStatus.ROUTED, DecisionStatus.ISSUED)
# Case stages that hold a place in the quota once decided.
DECIDED_STATUSES = (CaseStatus.DECIDED, CaseStatus.PAID, CaseStatus.IN_PROGRESS, CaseStatus.DONE)
# Archive classification of the decree (Permendagri 83/2022, letters/data/klasifikasi_surat_83_2022.csv):
# 400.9.14 "Penanggulangan Kemiskinan Perkotaan dan Perdesaan" (multi-source). The village's
# decree pattern "[klasifikasi]/[nomor]/KEP/..." needs one.
DECISION_CLASSIFICATION = "400.9.14"


# -- limits ---------------------------------------------------------------------------------


def amount_per_case(programme_year: ProgrammeYear) -> Decimal:
    """What one beneficiary gets in the year: the year's amount, times its months for a
    monthly programme (BLT Rp300.000 × 12)."""
    amount = Decimal(programme_year.amount)
    if programme_year.programme.is_monthly:
        amount *= max(int(programme_year.months or 0), 0)
    return amount


def village_quota(programme_year: ProgrammeYear, village: Region | str) -> int:
    """The village's quota for the year: its own row, else the year's default. 0 means the
    regency set no quota."""
    code = village if isinstance(village, str) else village.code
    own = VillageQuota.objects.filter(programme_year=programme_year, village_id=code).first()
    return own.quota if own is not None else int(programme_year.quota_per_village or 0)


def quota_used(
    programme: Programme, year: int, village: Region | str, *, exclude: Decision | None = None
) -> int:
    """Places taken: cases already decided (ditetapkan and later) plus cases in other open
    drafts or decisions waiting upstairs."""
    code = village if isinstance(village, str) else village.code
    decided = Case.objects.filter(
        programme=programme, year=year, village_id=code, status__in=DECIDED_STATUSES
    ).count()
    pending = Case.objects.filter(
        programme=programme,
        year=year,
        village_id=code,
        status=CaseStatus.PROPOSED,
        decision__status__in=(DecisionStatus.DRAFT, DecisionStatus.ROUTED),
    )
    if exclude is not None and exclude.pk:
        pending = pending.exclude(decision_id=exclude.pk)
    return decided + pending.count()


def quota_left(programme: Programme, year: int, village: Region | str) -> int | None:
    """Places left in the village's quota (None: no quota set)."""
    quota = village_quota(programme_year_get(programme, year), village)
    if not quota:
        return None
    return max(quota - quota_used(programme, year, village), 0)


def _budget_lines_total(programme: Programme, village_code: str, year: int) -> Decimal | None:
    """The programme's money in the village's APBDes in force: its kegiatan lines on its
    account (None when no budget is in force)."""
    from kampung.finance.models import BudgetLine
    from kampung.finance.selectors.ledger import budget_in_force

    apbdes = budget_in_force(village_code, year)
    if apbdes is None:
        return None
    total = BudgetLine.objects.filter(
        activity__apbdes=apbdes,
        activity__activity_code__code=programme.activity_code,
        account__code=programme.account_code,
    ).aggregate(s=Sum("amount"))["s"]
    return Decimal(total or ZERO)


def _committed(
    programme: Programme, year: int, village_code: str | None, exclude: Decision | None
) -> Decimal:
    qs = Decision.objects.filter(programme=programme, year=year, status__in=HOLDING)
    if village_code is not None:
        qs = qs.filter(village_id=village_code)
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    return Decimal(qs.aggregate(s=Sum("total_amount"))["s"] or ZERO)


def budget_figures(
    programme: Programme, year: int, village: Region | str, *, exclude: Decision | None = None
) -> tuple[Decimal | None, Decimal]:
    """(money available for the programme, money already committed by other decisions).
    APBDes: the village's budget line; otherwise the regency's ceiling for the year, committed
    regency-wide. Available is None when there is no budget in force / no ceiling set."""
    code = village if isinstance(village, str) else village.code
    if programme.funding_kind == FundingKind.APBDES:
        return _budget_lines_total(programme, code, year), _committed(programme, year, code, exclude)
    programme_year = programme_year_get(programme, year)
    ceiling = programme_year.budget_ceiling
    return (
        None if ceiling is None else Decimal(ceiling),
        _committed(programme, year, None, exclude),
    )


def budget_left(programme: Programme, year: int, village: Region | str) -> Decimal | None:
    """What remains for new decisions (None: no budget in force or no ceiling set)."""
    available, committed = budget_figures(programme, year, village)
    return None if available is None else available - committed


def _check_limits(
    *, programme: Programme, year: int, village: Region, count: int, total: Decimal, decision: Decision | None
) -> None:
    """Refuse over the quota or over the money (the rule of issue #8 step 5). The programme
    year's row is locked first, so two decisions of the same year (in one village, or across
    the regency for a regency ceiling) are checked one after the other."""
    programme_year = programme_year_get(programme, year)
    ProgrammeYear.objects.select_for_update().filter(pk=programme_year.pk).first()
    quota = village_quota(programme_year, village)
    if quota:
        used = quota_used(programme, year, village, exclude=decision)
        if used + count > quota:
            raise KampungError(
                f"Melebihi kuota: kuota {programme.name} Desa {village.name} tahun {year} adalah "
                f"{quota} penerima, sudah terpakai {used}, diusulkan {count}. "
                f"Kurangi penerima menjadi paling banyak {max(quota - used, 0)}."
            )
    available, committed = budget_figures(programme, year, village, exclude=decision)
    if programme.funding_kind == FundingKind.APBDES:
        if available is None:
            raise KampungError(
                f"Desa {village.name} belum mempunyai APBDes {year} yang berlaku; keputusan penerima "
                "dibuat setelah APBDes ditetapkan."
            )
        where = f"pagu kegiatan {programme.activity_code} rekening {programme.account_code} APBDes {year}"
    else:
        if available is None:
            raise KampungError(
                f"Pagu {programme.name} tahun {year} belum ditetapkan kabupaten; minta DPMD mengisinya "
                "pada pengaturan tahunan program."
            )
        where = f"pagu program kabupaten tahun {year}"
    if committed + total > available:
        raise KampungError(
            f"Melebihi anggaran: {where} {rupiah(available)}, sudah terikat keputusan lain "
            f"{rupiah(committed)}, keputusan ini {rupiah(total)} (sisa {rupiah(max(available - committed, ZERO))})."
        )
    if programme.kind == ProgrammeKind.CASH:
        from kampung.assistance.services.blt import dd_cap_check

        households = quota_used(programme, year, village, exclude=decision) + count
        dd_cap_check(programme_year=programme_year, village=village, households=households)


# -- draft ----------------------------------------------------------------------------------


def _may_draft(actor: Any, village: Region) -> None:
    if not scope_for(actor).covers(village.code, *DECISION_DRAFTERS):
        raise NotPermitted(
            "Hanya sekretaris desa, operator, atau kepala desa yang dapat menyusun keputusan penerima."
        )


def _ordered_prioritised(programme: Programme, year: int, village: Region) -> list[Case]:
    return list(
        Case.objects.select_for_update(of=("self",))
        .filter(programme=programme, year=year, village=village, status=CaseStatus.PRIORITISED)
        .order_by("priority", "-score", "registered_on", "pk")
    )


def default_title(programme: Programme, year: int, village: Region) -> str:
    return f"Keputusan Kepala Desa {village.name} tentang Penetapan Penerima {programme.name} Tahun {year}"


@transaction.atomic
def decision_draft(
    *,
    actor: Any,
    programme: Programme,
    year: int,
    village: Region,
    case_ids: list[int] | None = None,
    title: str = "",
    considerations: str = "",
) -> Decision:
    """Draft the decision (DECISION_DRAFTERS of the village). Without ``case_ids``: the
    ``prioritas`` cases in Musdes order up to what is left of the quota. Refused over the quota
    or the money (see the module docstring); the cases move to ``diusulkan``."""
    _may_draft(actor, village)
    if not programme.active:
        raise KampungError(f"Program {programme.name} tidak aktif.")
    prioritised = _ordered_prioritised(programme, year, village)
    programme_year = programme_year_get(programme, year)
    if case_ids is None:
        left = quota_left(programme, year, village)
        chosen = prioritised if left is None else prioritised[:left]
    else:
        wanted = list(dict.fromkeys(int(i) for i in case_ids))
        by_pk = {c.pk: c for c in prioritised}
        missing = [i for i in wanted if i not in by_pk]
        if missing:
            raise KampungError(
                "Hanya kasus yang sudah diprioritaskan musyawarah desa (tahap 'prioritas') di desa ini "
                "yang dapat masuk keputusan."
            )
        chosen = sorted((by_pk[i] for i in wanted), key=prioritised.index)
    if not chosen:
        raise KampungError(
            "Tidak ada penerima untuk diusulkan: catat dahulu musyawarah desa yang memprioritaskan "
            "kasus yang layak, atau kuota desa sudah habis."
        )
    per_case = amount_per_case(programme_year)
    total = per_case * len(chosen)
    _check_limits(
        programme=programme, year=year, village=village, count=len(chosen), total=total, decision=None
    )
    decision = Decision.objects.create(
        programme=programme,
        year=year,
        village=village,
        title=(title or "").strip()[:300] or default_title(programme, year, village),
        considerations=(considerations or "").strip(),
        status=DecisionStatus.DRAFT,
        beneficiary_count=len(chosen),
        total_amount=total,
        drafted_by=actor if getattr(actor, "pk", None) else None,
    )
    for case in chosen:
        source = case.status
        case.status = CaseStatus.PROPOSED
        case.decision = decision
        case.amount = per_case
        case.save(update_fields=["status", "decision", "amount", "updated_at"])
        case_event(
            case,
            actor=actor,
            act="assistance.decision.draft",
            source=source,
            target=case.status,
            note=f"Diusulkan dalam rancangan keputusan ({rupiah(per_case)}).",
        )
    _audit(actor, "assistance.decision.draft", decision, after={"cases": len(chosen), "total": str(total)})
    return decision


def _audit(
    actor: Any, act: str, decision: Decision, *, before: Any = None, after: Any = None, role: str = ""
) -> None:
    audit_record(
        actor=actor,
        act=act,
        region=decision.village_id,
        object_type=OBJECT_TYPE,
        object_id=decision.pk,
        before=before,
        after=after,
        role=role,
    )


def _locked(decision: Decision) -> Decision:
    locked = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("programme", "village", "village__parent")
        .filter(pk=decision.pk)
        .first()
    )
    if locked is None:
        raise KampungError("Keputusan tidak ditemukan.")
    return locked


def _cases(decision: Decision) -> list[Case]:
    return list(
        Case.objects.select_for_update(of=("self",))
        .filter(decision=decision)
        .order_by("priority", "-score", "registered_on", "pk")
    )


def _return_cases(decision: Decision, *, actor: Any, act: str, note: str) -> None:
    """The decision fell (cancelled or refused upstairs): its cases go back to the Musdes list."""
    for case in _cases(decision):
        if case.status != CaseStatus.PROPOSED:
            continue
        source = case.status
        case.status = CaseStatus.PRIORITISED
        case.decision = None
        case.amount = None
        case.save(update_fields=["status", "decision", "amount", "updated_at"])
        case_event(case, actor=actor, act=act, source=source, target=case.status, note=note)


# -- cancel ---------------------------------------------------------------------------------


@transaction.atomic
def decision_cancel(*, actor: Any, decision: Decision, reason: str) -> Decision:
    """Withdraw a draft (DECISION_DRAFTERS); its cases return to ``prioritas``. An issued or
    routed decision cannot be withdrawn here."""
    locked = _locked(decision)
    _may_draft(actor, locked.village)
    if locked.status != DecisionStatus.DRAFT:
        raise InvalidTransition(
            f"Keputusan berstatus '{locked.get_status_display()}' tidak dapat dibatalkan; hanya rancangan."
        )
    text = (reason or "").strip()
    if len(text) < 5:
        raise KampungError("Tulis alasan pembatalan (paling sedikit 5 huruf).")
    locked.status = DecisionStatus.CANCELLED
    locked.refusal_note = text
    locked.save(update_fields=["status", "refusal_note", "updated_at"])
    _return_cases(locked, actor=actor, act="assistance.decision.cancel", note=f"Rancangan dibatalkan: {text}")
    _audit(
        actor,
        "assistance.decision.cancel",
        locked,
        before={"status": DecisionStatus.DRAFT},
        after={"status": locked.status, "reason": text},
    )
    decision.status, decision.refusal_note = locked.status, locked.refusal_note
    return locked


# -- issue ----------------------------------------------------------------------------------


def _recheck(locked: Decision) -> list[Case]:
    cases = _cases(locked)
    if not cases or any(c.status != CaseStatus.PROPOSED for c in cases):
        raise KampungError("Daftar penerima keputusan ini berubah; susun ulang rancangan keputusan.")
    total = sum((Decimal(c.amount or ZERO) for c in cases), ZERO)
    _check_limits(
        programme=locked.programme,
        year=locked.year,
        village=locked.village,
        count=len(cases),
        total=total,
        decision=locked,
    )
    return cases


def _office(authority: Any) -> str:
    from kampung.authority.services import office_title

    return office_title(authority.role, Region.objects.filter(code=authority.grant_region).first())


def _issue(locked: Decision, cases: list[Case], *, actor: Any, authority: Any) -> None:
    """Number, record and render the Keputusan (inside the deciding transaction) and move its
    cases to ``ditetapkan``. ``authority`` is the allowed ``may_act`` answer of the signer."""
    from kampung.assistance.outputs.decision import decision_pdf_render
    from kampung.authority.services import signature_block
    from kampung.documents.models import SeriesKind
    from kampung.documents.services import Signer, document_issue, document_pdf_after_commit

    block = signature_block(decision=authority, signer=actor)
    office = _office(authority)
    programme = locked.programme
    locked.title = f"Keputusan {office} tentang Penetapan Penerima {programme.name} Tahun {locked.year}"[:300]
    document = document_issue(
        actor=actor,
        village=locked.village,
        kind=SeriesKind.DECREE,
        title=locked.title,
        classification=DECISION_CLASSIFICATION,
        signer=Signer.from_block(block),
        source=locked,
    )
    today = timezone.localdate()
    locked.status = DecisionStatus.ISSUED
    locked.document = document
    locked.basis = authority.basis
    locked.instrument = authority.instrument[:300]
    locked.decided_by = actor if getattr(actor, "pk", None) else None
    locked.decided_on = today
    locked.beneficiary_count = len(cases)
    locked.total_amount = sum((Decimal(c.amount or ZERO) for c in cases), ZERO)
    locked.save(
        update_fields=[
            "title",
            "status",
            "document",
            "basis",
            "instrument",
            "decided_by",
            "decided_on",
            "beneficiary_count",
            "total_amount",
            "updated_at",
        ]
    )
    for case in cases:
        source = case.status
        case.status = CaseStatus.DECIDED
        case.save(update_fields=["status", "updated_at"])
        case_event(
            case,
            actor=actor,
            act="assistance.decision.issue",
            source=source,
            target=case.status,
            note=f"Ditetapkan sebagai penerima dengan Keputusan Nomor {document.number} ({rupiah(case.amount)}).",
            basis=authority.basis,
            role=authority.role,
        )
    _audit(
        actor,
        programme.decide_act,
        locked,
        role=authority.role,
        after={
            "status": locked.status,
            "number": document.number,
            "basis": authority.basis,
            "instrument": authority.instrument,
            "cases": len(cases),
            "total": str(locked.total_amount),
        },
    )
    decision_pk, lines = locked.pk, list(block.lines)
    document_pdf_after_commit(
        document=document, render=lambda doc: decision_pdf_render(decision_pk, doc, lines)
    )


def waiting_matter(decision: Decision) -> Any:
    from kampung.authority.models import MatterStatus, RoutedMatter

    return (
        RoutedMatter.objects.filter(
            object_type=OBJECT_TYPE, object_id=str(decision.pk), status=MatterStatus.WAITING
        )
        .select_related("holder_region")
        .first()
    )


@transaction.atomic
def decision_issue(*, actor: Any, decision: Decision) -> Decision:
    """Issue a draft (act ``assistance.<code>.decide``): quota and money are checked again
    under the row lock; if the actor holds the power (the head under a delegasi, the holder by
    law) the Keputusan is issued as a document and its cases are ``ditetapkan``; otherwise the
    village routes it up to the holder's queue (status ``diteruskan``)."""
    from kampung.authority.services import act_record, matter_route, may_act

    locked = _locked(decision)
    _may_draft(actor, locked.village)
    if locked.status != DecisionStatus.DRAFT:
        raise InvalidTransition(
            f"Keputusan berstatus '{locked.get_status_display()}' tidak dapat ditetapkan atau diteruskan."
        )
    cases = _recheck(locked)
    total = sum((Decimal(c.amount or ZERO) for c in cases), ZERO)
    programme = locked.programme
    authority = may_act(actor, programme.decide_act, locked.village, amount=total)
    if authority.allowed:
        act_record(
            decision=authority,
            actor=actor,
            act=programme.decide_act,
            region=locked.village,
            object_type=OBJECT_TYPE,
            object_id=str(locked.pk),
            amount=total,
        )
        _issue(locked, cases, actor=actor, authority=authority)
    else:
        matter = matter_route(
            actor=actor,
            act=programme.decide_act,
            region=locked.village,
            object_type=OBJECT_TYPE,
            object_id=str(locked.pk),
            title=f"Penetapan penerima {programme.name} {locked.year} Desa {locked.village.name} "
            f"({len(cases)} penerima, {rupiah(total)})"[:255],
            amount=total,
        )
        locked.status = DecisionStatus.ROUTED
        locked.matter = matter
        locked.save(update_fields=["status", "matter", "updated_at"])
        holder = authority.holder_label or "pemegang kewenangan"
        for case in cases:
            case_event(
                case,
                actor=actor,
                act="assistance.decision.route",
                source=case.status,
                target=case.status,
                note=f"Keputusan diteruskan kepada {holder} untuk ditetapkan.",
            )
        _audit(
            actor,
            "assistance.decision.route",
            locked,
            before={"status": DecisionStatus.DRAFT},
            after={"status": locked.status, "matter": matter.pk, "holder": holder},
        )
    decision.refresh_from_db()
    return locked


def _matter_decided(matter: Any, actor: Any, authority: Any, approve: bool) -> None:
    """The holder decided the routed decision (inside ``matter_decide``'s transaction, the
    holder's authority already checked, the act record written there): issue it with the
    holder's signature formula, or refuse it and return its cases to ``prioritas``."""
    locked = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("programme", "village", "village__parent")
        .filter(pk=int(matter.object_id))
        .first()
    )
    if locked is None:
        raise KampungError("Keputusan penerima bantuan tidak ditemukan.")
    if locked.status != DecisionStatus.ROUTED:
        raise InvalidTransition(
            f"Keputusan berstatus '{locked.get_status_display()}'; tidak menunggu keputusan."
        )
    if not approve:
        office = _office(authority)
        note = (matter.note or "").strip()
        locked.status = DecisionStatus.REFUSED
        locked.refusal_note = f"Tidak disetujui oleh {office}" + (f": {note}" if note else ".")
        locked.decided_by = actor if getattr(actor, "pk", None) else None
        locked.decided_on = timezone.localdate()
        locked.save(update_fields=["status", "refusal_note", "decided_by", "decided_on", "updated_at"])
        _return_cases(locked, actor=actor, act="assistance.decision.refuse", note=locked.refusal_note)
        _audit(
            actor,
            "assistance.decision.refuse",
            locked,
            role=authority.role,
            before={"status": DecisionStatus.ROUTED},
            after={"status": locked.status, "note": note},
        )
        return
    cases = _recheck(locked)
    _issue(locked, cases, actor=actor, authority=authority)


def decision_cases(decision: Decision) -> Iterable[Case]:
    return decision.cases.select_related("beneficiary").order_by("priority", "-score", "registered_on", "pk")


def register() -> None:
    """Called at start-up: the authority queue hands decided routed decisions back here."""
    from kampung.authority.services import register_matter_handler

    register_matter_handler(OBJECT_TYPE, _matter_decided)
