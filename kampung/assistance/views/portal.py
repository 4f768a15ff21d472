"""A resident's own assistance applications (/warga/bantuan/): the open programmes they may
apply for, their family's cases with the stage and the reason of a refusal, and the
application form. A resident sees their own family's cases only; anything else is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from kampung.assistance.forms.cases import ApplyForm, CancelForm
from kampung.assistance.models import OPEN_STATUSES, Case, CaseStatus, Channel, Programme
from kampung.assistance.services.cases import case_cancel, case_register
from kampung.core.errors import KampungError
from kampung.population.models import Resident
from kampung.regions.calendar import local_today, regency_of

PORTAL_LOGIN = "portal:login"
NAV = "assistance_portal"


def _resident(request: HttpRequest) -> Resident:
    from kampung.population.portal import portal_account

    account = portal_account(request.user)
    if account is None:
        raise Http404("Halaman warga hanya untuk akun warga.")
    return account.resident


def _open_programmes(resident: Resident) -> list[Programme]:
    return list(
        Programme.objects.filter(active=True, regency_id=regency_of(resident.village)).order_by("name")
    )


@never_cache
@login_required(login_url=PORTAL_LOGIN)
def portal_list(request: HttpRequest) -> HttpResponse:
    resident = _resident(request)
    year = local_today(resident.village).year
    cases = (
        list(
            Case.objects.filter(family_id=resident.family_id)
            .select_related("programme", "village")
            .order_by("-year", "-registered_on", "-pk")[:50]
        )
        if resident.family_id
        else []
    )
    open_now = {c.programme_id for c in cases if c.year == year and c.status in OPEN_STATUSES}
    offers = [p for p in _open_programmes(resident) if p.pk not in open_now] if resident.family_id else []
    return render(
        request,
        "assistance/portal/list.html",
        {"resident": resident, "cases": cases, "offers": offers, "year": year, "nav_active": NAV},
    )


@never_cache
@login_required(login_url=PORTAL_LOGIN)
def portal_apply(request: HttpRequest, programme: str) -> HttpResponse:
    resident = _resident(request)
    prog = Programme.objects.filter(
        code=programme, active=True, regency_id=regency_of(resident.village)
    ).first()
    if prog is None or resident.family is None:
        raise Http404("Program tidak ditemukan.")
    year = local_today(resident.village).year
    form = ApplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case = case_register(
                    actor=request.user,
                    programme=prog,
                    year=year,
                    family=resident.family,
                    channel=Channel.ONLINE,
                    reason=form.cleaned_data["reason"],
                )
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"Permohonan Anda terdaftar dengan nomor {case.number}. Petugas desa akan datang untuk survei.",
                )
                return redirect("assistance_portal:case", pk=case.pk)
        status = 400
    return render(
        request,
        "assistance/portal/apply.html",
        {"resident": resident, "programme": prog, "year": year, "form": form, "nav_active": NAV},
        status=status,
    )


@never_cache
@login_required(login_url=PORTAL_LOGIN)
def portal_case(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident(request)
    case = (
        Case.objects.select_related("programme", "village")
        .filter(pk=pk, family_id=resident.family_id)
        .first()
        if resident.family_id
        else None
    )
    if case is None:
        raise Http404("Permohonan tidak ditemukan.")
    can_cancel = case.status == CaseStatus.REGISTERED
    if request.method == "POST" and can_cancel:
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                case_cancel(actor=request.user, case=case, reason=form.cleaned_data["reason"])
            except KampungError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Permohonan Anda dibatalkan.")
            return redirect("assistance_portal:case", pk=case.pk)
        messages.error(request, "Tuliskan alasan pembatalan.")
    labels = dict(CaseStatus.choices)
    # What the household reads: the stage moves and when, never staff names or notes.
    steps = [
        {"at": e.at, "stage": labels.get(e.target, e.target)}
        for e in case.events.exclude(target="").order_by("at", "pk")
        if e.target != e.source
    ]
    return render(
        request,
        "assistance/portal/case.html",
        {
            "case": case,
            "steps": steps,
            "can_cancel": can_cancel,
            "cancel_form": CancelForm(),
            "nav_active": NAV,
        },
    )
