"""Village pages of a programme year: cases by stage, registration (with the family search),
a case's page, the survey (phone first), its photos, the ranked list and the Musdes.

Thin views: the village and the case come from the scoped look-ups of ``access`` (another
village → 404; a role that may not act → 404 as in finance); every write is one service
call whose refusal is shown on the form or as a message with a 4xx status.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kampung.accounts.scope import scope_for
from kampung.assistance import access
from kampung.assistance.attributes import ATTRIBUTES, answer_display
from kampung.assistance.forms import cases as forms
from kampung.assistance.models import (
    SURVEY_PHOTO_KINDS,
    Case,
    CasePhoto,
    CaseStatus,
    DeliberationKind,
    Programme,
    ProgrammeKind,
)
from kampung.assistance.photos import SURVEY_KINDS, photo_add, photo_remove
from kampung.assistance.scoring import Assessment, assess
from kampung.assistance.selectors import cases as sel
from kampung.assistance.services import cases as case_svc
from kampung.assistance.services.deliberations import deliberation_record
from kampung.assistance.services.surveys import programme_attributes, survey_save
from kampung.assistance.views import search_query
from kampung.core.errors import KampungError
from kampung.core.pdf import pdf_filename
from kampung.core.uploads import EXTENSIONS, file_response
from kampung.core.views import run_service as _run
from kampung.population.models import BasicStatus, Family, Resident
from kampung.population.selectors import shown_number
from kampung.regions.calendar import local_today
from kampung.regions.models import Region

MIN_YEAR, MAX_YEAR = 2000, 2100
PER_PAGE = 25
NAV = "assistance"


# -- helpers -------------------------------------------------------------------------------


def _village_programme(
    request: HttpRequest, code: str, programme: str, year: int, *roles: str
) -> tuple[Region, Programme]:
    village = access.village_or_404(request.user, code, *roles)
    prog = access.programme_or_404(programme)
    if not MIN_YEAR <= year <= MAX_YEAR or not village.code.startswith(prog.regency_id + "."):
        raise Http404("Program tidak ditemukan.")
    return village, prog


def _may(request: HttpRequest, village_code: str, roles: tuple[str, ...]) -> bool:
    return access.may(request.user, village_code, *roles)


def _case_url(case: Case) -> str:
    return reverse("assistance:case", args=[case.pk])


def _village_url(case: Case) -> str:
    return reverse("assistance:village", args=[case.village_id, case.programme.code, case.year])


def _score(case: Case) -> str:
    if case.score is None:
        return "–"
    text = f"{case.score:.2f}"
    return text[:-3] if text.endswith(".00") else text.replace(".", ",")


def _base(village: Region, programme: Programme, year: int, **extra: Any) -> dict[str, Any]:
    return {"village": village, "programme": programme, "year": year, "nav_active": NAV, **extra}


# -- village page --------------------------------------------------------------------------


@login_required
def village_programme(request: HttpRequest, code: str, programme: str, year: int) -> HttpResponse:
    village, prog = _village_programme(request, code, programme, year)
    stage = request.GET.get("tahap", "")
    stage = stage if stage in CaseStatus.values else ""
    query = search_query(request)
    counts = sel.stage_counts(village, prog, year)
    qs = sel.case_list(village, prog, year, stage=stage, q=query)
    if request.GET.get("format") == "xlsx":
        return _cases_workbook(request, village, prog, year, list(qs.select_related("survey")))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    tabs = [{"value": s, "label": label, "count": counts[s]} for s, label in sel.STAGES]
    return render(
        request,
        "assistance/village.html",
        _base(
            village,
            prog,
            year,
            page_obj=page,
            querystring_base=(params.urlencode() + "&") if params else "",
            tabs=tabs,
            total=counts["total"],
            stage=stage,
            q=query,
            can_register=_may(request, village.code, access.REGISTRARS),
            can_deliberate=_may(request, village.code, access.DELIBERATION_RECORDERS),
            is_cash=prog.kind == ProgrammeKind.CASH,
        ),
    )


# -- registration --------------------------------------------------------------------------


def _family_matches(request: HttpRequest, village: Region, query: str) -> list[dict[str, Any]]:
    """Families of the village whose member matches ``query`` (name words, NIK or KK)."""
    from kampung.population.selectors import resident_search

    if len(query.strip()) < 3:
        return []
    residents = list(
        resident_search(actor=request.user, q=query, village=village.code, status=BasicStatus.LIVING)
        .filter(family__isnull=False)
        .select_related("family", "family__head")[:20]
    )
    seen: dict[int, dict[str, Any]] = {}
    for resident in residents:
        family = resident.family
        assert family is not None
        row = seen.setdefault(
            family.pk,
            {
                "family": family,
                "kk": shown_number(request.user, village.code, family.kk_number),
                "head": family.head.name if family.head else "",
                "matched": [],
            },
        )
        row["matched"].append(resident.name)
    return list(seen.values())


@login_required
def case_register(request: HttpRequest, code: str, programme: str, year: int) -> HttpResponse:
    village, prog = _village_programme(request, code, programme, year, *access.REGISTRARS)
    query = search_query(request)
    today = local_today(village)
    family: Family | None = None
    raw_family = str(request.POST.get("family") or request.GET.get("keluarga", ""))
    if raw_family.isascii() and raw_family.isdigit():
        family = Family.objects.filter(pk=int(raw_family), village=village).select_related("head").first()
    form = forms.RegisterForm(
        request.POST if request.method == "POST" else None,  # bound even when empty: add_error below
        initial={"registered_on": today, "family": family.pk if family else None},
    )
    status = 200
    if request.method == "POST":
        valid = form.is_valid()  # first: add_error() needs the cleaned data
        if family is None:
            form.add_error(None, "Pilih keluarga dari hasil pencarian terlebih dahulu.")
        elif valid:
            beneficiary = None
            if form.cleaned_data.get("beneficiary"):
                beneficiary = Resident.objects.filter(
                    pk=form.cleaned_data["beneficiary"], family=family
                ).first()
            try:
                case = case_svc.case_register(
                    actor=request.user,
                    programme=prog,
                    year=year,
                    family=family,
                    beneficiary=beneficiary,
                    reason=form.cleaned_data["reason"],
                    registered_on=form.cleaned_data["registered_on"],
                )
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Kasus {case.number} atas nama {case.name} didaftarkan.")
                return redirect(_case_url(case))
        status = 400
    members: list[Resident] = []
    if family is not None:
        members = list(
            Resident.objects.filter(family=family, basic_status=BasicStatus.LIVING).order_by(
                "family_relation", "birth_date", "pk"
            )
        )
    return render(
        request,
        "assistance/cases/register.html",
        _base(
            village,
            prog,
            year,
            form=form,
            q=query,
            matches=_family_matches(request, village, query) if query and family is None else [],
            family=family,
            family_kk=shown_number(request.user, village.code, family.kk_number) if family else "",
            members=members,
        ),
        status=status,
    )


@login_required
def family_search(request: HttpRequest, code: str) -> HttpResponse:
    """Families of the village matching ``q`` as JSON (for a typing search box)."""
    village = access.village_or_404(request.user, code, *access.REGISTRARS)
    rows = _family_matches(request, village, search_query(request))
    return JsonResponse(
        {
            "results": [
                {
                    "id": r["family"].pk,
                    "kk": r["kk"],
                    "head": r["head"],
                    "matched": r["matched"],
                    "dusun": r["family"].dusun,
                    "rt": r["family"].rt,
                    "rw": r["family"].rw,
                }
                for r in rows
            ]
        }
    )


# -- the case ------------------------------------------------------------------------------


def _answers_rows(case: Case) -> list[dict[str, str]]:
    survey = getattr(case, "survey", None)
    if survey is None:
        return []
    return [
        {"label": ATTRIBUTES[code].label, "value": answer_display(code, value)}
        for code, value in survey.answers.items()
        if code in ATTRIBUTES
    ]


def _photos(case: Case) -> list[CasePhoto]:
    return list(CasePhoto.objects.filter(case=case).order_by("kind", "created_at"))


def _panel(module: str, request: HttpRequest, case: Case) -> dict[str, Any]:
    """Context of another area's panel (``selectors.<module>.case_panel``)."""
    import importlib

    selector = importlib.import_module(f"kampung.assistance.selectors.{module}")
    return dict(selector.case_panel(actor=request.user, case=case) or {})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.case_or_404(request.user, pk)
    survey = getattr(case, "survey", None)
    assessment = None
    if survey is not None and survey.submitted_at is not None:
        # The sheet as judged when the survey was sent; surveys sent before it was kept are
        # judged again with the current criteria (the page then says if the score differs).
        assessment = (
            Assessment.from_json(survey.assessment)
            if survey.assessment
            else assess(case.programme, survey.answers, this_year=max(case.year, survey.surveyed_on.year))
        )
    village = case.village
    return render(
        request,
        "assistance/case_detail.html",
        _base(
            village,
            case.programme,
            case.year,
            case=case,
            survey=survey,
            answers=_answers_rows(case),
            photos=_photos(case),
            assessment=assessment,
            events=sel.timeline(case),
            nik=shown_number(request.user, village.code, case.nik),
            kk=shown_number(request.user, village.code, case.kk_number),
            can_survey=case.status == CaseStatus.REGISTERED and _may(request, village.code, access.SURVEYORS),
            can_cancel=case.status in case_svc.CANCELLABLE and _may(request, village.code, access.REGISTRARS),
            cancel_form=forms.CancelForm(),
            execution=_panel("execution", request, case),
            # The BLT panel's context is {"blt": {...}} (empty for a yearly programme).
            **_panel("blt", request, case),
        ),
    )


