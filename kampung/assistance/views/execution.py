"""Execution pages of a decided case: draft its SPP, report progress (0/50/100 % with photos
from the phone's camera), record the handover and print its berita acara.

Thin views over :mod:`kampung.assistance.services.payments` and ``.progress``; another
village's case is "not found", a role that may not act gets "not found" too (as finance);
a refusal is shown on the form with a 400.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kampung.assistance.access import HANDOVER_RECORDERS, PROGRESS_REPORTERS, case_or_404
from kampung.assistance.models import Case, Handover
from kampung.assistance.selectors import execution as sel
from kampung.assistance.services import payments as pay_svc
from kampung.assistance.services import progress as progress_svc
from kampung.core.errors import KampungError
from kampung.core.pdf import PDF_CONTENT_TYPE, pdf_filename


class DateInput(forms.DateInput):
    input_type = "date"


class SppForm(forms.Form):
    date = forms.DateField(label="Tanggal SPP", widget=DateInput)


class ProgressForm(forms.Form):
    percent = forms.TypedChoiceField(
        label="Kemajuan", coerce=int, choices=[(0, "0%"), (50, "50%"), (100, "100%")]
    )
    reported_on = forms.DateField(label="Tanggal", widget=DateInput)
    note = forms.CharField(label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    location_source = forms.CharField(required=False, widget=forms.HiddenInput)


class HandoverForm(forms.Form):
    number = forms.CharField(label="Nomor berita acara", max_length=80)
    held_on = forms.DateField(label="Tanggal serah terima", widget=DateInput)
    place = forms.CharField(label="Tempat", max_length=160)
    handed_by = forms.CharField(label="Yang menyerahkan", max_length=150)
    received_by = forms.CharField(label="Yang menerima", max_length=150)
    witnesses = forms.CharField(
        label="Saksi-saksi (satu nama per baris)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(label="Catatan", required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _case_url(case: Case) -> str:
    return reverse("assistance:case", args=[case.pk])


def _context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    return {
        "case": case,
        "village": case.village,
        "programme": case.programme,
        "year": case.year,
        "execution": sel.case_panel(actor=request.user, case=case),
        "nav_active": "assistance",
        **extra,
    }


@login_required
def case_spp(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft the SPP LS paying the case's aid (the secretary or the executor); the SPP then
    goes through finance's pages (verify, approve, pay)."""
    from kampung.finance.access import SPP_DRAFTERS

    case = case_or_404(request.user, pk, *SPP_DRAFTERS)
    form = SppForm(request.POST or None, initial={"date": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                spp = pay_svc.case_spp_create(actor=request.user, case=case, date=form.cleaned_data["date"])
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"SPP {spp.number} dibuat. Unggah berita acara penerimaan lalu ajukan ke sekretaris desa.",
                )
                return redirect(reverse("finance:spp_detail", args=[spp.pk]))
        status = 400
    return render(request, "assistance/execution/spp.html", _context(request, case, form=form), status=status)


@login_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Report 0/50/100 % with photos taken by the phone's camera (location from the photos'
    EXIF, or the browser's when served over HTTPS)."""
    case = case_or_404(request.user, pk, *PROGRESS_REPORTERS)
    next_step = progress_svc.next_percent(case)
    form = ProgressForm(
        request.POST or None,
        initial={"percent": next_step if next_step is not None else 100, "reported_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        uploads = request.FILES.getlist("photos")
        if form.is_valid():
            data = form.cleaned_data
            photos = [
                progress_svc.ProgressPhoto(
                    upload=u,
                    latitude=data["latitude"] or None,
                    longitude=data["longitude"] or None,
                    location_source=(data["location_source"] or "peramban") if data["latitude"] else "",
                )
                for u in uploads
            ]
            try:
                progress_svc.progress_report(
                    actor=request.user,
                    case=case,
                    percent=data["percent"],
                    reported_on=data["reported_on"],
                    note=data["note"],
                    photos=photos,
                )
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Kemajuan {data['percent']}% dicatat.")
                return redirect(_case_url(case))
        status = 400
    return render(
        request,
        "assistance/execution/progress.html",
        _context(request, case, form=form, next_percent=next_step, secure=request.is_secure()),
        status=status,
    )


@login_required
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the berita acara serah terima (the secretary or the head)."""
    case = case_or_404(request.user, pk, *HANDOVER_RECORDERS)
    existing = Handover.objects.filter(case=case).first()
    form = HandoverForm(
        request.POST or None,
        initial={
            "held_on": timezone.localdate(),
            "received_by": case.name,
            "place": f"Desa {case.village.name}",
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                progress_svc.handover_record(actor=request.user, case=case, **form.cleaned_data)
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Serah terima dicatat; kasus selesai.")
                return redirect(_case_url(case))
        status = 400
    return render(
        request,
        "assistance/execution/handover.html",
        _context(request, case, form=form, existing=existing),
        status=status,
    )


@login_required
def handover_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from kampung.assistance.outputs.handover import handover_pdf as render_handover

    case = case_or_404(request.user, pk)
    record = (
        Handover.objects.select_related("case__village", "case__programme", "case__decision__document")
        .filter(case=case)
        .first()
    )
    if record is None:
        raise Http404("Serah terima belum dicatat.")
    response = HttpResponse(render_handover(record), content_type=PDF_CONTENT_TYPE)
    name = pdf_filename("berita-acara-serah-terima", case.number)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
