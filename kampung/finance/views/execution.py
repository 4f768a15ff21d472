"""DPA per kegiatan and the RAK Desa of an enacted APBDes version (Permendagri 20/2018 Pasal 44–45).

Thin views: the village comes from ``desa_in_scope_or_404``; every write is a POST handled by
:mod:`kampung.finance.services.execution`, whose refusals are shown as messages."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kampung.accounts.scope import scope_for
from kampung.authority.services import may_act
from kampung.core.errors import KampungError
from kampung.core.views import run_service as _run
from kampung.finance.access import FINANCE_READERS, desa_in_scope_or_404
from kampung.finance.budget import ZERO
from kampung.finance.forms.execution import rak_entries_from_post, rak_field
from kampung.finance.models import BudgetActivity, BudgetLine, DocStatus, Dpa, Rak
from kampung.finance.outputs.documents import rak_grid
from kampung.finance.services import execution as svc
from kampung.finance.views.outputs import apbdes_or_404


def _roles(request: HttpRequest, village_code: str) -> frozenset[str]:
    return scope_for(request.user).roles_at(village_code)


def _may_act_or_403(request: HttpRequest, act: str, village_code: str) -> None:
    """A reader in scope who may not take this step at all is refused before anything is read."""
    decision = may_act(request.user, act, village_code)
    if not decision.allowed:
        raise PermissionDenied(decision.reason or "Anda tidak berwenang mengambil tindakan ini.")


@login_required
def dpa_list(request: HttpRequest, pk: int) -> HttpResponse:
    apbdes = apbdes_or_404(request, pk)
    village = desa_in_scope_or_404(request.user, apbdes.village_id, *FINANCE_READERS)
    activities = list(
        BudgetActivity.objects.filter(apbdes=apbdes)
        .select_related("activity_code", "executor")
        .order_by("activity_code__code", "pk")
    )
    dpas = {d.activity_id: d for d in Dpa.objects.filter(activity__apbdes=apbdes)}
    from kampung.finance.budget import budget_snapshot, budget_totals

    totals = budget_totals(budget_snapshot(apbdes))
    rows = [
        {"activity": a, "dpa": dpas.get(a.pk), "amount": totals.spending_by_activity.get(a.pk, ZERO)}
        for a in activities
    ]
    roles = _roles(request, village.code)
    return render(
        request,
        "finance/outputs/dpa_list.html",
        {
            "apbdes": apbdes,
            "village": village,
            "rows": rows,
            "available": svc.execution_available(apbdes),
            "due": svc.dpa_due_date(apbdes) if svc.execution_available(apbdes) else None,
            "can_draft": bool(roles & set(svc.DPA_DRAFTERS)),
            "missing": sum(1 for r in rows if r["dpa"] is None),
        },
    )


@require_POST
@login_required
def dpa_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft the DPA of one kegiatan (``activity`` in the form) or of all (none given)."""
    apbdes = apbdes_or_404(request, pk)
    if not _roles(request, apbdes.village_id) & set(svc.DPA_DRAFTERS):
        raise PermissionDenied("Hanya pelaksana kegiatan atau sekretaris desa yang dapat menyusun DPA.")
    raw = request.POST.get("activity", "")
    if raw:
        activity = BudgetActivity.objects.filter(apbdes=apbdes, pk=raw if raw.isdigit() else 0).first()
        if activity is None:
            messages.error(request, "Kegiatan tidak ditemukan.")
        else:
            _run(request, lambda: svc.dpa_create(actor=request.user, activity=activity), "DPA disusun.")
    else:
        _run(
            request,
            lambda: svc.dpa_create_all(actor=request.user, apbdes=apbdes),
            "DPA semua kegiatan disusun.",
        )
    return redirect(reverse("finance:dpa_list", args=[apbdes.pk]))


def _dpa_or_404(request: HttpRequest, pk: int) -> Dpa:
    dpa = Dpa.objects.filter(pk=pk).select_related("activity__apbdes", "activity__activity_code").first()
    if dpa is None:
        raise Http404("DPA tidak ditemukan.")
    desa_in_scope_or_404(request.user, dpa.activity.apbdes.village_id, *FINANCE_READERS)
    return dpa


