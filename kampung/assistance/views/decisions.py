"""Decision pages: the village's decisions of a programme year with the quota and money
left and the form to draft one from the Musdes-prioritised cases; a decision's page (issue
or route up, withdraw a draft) and its PDF.

Thin views over :mod:`kampung.assistance.services.decisions`; another village's decision is
"not found"; a refusal is shown on the page with a 400.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kampung.assistance.access import DECISION_DRAFTERS, READERS, may, programme_or_404, village_or_404
from kampung.assistance.models import Decision, DecisionStatus
from kampung.assistance.selectors import execution as sel
from kampung.assistance.services import decisions as svc
from kampung.core.errors import KampungError
from kampung.core.pdf import PDF_CONTENT_TYPE, pdf_filename
from kampung.core.uploads import file_response

MIN_YEAR, MAX_YEAR = 2000, 2100
PER_PAGE = 25


class DraftForm(forms.Form):
    title = forms.CharField(label="Judul keputusan", max_length=300, required=False)
    considerations = forms.CharField(
        label="Menimbang (kosongkan untuk teks baku)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label="Alasan pembatalan", min_length=5, max_length=500)


def _decision_or_404(request: HttpRequest, pk: int) -> Decision:
    decision = (
        Decision.objects.select_related("programme", "village", "document", "matter", "matter__holder_region")
        .filter(pk=pk)
        .first()
    )
    # Readers of the village only: a resident's grant covers the village too (their own
    # household's case is on the portal, never the list of beneficiaries).
    if decision is None or not may(request.user, decision.village_id, *READERS):
        raise Http404("Keputusan tidak ditemukan.")
    return decision


def _list_context(request: HttpRequest, village: Any, programme: Any, year: int) -> dict[str, Any]:
    page = Paginator(sel.decision_list(village=village, programme=programme, year=year), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return {
        "village": village,
        "programme": programme,
        "year": year,
        "page": page,
        "limits": sel.limits(village=village, programme=programme, year=year),
        "prioritised": list(sel.prioritised_cases(village=village, programme=programme, year=year)[:200]),
        "can_draft": may(request.user, village.code, *DECISION_DRAFTERS),
        "nav_active": "assistance",
    }


@login_required
def decision_list(request: HttpRequest, code: str, programme: str, year: int) -> HttpResponse:
    """GET: decisions and figures; POST (drafters): draft a decision from the ticked cases."""
    village = village_or_404(request.user, code)
    prog = programme_or_404(programme)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Tahun tidak dikenal.")
    form = DraftForm(request.POST or None)
    status = 200
    if request.method == "POST":
        village_or_404(request.user, code, *DECISION_DRAFTERS)
        if form.is_valid():
            picked = request.POST.getlist("case")
            try:
                ids = [int(i) for i in picked] if picked else None
                decision = svc.decision_draft(
                    actor=request.user,
                    programme=prog,
                    year=year,
                    village=village,
                    case_ids=ids,
                    title=form.cleaned_data["title"],
                    considerations=form.cleaned_data["considerations"],
                )
            except ValueError:
                form.add_error(None, "Pilihan kasus tidak sah.")
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"Rancangan keputusan dibuat dengan {decision.beneficiary_count} penerima."
                )
                return redirect(reverse("assistance:decision", args=[decision.pk]))
        status = 400
    context = _list_context(request, village, prog, year)
    context["form"] = form
    return render(request, "assistance/decisions/list.html", context, status=status)


def _detail_context(request: HttpRequest, decision: Decision) -> dict[str, Any]:
    waiting = svc.waiting_matter(decision) if decision.status == DecisionStatus.ROUTED else None
    holder = ""
    if waiting is not None:
        from kampung.authority.services import office_title

        holder = office_title(waiting.holder_role, waiting.holder_region)
    return {
        "holder": holder,
        "decision": decision,
        "village": decision.village,
        "programme": decision.programme,
        "year": decision.year,
        "cases": list(sel.decision_cases(decision)),
        "matter": waiting,
        "can_act": decision.status == DecisionStatus.DRAFT
        and may(request.user, decision.village_id, *DECISION_DRAFTERS),
        "cancel_form": CancelForm(),
        "nav_active": "assistance",
    }


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_or_404(request, pk)
    return render(request, "assistance/decisions/detail.html", _detail_context(request, decision))


@login_required
@require_POST
def decision_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the draft (the holder of the power) or route it up (anyone else of the drafters)."""
    decision = _decision_or_404(request, pk)
    village_or_404(request.user, decision.village_id, *DECISION_DRAFTERS)
    try:
        issued = svc.decision_issue(actor=request.user, decision=decision)
    except KampungError as exc:
        messages.error(request, exc.message)
        decision.refresh_from_db()
        return render(
            request, "assistance/decisions/detail.html", _detail_context(request, decision), status=400
        )
    if issued.status == DecisionStatus.ISSUED and issued.document is not None:
        messages.success(request, f"Keputusan ditetapkan dengan Nomor {issued.document.number}.")
    else:
        messages.success(request, "Keputusan diteruskan kepada pemegang kewenangan untuk ditetapkan.")
    return redirect(reverse("assistance:decision", args=[decision.pk]))


@login_required
@require_POST
def decision_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_or_404(request, pk)
    village_or_404(request.user, decision.village_id, *DECISION_DRAFTERS)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            svc.decision_cancel(actor=request.user, decision=decision, reason=form.cleaned_data["reason"])
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Rancangan keputusan dibatalkan; penerimanya kembali ke daftar prioritas."
            )
            return redirect(
                reverse(
                    "assistance:decisions", args=[decision.village_id, decision.programme.code, decision.year]
                )
            )
    decision.refresh_from_db()
    context = _detail_context(request, decision)
    context["cancel_form"] = form
    return render(request, "assistance/decisions/detail.html", context, status=400)


@login_required
def decision_pdf(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The issued Keputusan's PDF (rendered again if rendering after issuing failed)."""
    from kampung.assistance.services.basis import decision_pdf_ensure

    decision = _decision_or_404(request, pk)
    if decision.status != DecisionStatus.ISSUED or decision.document is None:
        raise Http404("Keputusan belum ditetapkan.")
    document = decision_pdf_ensure(decision)
    name = pdf_filename("keputusan", decision.programme.code, decision.village.name, str(decision.year))
    return file_response(document.file, content_type=PDF_CONTENT_TYPE, filename=name)
