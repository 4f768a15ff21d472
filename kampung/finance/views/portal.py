"""The resident's own proposals under /warga/usulan/: list with the Musdes outcome, a new
proposal for the resident's own village, and one proposal's page. Logged in through the
resident portal (NIK + PIN, ``kampung.population``); another resident's proposal is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from kampung.core.errors import KampungError
from kampung.finance.forms.planning import ProposalForm
from kampung.finance.models import ProposalChannel
from kampung.finance.selectors import planning as sel
from kampung.finance.services import planning as svc
from kampung.population.views_portal import LOGIN_URL, _account_or_out

PAGE_SIZE = 20
NAV = "portal"


@never_cache
@login_required(login_url=LOGIN_URL)
def portal_list(request: HttpRequest) -> HttpResponse:
    account = _account_or_out(request)
    if isinstance(account, HttpResponse):
        return account
    resident = account.resident
    page = Paginator(sel.proposals_of_resident(resident), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/portal/list.html",
        {
            "resident": resident,
            "village": resident.village,
            "can_propose": resident.village.keeps_apbdes,
            "page_obj": page,
            "querystring_base": "",
            "nav_active": NAV,
        },
    )


@never_cache
@login_required(login_url=LOGIN_URL)
def portal_new(request: HttpRequest) -> HttpResponse:
    account = _account_or_out(request)
    if isinstance(account, HttpResponse):
        return account
    resident = account.resident
    village = resident.village
    if not village.keeps_apbdes:
        messages.error(request, "Usulan kegiatan desa tidak tersedia untuk kelurahan.")
        return redirect("finance_portal:list")
    form = ProposalForm(request.POST or None, village=village)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = svc.proposal_submit(
                resident=resident, channel=ProposalChannel.ONLINE, data=form.to_input(), actor=request.user
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, "Usulan Anda terkirim. Hasilnya akan tampil di sini setelah dibahas dalam Musdes."
            )
            return redirect("finance_portal:detail", pk=proposal.pk)
    return render(request, "finance/portal/form.html", {"form": form, "village": village, "nav_active": NAV})


@never_cache
@login_required(login_url=LOGIN_URL)
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account_or_out(request)
    if isinstance(account, HttpResponse):
        return account
    proposal = sel.proposal_for_resident(account.resident, pk)
    return render(request, "finance/portal/detail.html", {"proposal": proposal, "nav_active": NAV})
