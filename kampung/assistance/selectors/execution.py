"""Reads for the decision and execution steps: the decisions of a village's programme year
with the quota and money left, and the panel the case page shows (decision, SPP, progress
with photos, handover)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from kampung.accounts.scope import scope_for
from kampung.assistance.access import DECISION_DRAFTERS, HANDOVER_RECORDERS, PROGRESS_REPORTERS
from kampung.assistance.models import (
    Case,
    CasePhoto,
    CaseStatus,
    Decision,
    DecisionStatus,
    Handover,
    PhotoKind,
    Programme,
    ProgressReport,
)
from kampung.assistance.services import decisions as decision_rules
from kampung.assistance.services.progress import ALLOWED_FROM, STEPS
from kampung.regions.models import Region

# Stages after which the execution panel has something to show.
_EXECUTION_STAGES = (
    CaseStatus.PROPOSED,
    CaseStatus.DECIDED,
    CaseStatus.PAID,
    CaseStatus.IN_PROGRESS,
    CaseStatus.DONE,
)


def decision_list(*, village: Region, programme: Programme, year: int) -> QuerySet[Decision]:
    """The village's decisions of the programme year, newest first."""
    return (
        Decision.objects.filter(village=village, programme=programme, year=year)
        .select_related("document", "matter", "decided_by")
        .order_by("-created_at", "-pk")
    )


def quota_left(*, village: Region, programme: Programme, year: int) -> int | None:
    """Places left in the village's quota (None: the regency set no quota)."""
    return decision_rules.quota_left(programme, year, village)


def budget_left(*, village: Region, programme: Programme, year: int) -> Decimal | None:
    """Money left for new decisions (None: no budget in force / no ceiling)."""
    return decision_rules.budget_left(programme, year, village)


def limits(*, village: Region, programme: Programme, year: int) -> dict[str, Any]:
    """Quota and money figures for the decision page."""
    from kampung.assistance.loader import programme_year_get

    programme_year = programme_year_get(programme, year)
    quota = decision_rules.village_quota(programme_year, village)
    available, committed = decision_rules.budget_figures(programme, year, village)
    return {
        "quota": quota,
        "quota_used": decision_rules.quota_used(programme, year, village),
        "quota_left": quota_left(village=village, programme=programme, year=year),
        "available": available,
        "committed": committed,
        "budget_left": None if available is None else available - committed,
        "per_case": decision_rules.amount_per_case(programme_year),
    }


def prioritised_cases(*, village: Region, programme: Programme, year: int) -> QuerySet[Case]:
    """Cases the Musdes prioritised, waiting for a decision (Musdes order)."""
    return Case.objects.filter(
        village=village, programme=programme, year=year, status=CaseStatus.PRIORITISED
    ).order_by("priority", "-score", "registered_on", "pk")


def decision_cases(decision: Decision) -> QuerySet[Case]:
    return decision.cases.order_by("priority", "-score", "registered_on", "pk")


def case_panel(*, actor: Any, case: Case) -> dict[str, Any]:
    """Context for the execution panel of the case page (assistance/panels/execution.html):
    the decision, the SPP, the progress reports with their photos, the handover, and which of
    the next steps the user may take."""
    if case.status not in _EXECUTION_STAGES and case.decision_id is None:
        return {"show": False}
    scope = scope_for(actor)
    village = case.village_id
    decision = (
        Decision.objects.select_related("document").filter(pk=case.decision_id).first()
        if case.decision_id
        else None
    )
    spp = None
    if case.spp_id:
        from kampung.finance.models import Spp

        spp = Spp.objects.filter(pk=case.spp_id).first()
    reports = list(
        ProgressReport.objects.filter(case=case)
        .order_by("percent")
        .prefetch_related(
            Prefetch(
                "photos", queryset=CasePhoto.objects.filter(kind=PhotoKind.PROGRESS).order_by("created_at")
            )
        )
    )
    done = {r.percent for r in reports}
    next_step = next((p for p in STEPS if p not in done), None)
    handover = Handover.objects.filter(case=case).first()
    from kampung.finance.access import SPP_DRAFTERS

    spp_live = spp is not None and spp.status != "dibatalkan"
    return {
        "show": True,
        "case": case,
        "is_housing": case.programme.is_housing,
        "decision": decision,
        "decision_url": reverse("assistance:decision", args=[decision.pk]) if decision else "",
        "spp": spp,
        "spp_url": reverse("finance:spp_detail", args=[spp.pk]) if spp is not None else "",
        "can_spp": (
            case.status == CaseStatus.DECIDED
            and not case.programme.is_monthly
            and not spp_live
            and scope.covers(village, *SPP_DRAFTERS)
        ),
        "reports": reports,
        "next_percent": next_step,
        "can_progress": (
            case.programme.is_housing
            and next_step is not None
            and case.status in ALLOWED_FROM[next_step]
            and scope.covers(village, *PROGRESS_REPORTERS)
        ),
        "handover": handover,
        "can_handover": (
            handover is None
            and case.status == CaseStatus.IN_PROGRESS
            and case.progress >= 100
            and scope.covers(village, *HANDOVER_RECORDERS)
        ),
        "can_draft": scope.covers(village, *DECISION_DRAFTERS),
        "decision_issued": decision is not None and decision.status == DecisionStatus.ISSUED,
    }
