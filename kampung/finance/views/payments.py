"""Payment pages: the SPP list of a village and year, the SPP form, its detail with the acts
the current user may take, the payment, SPJ and return forms, the printable SPP, and the
treasurer's page of advances.

Thin views: the village comes from ``desa_in_scope_or_404`` (another village or a kelurahan →
404); every write is a POST handled by :mod:`kampung.finance.services.payments`, whose
refusals are shown as messages.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.audit.models import AuditEntry
from kampung.core.errors import KampungError
from kampung.core.pdf import PDF_CONTENT_TYPE, pdf_filename, render_pdf
from kampung.core.uploads import file_response, stored_type
from kampung.core.views import run_service as _run
from kampung.finance import taxes as tax_table
from kampung.finance.access import FINANCE_READERS, SPP_DRAFTERS, TREASURY_KEEPERS, desa_in_scope_or_404
from kampung.finance.forms import payments as forms
from kampung.finance.models import (
    AttachmentKind,
    BudgetActivity,
    Spp,
    SppAttachment,
    SppKind,
    SppStatus,
    TaxStage,
)
from kampung.finance.outputs.documents import head_signer, kop_for, secretary_signer, treasurer_signer
from kampung.finance.selectors import payments as sel
from kampung.finance.selectors.ledger import budget_in_force
from kampung.finance.services import payments as svc
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

MIN_YEAR, MAX_YEAR = 2000, 2100
PER_PAGE = 50


# -- helpers -------------------------------------------------------------------------------


def _village_year(request: HttpRequest, code: str, year: int, *roles: str) -> Region:
    village = desa_in_scope_or_404(request.user, code, *(roles or FINANCE_READERS))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Tahun anggaran tidak dikenal.")
    return village


def _spp_or_404(request: HttpRequest, pk: int) -> tuple[Spp, Region]:
    spp = (
        Spp.objects.select_related("book", "activity__activity_code", "activity__apbdes", "created_by")
        .filter(pk=pk)
        .first()
    )
    if spp is None:
        raise Http404("SPP tidak ditemukan.")
    village = desa_in_scope_or_404(request.user, spp.book.village_id, *FINANCE_READERS)
    return spp, village


def _roles(request: HttpRequest, code: str) -> frozenset[str]:
    return frozenset(scope_for(request.user).roles_at(code))


def _may_take(
    request: HttpRequest, spp: Spp, *, roles: tuple[str, ...] = (), acts: tuple[str, ...] = ()
) -> None:
    """403 for a user of the village who may not take this act at all: none of ``roles`` here
    and no basis for any of ``acts`` in the authority register. The act's other refusals (its
    stage, amount, date) stay messages from the service."""
    from kampung.authority.services import may_act

    village_code = spp.book.village_id
    if _roles(request, village_code) & set(roles):
        return
    if any(may_act(request.user, act, village_code).allowed for act in acts):
        return
    raise PermissionDenied("Anda tidak berwenang melakukan tindakan ini pada SPP desa ini.")


def _detail(spp: Spp) -> HttpResponse:
    return redirect(reverse("finance:spp_detail", args=[spp.pk]))


def _activities(village: Region, year: int) -> list[BudgetActivity]:
    apbdes = budget_in_force(village.code, year)
    if apbdes is None:
        return []
    return list(
        BudgetActivity.objects.filter(apbdes=apbdes)
        .select_related("activity_code", "apbdes")
        .order_by("activity_code__code", "pk")
    )


# -- list and advances ---------------------------------------------------------------------


@login_required
def spp_list(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village_year(request, code, year)
    qs = (
        Spp.objects.filter(book__village=village, book__year=year)
        .select_related("activity__activity_code")
        .order_by("-date", "-pk")
    )
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    activity = request.GET.get("kegiatan", "")
    query = request.GET.get("q", "").strip()[:80]
    if status in SppStatus.values:
        qs = qs.filter(status=status)
    if kind in SppKind.values:
        qs = qs.filter(kind=kind)
    if activity:
        qs = qs.filter(activity__activity_code__code=activity[:12])
    if query:
        qs = qs.filter(
            Q(number__icontains=query) | Q(payee_name__icontains=query) | Q(description__icontains=query)
        )
    if request.GET.get("format") == "xlsx":
        return _list_workbook(village, year, qs)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    roles = _roles(request, village.code)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "finance/payments/list.html",
        {
            "village": village,
            "year": year,
            "page": page,
            "page_obj": page,
            "querystring_base": (params.urlencode() + "&") if params else "",
            "statuses": SppStatus.choices,
            "kinds": SppKind.choices,
            "activities": _activities(village, year),
            "f": {"status": status, "kind": kind, "kegiatan": activity, "q": query},
            "can_create": bool(roles & set(SPP_DRAFTERS)),
            "counts": sel.status_counts(village.code, year),
            "nav_active": "finance",
        },
    )


def _list_workbook(village: Region, year: int, qs: Any) -> HttpResponse:
    """The SPP register (filtered as on the page) as an Excel sheet, amounts as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from kampung.finance.outputs.excel import XLSX_CONTENT_TYPE

    wb = Workbook()
    ws: Any = wb.active
    ws.title = "SPP"
    ws.cell(row=1, column=1, value=f"Register SPP Desa {village.name} tahun {year}").font = Font(bold=True)
    headers = [
        ("Nomor", 22),
        ("Tanggal", 12),
        ("Jenis", 6),
        ("Kegiatan", 12),
        ("Uraian", 40),
        ("Penerima", 28),
        ("Jumlah", 16),
        ("Status", 24),
        ("Dibayar", 12),
        ("Batas SPJ", 12),
    ]
    from openpyxl.utils import get_column_letter

    for col, (label, width) in enumerate(headers, start=1):
        ws.cell(row=3, column=col, value=label).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    row = 4
    for spp in qs.iterator():
        values = [
            spp.number,
            spp.date,
            spp.kind,
            spp.activity.activity_code.code,
            spp.description,
            spp.payee_name,
            int(spp.amount) if spp.amount == spp.amount.to_integral_value() else float(spp.amount),
            spp.get_status_display(),
            spp.paid_on,
            spp.spj_due,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            if col == 7:
                cell.number_format = "#,##0"
            elif col in (2, 9, 10) and value is not None:
                cell.number_format = "DD-MM-YYYY"
        row += 1
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = pdf_filename("register-spp", village.name, str(year))[:-4]
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def spp_advances(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The treasurer's page: advances paid and not yet accounted for, overdue first."""
    village = _village_year(request, code, year)
    today = local_today(village)
    rows: list[dict[str, Any]] = []
    for spp in sel.outstanding_advances(village.code, year):
        late = (today - spp.spj_due).days if spp.spj_due and spp.spj_due < today else 0
        rows.append(
            {"spp": spp, "late": late, "rest": svc.advance_rest(spp) if spp.spj_entry_id else spp.amount}
        )
    rows.sort(key=lambda r: (-r["late"], r["spp"].spj_due or today))
    return render(
        request,
        "finance/payments/advances.html",
        {
            "village": village,
            "year": year,
            "rows": rows,
            "today": today,
            "overdue": sum(1 for r in rows if r["late"]),
            "total": sum((r["rest"] for r in rows), Decimal(0)),
            "nav_active": "finance",
        },
    )


# -- create and edit -----------------------------------------------------------------------


def _line_rows(
    activity: BudgetActivity | None, month: int, spp: Spp | None, data: Any
) -> list[dict[str, Any]]:
    if activity is None:
        return []
    figures = sel.funds(activity, month, exclude=spp)
    current = {sl.budget_line_id: sl for sl in spp.lines.all()} if spp is not None else {}
    rows = []
    for pk, lf in figures.lines.items():
        existing = current.get(pk)
        rows.append(
            {
                "line": lf.line,
                "funds": lf,
                "amount": data.get(f"amount_{pk}", "") if data else (existing.amount if existing else ""),
                "text": data.get(f"text_{pk}", "") if data else (existing.description if existing else ""),
            }
        )
    return rows


def _form_page(
    request: HttpRequest,
    village: Region,
    year: int,
    activity: BudgetActivity | None,
    form: forms.SppForm,
    spp: Spp | None,
    data: Any = None,
) -> HttpResponse:
    month = 12
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["date"].month
    elif spp is not None:
        month = spp.date.month
    figures = sel.funds(activity, month, exclude=spp) if activity is not None else None
    return render(
        request,
        "finance/payments/form.html",
        {
            "village": village,
            "year": year,
            "form": form,
            "spp": spp,
            "activity": activity,
            "activities": _activities(village, year),
            "rows": _line_rows(activity, month, spp, data),
            "figures": figures,
            "ready": sel.execution_ready(activity) if activity is not None else "",
            "nav_active": "finance",
        },
    )


def _activity_of(village: Region, year: int, raw: str) -> BudgetActivity | None:
    if not raw or not raw.isdigit():
        return None
    return (
        BudgetActivity.objects.filter(pk=int(raw), apbdes__village=village, apbdes__year=year)
        .select_related("activity_code", "apbdes")
        .first()
    )


@login_required
def spp_create(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village_year(request, code, year, *SPP_DRAFTERS)
    activity = _activity_of(village, year, request.POST.get("activity") or request.GET.get("activity", ""))
    if request.method == "POST" and activity is not None and "save" in request.POST:
        form = forms.SppForm(request.POST)
        if form.is_valid():
            line_ids = list(activity.lines.values_list("pk", flat=True))
            lines, bad = forms.lines_from_post(request.POST, line_ids)
            if bad:
                messages.error(request, f"Jumlah tidak dapat dibaca: {', '.join(bad)}.")
            else:
                holder: dict[str, Spp] = {}

                def call() -> None:
                    holder["spp"] = svc.spp_create(
                        actor=request.user, activity=activity, lines=lines, **form.cleaned_data
                    )

                if _run(request, call, "SPP disimpan sebagai draf."):
                    return _detail(holder["spp"])
        return _form_page(request, village, year, activity, form, None, request.POST)
    initial = {"date": local_today(village), "stage": 1, "kind": SppKind.ADVANCE}
    if activity is not None:
        initial["payee_name"] = activity.executor_name
    return _form_page(request, village, year, activity, forms.SppForm(initial=initial), None)


@login_required
def spp_edit(request: HttpRequest, pk: int) -> HttpResponse:
    spp, village = _spp_or_404(request, pk)
    desa_in_scope_or_404(request.user, village.code, *SPP_DRAFTERS)
    if spp.status not in svc.EDITABLE:
        messages.error(request, f"SPP berstatus '{spp.get_status_display()}' tidak dapat diubah.")
        return _detail(spp)
    activity = spp.activity
    if request.method == "POST" and "save" in request.POST:
        form = forms.SppForm(request.POST)
        if form.is_valid():
            lines, bad = forms.lines_from_post(
                request.POST, list(activity.lines.values_list("pk", flat=True))
            )
            if bad:
                messages.error(request, f"Jumlah tidak dapat dibaca: {', '.join(bad)}.")
            elif _run(
                request,
                lambda: svc.spp_update(actor=request.user, spp=spp, lines=lines, **form.cleaned_data),
                "SPP diperbarui.",
            ):
                return _detail(spp)
        return _form_page(request, village, spp.book.year, activity, form, spp, request.POST)
    initial = {
        name: getattr(spp, name)
        for name in (
            "kind",
            "date",
            "description",
            "payee_name",
            "payee_npwp",
            "payee_bank",
            "payee_account",
            "stage",
            "progress_percent",
            "progress_note",
        )
    }
    return _form_page(request, village, spp.book.year, activity, forms.SppForm(initial=initial), spp)


# -- detail and acts -----------------------------------------------------------------------


def _timeline(spp: Spp) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type=spp._meta.label, object_id=str(spp.pk))
        .select_related("actor")
        .order_by("at", "pk")
    )


def _actions(spp: Spp, roles: frozenset[str]) -> dict[str, bool]:
    drafter = bool(roles & set(SPP_DRAFTERS))
    treasurer = bool(roles & set(TREASURY_KEEPERS))
    status = spp.status
    advance_open = spp.kind == SppKind.ADVANCE and status == SppStatus.PAID
    return {
        "edit": drafter and status in svc.EDITABLE,
        "submit": drafter and status in svc.EDITABLE,
        "cancel": drafter and status in svc.EDITABLE,
        "attach": drafter and status in svc.EDITABLE,
        "verify": Role.SECRETARY in roles and status == SppStatus.SUBMITTED,
        "approve": Role.HEAD in roles and status == SppStatus.VERIFIED,
        "pay": treasurer and status == SppStatus.APPROVED,
        "reject": (
            (Role.SECRETARY in roles and status == SppStatus.SUBMITTED)
            or (Role.HEAD in roles and status == SppStatus.VERIFIED)
            or (treasurer and status == SppStatus.APPROVED)
        ),
        "spj": (drafter or treasurer) and advance_open and spp.spj_entry_id is None,
        "spj_attach": (drafter or treasurer) and advance_open and spp.spj_entry_id is None,
        "return": treasurer and advance_open and spp.spj_entry_id is not None,
    }


@login_required
def spp_detail(request: HttpRequest, pk: int) -> HttpResponse:
    spp, village = _spp_or_404(request, pk)
    roles = _roles(request, village.code)
    lines = list(spp.lines.select_related("budget_line__account", "budget_line__source").order_by("pk"))
    attachments = list(spp.attachments.order_by("for_spj", "pk"))
    return render(
        request,
        "finance/payments/detail.html",
        {
            "spp": spp,
            "village": village,
            "year": spp.book.year,
            "lines": lines,
            "taxes": list(spp.taxes.select_related("line").order_by("stage", "pk")),
            "documents": [a for a in attachments if not a.for_spj],
            "spj_documents": [a for a in attachments if a.for_spj],
            "timeline": _timeline(spp),
            "can": _actions(spp, roles),
            "verify_form": forms.VerifyForm(),
            "attach_form": forms.AttachmentForm(),
            "kinds": AttachmentKind.choices,
            "rest": svc.advance_rest(spp) if spp.spj_entry_id else None,
            "return_form": forms.ReturnForm(initial={"date": local_today(village), "method": "tunai"}),
            "today": local_today(village),
            "nav_active": "finance",
        },
    )


@require_POST
@login_required
def spp_submit(request: HttpRequest, pk: int) -> HttpResponse:
    spp, _ = _spp_or_404(request, pk)
    _may_take(request, spp, roles=SPP_DRAFTERS)
    _run(request, lambda: svc.spp_submit(actor=request.user, spp=spp), "SPP diajukan ke sekretaris desa.")
    return _detail(spp)


@require_POST
@login_required
def spp_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    spp, _ = _spp_or_404(request, pk)
    _may_take(request, spp, roles=SPP_DRAFTERS)
    _run(request, lambda: svc.spp_cancel(actor=request.user, spp=spp), "SPP dibatalkan.")
    return _detail(spp)


@require_POST
@login_required
def spp_verify(request: HttpRequest, pk: int) -> HttpResponse:
    spp, _ = _spp_or_404(request, pk)
    _may_take(request, spp, acts=("finance.spp.verify",))
    form = forms.VerifyForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    _run(
        request,
        lambda: svc.spp_verify(
            actor=request.user,
            spp=spp,
            complete=bool(data.get("complete")),
            correct=bool(data.get("correct")),
            funds=bool(data.get("funds")),
            note=data.get("note", ""),
        ),
        "SPP diverifikasi dan diteruskan ke kepala desa.",
    )
    return _detail(spp)


@require_POST
@login_required
def spp_reject(request: HttpRequest, pk: int) -> HttpResponse:
    spp, _ = _spp_or_404(request, pk)
    _may_take(request, spp, acts=tuple(svc.REJECT_ACT.values()))
    note = str(request.POST.get("note", ""))[:2000]
    _run(
        request,
        lambda: svc.spp_reject(actor=request.user, spp=spp, note=note),
        "SPP dikembalikan ke pelaksana.",
    )
    return _detail(spp)


@require_POST
@login_required
def spp_approve(request: HttpRequest, pk: int) -> HttpResponse:
    spp, _ = _spp_or_404(request, pk)
    _may_take(request, spp, acts=("finance.spp.approve",))
    _run(request, lambda: svc.spp_approve(actor=request.user, spp=spp), "SPP disetujui.")
    return _detail(spp)


# -- pay, SPJ, return ----------------------------------------------------------------------


def _tax_choices(spp: Spp, day: Any) -> list[Any]:
    return list(tax_table.rates_on(day, spp.book.village_id[:5]).values())


@login_required
def spp_pay(request: HttpRequest, pk: int) -> HttpResponse:
    spp, village = _spp_or_404(request, pk)
    desa_in_scope_or_404(request.user, village.code, *TREASURY_KEEPERS)
    lines = list(spp.lines.select_related("budget_line__account").order_by("pk"))
    line_ids = [sl.pk for sl in lines]
    preview: list[Any] = []
    picks: list[tuple[int, str]] = []
    if request.method == "POST":
        form = forms.PayForm(request.POST)
        picks = forms.tax_picks(request.POST, line_ids) if spp.kind == SppKind.DIRECT else []
        if form.is_valid():
            data = form.cleaned_data
            if "save" in request.POST:
                if _run(
                    request,
                    lambda: svc.spp_pay(
                        actor=request.user,
                        spp=spp,
                        date=data["date"],
                        method=data["method"],
                        reference=data["reference"],
                        taxes=picks,
                    ),
                    f"SPP {spp.number} dibayar.",
                ):
                    return _detail(spp)
            else:
                try:
                    preview = svc.preview_taxes(spp, picks, data["date"])
                except KampungError as exc:
                    messages.error(request, exc.message)
        day = form.cleaned_data.get("date") if form.is_valid() else None
    else:
        form = forms.PayForm(initial={"date": local_today(village), "method": "transfer"})
        day = local_today(village)
    if day is None or day.year != spp.book.year:
        day = local_today(village)
    total_tax = sum((t.amount for _, t in preview), Decimal(0))
    return render(
        request,
        "finance/payments/pay.html",
        {
            "spp": spp,
            "village": village,
            "year": spp.book.year,
            "form": form,
            "lines": lines,
            "tax_rows": _tax_choices(spp, day) if spp.kind == SppKind.DIRECT else [],
            "picked": {f"{pk}:{code}" for pk, code in picks},
            "preview": preview,
            "total_tax": total_tax,
            "net": spp.amount - total_tax,
            "has_npwp": tax_table.valid_npwp(spp.payee_npwp),
            "nav_active": "finance",
        },
    )


@login_required
def spp_spj(request: HttpRequest, pk: int) -> HttpResponse:
    spp, village = _spp_or_404(request, pk)
    desa_in_scope_or_404(request.user, village.code, *svc.SPJ_ROLES)
    lines = list(spp.lines.select_related("budget_line__account").order_by("pk"))
    line_ids = [sl.pk for sl in lines]
    values: dict[int, Any] = {}
    picks: list[tuple[int, str]] = []
    if request.method == "POST":
        form = forms.SpjForm(request.POST)
        picks = forms.tax_picks(request.POST, line_ids)
        values = {pk: request.POST.get(f"spent_{pk}", "") for pk in line_ids}
        spent, bad = forms.spent_from_post(request.POST, line_ids)
        if bad:
            messages.error(request, f"Jumlah tidak dapat dibaca: {', '.join(bad)}.")
        elif form.is_valid():
            day = form.cleaned_data["date"]

            def call() -> None:
                svc.spj_record(actor=request.user, spp=spp, date=day, spent=spent, taxes=picks)
                if svc.advance_rest(spp) == 0 and bool(_roles(request, village.code) & set(TREASURY_KEEPERS)):
                    svc.advance_return(actor=request.user, spp=spp, date=day, method="tunai")

            if _run(request, call, "SPJ panjar dicatat."):
                return _detail(spp)
    else:
        form = forms.SpjForm(initial={"date": local_today(village)})
        values = {sl.pk: sl.amount for sl in lines}
    day = local_today(village)
    if day.year != spp.book.year:
        day = spp.paid_on or day
    return render(
        request,
        "finance/payments/spj.html",
        {
            "spp": spp,
            "village": village,
            "year": spp.book.year,
            "form": form,
            "rows": [{"line": sl, "value": values.get(sl.pk, "")} for sl in lines],
            "tax_rows": _tax_choices(spp, day),
            "picked": {f"{pk}:{code}" for pk, code in picks},
            "receipts": spp.attachments.filter(for_spj=True).count(),
            "nav_active": "finance",
        },
    )


@require_POST
@login_required
def spp_return(request: HttpRequest, pk: int) -> HttpResponse:
    spp, _ = _spp_or_404(request, pk)
    _may_take(request, spp, roles=TREASURY_KEEPERS)
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Isi tanggal dan cara penerimaan sisa panjar.")
        return _detail(spp)
    data = form.cleaned_data
    _run(
        request,
        lambda: svc.advance_return(actor=request.user, spp=spp, date=data["date"], method=data["method"]),
        "Sisa panjar diterima; panjar selesai dipertanggungjawabkan.",
    )
    return _detail(spp)


# -- documents -----------------------------------------------------------------------------


@require_POST
@login_required
def spp_attach(request: HttpRequest, pk: int) -> HttpResponse:
    spp, _ = _spp_or_404(request, pk)
    _may_take(request, spp, roles=svc.SPJ_ROLES)
    kind = str(request.POST.get("kind", ""))
    for_spj = request.POST.get("for_spj") in ("1", "on", "true", "True")
    upload = request.FILES.get("file")
    _run(
        request,
        lambda: svc.attachment_add(actor=request.user, spp=spp, kind=kind, upload=upload, for_spj=for_spj),
        "Dokumen diunggah.",
    )
    return _detail(spp)


def _attachment_or_404(spp: Spp, att: int) -> SppAttachment:
    attachment = SppAttachment.objects.filter(pk=att, spp=spp).select_related("spp__book").first()
    if attachment is None:
        raise Http404("Dokumen tidak ditemukan.")
    return attachment


@login_required
def spp_attachment(request: HttpRequest, pk: int, att: int) -> FileResponse:
    spp, _ = _spp_or_404(request, pk)
    attachment = _attachment_or_404(spp, att)
    # The type comes from the stored name, whose extension the upload check matched to the bytes.
    content_type = stored_type(attachment.file.name or "")
    return file_response(attachment.file, content_type=content_type, filename=attachment.name)


@require_POST
@login_required
def spp_detach(request: HttpRequest, pk: int, att: int) -> HttpResponse:
    spp, _ = _spp_or_404(request, pk)
    attachment = _attachment_or_404(spp, att)
    _may_take(request, spp, roles=svc.SPJ_ROLES)
    _run(
        request, lambda: svc.attachment_remove(actor=request.user, attachment=attachment), "Dokumen dihapus."
    )
    return _detail(spp)


# -- print ---------------------------------------------------------------------------------


@login_required
def spp_print(request: HttpRequest, pk: int) -> HttpResponse:
    spp, village = _spp_or_404(request, pk)
    lines = list(spp.lines.select_related("budget_line__account", "budget_line__source").order_by("pk"))
    executor = spp.activity.executor_name or (str(spp.created_by) if spp.created_by else "")
    result = render_pdf(
        "finance/payments/print_spp.html",
        {
            "spp": spp,
            "village": village,
            "lines": lines,
            "taxes": list(spp.taxes.filter(stage=TaxStage.PAYMENT)),
            "kop": kop_for(village),
            "title": f"SPP {spp.number}",
            "executor": executor,
            "treasurer": treasurer_signer(village),
            "secretary": secretary_signer(village),
            "head": head_signer(village),
            "paper": "F4",
            "orientation": "portrait",
            "footer_left": f"SPP {spp.number} — Desa {village.name}",
        },
    )
    response = HttpResponse(result.content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{pdf_filename("spp", village.name, spp.number)}"'
    return response
