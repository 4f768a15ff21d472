"""The regency's programme settings: the programme list and form, the criteria sheet, the
yearly settings with village quotas, and the register of earlier housing aid.

Anyone working for the regency's villages may read a programme's settings (the criteria
are what a household is judged by); only DPMD staff and the admin (``PROGRAMME_ADMINS``)
change them — for anyone else the forms are "not found" (404), as in finance's reference
pages. Every write goes through :mod:`kampung.assistance.services.programmes`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kampung.accounts.scope import scope_for
from kampung.assistance.access import PROGRAMME_ADMINS, READERS, programme_or_404
from kampung.assistance.attributes import ATTRIBUTES
from kampung.assistance.forms import programmes as forms
from kampung.assistance.models import AidHistory, Case, Criterion, CriterionKind, Programme, VillageQuota
from kampung.assistance.services import programmes as svc
from kampung.assistance.views import search_query
from kampung.core.errors import KampungError
from kampung.population.checks import mask_nik
from kampung.regions.models import Level, Region

NAV = "assistance"
PER_PAGE = 50
MIN_YEAR, MAX_YEAR = 2000, 2100
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- access ---------------------------------------------------------------------------------


def _regencies(user: Any, *roles: str) -> list[str]:
    """Regencies the user works in with one of ``roles`` (a village grant counts for its regency)."""
    return sorted(
        {g.region_code[:5] for g in scope_for(user).grants if g.role in roles and len(g.region_code) >= 5}
    )


def _regency_or_404(user: Any, *roles: str) -> Region:
    codes = _regencies(user, *roles)
    if not codes:
        raise Http404("Halaman tidak ditemukan.")
    return Region.objects.get(code=codes[0])


def is_admin(user: Any, regency_code: str) -> bool:
    return scope_for(user).covers(regency_code, *PROGRAMME_ADMINS)


def _programme(request: HttpRequest, code: str, *, admin: bool = False) -> Programme:
    """The programme, if the user works in its regency (as a programme admin when ``admin``)."""
    programme = programme_or_404(code)
    if admin:
        if not is_admin(request.user, programme.regency_id):
            raise Http404("Program tidak ditemukan.")
    elif programme.regency_id not in _regencies(request.user, *READERS):
        raise Http404("Program tidak ditemukan.")
    return programme


def _year_or_404(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Tahun tidak dikenal.")
    return year


def _ctx(request: HttpRequest, regency_code: str, **extra: Any) -> dict[str, Any]:
    return {
        "nav_active": NAV,
        "is_admin": is_admin(request.user, regency_code),
        "year": timezone.localdate().year,
        **extra,
    }


# -- programmes -----------------------------------------------------------------------------


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    regency = _regency_or_404(request.user, *READERS)
    programmes = (
        Programme.objects.filter(regency=regency)
        .annotate(
            criteria_count=Count("criteria", filter=Q(criteria__active=True), distinct=True),
        )
        .order_by("-active", "name")
    )
    return render(
        request,
        "assistance/programmes/list.html",
        _ctx(request, regency.code, regency=regency, programmes=programmes, year=timezone.localdate().year),
    )


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    regency = _regency_or_404(request.user, *PROGRAMME_ADMINS)
    form = forms.ProgrammeForm(request.POST or None, initial={"active": True, "months": 12, "min_score": 0})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                programme = svc.programme_create(
                    actor=request.user,
                    regency=regency,
                    code=form.cleaned_data["code"],
                    data=form.data_object(),
                )
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Program {programme.name} dibuat. Lengkapi kriterianya.")
                return redirect(reverse("assistance:criteria", args=[programme.code]))
        status = 400
    return render(
        request,
        "assistance/programmes/form.html",
        _ctx(request, regency.code, regency=regency, form=form, programme=None),
        status=status,
    )


def _programme_initial(programme: Programme) -> dict[str, Any]:
    return {name: getattr(programme, name) for name in ("code", *svc.PROGRAMME_FIELDS)}


@login_required
def programme_edit(request: HttpRequest, programme: str) -> HttpResponse:
    item = _programme(request, programme)
    admin = is_admin(request.user, item.regency_id)
    if request.method == "POST" and not admin:
        raise Http404("Program tidak ditemukan.")
    has_cases = Case.objects.filter(programme=item).exists()
    form = forms.ProgrammeForm(request.POST or None, initial=_programme_initial(item), code_locked=has_cases)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                item = svc.programme_update(
                    actor=request.user,
                    programme=item,
                    data=form.data_object(),
                    code=None if has_cases else form.cleaned_data["code"],
                )
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Program {item.name} disimpan.")
                return redirect(reverse("assistance:programme", args=[item.code]))
        status = 400
    years = sorted(
        {
            *item.years.values_list("year", flat=True),
            timezone.localdate().year,
            timezone.localdate().year + 1,
        },
        reverse=True,
    )
    return render(
        request,
        "assistance/programmes/form.html",
        _ctx(
            request,
            item.regency_id,
            regency=item.regency,
            form=form,
            programme=item,
            has_cases=has_cases,
            years=years,
            readonly=not admin,
        ),
        status=status,
    )


# -- criteria -------------------------------------------------------------------------------


def _criteria_page(
    request: HttpRequest,
    programme: Programme,
    *,
    form: forms.CriterionForm | None = None,
    status: int = 200,
    row_errors: dict[int, str] | None = None,
) -> HttpResponse:
    criteria = list(Criterion.objects.filter(programme=programme).order_by("kind", "order", "code"))
    admin = is_admin(request.user, programme.regency_id)
    for criterion in criteria:
        attribute = ATTRIBUTES.get(criterion.attribute)
        criterion.attribute_label = attribute.label if attribute else criterion.attribute  # type: ignore[attr-defined]
        criterion.value_label = (  # type: ignore[attr-defined]
            ", ".join(attribute.choice_label(v) for v in criterion.value.split(",") if v)
            if attribute and attribute.choices
            else f"{criterion.value} {attribute.unit if attribute else ''}".strip()
        )
    return render(
        request,
        "assistance/programmes/criteria.html",
        _ctx(
            request,
            programme.regency_id,
            programme=programme,
            scores=[c for c in criteria if c.kind == CriterionKind.SCORE],
            knockouts=[c for c in criteria if c.kind == CriterionKind.KNOCKOUT],
            max_score=sum((c.weight for c in criteria if c.kind == CriterionKind.SCORE and c.active), 0),
            form=form if form is not None else (forms.CriterionForm() if admin else None),
            attributes=list(ATTRIBUTES.values()),
            row_errors=row_errors or {},
        ),
        status=status,
    )


@login_required
def criteria(request: HttpRequest, programme: str) -> HttpResponse:
    item = _programme(request, programme, admin=request.method == "POST")
    if request.method != "POST":
        return _criteria_page(request, item)
    form = forms.CriterionForm(request.POST)
    if form.is_valid():
        try:
            criterion = svc.criterion_create(actor=request.user, programme=item, data=form.data_object())
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Kriteria {criterion.code} ditambahkan.")
            return redirect(reverse("assistance:criteria", args=[item.code]))
    return _criteria_page(request, item, form=form, status=400)


def _criterion_data(criterion: Criterion, **changes: Any) -> svc.CriterionData:
    data = svc.CriterionData(
        code=criterion.code,
        description=criterion.description,
        kind=criterion.kind,
        attribute=criterion.attribute,
        operator=criterion.operator,
        value=criterion.value,
        weight=criterion.weight,
        group=criterion.group,
        order=criterion.order,
        active=criterion.active,
        source=criterion.source,
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


@login_required
def criterion_edit(request: HttpRequest, programme: str, pk: int) -> HttpResponse:
    item = _programme(request, programme, admin=True)
    criterion = Criterion.objects.filter(programme=item, pk=pk).first()
    if criterion is None:
        raise Http404("Kriteria tidak ditemukan.")
    if request.method == "POST" and request.POST.get("quick"):
        # A row of the sheet: weight, value and active only.
        quick = forms.CriterionForm(
            {
                **_criterion_initial(criterion),
                "weight": request.POST.get("weight", ""),
                "value": request.POST.get("value", ""),
                "active": request.POST.get("active", ""),
            }
        )
        error = ""
        if quick.is_valid():
            try:
                svc.criterion_update(
                    actor=request.user,
                    criterion=criterion,
                    data=_criterion_data(
                        criterion,
                        weight=quick.cleaned_data["weight"],
                        value=quick.cleaned_data["value"],
                        active=quick.cleaned_data["active"],
                    ),
                )
            except KampungError as exc:
                error = exc.message
            else:
                messages.success(request, f"Kriteria {criterion.code} disimpan.")
                return redirect(reverse("assistance:criteria", args=[item.code]) + f"#k{criterion.pk}")
        else:
            error = " ".join(str(e) for errors in quick.errors.values() for e in errors)
        return _criteria_page(request, item, status=400, row_errors={criterion.pk: error})
    form = forms.CriterionForm(request.POST or None, initial=_criterion_initial(criterion), code_locked=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.criterion_update(actor=request.user, criterion=criterion, data=form.data_object())
            except KampungError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Kriteria {criterion.code} disimpan.")
                return redirect(reverse("assistance:criteria", args=[item.code]))
        status = 400
    return render(
        request,
        "assistance/programmes/criterion_form.html",
        _ctx(
            request,
            item.regency_id,
            programme=item,
            criterion=criterion,
            form=form,
            attributes=list(ATTRIBUTES.values()),
        ),
        status=status,
    )


def _criterion_initial(criterion: Criterion) -> dict[str, Any]:
    return {
        name: getattr(criterion, name)
        for name in (
            "code",
            "group",
            "description",
            "kind",
            "attribute",
            "operator",
            "value",
            "weight",
            "order",
            "active",
            "source",
        )
    }


# -- yearly settings and quotas -------------------------------------------------------------


def _village_choices(regency_code: str) -> list[tuple[str, str]]:
    return [
        (code, f"{name} — Kec. {district}")
        for code, name, district in Region.objects.filter(
            level=Level.VILLAGE, code__startswith=regency_code + "."
        )
        .order_by("code")
        .values_list("code", "name", "parent__name")
    ]


@login_required
def programme_year(request: HttpRequest, programme: str, year: int) -> HttpResponse:
    item = _programme(request, programme, admin=request.method == "POST")
    year = _year_or_404(year)
    row = item.years.filter(year=year).first()
    villages = _village_choices(item.regency_id)
    year_form = forms.YearForm(
        request.POST if request.POST.get("action") == "year" else None,
        initial={
            "amount": row.amount if row else item.amount,
            "quota_per_village": row.quota_per_village if row else item.quota_per_village,
            "months": row.months if row else item.months,
            "dd_cap_percent": row.dd_cap_percent if row else item.dd_cap_percent,
            "budget_ceiling": row.budget_ceiling if row else None,
        },
    )
    quota_form = forms.VillageQuotaForm(
        request.POST if request.POST.get("action") == "quota" else None, villages=villages
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "year" and year_form.is_valid():
            try:
                svc.programme_year_update(
                    actor=request.user, programme=item, year=year, data=year_form.data_object()
                )
            except KampungError as exc:
                year_form.add_error(None, exc.message)
            else:
                messages.success(request, f"Pengaturan {item.name} tahun {year} disimpan.")
                return redirect(reverse("assistance:programme_year", args=[item.code, year]))
        elif action == "quota" and quota_form.is_valid():
            village = Region.objects.get(code=quota_form.cleaned_data["village"])
            try:
                svc.village_quota_set(
                    actor=request.user,
                    programme=item,
                    year=year,
                    village=village,
                    quota=quota_form.cleaned_data["quota"],
                )
            except KampungError as exc:
                quota_form.add_error(None, exc.message)
            else:
                messages.success(request, f"Kuota {village.name} disimpan.")
                return redirect(reverse("assistance:programme_year", args=[item.code, year]))
        elif action not in ("year", "quota"):
            raise Http404("Tindakan tidak dikenal.")
        status = 400
    quotas = (
        list(
            VillageQuota.objects.filter(programme_year=row)
            .select_related("village", "village__parent")
            .order_by("village_id")
        )
        if row
        else []
    )
    decided = svc.decided_counts(item, year)
    for quota in quotas:
        quota.decided = decided.get(quota.village_id, 0)  # type: ignore[attr-defined]
    this_year = timezone.localdate().year
    return render(
        request,
        "assistance/programmes/year.html",
        _ctx(
            request,
            item.regency_id,
            programme=item,
            year=year,
            row=row,
            years=sorted({*range(this_year - 2, this_year + 2), year}, reverse=True),
            year_form=year_form,
            quota_form=quota_form,
            quotas=quotas,
            decided_total=sum(decided.values()),
        ),
        status=status,
    )


# -- earlier housing aid --------------------------------------------------------------------


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def aid_history(request: HttpRequest) -> HttpResponse:
    """The register of earlier housing aid (for the 10-year rule): list with search, one record
    at a time, or an Excel import. Programme admins only; NIK and KK shown masked."""
    regency = _regency_or_404(request.user, *PROGRAMME_ADMINS)
    if request.GET.get("format") == "template":
        return _xlsx(svc.aid_history_template(), "templat-riwayat-bantuan-perumahan.xlsx")
    add_form = forms.AidForm(request.POST if request.POST.get("action") == "add" else None)
    upload_form = forms.UploadForm(
        request.POST if request.POST.get("action") == "import" else None,
        request.FILES if request.POST.get("action") == "import" else None,
    )
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add" and add_form.is_valid():
            try:
                record = svc.aid_history_add(actor=request.user, regency=regency, data=add_form.data_object())
            except KampungError as exc:
                add_form.add_error(None, exc.message)
            else:
                messages.success(request, f"Riwayat bantuan {record.name} ({record.year}) dicatat.")
                return redirect(reverse("assistance:aid_history"))
        elif action == "import" and upload_form.is_valid():
            try:
                result = svc.aid_history_import(
                    actor=request.user, regency=regency, upload=upload_form.cleaned_data["file"]
                )
            except svc.ImportRejected as exc:
                upload_form.add_error(None, exc.message)
                problems = exc.problems
            except KampungError as exc:
                upload_form.add_error(None, exc.message)
            else:
                messages.success(request, result.message)
                return redirect(reverse("assistance:aid_history"))
        elif action not in ("add", "import"):
            raise Http404("Tindakan tidak dikenal.")
        status = 400
    query = search_query(request)
    qs = AidHistory.objects.filter(regency=regency).order_by("-year", "name", "pk")
    if query:
        digits = query.replace(" ", "")
        qs = qs.filter(
            Q(name__icontains=query) | Q(nik=digits) | Q(kk_number=digits) | Q(source__icontains=query)
        )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    for record in page.object_list:
        record.nik_shown = mask_nik(record.nik) if record.nik else ""  # type: ignore[attr-defined]
        record.kk_shown = mask_nik(record.kk_number) if record.kk_number else ""  # type: ignore[attr-defined]
    return render(
        request,
        "assistance/programmes/aid_history.html",
        _ctx(
            request,
            regency.code,
            regency=regency,
            page=page,
            page_obj=page,
            q=query,
            querystring_base=(urlencode({"q": query}) + "&") if query else "",
            add_form=add_form,
            upload_form=upload_form,
            problems=problems,
        ),
        status=status,
    )
