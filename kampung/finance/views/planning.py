"""Planning pages under /keuangan/desa/<code>/: RPJMDes, RKPDes, Musdes and residents'
proposals. Finance readers read; planning editors write (``PLAN_EDITORS``); a kelurahan and
another village are "not found"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from kampung.accounts.scope import scope_for
from kampung.core.errors import KampungError
from kampung.core.uploads import PDF, file_response
from kampung.finance.access import FINANCE_READERS, PLAN_EDITORS, desa_in_scope_or_404
from kampung.finance.forms.planning import (
    CounterProposalForm,
    DecisionForm,
    GoalForm,
    MusdesForm,
    PerdesForm,
    ProposalToRkpForm,
    RkpActivityForm,
    RkpCreateForm,
    RkpMusdesForm,
    RpjmActivityForm,
    RpjmForm,
)
from kampung.finance.models import (
    GoalKind,
    PlanStatus,
    ProposalChannel,
    ProposalStatus,
    RkpActivity,
    Rkpdes,
    RpjmActivity,
    RpjmGoal,
)
from kampung.finance.selectors import planning as sel
from kampung.finance.services import planning as svc
from kampung.population.models import BasicStatus, Resident
from kampung.regions.models import Region

PAGE_SIZE = 25
NAV = "finance"
XLSX = sel.XLSX_CONTENT_TYPE


# -- helpers -------------------------------------------------------------------------------


def _village(request: HttpRequest, code: str) -> Region:
    return desa_in_scope_or_404(request.user, code, *FINANCE_READERS)


def _can_edit(request: HttpRequest, village: Region) -> bool:
    return bool(scope_for(request.user).roles_at(village.code) & set(PLAN_EDITORS))


def _can_enact(request: HttpRequest, village: Region) -> bool:
    return bool(scope_for(request.user).roles_at(village.code) & set(svc.ENACTORS))


def _editor_village(request: HttpRequest, code: str) -> Region:
    """Readers who may not edit get 403 on a write page; everyone else out of scope 404."""
    village = _village(request, code)
    if not _can_edit(request, village):
        raise PermissionDenied("Hanya sekretaris, operator atau kepala desa yang dapat mengubah perencanaan.")
    return village


def village_page_url(village: Region) -> str:
    """The village finance page (helper C's) when it exists; the RPJMDes list otherwise."""
    try:
        return reverse("finance:village", args=[village.code])
    except NoReverseMatch:
        return reverse("finance:rpjm_list", args=[village.code])


def _context(request: HttpRequest, village: Region, **extra: Any) -> dict[str, Any]:
    return {
        "village": village,
        "village_url": village_page_url(village),
        "can_edit": _can_edit(request, village),
        "can_enact": _can_enact(request, village),
        "nav_active": NAV,
        **extra,
    }


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


# -- RPJMDes -------------------------------------------------------------------------------


@login_required
def rpjm_list(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    plans = [(p, sel.rpjm_deadline_info(p)) for p in sel.rpjmdes_list(village=village)]
    return render(request, "finance/planning/rpjm_list.html", _context(request, village, plans=plans))


@login_required
def rpjm_create(request: HttpRequest, code: str) -> HttpResponse:
    village = _editor_village(request, code)
    form = RpjmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rpjm = svc.rpjmdes_create(actor=request.user, village=village, data=form.to_input())
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{rpjm} dibuat sebagai draf.")
            return redirect("finance:rpjm_detail", code=village.code, pk=rpjm.pk)
    return render(
        request, "finance/planning/rpjm_form.html", _context(request, village, form=form, rpjm=None)
    )


@login_required
def rpjm_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village(request, code)
    rpjm = sel.rpjmdes_get(village=village, pk=pk)
    draft = rpjm.status == PlanStatus.DRAFT
    return render(
        request,
        "finance/planning/rpjm_detail.html",
        _context(
            request,
            village,
            rpjm=rpjm,
            draft=draft,
            deadline=sel.rpjm_deadline_info(rpjm),
            missions=sel.rpjm_goal_tree(rpjm),
            grid=sel.rpjm_grid(rpjm),
            goal_form=GoalForm(rpjm=rpjm) if draft else None,
            perdes_form=PerdesForm() if draft else None,
            goal_kinds=GoalKind,
        ),
    )


@login_required
def rpjm_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _editor_village(request, code)
    rpjm = sel.rpjmdes_get(village=village, pk=pk)
    form = RpjmForm.for_plan(rpjm, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.rpjmdes_update(actor=request.user, rpjm=rpjm, data=form.to_input())
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "RPJMDes disimpan.")
            return redirect("finance:rpjm_detail", code=village.code, pk=rpjm.pk)
    return render(
        request, "finance/planning/rpjm_form.html", _context(request, village, form=form, rpjm=rpjm)
    )


@require_POST
@login_required
def rpjm_goal_add(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _editor_village(request, code)
    rpjm = sel.rpjmdes_get(village=village, pk=pk)
    form = GoalForm(request.POST, rpjm=rpjm)
    if form.is_valid():
        try:
            svc.rpjm_goal_add(
                actor=request.user,
                rpjm=rpjm,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                parent=form.cleaned_data["parent"],
            )
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Ditambahkan.")
    else:
        messages.error(
            request,
            "Isian misi/tujuan/sasaran belum lengkap: "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect(reverse("finance:rpjm_detail", args=[village.code, rpjm.pk]) + "#misi")


@require_POST
@login_required
def rpjm_goal_delete(request: HttpRequest, code: str, pk: int, goal: int) -> HttpResponse:
    village = _editor_village(request, code)
    rpjm = sel.rpjmdes_get(village=village, pk=pk)
    obj = RpjmGoal.objects.filter(rpjm=rpjm, pk=goal).first()
    if obj is None:
        raise Http404("Data tidak ditemukan.")
    try:
        svc.rpjm_goal_delete(actor=request.user, goal=obj)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Dihapus.")
    return redirect(reverse("finance:rpjm_detail", args=[village.code, rpjm.pk]) + "#misi")


def _rpjm_activity_form(request: HttpRequest, code: str, pk: int, activity_pk: int | None) -> HttpResponse:
    village = _editor_village(request, code)
    rpjm = sel.rpjmdes_get(village=village, pk=pk)
    activity = None
    initial: dict[str, Any] = {}
    if activity_pk is not None:
        activity = RpjmActivity.objects.filter(rpjm=rpjm, pk=activity_pk).first()
        if activity is None:
            raise Http404("Kegiatan tidak ditemukan.")
        amounts = list(activity.amounts.all())
        initial = {
            "activity_code": activity.activity_code_id,
            "name": activity.name,
            "location": activity.location,
            "output_target": activity.output_target,
            "beneficiaries": activity.beneficiaries,
            "source": next((a.source_id for a in amounts if a.source_id), None),
            **{f"amount_{a.year}": a.amount for a in amounts},
        }
    form = RpjmActivityForm(request.POST or None, rpjm=rpjm, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.rpjm_activity_save(actor=request.user, rpjm=rpjm, data=form.to_input(), activity=activity)
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Kegiatan RPJMDes disimpan.")
            return redirect(reverse("finance:rpjm_detail", args=[village.code, rpjm.pk]) + "#kegiatan")
    return render(
        request,
        "finance/planning/rpjm_activity_form.html",
        _context(request, village, form=form, rpjm=rpjm, activity=activity),
    )


@login_required
def rpjm_activity_create(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    return _rpjm_activity_form(request, code, pk, None)


@login_required
def rpjm_activity_edit(request: HttpRequest, code: str, pk: int, activity: int) -> HttpResponse:
    return _rpjm_activity_form(request, code, pk, activity)


@require_POST
@login_required
def rpjm_activity_delete(request: HttpRequest, code: str, pk: int, activity: int) -> HttpResponse:
    village = _editor_village(request, code)
    rpjm = sel.rpjmdes_get(village=village, pk=pk)
    obj = RpjmActivity.objects.filter(rpjm=rpjm, pk=activity).first()
    if obj is None:
        raise Http404("Kegiatan tidak ditemukan.")
    try:
        svc.rpjm_activity_delete(actor=request.user, activity=obj)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Kegiatan dihapus.")
    return redirect(reverse("finance:rpjm_detail", args=[village.code, rpjm.pk]) + "#kegiatan")


@require_POST
@login_required
def rpjm_enact(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village(request, code)
    if not _can_enact(request, village):
        raise PermissionDenied("Hanya kepala desa atau sekretaris desa yang dapat menetapkan RPJMDes.")
    rpjm = sel.rpjmdes_get(village=village, pk=pk)
    form = PerdesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Isi nomor dan tanggal Perdes dengan benar.")
    else:
        try:
            svc.rpjmdes_enact(
                actor=request.user,
                rpjm=rpjm,
                perdes_number=form.cleaned_data["perdes_number"],
                perdes_date=form.cleaned_data["perdes_date"],
            )
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{rpjm} ditetapkan.")
    return redirect("finance:rpjm_detail", code=village.code, pk=rpjm.pk)


@login_required
def rpjm_excel(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village(request, code)
    rpjm = sel.rpjmdes_get(village=village, pk=pk)
    return _xlsx(sel.rpjm_workbook(rpjm), f"rpjmdes-{village.code}-{rpjm.start_year}-{rpjm.end_year}.xlsx")


# -- RKPDes --------------------------------------------------------------------------------


@login_required
def rkp_list(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    plans = [(p, sel.rkp_deadline_info(p)) for p in sel.rkpdes_list(village=village)]
    form = RkpCreateForm(initial={"year": timezone.localdate().year + 1})
    return render(
        request, "finance/planning/rkp_list.html", _context(request, village, plans=plans, form=form)
    )


@require_POST
@login_required
def rkp_create(request: HttpRequest, code: str) -> HttpResponse:
    village = _editor_village(request, code)
    form = RkpCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Isi tahun anggaran dengan benar.")
        return redirect("finance:rkp_list", code=village.code)
    try:
        rkp = svc.rkpdes_create(actor=request.user, village=village, year=form.cleaned_data["year"])
    except KampungError as exc:
        messages.error(request, exc.message)
        return redirect("finance:rkp_list", code=village.code)
    count = rkp.activities.count()
    messages.success(request, f"{rkp} dibuat dari RPJMDes dengan {count} kegiatan.")
    return redirect("finance:rkp_detail", code=village.code, year=rkp.year)


@login_required
def rkp_detail(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village(request, code)
    rkp = sel.rkpdes_get(village=village, year=year)
    draft = rkp.status == PlanStatus.DRAFT
    rows = sel.rkp_activity_rows(rkp)
    musdes_form = RkpMusdesForm(village=village, initial={"musdes": rkp.musdes_id}) if draft else None
    return render(
        request,
        "finance/planning/rkp_detail.html",
        _context(
            request,
            village,
            rkp=rkp,
            draft=draft,
            rows=rows,
            total=sum((a.amount for a in rows), 0),
            deadline=sel.rkp_deadline_info(rkp),
            musdes_form=musdes_form,
            perdes_form=PerdesForm() if draft else None,
        ),
    )


def _rkp_activity_form(request: HttpRequest, code: str, year: int, activity_pk: int | None) -> HttpResponse:
    village = _editor_village(request, code)
    rkp = sel.rkpdes_get(village=village, year=year)
    activity = None
    initial: dict[str, Any] = {"source": "DDS"}
    if activity_pk is not None:
        activity = RkpActivity.objects.filter(rkp=rkp, pk=activity_pk).first()
        if activity is None:
            raise Http404("Kegiatan tidak ditemukan.")
        initial = {
            f: getattr(activity, f)
            for f in (
                "name",
                "location",
                "volume",
                "unit",
                "beneficiaries",
                "executor",
                "amount",
                "output_volume",
                "output_unit",
                "start_month",
                "end_month",
            )
        }
        initial.update(activity_code=activity.activity_code_id, source=activity.source_id)
    form = RkpActivityForm(request.POST or None, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.rkp_activity_save(actor=request.user, rkp=rkp, data=form.to_input(), activity=activity)
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Kegiatan RKPDes disimpan.")
            return redirect("finance:rkp_detail", code=village.code, year=rkp.year)
    return render(
        request,
        "finance/planning/rkp_activity_form.html",
        _context(request, village, form=form, rkp=rkp, activity=activity),
    )


@login_required
def rkp_activity_create(request: HttpRequest, code: str, year: int) -> HttpResponse:
    return _rkp_activity_form(request, code, year, None)


@login_required
def rkp_activity_edit(request: HttpRequest, code: str, year: int, activity: int) -> HttpResponse:
    return _rkp_activity_form(request, code, year, activity)


@require_POST
@login_required
def rkp_activity_delete(request: HttpRequest, code: str, year: int, activity: int) -> HttpResponse:
    village = _editor_village(request, code)
    rkp = sel.rkpdes_get(village=village, year=year)
    obj = RkpActivity.objects.filter(rkp=rkp, pk=activity).first()
    if obj is None:
        raise Http404("Kegiatan tidak ditemukan.")
    try:
        svc.rkp_activity_delete(actor=request.user, activity=obj)
    except KampungError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Kegiatan dihapus.")
    return redirect("finance:rkp_detail", code=village.code, year=rkp.year)


@require_POST
@login_required
def rkp_musdes(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _editor_village(request, code)
    rkp = sel.rkpdes_get(village=village, year=year)
    form = RkpMusdesForm(request.POST, village=village)
    if not form.is_valid():
        messages.error(request, "Pilih Musdes dari daftar.")
    else:
        try:
            svc.rkpdes_set_musdes(actor=request.user, rkp=rkp, musdes=form.cleaned_data["musdes"])
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Musdes RKPDes disimpan.")
    return redirect("finance:rkp_detail", code=village.code, year=rkp.year)


@require_POST
@login_required
def rkp_enact(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village(request, code)
    if not _can_enact(request, village):
        raise PermissionDenied("Hanya kepala desa atau sekretaris desa yang dapat menetapkan RKPDes.")
    rkp = sel.rkpdes_get(village=village, year=year)
    form = PerdesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Isi nomor dan tanggal Perdes dengan benar.")
    else:
        try:
            svc.rkpdes_enact(
                actor=request.user,
                rkp=rkp,
                perdes_number=form.cleaned_data["perdes_number"],
                perdes_date=form.cleaned_data["perdes_date"],
            )
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{rkp} ditetapkan.")
    return redirect("finance:rkp_detail", code=village.code, year=rkp.year)


@login_required
def rkp_excel(request: HttpRequest, code: str, year: int) -> HttpResponse:
    village = _village(request, code)
    rkp = sel.rkpdes_get(village=village, year=year)
    return _xlsx(sel.rkp_workbook(rkp), f"rkpdes-{village.code}-{rkp.year}.xlsx")


# -- Musdes --------------------------------------------------------------------------------


@login_required
def musdes_list(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    page = Paginator(sel.musdes_list(village=village), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/planning/musdes_list.html",
        _context(request, village, page_obj=page, querystring_base=""),
    )


def _musdes_form(request: HttpRequest, code: str, pk: int | None) -> HttpResponse:
    village = _editor_village(request, code)
    musdes = sel.musdes_get(village=village, pk=pk) if pk is not None else None
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = MusdesForm.for_musdes(musdes, data, files) if musdes else MusdesForm(data, files)
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.musdes_save(
                actor=request.user,
                village=village,
                data=form.to_input(),
                musdes=musdes,
                minutes=form.cleaned_data.get("minutes"),
            )
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Musdes '{saved.title}' disimpan.")
            return redirect("finance:musdes_list", code=village.code)
    return render(
        request, "finance/planning/musdes_form.html", _context(request, village, form=form, musdes=musdes)
    )


@login_required
def musdes_create(request: HttpRequest, code: str) -> HttpResponse:
    return _musdes_form(request, code, None)


@login_required
def musdes_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    return _musdes_form(request, code, pk)


@login_required
def musdes_minutes(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """The minutes file, only through this scoped view (never a public media URL)."""
    village = _village(request, code)
    musdes = sel.musdes_get(village=village, pk=pk)
    if not musdes.minutes_file:
        raise Http404("Berita acara belum diunggah.")
    return file_response(
        musdes.minutes_file, content_type=PDF, inline=False, filename=f"berita-acara-musdes-{musdes.pk}.pdf"
    )


# -- proposals -----------------------------------------------------------------------------


def _proposal_filters(request: HttpRequest) -> dict[str, Any]:
    status = request.GET.get("status", "")
    return {
        "year": _int(request.GET.get("tahun")),
        "status": status if status in ProposalStatus.values else "",
        "q": request.GET.get("q", "")[:100],
    }


@login_required
def proposal_list(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    filters = _proposal_filters(request)
    rows = sel.proposal_list(village=village, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"tahun": filters["year"] or "", "status": filters["status"], "q": filters["q"]}
    query = {k: v for k, v in query.items() if v}
    return render(
        request,
        "finance/planning/proposal_list.html",
        _context(
            request,
            village,
            page_obj=page,
            filters=filters,
            years=sel.proposal_years(village),
            statuses=ProposalStatus.choices,
            querystring_base=urlencode(query) + "&" if query else "",
            export_query=urlencode(query),
        ),
    )


@login_required
def proposal_excel(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(request, code)
    rows = sel.proposal_list(village=village, **_proposal_filters(request))
    return _xlsx(
        sel.proposals_workbook(village, rows.iterator(chunk_size=500)), f"usulan-{village.code}.xlsx"
    )


@login_required
def proposal_counter(request: HttpRequest, code: str) -> HttpResponse:
    """Staff enter a proposal for a resident at the village office (channel loket)."""
    village = _editor_village(request, code)
    form = CounterProposalForm(request.POST or None, village=village)
    if request.method == "POST" and form.is_valid():
        resident = Resident.objects.filter(
            village=village, nik=form.cleaned_data["nik"], basic_status=BasicStatus.LIVING
        ).first()
        if resident is None:
            form.add_error("nik", "Penduduk dengan NIK ini tidak tercatat hidup di desa ini.")
        else:
            try:
                proposal = svc.proposal_submit(
                    resident=resident,
                    channel=ProposalChannel.COUNTER,
                    data=form.to_input(),
                    actor=request.user,
                )
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Usulan '{proposal.title}' dari {resident.name} dicatat.")
                return redirect("finance:proposal_detail", code=village.code, pk=proposal.pk)
    return render(request, "finance/planning/proposal_counter.html", _context(request, village, form=form))


@login_required
def proposal_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _village(request, code)
    proposal = sel.proposal_get(village=village, pk=pk)
    decide_form = None
    to_rkp_form = None
    rkp = None
    if proposal.status == ProposalStatus.SUBMITTED:
        decide_form = DecisionForm()
    elif proposal.status == ProposalStatus.ACCEPTED and proposal.rkp_activity_id is None:
        rkp = Rkpdes.objects.filter(village=village, year=proposal.year).first()
        to_rkp_form = ProposalToRkpForm(
            village=village,
            initial={
                "activity_code": proposal.activity_code_id
                if proposal.activity_code and proposal.activity_code.level == "kegiatan"
                else None,
                "amount": proposal.estimated_cost,
                "source": "DDS",
            },
        )
    return render(
        request,
        "finance/planning/proposal_detail.html",
        _context(
            request,
            village,
            proposal=proposal,
            decide_form=decide_form,
            village_musdes=list(sel.musdes_list(village=village)[:50]),
            to_rkp_form=to_rkp_form,
            rkp=rkp,
        ),
    )


@require_POST
@login_required
def proposal_decide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _editor_village(request, code)
    proposal = sel.proposal_get(village=village, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pilih keputusan dan Musdes dari daftar.")
    else:
        try:
            svc.proposal_decide(
                actor=request.user,
                proposal=proposal,
                accepted=form.cleaned_data["decision"] == "terima",
                musdes=form.cleaned_data["musdes"],
                note=form.cleaned_data["note"],
            )
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Keputusan Musdes atas usulan ini dicatat.")
    return redirect("finance:proposal_detail", code=village.code, pk=proposal.pk)


@require_POST
@login_required
def proposal_to_rkp(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    village = _editor_village(request, code)
    proposal = sel.proposal_get(village=village, pk=pk)
    form = ProposalToRkpForm(request.POST, village=village)
    if not form.is_valid():
        messages.error(request, "Isian kegiatan RKPDes belum benar: pilih kode kegiatan dan sumber dana.")
    else:
        try:
            svc.proposal_to_rkp(
                actor=request.user,
                proposal=proposal,
                activity_code=form.cleaned_data["activity_code"],
                source=form.cleaned_data["source"],
                amount=form.cleaned_data["amount"],
            )
        except KampungError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Usulan dimasukkan ke RKPDes {proposal.year}.")
    return redirect("finance:proposal_detail", code=village.code, pk=proposal.pk)
