"""The berita acara serah terima of a finished house: who handed it over to whom, when and
where, before which witnesses, with the case's aid and progress record."""

from __future__ import annotations

from typing import Any

from kampung.assistance.models import Handover
from kampung.core.formatting import rupiah, tanggal
from kampung.core.pdf import render_pdf
from kampung.finance.outputs.documents import kop_for


def handover_context(handover: Handover) -> dict[str, Any]:
    case = handover.case
    decision = case.decision
    return {
        "title": f"Berita Acara Serah Terima {handover.number}",
        "kop": kop_for(case.village),
        "handover": handover,
        "case": case,
        "programme": case.programme,
        "held_on": tanggal(handover.held_on, with_day=True),
        "amount": rupiah(case.amount),
        "decision_number": decision.document.number if decision is not None and decision.document else "",
        "reports": list(case.progress_reports.order_by("percent")),
        "witnesses": [w.strip() for w in handover.witnesses.splitlines() if w.strip()],
        "footer_left": f"BAST {handover.number}",
    }


def handover_pdf(handover: Handover) -> bytes:
    return render_pdf("assistance/print/handover.html", handover_context(handover)).content
