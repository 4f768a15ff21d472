"""Pages of letter requests: the counter, the work queues, a request's page and its actions
(/surat/permohonan/), and the resident's own requests (/surat/warga/)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kampung.accounts.scope import scope_for
from kampung.core.errors import KampungError
from kampung.core.uploads import EXTENSIONS, PDF, file_response
from kampung.letters import selectors_requests as sel
from kampung.letters import services_requests as svc
from kampung.letters.forms_requests import CancelForm, RejectForm, RequestForm
from kampung.letters.models import LetterType
from kampung.letters.models_requests import Channel, LetterRequest, RequestStatus
from kampung.letters.selectors import letter_types_offered
from kampung.population.checks import mask_nik
from kampung.population.models import Resident

PAGE_SIZE = 25
NAV = "letters_requests"
PORTAL_LOGIN = "portal:login"


def _staff_or_404(request: HttpRequest) -> None:
    if not sel.is_request_staff(request.user):
        raise Http404("Halaman tidak ditemukan.")


# --- queues -------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _staff_or_404(request)
    key = request.GET.get("antrian", "")
    if key not in sel.QUEUES:
        key = "semua"
    filters = {
        "antrian": key,
        "desa": request.GET.get("desa", "")[:20],
        "jenis": request.GET.get("jenis", "")[:80],
        "q": request.GET.get("q", "")[:100],
        "terlambat": "1" if request.GET.get("terlambat") == "1" else "",
    }
    today = timezone.localdate()
    rows = sel.request_list(
        actor=request.user,
        queue=key,
        village=filters["desa"],
        letter_type=filters["jenis"],
        q=filters["q"],
        overdue=bool(filters["terlambat"]),
        today=today,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    villages = sorted(scope_for(request.user).village_codes(*svc.STAFF_ROLES))
    return render(
        request,
        "letters/queue.html",
        {
            "page_obj": page,
            "filters": filters,
            "counts": sel.queue_counts(actor=request.user, today=today),
            "queue_label": sel.QUEUES[key][0],
            "today": today,
            "villages": villages if len(villages) > 1 else [],
            "office_codes": villages,
            "types": LetterType.objects.filter(active=True).order_by("name").only("slug", "name"),
            "querystring_base": urlencode({k: v for k, v in filters.items() if v}) + "&",
            "nav_active": NAV,
        },
    )


# --- counter ------------------------------------------------------------------------------


@login_required
def counter_start(request: HttpRequest) -> HttpResponse:
    """Find the resident in the register (name, NIK or KK)."""
    _staff_or_404(request)
    from kampung.population.selectors import resident_search

    q = request.GET.get("q", "")[:100]
    results: list[Resident] = []
    if q.strip():
        qs = resident_search(actor=request.user, q=q).filter(
            village_id__in=sorted(scope_for(request.user).village_codes(*svc.STAFF_ROLES))
        )
        results = list(qs.select_related("village")[:20])
    rows = [{"resident": r, "nik": mask_nik(r.nik)} for r in results]
    return render(request, "letters/request_counter_start.html", {"q": q, "rows": rows, "nav_active": NAV})


def _resident_for_counter(request: HttpRequest, pk: int) -> Resident:
    codes = sorted(scope_for(request.user).village_codes(*svc.STAFF_ROLES))
    resident = (
        Resident.objects.select_related("village", "family").filter(pk=pk, village_id__in=codes).first()
    )
    if resident is None:
        raise Http404("Penduduk tidak ditemukan.")
    return resident


@login_required
def counter_type(request: HttpRequest, resident_pk: int) -> HttpResponse:
    _staff_or_404(request)
    resident = _resident_for_counter(request, resident_pk)
    types = letter_types_offered(village=resident.village)
    return render(
        request,
        "letters/request_type_choose.html",
        {
            "resident": resident,
            "nik": mask_nik(resident.nik),
            "types": types,
            "portal": False,
            "nav_active": NAV,
        },
    )


def _offered_type(village: Any, slug: str, *, self_service: bool) -> LetterType:
    for letter_type in letter_types_offered(village=village, self_service_only=self_service):
        if letter_type.slug == slug:
            return letter_type
    raise Http404("Jenis surat tidak dilayani.")


@login_required
def counter_form(request: HttpRequest, resident_pk: int, slug: str) -> HttpResponse:
    _staff_or_404(request)
    resident = _resident_for_counter(request, resident_pk)
    letter_type = _offered_type(resident.village, slug, self_service=False)
    form = RequestForm(request.POST or None, request.FILES or None, letter_type=letter_type, counter=True)
    if request.method == "POST" and form.is_valid():

        def lookup(nik: str) -> Resident | None:
            return Resident.objects.filter(village=resident.village, nik=nik).first()

        try:
            data = form.to_input(requester=resident, village=resident.village, lookup=lookup)
            created = svc.request_submit(
                actor=request.user, village=resident.village, channel=Channel.COUNTER, data=data
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Permohonan dicatat dengan kode {created.code_display}.")
            return redirect("letters:request_detail", code=created.code)
    return render(
        request,
        "letters/request_form.html",
        {"form": form, "letter_type": letter_type, "resident": resident, "portal": False, "nav_active": NAV},
    )


# --- one request --------------------------------------------------------------------------


def _history(obj: LetterRequest) -> list[Any]:
    return list(obj.events.all())


def _routing(actor: Any, obj: LetterRequest) -> dict[str, Any] | None:
    """For a verified request signed above the village: who holds it, whether it already
    waits there, and whether this user may send it up."""
    from kampung.letters import routing

    if obj.status != RequestStatus.VERIFIED or not routing.signed_above_village(obj):
        return None
    return {
        "holder": routing.holder_label(obj),
        "matter": routing.waiting_matter(obj),
        "can_send": scope_for(actor).covers(obj.village_id, *svc.STAFF_ROLES),
    }


@login_required
def request_detail(request: HttpRequest, code: str) -> HttpResponse:
    obj = sel.request_for_staff(actor=request.user, code=code)
    attachments = list(obj.attachments.select_related("requirement"))
    # A kiosk request records nothing for a document the resident brings to the counter.
    covered = {a.requirement_id for a in attachments}
    return render(
        request,
        "letters/request_detail.html",
        {
            "obj": obj,
            "nik": mask_nik(obj.requester.nik),
            "parties": list(obj.parties.select_related("resident")),
            "attachments": attachments,
            "unchecked": [r for r in obj.letter_type.requirements.all() if r.pk not in covered],
            "events": _history(obj),
            "acts": sel.allowed_acts(request.user, obj),
            "routing": _routing(request.user, obj),
            "overdue": obj.is_overdue(timezone.localdate()),
            "reject_form": RejectForm(),
            "field_labels": {
                str(f["key"]): str(f.get("label") or f["key"]) for f in obj.letter_type.extra_fields
            },
            "nav_active": NAV,
        },
    )


@require_POST
@login_required
def request_act(request: HttpRequest, code: str, act: str) -> HttpResponse:
    """One-click actions from the queue and the request page (POST only)."""
    obj = sel.request_for_staff(actor=request.user, code=code)
    done = {
        "verifikasi": "Permohonan diverifikasi.",
        "tandatangan": "Surat ditandatangani dan diberi nomor.",
        "tandatangan-basah": "Surat diberi nomor; cetak untuk tanda tangan basah dan cap.",
        "terbitkan": "Surat diterbitkan; pemohon diberi tahu bahwa surat siap diambil.",
        "serahkan": "Surat diserahkan kepada pemohon.",
        "tolak": "Permohonan ditolak; pemohon dapat melihat alasannya.",
        "batalkan": "Permohonan dibatalkan.",
        "teruskan": "Permohonan diteruskan untuk ditandatangani; pemegang kewenangan melihatnya di antrean keputusannya.",
    }
    if act not in done:
        raise Http404("Tindakan tidak dikenal.")
    try:
        if act == "verifikasi":
            svc.request_verify(actor=request.user, request=obj, note=request.POST.get("note", "")[:500])
        elif act in ("tandatangan", "tandatangan-basah"):
            svc.request_sign(actor=request.user, request=obj, wet=act == "tandatangan-basah")
        elif act == "teruskan":
            from kampung.letters.routing import request_route_up

            request_route_up(actor=request.user, request=obj)
        elif act == "terbitkan":
            svc.request_issue(actor=request.user, request=obj)
        elif act == "serahkan":
            svc.request_hand_over(actor=request.user, request=obj, note=request.POST.get("note", "")[:500])
        elif act == "tolak":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise KampungError("Tuliskan alasan penolakan (paling sedikit 5 huruf).")
            svc.request_reject(actor=request.user, request=obj, reason=form.cleaned_data["reason"])
        else:
            form_c = CancelForm(request.POST)
            reason = form_c.cleaned_data["reason"] if form_c.is_valid() else ""
            svc.request_cancel(actor=request.user, request=obj, reason=reason)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{obj.code_display}: {done[act]}")
    back = request.POST.get("next", "")
    if back.startswith("/surat/permohonan/") and "//" not in back:
        return redirect(back)
    return redirect("letters:request_detail", code=obj.code)


def _pdf_response(obj: LetterRequest) -> HttpResponseBase:
    document = obj.document
    if document is None:
        raise Http404("Surat belum ditandatangani.")
    if not document.file:
        if document.sha256:
            raise Http404("Berkas PDF tidak ditemukan.")
        try:
            svc.request_pdf_retry(request=obj)
        except KampungError:
            raise Http404("PDF surat belum dapat dibuat.") from None
        document.refresh_from_db()
    return file_response(document.file, content_type=PDF, filename=f"surat-{obj.code}.pdf")


@login_required
def request_pdf(request: HttpRequest, code: str) -> HttpResponseBase:
    return _pdf_response(sel.request_for_staff(actor=request.user, code=code))


def _attachment_response(obj: LetterRequest, pk: int) -> HttpResponseBase:
    attachment = obj.attachments.filter(pk=pk).first()
    if attachment is None or not attachment.file:
        raise Http404("Berkas tidak ditemukan.")
    ext = EXTENSIONS.get(attachment.content_type, "bin")
    return file_response(
        attachment.file, content_type=attachment.content_type, inline=False, filename=f"lampiran-{pk}.{ext}"
    )


@login_required
def request_attachment(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    return _attachment_response(sel.request_for_staff(actor=request.user, code=code), pk)


# --- the resident's own requests (portal) -------------------------------------------------


def _portal_resident(request: HttpRequest) -> Resident:
    from kampung.population.portal import portal_account

    account = portal_account(request.user)
    if account is None:
        raise Http404("Halaman warga hanya untuk akun warga.")
    return account.resident


@never_cache
@login_required(login_url=PORTAL_LOGIN)
def portal_list(request: HttpRequest) -> HttpResponse:
    _portal_resident(request)
    page = Paginator(sel.requests_of_resident(actor=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "letters/request_portal_list.html",
        {"page_obj": page, "querystring_base": "", "nav_active": "portal"},
    )


@never_cache
@login_required(login_url=PORTAL_LOGIN)
def portal_type(request: HttpRequest) -> HttpResponse:
    resident = _portal_resident(request)
    types = letter_types_offered(village=resident.village, self_service_only=True)
    return render(
        request,
        "letters/request_type_choose.html",
        {"resident": resident, "types": types, "portal": True, "nav_active": "portal"},
    )


@never_cache
@login_required(login_url=PORTAL_LOGIN)
def portal_form(request: HttpRequest, slug: str) -> HttpResponse:
    resident = _portal_resident(request)
    letter_type = _offered_type(resident.village, slug, self_service=True)
    form = RequestForm(request.POST or None, request.FILES or None, letter_type=letter_type, counter=False)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.to_input(
                requester=resident, village=resident.village, lookup=sel.family_lookup(resident)
            )
            created = svc.request_submit(
                actor=request.user, village=resident.village, channel=Channel.ONLINE, data=data
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Permohonan terkirim. Kode permohonan Anda: {created.code_display}.")
            return redirect("letters:portal_detail", code=created.code)
    return render(
        request,
        "letters/request_form.html",
        {
            "form": form,
            "letter_type": letter_type,
            "resident": resident,
            "portal": True,
            "nav_active": "portal",
        },
    )


@never_cache
@login_required(login_url=PORTAL_LOGIN)
def portal_detail(request: HttpRequest, code: str) -> HttpResponse:
    obj = sel.request_for_resident(actor=request.user, code=code)
    return render(
        request,
        "letters/request_portal_detail.html",
        {
            "obj": obj,
            "events": _history(obj),
            "attachments": list(obj.attachments.select_related("requirement")),
            "can_cancel": obj.status in (RequestStatus.SUBMITTED, RequestStatus.VERIFIED),
            "can_download": obj.document_id is not None and obj.letter_type.self_service,
            "nav_active": "portal",
        },
    )


@require_POST
@login_required(login_url=PORTAL_LOGIN)
def portal_cancel(request: HttpRequest, code: str) -> HttpResponse:
    obj = sel.request_for_resident(actor=request.user, code=code)
    try:
        svc.request_cancel(actor=request.user, request=obj, reason="Dibatalkan oleh pemohon.")
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Permohonan Anda dibatalkan.")
    return redirect("letters:portal_detail", code=obj.code)


@login_required(login_url=PORTAL_LOGIN)
def portal_pdf(request: HttpRequest, code: str) -> HttpResponseBase:
    obj = sel.request_for_resident(actor=request.user, code=code)
    if not obj.letter_type.self_service:
        raise Http404("Surat jenis ini diambil di kantor desa.")
    return _pdf_response(obj)


@login_required(login_url=PORTAL_LOGIN)
def portal_attachment(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    return _attachment_response(sel.request_for_resident(actor=request.user, code=code), pk)
