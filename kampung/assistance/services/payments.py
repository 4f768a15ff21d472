"""Paying a decided case through the finance SPP (issue #8 step 6).

The aid of a case ``ditetapkan`` is paid as a direct payment (SPP LS, Permendagri 20/2018
Pasal 53–55) on the budget line of the village's APBDes in force that carries the
programme's kegiatan and account (RTLH: 02.04.01 / 5.2.7.03), to the beneficiary. The SPP
then follows finance's own path: the secretary verifies, the head approves, the treasurer
pays. When it is paid, :func:`_spp_paid` (called inside the paying transaction) moves the
case to ``dibayar``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from kampung.assistance.models import Case, CaseStatus
from kampung.assistance.timeline import case_event
from kampung.core.errors import InvalidTransition, KampungError, NotPermitted
from kampung.core.formatting import rupiah

# An SPP in these states still stands for the case (a cancelled one lets a new one be made).
_DEAD_SPP = ("dibatalkan",)


def _budget_line(case: Case) -> tuple[Any, Any]:
    """The programme's kegiatan and line in the village's budget in force."""
    from kampung.finance.models import BudgetActivity, BudgetLine
    from kampung.finance.selectors.ledger import budget_in_force

    programme = case.programme
    apbdes = budget_in_force(case.village_id, case.year)
    if apbdes is None:
        raise KampungError(
            f"Desa {case.village.name} belum mempunyai APBDes {case.year} yang berlaku; SPP belum dapat dibuat."
        )
    line = (
        BudgetLine.objects.filter(
            activity__apbdes=apbdes,
            activity__activity_code__code=programme.activity_code,
            account__code=programme.account_code,
        )
        .select_related("activity")
        .order_by("pk")
        .first()
    )
    if line is None:
        raise KampungError(
            f"APBDes {case.year} yang berlaku tidak memuat kegiatan {programme.activity_code} dengan rekening "
            f"{programme.account_code} untuk {programme.name}; masukkan dahulu dalam APBDes (perubahan)."
        )
    activity = BudgetActivity.objects.select_related("activity_code", "apbdes").get(pk=line.activity_id)
    return activity, line


@transaction.atomic
def case_spp_create(*, actor: Any, case: Case, date: dt.date) -> Any:
    """Draft the SPP LS paying a decided case's aid (the executor of the kegiatan or the
    secretary, finance's SPP drafters) for ``case.amount`` to the beneficiary, on the
    programme's budget line; the case keeps the SPP. Finance refuses what passes the line,
    the RAK or the cash."""
    from kampung.accounts.scope import scope_for
    from kampung.assistance.services.basis import attach_decree
    from kampung.finance.access import SPP_DRAFTERS
    from kampung.finance.services.payments import spp_create

    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("programme", "village", "spp")
        .get(pk=case.pk)
    )
    if not scope_for(actor).covers(locked.village_id, *SPP_DRAFTERS):
        raise NotPermitted("Hanya sekretaris desa atau pelaksana kegiatan yang dapat mengajukan SPP bantuan.")
    if locked.status != CaseStatus.DECIDED:
        raise InvalidTransition(
            f"SPP hanya untuk penerima yang sudah ditetapkan; kasus ini berstatus '{locked.get_status_display()}'."
        )
    if locked.programme.is_monthly:
        raise KampungError("Bantuan bulanan (BLT) dibayar per bulan dari halaman pembayaran bulanan.")
    if locked.spp_id and locked.spp is not None and locked.spp.status not in _DEAD_SPP:
        raise KampungError(f"Kasus ini sudah mempunyai SPP {locked.spp.number}; lanjutkan SPP itu.")
    amount = Decimal(locked.amount or 0)
    if amount <= 0:
        raise KampungError("Nilai bantuan kasus ini belum ditetapkan.")
    activity, line = _budget_line(locked)
    text = f"Bantuan {locked.programme.name} {locked.number} a.n. {locked.name}"
    spp = spp_create(
        actor=actor,
        activity=activity,
        kind="LS",
        date=date,
        description=text[:255],
        payee_name=locked.name,
        lines=[(line.pk, amount, text[:255])],
    )
    # The decree naming the beneficiary is the basis of the payment (finance's LS rule).
    attach_decree(actor=actor, spp=spp, decision=locked.decision)
    locked.spp = spp
    locked.save(update_fields=["spp", "updated_at"])
    case_event(
        locked,
        actor=actor,
        act="assistance.case.spp",
        source=locked.status,
        target=locked.status,
        note=f"SPP LS {spp.number} diajukan sebesar {rupiah(amount)}.",
    )
    case.spp = spp
    return spp


def _spp_paid(spp: Any, actor: Any, paid_on: dt.date) -> None:
    """Finance paid an SPP (inside its transaction): the cases it pays move to ``dibayar``."""
    for case in Case.objects.select_for_update(of=("self",)).filter(spp_id=spp.pk, status=CaseStatus.DECIDED):
        source = case.status
        case.status = CaseStatus.PAID
        case.paid_on = paid_on
        case.save(update_fields=["status", "paid_on", "updated_at"])
        case_event(
            case,
            actor=actor,
            act="assistance.case.paid",
            source=source,
            target=case.status,
            note=f"Dana bantuan {rupiah(case.amount)} dibayarkan dengan SPP {spp.number} pada {paid_on:%d-%m-%Y}.",
        )


def _spp_reversed(spp: Any, actor: Any) -> None:
    """Finance reversed the payment of an SPP (inside its transaction): its cases go back to
    ``ditetapkan``. Refused once the work has started (progress reported): the money was used."""
    cases = list(Case.objects.select_for_update(of=("self",)).filter(spp_id=spp.pk))
    started = [
        c
        for c in cases
        if c.status in (CaseStatus.IN_PROGRESS, CaseStatus.DONE) or c.progress_reports.exists()
    ]
    if started:
        raise KampungError(
            f"Pembayaran SPP {spp.number} tidak dapat dibatalkan: pekerjaan rumah {started[0].number} "
            "sudah dilaporkan berjalan."
        )
    for case in cases:
        if case.status == CaseStatus.PAID:
            case_unpaid(case, actor=actor, act="assistance.case.unpaid", spp=spp)


def case_unpaid(case: Case, *, actor: Any, act: str, spp: Any) -> None:
    """Put a paid case back to ``ditetapkan`` after its SPP's payment was reversed (the
    caller holds the case's row lock)."""
    case.status = CaseStatus.DECIDED
    case.paid_on = None
    case.save(update_fields=["status", "paid_on", "updated_at"])
    case_event(
        case,
        actor=actor,
        act=act,
        source=CaseStatus.PAID,
        target=case.status,
        note=f"Pembayaran SPP {spp.number} dibatalkan (jurnal balik) oleh bendahara.",
    )


def register() -> None:
    """Called at start-up: finance tells us when an SPP is paid, or its payment reversed."""
    from kampung.finance.services.hooks import on_spp_paid, on_spp_payment_reversed

    on_spp_paid(_spp_paid)
    on_spp_payment_reversed(_spp_reversed)