@login_required
def dpa_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dpa = _dpa_or_404(request, pk)
    activity = dpa.activity
    apbdes = activity.apbdes
    village = desa_in_scope_or_404(request.user, apbdes.village_id, *FINANCE_READERS)
    lines = list(
        BudgetLine.objects.filter(activity=activity).select_related("account").order_by("account__code", "pk")
    )
    saved = svc.rak_months(apbdes)
    months = [ZERO] * svc.MONTHS
    for line in lines:
        for i, value in enumerate(saved.get(line.pk, [ZERO] * svc.MONTHS)):
            months[i] += value
    from kampung.core.formatting import MONTHS_ID

    return render(
        request,
        "finance/outputs/dpa_detail.html",
        {
            "dpa": dpa,
            "activity": activity,
            "apbdes": apbdes,
            "village": village,
            "lines": lines,
            "total": sum((line.amount for line in lines), ZERO),
            "months": list(zip(MONTHS_ID, months, strict=True)),
            "planned": any(months),
            "acts": svc.DPA_FLOW.acts_from(dpa.status),
        },
    )


@require_POST
@login_required
def dpa_act(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    dpa = _dpa_or_404(request, pk)
    if act not in ("verify", "approve"):
        raise Http404("Tindakan tidak dikenal.")
    _may_act_or_403(request, f"finance.dpa.{act}", dpa.activity.apbdes.village_id)
    if act == "verify":
        _run(request, lambda: svc.dpa_verify(actor=request.user, dpa=dpa), "DPA diverifikasi.")
    elif act == "approve":
        _run(request, lambda: svc.dpa_approve(actor=request.user, dpa=dpa), "DPA disetujui.")
    else:
        raise Http404("Tindakan tidak dikenal.")
    return redirect(reverse("finance:dpa_detail", args=[dpa.pk]))


@login_required
def rak_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The RAK grid: GET shows it, POST saves it (``save``) or spreads lines evenly
    (``spread`` = a line pk or ``all``)."""
    apbdes = apbdes_or_404(request, pk)
    village = desa_in_scope_or_404(request.user, apbdes.village_id, *FINANCE_READERS)
    rak = Rak.objects.filter(apbdes=apbdes).first()
    roles = _roles(request, village.code)
    can_edit = (
        svc.execution_available(apbdes)
        and bool(roles & set(svc.RAK_DRAFTERS))
        and (rak is None or rak.status == DocStatus.DRAFT)
    )
    posted: dict[int, list[Decimal]] | None = None
    field_errors: dict[int, str] = {}
    if request.method == "POST":
        line_ids = list(BudgetLine.objects.filter(activity__apbdes=apbdes).values_list("pk", flat=True))
        spread = request.POST.get("spread", "")
        if spread:
            ids = None if spread == "all" else [int(spread)] if spread.isdigit() else [-1]
            if _run(
                request,
                lambda: svc.rak_spread_evenly(actor=request.user, apbdes=apbdes, line_ids=ids),
                "Rencana dibagi rata ke bulan-bulan pelaksanaan kegiatan.",
            ):
                return redirect(reverse("finance:rak_edit", args=[apbdes.pk]))
        else:
            entries, field_errors = rak_entries_from_post(request.POST, line_ids)
            if field_errors:
                messages.error(request, "RAK tidak disimpan: ada isian yang bukan angka.")
                posted = entries
            else:
                try:
                    svc.rak_save(actor=request.user, apbdes=apbdes, entries=entries)
                except svc.RakNotBalanced as exc:
                    messages.error(
                        request, f"RAK tidak disimpan: {len(exc.problems)} rincian belum sesuai anggarannya."
                    )
                    posted = entries
                except KampungError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, "RAK disimpan.")
                    return redirect(reverse("finance:rak_edit", args=[apbdes.pk]))
    grid = rak_grid(apbdes, posted)
    rows = [
        {
            "row": row,
            "fields": [(rak_field(row.line.pk, i + 1), value) for i, value in enumerate(row.months)],
            "error": field_errors.get(row.line.pk, ""),
        }
        for row in grid.rows
    ]
    return render(
        request,
        "finance/outputs/rak.html",
        {
            "apbdes": apbdes,
            "village": village,
            "rak": rak,
            "grid": grid,
            "rows": rows,
            "available": svc.execution_available(apbdes),
            "can_edit": can_edit,
            "acts": svc.RAK_FLOW.acts_from(rak.status) if rak else [],
        },
        status=400 if posted is not None else 200,
    )


@require_POST
@login_required
def rak_act(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    apbdes = apbdes_or_404(request, pk)
    if act not in ("verify", "approve"):
        raise Http404("Tindakan tidak dikenal.")
    _may_act_or_403(request, f"finance.rak.{act}", apbdes.village_id)
    if act == "verify":
        _run(request, lambda: svc.rak_verify(actor=request.user, apbdes=apbdes), "RAK diverifikasi.")
    elif act == "approve":
        _run(request, lambda: svc.rak_approve(actor=request.user, apbdes=apbdes), "RAK disetujui.")
    else:
        raise Http404("Tindakan tidak dikenal.")
    return redirect(reverse("finance:rak_edit", args=[apbdes.pk]))
