"""APBDes pages: a village's finance home, one APBDes version (totals, lines, checks, history,
life-cycle actions), a kegiatan with its RAB lines, and the camat/regency evaluation queue.

Views are thin: they resolve the village with ``desa_in_scope_or_404``, parse a form and call
one service; a refused rule comes back as a message and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kampung.accounts.roles import DISTRICT_ROLES, REGENCY_ROLES
from kampung.accounts.scope import scope_for
from kampung.authority.services import may_act
from kampung.core.views import run_service as _run
from kampung.finance.access import BUDGET_EDITORS, FINANCE_READERS, desa_in_scope_or_404
from kampung.finance.budget import budget_snapshot, budget_totals
from kampung.finance.forms.apbdes import (
    ActivityForm,
    AgreeForm,
    CreateForm,
    ElaborateForm,
    EnactForm,
    EvaluateForm,
    FinancingForm,
    LineForm,
    RevenueForm,
    RevisionForm,
    SubmitForm,
)
from kampung.finance.models import (
    Apbdes,
    ApbdesStatus,
    BudgetActivity,
    BudgetLine,
    FinancingLine,
    RevenueLine,
)
from kampung.finance.selectors import apbdes as sel
from kampung.finance.services import apbdes as svc
from kampung.regions.models import Region

NAV = "finance"
PAGE_SIZE = 25
EVALUATORS = (*sorted(DISTRICT_ROLES), *sorted(REGENCY_ROLES))


def _can_edit(user: Any, apbdes: Apbdes) -> bool:
    return apbdes.editable and bool(scope_for(user).roles_at(apbdes.village_id) & set(BUDGET_EDITORS))


def _apbdes_or_404(request: HttpRequest, pk: int) -> Apbdes:
    apbdes = Apbdes.objects.filter(pk=pk).select_related("village", "base").first()
    if apbdes is None:
        raise Http404("APBDes tidak ditemukan.")
    apbdes.village = desa_in_scope_or_404(request.user, apbdes.village_id, *FINANCE_READERS)
    return apbdes


EDITORS_ONLY = "Hanya sekretaris, operator, kaur keuangan atau kepala desa yang dapat menyusun APBDes."


def _editor_or_403(user: Any, village_code: str) -> None:
    """A budget write: in scope (checked before) but not a budget editor there is 403."""
    if not scope_for(user).roles_at(village_code) & set(BUDGET_EDITORS):
        raise PermissionDenied(EDITORS_ONLY)


def _editor_apbdes_or_403(request: HttpRequest, pk: int) -> Apbdes:
    apbdes = _apbdes_or_404(request, pk)
    _editor_or_403(request.user, apbdes.village_id)
    return apbdes


def _editor_activity_or_403(request: HttpRequest, pk: int) -> BudgetActivity:
    activity = _activity_or_404(request, pk)
    _editor_or_403(request.user, activity.apbdes.village_id)
    return activity


def _form_errors(request: HttpRequest, form: Any) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


# --- village home -------------------------------------------------------------------------


@login_required
def village(request: HttpRequest, code: str) -> HttpResponse:
    region = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
    today = timezone.localdate()
    years = sel.versions_by_year(region)
    next_year = today.year + 1
    existing = {row["year"] for row in years}
    create_year = (
        next_year if next_year not in existing else (today.year if today.year not in existing else None)
    )
    focus_year = years[0]["year"] if years else next_year
    # The calendar measures the original budget of the year (revision 0).
    original = next(
        (v for row in years if row["year"] == focus_year for v in row["versions"] if v.revision == 0), None
    )
    return render(
        request,
        "finance/apbdes/village.html",
        {
            "village": region,
            "year": focus_year,
            "years": years,
            "deadlines": sel.calendar_state(village=region, year=focus_year, apbdes=original, today=today),
            "create_year": create_year,
            "exec_years": sorted({row["year"] for row in years if row["year"] <= today.year}, reverse=True)[
                :3
            ]
            or [today.year],
            "can_create": bool(scope_for(request.user).roles_at(region.code) & set(BUDGET_EDITORS)),
            "create_form": CreateForm(initial={"year": create_year, "from_rkp": True}),
            "nav_active": NAV,
        },
    )


@login_required
@require_POST
def apbdes_create(request: HttpRequest, code: str) -> HttpResponse:
    region = desa_in_scope_or_404(request.user, code, *FINANCE_READERS)
    _editor_or_403(request.user, region.code)
    form = CreateForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("finance:village", code=region.code)
    created: list[Apbdes] = []

    def call() -> None:
        created.append(
            svc.apbdes_create(
                actor=request.user,
                village=region,
                year=form.cleaned_data["year"],
                from_rkp=form.cleaned_data["from_rkp"],
            )
        )

    if _run(request, call, f"Draf APBDes {form.cleaned_data['year']} dibuat."):
        return redirect("finance:apbdes_detail", pk=created[0].pk)
    return redirect("finance:village", code=region.code)


# --- one APBDes ---------------------------------------------------------------------------

# The life-cycle forms: (act key in the URL, transition acts, form class).
ACTIONS: dict[str, tuple[tuple[str, ...], type]] = {
    "sepakati": (("agree",), AgreeForm),
    "kirim": (("submit",), SubmitForm),
    "evaluasi": (("approve", "return"), EvaluateForm),
    "tetapkan": (("enact",), EnactForm),
    "jabarkan": (("elaborate",), ElaborateForm),
}


def _actions_for(user: Any, apbdes: Apbdes) -> dict[str, Any]:
    """The action forms this user may use now (``may_act`` asked once per possible act)."""
    acts = svc.APBDES_FLOW.acts_from(apbdes.status)
    out: dict[str, Any] = {}
    today = timezone.localdate()
    for key, (transition_acts, form_class) in ACTIONS.items():
        if not any(a in acts for a in transition_acts):
            continue
        if key == "evaluasi" and svc.is_overdue(apbdes, today):
            continue
        decision = may_act(user, svc.ACTS[transition_acts[0]], apbdes.village_id)
        if decision.allowed:
            out[key] = form_class(
                initial=dict.fromkeys(
                    ("agreed_on", "submitted_on", "decided_on", "perdes_date", "date"), today
                )
            )
            out[key + "_basis"] = decision.basis
    if apbdes.status in svc.FINAL_STATES and apbdes.is_current and _has_editor_role(user, apbdes):
        out["perubahan"] = RevisionForm()
    return out


def _has_editor_role(user: Any, apbdes: Apbdes) -> bool:
    return bool(scope_for(user).roles_at(apbdes.village_id) & set(BUDGET_EDITORS))


@login_required
def apbdes_detail(request: HttpRequest, pk: int) -> HttpResponse:
    apbdes = _apbdes_or_404(request, pk)
    today = timezone.localdate()
    detail = sel.apbdes_detail(apbdes)
    can_edit = _can_edit(request.user, apbdes)
    region = apbdes.village
    context: dict[str, Any] = {
        "apbdes": apbdes,
        "village": region,
        "year": apbdes.year,
        "d": detail,
        "t": detail.totals,
        "can_edit": can_edit,
        "actions": _actions_for(request.user, apbdes),
        "overdue": svc.is_overdue(apbdes, today),
        "comparison": sel.revision_comparison(apbdes) if apbdes.base_id else None,
        "versions": Apbdes.objects.filter(village=region, year=apbdes.year).order_by("revision"),
        "nav_active": NAV,
    }
    if can_edit:
        sources = sel.source_choices()
        context["revenue_form"] = RevenueForm(accounts=sel.account_choices(region, "4."), sources=sources)
        context["financing_form"] = FinancingForm(accounts=sel.account_choices(region, "6."), sources=sources)
        context["activity_form"] = ActivityForm(codes=sel.activity_code_choices(region))
    return render(request, "finance/apbdes/detail.html", context)


@login_required
@require_POST
def apbdes_act(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    apbdes = _apbdes_or_404(request, pk)
    back = redirect("finance:apbdes_detail", pk=apbdes.pk)
    user = request.user
    # Whoever may not take this step at all is refused before any form is read (403).
    if act == "perubahan":
        _editor_or_403(user, apbdes.village_id)
        form = RevisionForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return back
        created: list[Apbdes] = []

        def start() -> None:
            created.append(
                svc.apbdes_revision_start(
                    actor=user,
                    apbdes=apbdes,
                    extraordinary=form.cleaned_data["extraordinary"],
                    reason=form.cleaned_data["reason"],
                )
            )

        if _run(request, start, "Draf APBDes Perubahan dibuat dari versi yang berlaku."):
            return redirect("finance:apbdes_detail", pk=created[0].pk)
        return back
    if act not in ACTIONS:
        raise Http404("Tindakan tidak dikenal.")
    decision = may_act(user, svc.ACTS[ACTIONS[act][0][0]], apbdes.village_id)
    if not decision.allowed:
        raise PermissionDenied(decision.reason or "Anda tidak berwenang mengambil tindakan ini.")
    form = ACTIONS[act][1](request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return back
    data = form.cleaned_data
    calls: dict[str, tuple[Callable[[], Any], str]] = {
        "sepakati": (
            lambda: svc.apbdes_agree(
                actor=user, apbdes=apbdes, agreed_on=data["agreed_on"], minutes_number=data["minutes_number"]
            ),
            "Kesepakatan BPD dicatat.",
        ),
        "kirim": (
            lambda: svc.apbdes_submit(actor=user, apbdes=apbdes, submitted_on=data["submitted_on"]),
            "Rancangan APBDes dikirim ke camat untuk dievaluasi.",
        ),
        "evaluasi": (
            lambda: svc.apbdes_evaluate(
                actor=user,
                apbdes=apbdes,
                approve=data.get("decision") == "setuju",
                notes=data.get("notes", ""),
                decided_on=data["decided_on"],
            ),
            "Hasil evaluasi dicatat.",
        ),
        "tetapkan": (
            lambda: svc.apbdes_enact(
                actor=user,
                apbdes=apbdes,
                perdes_number=data["perdes_number"],
                perdes_date=data["perdes_date"],
            ),
            "Perdes APBDes ditetapkan.",
        ),
        "jabarkan": (
            lambda: svc.apbdes_elaborate(actor=user, apbdes=apbdes, number=data["number"], date=data["date"]),
            "Perkades Penjabaran APBDes ditetapkan.",
        ),
    }
    call, success = calls[act]
    _run(request, call, success)
    return back


def _line_form_post(request: HttpRequest, form: Any, call: Callable[[dict[str, Any]], Any], ok: str) -> None:
    if not form.is_valid():
        _form_errors(request, form)
        return
    _run(request, lambda: call(form.cleaned_data), ok)


@login_required
@require_POST
def apbdes_revenue_save(request: HttpRequest, pk: int) -> HttpResponse:
    apbdes = _editor_apbdes_or_403(request, pk)
    form = RevenueForm(
        request.POST, accounts=sel.account_choices(apbdes.village, "4."), sources=sel.source_choices()
    )
    line = RevenueLine.objects.filter(apbdes=apbdes, pk=_int(request.POST.get("line")) or 0).first()
    _line_form_post(
        request,
        form,
        lambda d: svc.revenue_line_save(actor=request.user, apbdes=apbdes, line=line, **d),
        "Pendapatan disimpan.",
    )
    return redirect(reverse("finance:apbdes_detail", args=[apbdes.pk]) + "#pendapatan")


@login_required
@require_POST
def apbdes_revenue_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    apbdes = _editor_apbdes_or_403(request, pk)
    line = get_object_or_404(RevenueLine, apbdes=apbdes, pk=line_pk)
    _run(request, lambda: svc.revenue_line_delete(actor=request.user, line=line), "Pendapatan dihapus.")
    return redirect(reverse("finance:apbdes_detail", args=[apbdes.pk]) + "#pendapatan")


@login_required
@require_POST
def apbdes_financing_save(request: HttpRequest, pk: int) -> HttpResponse:
    apbdes = _editor_apbdes_or_403(request, pk)
    form = FinancingForm(
        request.POST, accounts=sel.account_choices(apbdes.village, "6."), sources=sel.source_choices()
    )
    line = FinancingLine.objects.filter(apbdes=apbdes, pk=_int(request.POST.get("line")) or 0).first()
    _line_form_post(
        request,
        form,
        lambda d: svc.financing_line_save(actor=request.user, apbdes=apbdes, line=line, **d),
        "Pembiayaan disimpan.",
    )
    return redirect(reverse("finance:apbdes_detail", args=[apbdes.pk]) + "#pembiayaan")


@login_required
@require_POST
def apbdes_financing_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    apbdes = _editor_apbdes_or_403(request, pk)
    line = get_object_or_404(FinancingLine, apbdes=apbdes, pk=line_pk)
    _run(request, lambda: svc.financing_line_delete(actor=request.user, line=line), "Pembiayaan dihapus.")
    return redirect(reverse("finance:apbdes_detail", args=[apbdes.pk]) + "#pembiayaan")


@login_required
@require_POST
def apbdes_activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    apbdes = _editor_apbdes_or_403(request, pk)
    form = ActivityForm(request.POST, codes=sel.activity_code_choices(apbdes.village))
    created: list[BudgetActivity] = []
    _line_form_post(
        request,
        form,
        lambda d: created.append(svc.activity_save(actor=request.user, apbdes=apbdes, **_clean_activity(d))),
        "Kegiatan ditambahkan.",
    )
    if created:
        return redirect("finance:apbdes_activity", pk=created[0].pk)
    return redirect(reverse("finance:apbdes_detail", args=[apbdes.pk]) + "#belanja")


def _clean_activity(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "output_volume": data.get("output_volume") or 0}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _activity_or_404(request: HttpRequest, pk: int) -> BudgetActivity:
    activity = BudgetActivity.objects.filter(pk=pk).select_related("apbdes", "activity_code").first()
    if activity is None:
        raise Http404("Kegiatan tidak ditemukan.")
    activity.apbdes = _apbdes_or_404(request, activity.apbdes_id)
    return activity


@login_required
def apbdes_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """A kegiatan with its RAB lines and the line form (SSH picker, live totals)."""
    activity = _activity_or_404(request, pk)
    apbdes = activity.apbdes
    region: Region = apbdes.village
    can_edit = _can_edit(request.user, apbdes)
    accounts = sel.account_choices(region, "5.")
    sources = sel.source_choices()
    editing = None
    if request.method == "POST":
        _editor_or_403(request.user, apbdes.village_id)
        form = LineForm(request.POST, accounts=accounts, sources=sources)
        line = BudgetLine.objects.filter(activity=activity, pk=_int(request.POST.get("line")) or 0).first()
        if form.is_valid():
            data = form.cleaned_data
            ok = _run(
                request,
                lambda: svc.budget_line_save(
                    actor=request.user,
                    activity=activity,
                    line=line,
                    account_code=data["account_code"],
                    source_code=data["source_code"],
                    description=data["description"],
                    volume=data["volume"],
                    unit=data["unit"],
                    unit_price=data["unit_price"],
                    unit_price_id=data["unit_price_id"],
                ),
                "Rincian disimpan.",
            )
            if ok:
                return redirect(reverse("finance:apbdes_activity", args=[activity.pk]) + "#rincian")
        else:
            _form_errors(request, form)
        editing = line
    else:
        editing = BudgetLine.objects.filter(activity=activity, pk=_int(request.GET.get("ubah")) or 0).first()
        initial: dict[str, Any] = {"volume": 1}
        if editing is not None:
            initial = {
                "account_code": editing.account.code,
                "source_code": editing.source_id,
                "description": editing.description,
                "volume": editing.volume,
                "unit": editing.unit,
                "unit_price": editing.unit_price,
                "unit_price_id": editing.unit_price_ref_id,
            }
        form = LineForm(initial=initial, accounts=accounts, sources=sources)
    detail_totals = budget_totals(budget_snapshot(apbdes))
    lines = list(activity.lines.select_related("account", "unit_price_ref", "source"))
    return render(
        request,
        "finance/apbdes/activity.html",
        {
            "apbdes": apbdes,
            "activity": activity,
            "village": region,
            "lines": lines,
            "activity_total": detail_totals.spending_by_activity.get(activity.pk, 0),
            "t": detail_totals,
            "can_edit": can_edit,
            "form": form,
            "editing": editing,
            "activity_form": ActivityForm(
                codes=sel.activity_code_choices(region),
                initial={
                    "activity_code": activity.activity_code.code,
                    "name": activity.name,
                    "location": activity.location,
                    "executor_name": activity.executor_name,
                    "output_volume": activity.output_volume,
                    "output_unit": activity.output_unit,
                    "start_month": activity.start_month,
                    "end_month": activity.end_month,
                },
            )
            if can_edit
            else None,
            "ssh_url": _ssh_url(),
            "nav_active": NAV,
        },
    )


def _ssh_url() -> str:
    """The SSH search endpoint (helper A's ``finance:ssh_search``)."""
    try:
        return reverse("finance:ssh_search")
    except NoReverseMatch:
        return "/keuangan/ssh/cari/"


@login_required
@require_POST
def apbdes_activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editor_activity_or_403(request, pk)
    form = ActivityForm(request.POST, codes=sel.activity_code_choices(activity.apbdes.village))
    _line_form_post(
        request,
        form,
        lambda d: svc.activity_save(
            actor=request.user, apbdes=activity.apbdes, activity=activity, **_clean_activity(d)
        ),
        "Kegiatan disimpan.",
    )
    return redirect("finance:apbdes_activity", pk=activity.pk)


@login_required
@require_POST
def apbdes_activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editor_activity_or_403(request, pk)
    apbdes_pk = activity.apbdes_id
    if _run(request, lambda: svc.activity_delete(actor=request.user, activity=activity), "Kegiatan dihapus."):
        return redirect(reverse("finance:apbdes_detail", args=[apbdes_pk]) + "#belanja")
    return redirect("finance:apbdes_activity", pk=activity.pk)


@login_required
@require_POST
def apbdes_line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = BudgetLine.objects.filter(pk=pk).select_related("activity").first()
    if line is None:
        raise Http404("Rincian tidak ditemukan.")
    activity = _editor_activity_or_403(request, line.activity_id)
    line.activity = activity
    _run(request, lambda: svc.budget_line_delete(actor=request.user, line=line), "Rincian dihapus.")
    return redirect(reverse("finance:apbdes_activity", args=[activity.pk]) + "#rincian")


# --- evaluation queue ---------------------------------------------------------------------


@login_required
def evaluation_queue(request: HttpRequest) -> HttpResponse:
    """Submitted drafts of the villages in the user's district or regency, oldest due first."""
    scope = scope_for(request.user)
    if not scope.roles & set(EVALUATORS):
        raise Http404("Halaman ini untuk kecamatan dan kabupaten.")
    today = timezone.localdate()
    page = Paginator(sel.evaluation_queue(request.user, today=today, roles=EVALUATORS), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "finance/apbdes/evaluation_queue.html",
        {
            "page_obj": page,
            "rows": sel.queue_rows(list(page.object_list), today),
            "today": today,
            "status_submitted": ApbdesStatus.SUBMITTED,
            "nav_active": NAV,
        },
    )
