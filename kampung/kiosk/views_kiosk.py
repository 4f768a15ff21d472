"""The touch kiosk (``/anjungan/<code>/``): its home screen, the letter request by NIK + PIN,
status by tracking code, document verification, and the reset that forgets everything.

Every page is ``no-store``: a kiosk page may hold a resident's request and must never come
back from a cache or the browser's history. The resident is never logged in (see
:mod:`kampung.kiosk.services_kiosk`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kampung.core.errors import KampungError
from kampung.documents import selectors as document_selectors
from kampung.documents.views import document_facts
from kampung.kiosk import services_kiosk as svc
from kampung.kiosk.forms_kiosk import IdentifyForm, TrackingForm, VerifyForm, form_values
from kampung.kiosk.site import regency_of, served_regency_codes, served_region_or_404, site_context
from kampung.letters.forms_requests import RequestForm
from kampung.letters.selectors_requests import family_lookup
from kampung.population.models import Resident
from kampung.regions.models import Level, Region

VILLAGES_PER_PAGE = 24
GET_POST = require_http_methods(["GET", "HEAD", "POST"])
GET_ONLY = require_http_methods(["GET", "HEAD"])


def _page(
    request: HttpRequest, template: str, region: Region, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(request, f"kiosk/kiosk/{template}", {**site_context(region), **extra}, status=status)


def _queue_url(region: Region) -> str:
    """The queue-ticket page of a village (the queue part's); empty while it is not there."""
    try:
        return reverse("queue:take", kwargs={"code": region.code})
    except NoReverseMatch:
        return ""


def _village(code: str) -> Region:
    return served_region_or_404(code, Level.VILLAGE)


def _kiosk_region(code: str) -> Region:
    return served_region_or_404(code, Level.REGENCY, Level.VILLAGE)


# --- home and reset -------------------------------------------------------------------------


@never_cache
@GET_ONLY
def root(request: HttpRequest) -> HttpResponse:
    """``/anjungan/``: the served regency's kiosk (a chooser if this installation runs more)."""
    codes = served_regency_codes()
    if len(codes) == 1:
        return redirect("kiosk:home", code=codes[0])
    regencies = list(Region.objects.filter(code__in=codes).order_by("name"))
    return render(request, "kiosk/kiosk/root.html", {"regencies": regencies, "idle_seconds": 0})


@never_cache
@GET_ONLY
def home(request: HttpRequest, code: str) -> HttpResponse:
    region = _kiosk_region(code)
    if region.level == Level.VILLAGE:
        return _page(request, "home.html", region, queue_url=_queue_url(region))
    # The regency's kiosk: pick a district, then a village (no typing).
    district = svc.district_of_regency(region, request.GET.get("kecamatan", ""))
    context: dict[str, Any] = {"district": district}
    if district is None:
        context["districts"] = svc.region_children(region, Level.DISTRICT)
    else:
        villages = svc.region_children(district, Level.VILLAGE)
        context["page_obj"] = Paginator(villages, VILLAGES_PER_PAGE).get_page(request.GET.get("hal"))
    return _page(request, "home_regency.html", region, **context)


@never_cache
@GET_POST
def reset(request: HttpRequest, code: str) -> HttpResponse:
    """ "Selesai" and the idle reset: forget whatever this screen's session holds."""
    region = _kiosk_region(code)
    if request.method == "POST":
        svc.visit_forget(request.session)
    return redirect("kiosk:home", code=region.code)


# --- the letter request ------------------------------------------------------------------------


def _resident_or_restart(request: HttpRequest, village: Region) -> Resident | HttpResponse:
    resident = svc.visit_resident(request.session, village)
    if resident is None:
        messages.error(request, svc.STALE)
        return redirect("kiosk:request_start", code=village.code)
    return resident


@sensitive_post_parameters("pin")
@never_cache
@GET_POST
def request_start(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(code)
    form = IdentifyForm(request.POST or None)
    refusal: svc.Refusal | None = None
    if request.method == "POST" and form.is_valid():
        try:
            resident = svc.resident_identify(
                request, village=village, nik=form.cleaned_data["nik"], pin=form.cleaned_data["pin"]
            )
        except svc.Refusal as exc:
            refusal = exc
        else:
            request.session.cycle_key()
            svc.visit_start(request.session, village=village, resident=resident)
            return redirect("kiosk:request_type", code=village.code)
    if refusal is not None and refusal.kind == "dikunci":
        return _page(request, "locked.html", village, status=429, cooloff_minutes=refusal.cooloff_minutes)
    if refusal is not None:
        form = IdentifyForm(initial={"nik": form.cleaned_data.get("nik", "")})
    return _page(
        request,
        "request_start.html",
        village,
        status=400 if request.method == "POST" else 200,
        form=form,
        refusal=refusal,
        queue_url=_queue_url(village),
    )


@never_cache
@GET_ONLY
def request_type(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(code)
    resident = _resident_or_restart(request, village)
    if isinstance(resident, HttpResponse):
        return resident
    return _page(
        request, "request_type.html", village, resident=resident, rows=svc.self_service_types(village)
    )


def _type_or_back(request: HttpRequest, village: Region, slug: str) -> svc.TypeRow | HttpResponse:
    row = svc.self_service_type(village, slug)
    if row is None:
        messages.error(
            request,
            "Surat itu tidak dapat diajukan di anjungan ini. Pilih jenis surat di bawah, atau ambil "
            "nomor antrian untuk dilayani di loket.",
        )
        return redirect("kiosk:request_type", code=village.code)
    return row


def _request_step(
    request: HttpRequest, code: str, slug: str
) -> tuple[Region, Resident, svc.TypeRow] | HttpResponse:
    """The village, the resident still at the screen and the chosen type; else where to go."""
    village = _village(code)
    resident = _resident_or_restart(request, village)
    if isinstance(resident, HttpResponse):
        return resident
    row = _type_or_back(request, village, slug)
    if isinstance(row, HttpResponse):
        return row
    return village, resident, row


def _check_form(form: RequestForm, resident: Resident, village: Region) -> Any:
    """The request's input if the form is complete; else the form carries the error."""
    if not form.is_valid():
        return None
    try:
        return form.to_input(requester=resident, village=village, lookup=family_lookup(resident))
    except KampungError as exc:
        form.add_error(None, exc.message)
        return None


@never_cache
@GET_POST
def request_form(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    step = _request_step(request, code, slug)
    if isinstance(step, HttpResponse):
        return step
    village, resident, row = step
    draft = svc.draft_get(request.session, slug=slug)
    if request.method == "POST":
        form = RequestForm(request.POST, letter_type=row.letter_type, counter=False, kiosk=True)
        if _check_form(form, resident, village) is not None:
            svc.draft_save(request.session, slug=slug, data=form_values(form))
            return redirect("kiosk:request_confirm", code=village.code, slug=slug)
    else:
        # "Ubah" from the confirmation brings the typed data back.
        initial = draft["data"] if draft else None
        form = RequestForm(initial=initial, letter_type=row.letter_type, counter=False, kiosk=True)
    return _page(
        request,
        "request_form.html",
        village,
        status=400 if request.method == "POST" else 200,
        form=form,
        row=row,
        resident=resident,
        outsiders_open=_outsiders_typed(form),
    )


def _outsiders_typed(form: RequestForm) -> set[str]:
    """The people typed in full (from outside the village): their part of the form opens."""
    values = form.data if form.is_bound else form.initial
    return {
        p["key"]
        for p in form.people
        if any(str(values.get(n) or "").strip() for n in p["names"] if not n.endswith("__nik_register"))
    }


def _summary(form: RequestForm, data: Any) -> list[tuple[str, str]]:
    """What the confirmation shows: each filled-in field's label and value (a family member
    named by NIK is shown by name)."""
    lines = [
        (
            form.letter_type.subject_label,
            data.subject.resident.name if data.subject and data.subject.resident else data.requester.name,
        )
    ]
    for name, field in form.fields.items():
        if name.endswith("__nik_register"):
            continue
        value = str(form.cleaned_data.get(name) or "").strip()
        if value:
            lines.append((str(field.label), value))
    return lines


@never_cache
@GET_POST
def request_confirm(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    step = _request_step(request, code, slug)
    if isinstance(step, HttpResponse):
        return step
    village, resident, row = step
    draft = svc.draft_get(request.session, slug=slug)
    if draft is None:
        return redirect("kiosk:request_form", code=village.code, slug=slug)
    form = RequestForm(draft["data"], letter_type=row.letter_type, counter=False, kiosk=True)
    data = _check_form(form, resident, village)
    if data is None:
        return redirect("kiosk:request_form", code=village.code, slug=slug)
    if request.method == "POST":
        try:
            created, _new = svc.kiosk_request_submit(village=village, data=data, drafted_at=draft["at"])
        except KampungError as exc:
            messages.error(request, exc.message)
            return redirect("kiosk:request_form", code=village.code, slug=slug)
        svc.visit_finish(request.session, village=village, request=created)
        return redirect("kiosk:request_done", code=village.code, tracking=created.code)
    return _page(
        request, "request_confirm.html", village, row=row, resident=resident, summary=_summary(form, data)
    )


@never_cache
@GET_ONLY
def request_done(request: HttpRequest, code: str, tracking: str) -> HttpResponse:
    """The tracking code and the slip: only on the screen that made the request, right after."""
    village = _village(code)
    done = svc.visit_done_code(request.session, village)
    created = None
    if done and done == str(tracking or "")[:20].upper():
        created = svc.request_for_slip(village=village, code=done)
    if created is None:
        messages.error(
            request,
            "Slip permohonan hanya tampil sekali, tepat setelah permohonan dibuat. Cek status dengan kode di slip.",
        )
        return redirect("kiosk:status", code=village.code)
    return _page(
        request,
        "request_done.html",
        village,
        obj=created,
        requirements=list(created.letter_type.requirements.all()),
        printed_at=timezone.now(),
        status_url=str(settings.PUBLIC_BASE_URL).rstrip("/")
        + reverse("kiosk:status", kwargs={"code": village.code}),
    )


# --- status and verification (anyone at the screen) ---------------------------------------------


@never_cache
@GET_ONLY
def status(request: HttpRequest, code: str) -> HttpResponse:
    region = _kiosk_region(code)
    form = TrackingForm(request.GET if "kode" in request.GET else None)
    found = None
    checked = False
    if form.is_bound and form.is_valid():
        checked = True
        found = svc.request_status_public(code=form.cleaned_data["kode"], regency=regency_of(region))
    code_status = 404 if checked and found is None else 400 if form.is_bound and not form.is_valid() else 200
    return _page(request, "status.html", region, status=code_status, form=form, found=found, checked=checked)


@never_cache
@GET_ONLY
def verify(request: HttpRequest, code: str) -> HttpResponse:
    region = _kiosk_region(code)
    form = VerifyForm(request.GET if "kode" in request.GET else None)
    doc = None
    checked = False
    if form.is_bound and form.is_valid():
        checked = True
        document = document_selectors.document_by_code(form.cleaned_data["kode"])
        doc = document_facts(document) if document is not None else None
    code_status = 404 if checked and doc is None else 400 if form.is_bound and not form.is_valid() else 200
    return _page(request, "verify.html", region, status=code_status, form=form, doc=doc, checked=checked)
