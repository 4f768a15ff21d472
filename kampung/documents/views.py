"""Public verification pages (no login) and the village registers (scoped)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kampung.accounts.scope import region_in_scope_or_404, scope_for
from kampung.audit.services import audit_view
from kampung.core.errors import KampungError
from kampung.core.uploads import EXTENSIONS, PDF, file_response
from kampung.documents import excel, keys, selectors, services
from kampung.documents.forms import CodeForm, IncomingFilterForm, IncomingForm, OutgoingFilterForm, RevokeForm
from kampung.documents.models import Document, IncomingLetter
from kampung.documents.tokens import TokenStatus, token_verify
from kampung.population.checks import mask_nik
from kampung.regions.models import Region

PAGE_SIZE = 50
NAV = "documents"


# --- Public verification --------------------------------------------------------------------


def document_facts(document: Document) -> dict[str, Any]:
    """What a verification shows of a document (this page, the register, the kiosk)."""
    status = document.effective_status()
    return {
        "title": document.title,
        "number": document.number,
        "issued_on": timezone.localtime(document.issued_at).date(),
        "village": document.village,
        "district": document.village.parent,
        "signer_name": document.signer_name,
        "signer_title": document.signer_title,
        "legal_basis": document.legal_basis,
        "holder": document.subject_name,
        "nik": mask_nik(document.subject_nik) if document.subject_nik else "",
        "status": status,
        "revoked_at": document.revoked_at,
        "revoked_reason": document.revoked_reason,
        "valid_until": document.valid_until,
        "sha256": document.sha256,
        "code": document.code_display,
    }


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def verify_code(request: HttpRequest) -> HttpResponse:
    """``/dokumen/cek/?kode=XXXXX-XXXXX``: the code typed from under the QR."""
    form = CodeForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "checked": False}
    status = 200
    if request.GET.get("kode") is not None and form.is_valid():
        context["checked"] = True
        document = selectors.document_by_code(form.cleaned_data["kode"])
        if document is None:
            status = 404
        else:
            context["doc"] = document_facts(document)
    return _no_store(render(request, "documents/verify.html", context, status=status))


def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    """``/dokumen/cek/<token>``: the QR's link. The signature is checked first; then the
    register says whether the document still stands (revoked, expired)."""
    result = token_verify(token)
    context: dict[str, Any] = {"form": CodeForm(), "checked": True, "token_status": result.status}
    if result.status == TokenStatus.TAMPERED:
        return _no_store(render(request, "documents/verify.html", context, status=400))
    if result.status == TokenStatus.UNKNOWN_KEY:
        context["kid"] = result.payload.get("kid", "")
        return _no_store(render(request, "documents/verify.html", context, status=400))
    payload = result.payload
    document = selectors.document_by_code(str(payload.get("c", "")))
    if (
        document is not None
        and document.number == payload.get("n")
        and document.village_id == payload.get("w")
    ):
        context["doc"] = document_facts(document)
    else:
        # Genuinely signed, but the register has no such document (or it differs): show
        # what the signature vouches for, and say the register could not confirm it.
        context["signed_only"] = {
            "title": payload.get("t", ""),
            "number": payload.get("n", ""),
            "issued_on": _iso_date(str(payload.get("d", ""))),
            "village": Region.objects.filter(code=str(payload.get("w", ""))).first(),
            "village_code": payload.get("w", ""),
            "holder": payload.get("h", ""),
            "nik": payload.get("k", ""),
        }
    return _no_store(render(request, "documents/verify.html", context))


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def public_keys(request: HttpRequest) -> HttpResponse:
    """The regency's public keys (current and retired), for anyone who checks tokens
    offline."""
    groups = []
    for regency_code in keys.regencies_with_keys():
        region = Region.objects.filter(code=regency_code).first()
        groups.append(
            {
                "code": regency_code,
                "region": region,
                "keys": list(reversed(keys.key_list(regency=regency_code))),
            }
        )
    return render(request, "documents/public_keys.html", {"groups": groups})


# --- Registers (login, scoped) ---------------------------------------------------------------


def _village_or_404(request: HttpRequest, code: str, *roles: str) -> Region:
    village = region_in_scope_or_404(request.user, code, *roles)
    if not village.is_village:
        raise Http404("Wilayah tidak ditemukan.")
    return village


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def outgoing_list(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code, *selectors.REGISTER_READERS)
    form = OutgoingFilterForm(request.GET or None)
    filters = {"month": "", "kind": "", "q": ""}
    if form.is_valid():
        filters = {
            "month": form.cleaned_data["bulan"],
            "kind": form.cleaned_data["jenis"],
            "q": form.cleaned_data["q"],
        }
    qs = selectors.document_list(actor=request.user, village=village, **filters)
    if request.GET.get("format") == "xlsx":
        audit_view(
            actor=request.user,
            object_type="documents.register_out",
            object_id=village.code,
            region=village,
            what="ekspor buku agenda surat keluar",
        )
        return _xlsx_response(excel.outgoing_xlsx(village, qs), f"surat-keluar-{village.compact_code}.xlsx")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"bulan": filters["month"], "jenis": filters["kind"], "q": filters["q"]})
    return render(
        request,
        "documents/outgoing_list.html",
        {
            "village": village,
            "form": form,
            "page_obj": page,
            "querystring_base": query + "&",
            "export_query": query,
            "filtered": any(filters.values()),
            "nav_active": NAV,
        },
    )


@login_required
def outgoing_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village_or_404(request, code, *selectors.REGISTER_READERS)
    document = selectors.document_get_or_404(actor=request.user, village=village, pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST":
        if not services.may_revoke(request.user, document):
            raise Http404("Data tidak ditemukan.")
        if form.is_valid():
            try:
                services.document_revoke(
                    actor=request.user, document=document, reason=form.cleaned_data["reason"]
                )
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, "Dokumen dicabut. Halaman verifikasi kini menampilkan status dicabut."
                )
                return redirect("documents:outgoing_detail", code=village.code, pk=document.pk)
    return render(
        request,
        "documents/outgoing_detail.html",
        {
            "village": village,
            "document": document,
            "facts": document_facts(document),
            "can_revoke": services.may_revoke(request.user, document) and document.status != "dicabut",
            "form": form,
            "nav_active": NAV,
        },
    )


@login_required
def outgoing_pdf(request: HttpRequest, code: str, pk: int) -> FileResponse:
    village = _village_or_404(request, code, *selectors.REGISTER_READERS)
    document = selectors.document_get_or_404(actor=request.user, village=village, pk=pk)
    if not document.file:
        raise Http404("PDF belum tersedia.")
    audit_view(
        actor=request.user,
        object_type="documents.document",
        object_id=document.pk,
        region=village,
        what="unduh PDF",
    )
    return file_response(document.file, content_type=PDF, filename=f"{document.pk}.pdf")


@login_required
def incoming_list(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code, *selectors.INCOMING_READERS)
    form = IncomingFilterForm(request.GET or None)
    month, q = "", ""
    if form.is_valid():
        month, q = form.cleaned_data["bulan"], form.cleaned_data["q"]
    qs = selectors.incoming_list(actor=request.user, village=village, month=month, q=q)
    if request.GET.get("format") == "xlsx":
        audit_view(
            actor=request.user,
            object_type="documents.register_in",
            object_id=village.code,
            region=village,
            what="ekspor buku agenda surat masuk",
        )
        return _xlsx_response(excel.incoming_xlsx(village, qs), f"surat-masuk-{village.compact_code}.xlsx")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"bulan": month, "q": q})
    return render(
        request,
        "documents/incoming_list.html",
        {
            "village": village,
            "form": form,
            "page_obj": page,
            "querystring_base": query + "&",
            "export_query": query,
            "filtered": bool(month or q),
            "can_edit": scope_for(request.user).covers(village.code, *services.INCOMING_WRITERS),
            "nav_active": NAV,
        },
    )


def _incoming_save(request: HttpRequest, village: Region, letter: IncomingLetter | None) -> HttpResponse:
    initial = None
    if letter is not None:
        initial = {
            "received_on": letter.received_on,
            "sender": letter.sender,
            "letter_number": letter.letter_number,
            "letter_date": letter.letter_date,
            "subject": letter.subject,
            "classification": letter.classification,
            "disposition": letter.disposition,
        }
    form = IncomingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        scan = form.cleaned_data.get("scan")
        try:
            if letter is None:
                saved = services.incoming_create(
                    actor=request.user, village=village, data=form.data_object(), scan=scan
                )
                messages.success(
                    request,
                    f"Surat masuk dicatat dengan nomor agenda {saved.agenda_number}/{saved.agenda_year}.",
                )
            else:
                services.incoming_update(
                    actor=request.user, letter=letter, data=form.data_object(), scan=scan
                )
                messages.success(request, "Surat masuk diperbarui.")
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("documents:incoming_list", code=village.code)
    return render(
        request,
        "documents/incoming_form.html",
        {"village": village, "letter": letter, "form": form, "nav_active": NAV},
    )


@login_required
def incoming_add(request: HttpRequest, code: str) -> HttpResponse:
    village = _village_or_404(request, code, *services.INCOMING_WRITERS)
    return _incoming_save(request, village, None)


@login_required
def incoming_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village_or_404(request, code, *services.INCOMING_WRITERS)
    letter = selectors.incoming_get_or_404(
        actor=request.user, village=village, pk=pk, roles=services.INCOMING_WRITERS
    )
    return _incoming_save(request, village, letter)


@login_required
def incoming_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village_or_404(request, code, *services.INCOMING_WRITERS)
    letter = selectors.incoming_get_or_404(
        actor=request.user, village=village, pk=pk, roles=services.INCOMING_WRITERS
    )
    if request.method == "POST":
        try:
            services.incoming_delete(actor=request.user, letter=letter)
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Surat masuk dihapus dari buku agenda.")
        return redirect("documents:incoming_list", code=village.code)
    return render(
        request, "documents/incoming_delete.html", {"village": village, "letter": letter, "nav_active": NAV}
    )


@login_required
def incoming_scan(request: HttpRequest, code: str, pk: int) -> FileResponse:
    village = _village_or_404(request, code, *selectors.INCOMING_READERS)
    letter = selectors.incoming_get_or_404(actor=request.user, village=village, pk=pk)
    if not letter.scan:
        raise Http404("Pindaian tidak ada.")
    ext = EXTENSIONS.get(letter.scan_type, "bin")
    return file_response(
        letter.scan,
        content_type=letter.scan_type,
        inline=False,
        filename=f"surat-masuk-{letter.agenda_number}-{letter.agenda_year}.{ext}",
    )