@require_POST
@login_required
def case_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.case_or_404(request.user, pk, *access.REGISTRARS)
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tuliskan alasan pembatalan.")
        return redirect(_case_url(case))
    _run(
        request,
        lambda: case_svc.case_cancel(actor=request.user, case=case, reason=form.cleaned_data["reason"]),
        f"Kasus {case.number} dibatalkan.",
    )
    return redirect(_case_url(case))


# -- the survey and its photos -------------------------------------------------------------


def _survey_form(case: Case, data: Any = None, files: Any = None) -> forms.SurveyForm:
    survey = getattr(case, "survey", None)
    initial: dict[str, Any] = {"surveyed_on": local_today(case.village)}
    if survey is not None:
        initial.update(forms.initial_answers(survey.answers))
        initial.update({"surveyed_on": survey.surveyed_on, "notes": survey.notes})
    kinds = SURVEY_KINDS if case.programme.kind == ProgrammeKind.HOUSING else ()
    return forms.SurveyForm(
        data,
        files,
        attributes=programme_attributes(case),
        photo_kinds=tuple(kinds),
        this_year=max(case.year, local_today(case.village).year),
        initial=initial,
    )


@login_required
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.case_or_404(request.user, pk, *access.SURVEYORS)
    if case.status != CaseStatus.REGISTERED:
        messages.error(request, "Survei kasus ini sudah dikirim.")
        return redirect(_case_url(case))
    status = 200
    if request.method == "POST":
        form = _survey_form(case, request.POST, request.FILES)
        valid = form.is_valid()
        # Photos are kept even when an answer is wrong: the officer need not take them again.
        photo_errors = False
        for kind, upload in form.photos():
            try:
                photo_add(
                    actor=request.user,
                    case=case,
                    kind=kind,
                    upload=upload,
                    latitude=request.POST.get("latitude") or None,
                    longitude=request.POST.get("longitude") or None,
                    location_source=request.POST.get("location_source", ""),
                )
            except KampungError as exc:
                form.add_error(f"photo_{kind}", exc.message)
                photo_errors = True
        if valid and not photo_errors:
            submit = form.submitting
            try:
                survey_save(
                    actor=request.user,
                    case=case,
                    answers=form.answers(),
                    surveyed_on=form.cleaned_data["surveyed_on"],
                    notes=form.cleaned_data.get("notes", ""),
                    latitude=form.cleaned_data.get("latitude") or None,
                    longitude=form.cleaned_data.get("longitude") or None,
                    location_source=form.cleaned_data.get("location_source", ""),
                    submit=submit,
                )
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                case.refresh_from_db()
                if not submit:
                    messages.success(request, "Draf survei disimpan.")
                    return redirect(reverse("assistance:survey", args=[case.pk]))
                if case.status == CaseStatus.ELIGIBLE:
                    messages.success(request, f"Survei terkirim: layak, skor {_score(case)}.")
                else:
                    messages.warning(request, "Survei terkirim: tidak memenuhi syarat.")
                return redirect(_case_url(case))
        status = 400
    else:
        form = _survey_form(case)
    photos = {p.kind: p for p in _photos(case)}
    return render(
        request,
        "assistance/cases/survey.html",
        _base(
            case.village,
            case.programme,
            case.year,
            case=case,
            form=form,
            photo_rows=[(kind, field, photos.get(kind)) for kind, field in form.photo_fields()],
            required_kinds=[str(k) for k in SURVEY_PHOTO_KINDS],
        ),
        status=status,
    )


@require_POST
@login_required
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.case_or_404(request.user, pk, *access.SURVEYORS)
    kind = request.POST.get("kind", "")
    _run(
        request,
        lambda: photo_add(
            actor=request.user,
            case=case,
            kind=kind,
            upload=request.FILES.get("file"),
            latitude=request.POST.get("latitude") or None,
            longitude=request.POST.get("longitude") or None,
            location_source=request.POST.get("location_source", ""),
        ),
        "Foto diunggah.",
    )
    return redirect(reverse("assistance:survey", args=[case.pk]))


def _photo_or_404(request: HttpRequest, pk: int, *roles: str) -> CasePhoto:
    photo = CasePhoto.objects.select_related("case").filter(pk=pk).first()
    if photo is None or not scope_for(request.user).covers(photo.case.village_id, *(roles or access.READERS)):
        raise Http404("Foto tidak ditemukan.")
    return photo


@login_required
def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    photo = _photo_or_404(request, pk)
    ext = EXTENSIONS.get(photo.content_type, "bin")
    return file_response(photo.file, content_type=photo.content_type, filename=f"foto-{photo.pk}.{ext}")


@require_POST
@login_required
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = _photo_or_404(request, pk, *access.SURVEYORS)
    case = photo.case
    _run(request, lambda: photo_remove(actor=request.user, photo=photo), "Foto dihapus.")
    return redirect(reverse("assistance:survey", args=[case.pk]))


# -- ranking and the Musdes ----------------------------------------------------------------


@login_required
def ranking(request: HttpRequest, code: str, programme: str, year: int) -> HttpResponse:
    village, prog = _village_programme(request, code, programme, year)
    cases = sel.ranked_list(village, prog, year)
    if request.GET.get("format") == "xlsx":
        return _ranking_workbook(request, village, prog, year, cases)
    return render(
        request,
        "assistance/cases/ranking.html",
        _base(
            village,
            prog,
            year,
            rows=[(n, c, sel.area_per_person(c)) for n, c in enumerate(cases, start=1)],
            can_deliberate=_may(request, village.code, access.DELIBERATION_RECORDERS),
        ),
    )


def _workbook(
    request: HttpRequest,
    village: Region,
    programme: Programme,
    year: int,
    cases: list[Case],
    *,
    title: str,
    ranked: bool,
) -> HttpResponse:
    """A case list as an Excel sheet (NIK whole for the village's own staff, masked otherwise)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from kampung.finance.outputs.excel import XLSX_CONTENT_TYPE

    wb = Workbook()
    ws: Any = wb.active
    ws.title = title[:30]
    ws.cell(row=1, column=1, value=f"{title} {programme.name} Desa {village.name} tahun {year}").font = Font(
        bold=True
    )
    headers = [
        ("Peringkat" if ranked else "No.", 10),
        ("Nomor kasus", 18),
        ("Nama", 28),
        ("NIK", 20),
        ("Dusun", 14),
        ("RT/RW", 8),
        ("Tanggal daftar", 12),
        ("Skor", 8),
        ("Luas per orang (m²)", 12),
        ("Prioritas musdes", 10),
        ("Tahap", 26),
        ("Alasan penolakan", 40),
    ]
    for col, (label, width) in enumerate(headers, start=1):
        ws.cell(row=3, column=col, value=label).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, case in enumerate(cases, start=4):
        area = sel.area_per_person(case)
        values = [
            row - 3,
            case.number,
            case.name,
            shown_number(request.user, village.code, case.nik),
            case.dusun,
            f"{case.rt}/{case.rw}",
            case.registered_on,
            float(case.score) if case.score is not None else None,
            float(area) if area is not None else None,
            case.priority,
            case.get_status_display(),
            case.refusal_reason,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            if col == 7:
                cell.number_format = "DD-MM-YYYY"
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = pdf_filename(title.lower(), programme.code, village.name, str(year))[:-4]
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _ranking_workbook(
    request: HttpRequest, village: Region, programme: Programme, year: int, cases: list[Case]
) -> HttpResponse:
    return _workbook(request, village, programme, year, cases, title="Peringkat", ranked=True)


def _cases_workbook(
    request: HttpRequest, village: Region, programme: Programme, year: int, cases: list[Case]
) -> HttpResponse:
    return _workbook(request, village, programme, year, cases, title="Kasus", ranked=False)


@login_required
def deliberation(request: HttpRequest, code: str, programme: str, year: int) -> HttpResponse:
    village, prog = _village_programme(request, code, programme, year, *access.DELIBERATION_RECORDERS)
    cases = sel.ranked_list(village, prog, year)
    kind = DeliberationKind.SPECIAL if prog.kind == ProgrammeKind.CASH else DeliberationKind.MUSDES
    form = forms.DeliberationForm(
        request.POST if request.method == "POST" else None,  # bound even when empty: add_error below
        initial={"kind": kind, "held_on": local_today(village), "place": f"Balai Desa {village.name}"},
    )
    status = 200
    order_values: dict[int, str] = {c.pk: str(n) for n, c in enumerate(cases, start=1)}
    if request.method == "POST":
        order, errors = forms.order_from_post(request.POST, [c.pk for c in cases])
        order_values = {c.pk: str(request.POST.get(f"urutan_{c.pk}", "")).strip()[:6] for c in cases}
        for error in errors:
            form.add_error(None, error)
        if form.is_valid() and not errors:
            try:
                deliberation_record(
                    actor=request.user,
                    programme=prog,
                    year=year,
                    village=village,
                    order=order,
                    **form.cleaned_data,
                )
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Hasil musyawarah dicatat: {len(order)} keluarga diprioritaskan.")
                return redirect(reverse("assistance:ranking", args=[village.code, prog.code, year]))
        status = 400
    from kampung.assistance.models import Deliberation

    return render(
        request,
        "assistance/cases/deliberation.html",
        _base(
            village,
            prog,
            year,
            form=form,
            rows=[(c, order_values.get(c.pk, "")) for c in cases],
            earlier=list(Deliberation.objects.filter(programme=prog, year=year, village=village)[:10]),
        ),
        status=status,
    )
