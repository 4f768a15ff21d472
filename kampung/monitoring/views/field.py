"""Field monitoring pages: a region's physical kegiatan with their problems (filters, search,
Excel), one kegiatan with its timeline and the visit form, and the visit photos (served only
to users whose scope covers the village)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kampung.accounts.scope import scope_for
from kampung.core.errors import KampungError, NotPermitted
from kampung.core.uploads import file_response
from kampung.monitoring.access import DASHBOARD_ROLES, VISIT_RECORDERS
from kampung.monitoring.excel import DATE, DEC, INT, MONEY, XLSX_CONTENT_TYPE, Column, Table, workbook
from kampung.monitoring.forms import VisitForm
from kampung.monitoring.models import FieldVisitPhoto
from kampung.monitoring.selectors import field as sel
from kampung.monitoring.services.settings import setting_for
from kampung.monitoring.services.visits import visit_record
from kampung.monitoring.views_common import region_page, region_title
from kampung.regions.calendar import local_today
from kampung.regions.models import Level, Region

PER_PAGE = 50
MIN_YEAR, MAX_YEAR = 2000, 2100
_ACTIVITY_CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{1,3}){0,3}")
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def _clean(value: str, limit: int) -> str:
    return value.replace("\x00", "").strip()[:limit]


# -- the region's kegiatan --------------------------------------------------------------------


def _projects_workbook(region: Region, year: int, rows: list[sel.ProjectRow], label: str) -> bytes:
    table = Table(
        key="proyek",
        title="Kegiatan fisik",
        columns=[
            Column("Kode desa"),
            Column("Desa"),
            Column("Kode kegiatan"),
            Column("Kegiatan"),
            Column("Lokasi"),
            Column("Bulan mulai", INT),
            Column("Bulan selesai", INT),
            Column("Anggaran", MONEY),
            Column("Realisasi", MONEY),
            Column("Realisasi (%)", DEC),
            Column("Fisik (%)", DEC),
            Column("Seharusnya (%)", DEC),
            Column("Kunjungan", INT),
            Column("Kunjungan terakhir", DATE),
            Column("Masalah"),
        ],
    )
    for row in rows:
        f = row.figure
        table.add(
            f.village_id,
            f.village.name,
            f.activity_code,
            f.name,
            f.location,
            f.start_month,
            f.end_month,
            f.budget,
            f.spent,
            row.spent_pct,
            f.physical_percent,
            row.expected,
            f.visits,
            f.last_visit_on,
            ", ".join(row.flag_labels),
        )
    return workbook(table, [f"Kegiatan fisik {year} — {region_title(region)} ({label})"])


@login_required
@require_GET
def projects(request: HttpRequest, code: str) -> HttpResponse:
    """The physical kegiatan of the year under the region, with the problem counts at the top
    and filters by problem (``?tampil=``), a search (``?q=``) and Excel (``?unduh=proyek``)."""
    region, period, context = region_page(request, code, tab="lapangan")
    today = context["today"]
    setting = setting_for(region.code[:5])
    rows = sel.project_rows(region=region, year=period.year, today=today, setting=setting)
    show = request.GET.get("tampil", sel.ALL)
    if show not in dict(sel.FILTERS):
        show = sel.ALL
    q = _clean(request.GET.get("q", ""), 100)
    chosen = sel.project_filter(rows, show=show, q=q)
    if request.GET.get("unduh") == "proyek":
        label = dict(sel.FILTERS)[show] + (f", cari “{q}”" if q else "")
        response = HttpResponse(
            _projects_workbook(region, period.year, chosen, label), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = (
            f'attachment; filename="kegiatan-fisik-{region.code.replace(".", "")}-{period.year}.xlsx"'
        )
        return response
    page = Paginator(chosen, PER_PAGE).get_page(request.GET.get("page"))
    params = {"tahun": period.year, "periode": period.key, "tampil": show, "q": q}
    context.update(
        {
            "rows": page.object_list,
            "page_obj": page,
            "counts": sel.project_counts(rows),
            "filters": sel.FILTERS,
            "show": show,
            "q": q,
            "setting": setting,
            "keep": [("tampil", show), ("q", q)],
            "querystring_base": urlencode(params) + "&",
            "export_query": urlencode({**params, "unduh": "proyek"}),
            "filter_query": urlencode({"tahun": period.year, "periode": period.key, "q": q}),
        }
    )
    return render(request, "monitoring/field/projects.html", context)


# -- one kegiatan ----------------------------------------------------------------------------


def _kegiatan_args(year: int, activity_code: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR or not _ACTIVITY_CODE.fullmatch(activity_code or ""):
        raise Http404("Kegiatan tidak ditemukan.")


def _project_page(
    request: HttpRequest, village_code: str, year: int, activity_code: str, form: VisitForm | None = None
) -> HttpResponse:
    _kegiatan_args(year, activity_code)
    village, _period, context = region_page(request, village_code, tab="lapangan")
    if village.level != Level.VILLAGE:
        raise Http404("Kegiatan tidak ditemukan.")
    figure = sel.project_figure(village.code, year, activity_code)
    activity = sel.activity_facts(village.code, year, activity_code)
    entries = sel.timeline(village.code, year, activity_code)
    if figure is None and activity is None and not entries:
        raise Http404("Kegiatan tidak ditemukan.")
    today = local_today(village)
    setting = setting_for(village.code[:5])
    row = sel.figure_row(figure, setting, today) if figure is not None else None
    name = figure.name if figure is not None else (activity.name if activity is not None else "")
    if not name:
        visit = next((e.visit for e in entries if e.visit is not None), None)
        name = visit.activity_name if visit is not None else ""
    can_record = activity is not None and scope_for(request.user).covers(village.code, *VISIT_RECORDERS)
    if can_record and form is None:
        form = VisitForm(initial={"visited_on": today})
    context.update(
        {
            "title": f"{activity_code} {name}",
            "village": village,
            "year": year,
            "activity_code": activity_code,
            "name": name,
            "figure": figure,
            "activity": activity,
            "row": row,
            "entries": entries,
            "can_record": can_record,
            "form": form,
            "setting": setting,
            "secure": request.is_secure(),
            "back": reverse("monitoring:projects", args=[village.code]) + f"?tahun={year}",
        }
    )
    return render(request, "monitoring/field/project.html", context)


@login_required
@require_GET
def project(request: HttpRequest, village_code: str, year: int, activity_code: str) -> HttpResponse:
    return _project_page(request, village_code, year, activity_code)


@login_required
@require_POST
def visit_add(request: HttpRequest, village_code: str, year: int, activity_code: str) -> HttpResponse:
    """Record a visit (district officers, camat, DPMD of the village); others get 404."""
    _kegiatan_args(year, activity_code)
    village = Region.objects.filter(code=_clean(village_code, 13), level=Level.VILLAGE).first()
    if village is None or not scope_for(request.user).covers(village.code, *VISIT_RECORDERS):
        raise Http404("Kegiatan tidak ditemukan.")
    form = VisitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            visit = visit_record(
                actor=request.user,
                village=village,
                year=year,
                activity_code=activity_code,
                visited_on=data["visited_on"],
                percent=data["percent"],
                notes=data["notes"],
                findings=data["findings"],
                photos=request.FILES.getlist("photos"),
                latitude=data["latitude"],
                longitude=data["longitude"],
            )
        except NotPermitted as exc:
            raise Http404("Kegiatan tidak ditemukan.") from exc
        except KampungError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Kunjungan lapangan tercatat.")
            url = reverse("monitoring:project", args=[village.code, year, activity_code])
            return redirect(f"{url}#kunjungan-{visit.pk}")
    return _project_page(request, village.code, year, activity_code, form=form)


@login_required
@require_GET
def visit_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A visit photo, for users whose dashboard scope covers the village; 404 otherwise."""
    photo = FieldVisitPhoto.objects.select_related("visit").filter(pk=pk).first()
    if photo is None or not scope_for(request.user).covers(photo.visit.village_id, *DASHBOARD_ROLES):
        raise Http404("Foto tidak ditemukan.")
    return file_response(
        photo.file,
        content_type=photo.content_type,
        filename=f"kunjungan-{photo.visit_id}-{photo.pk}.{_EXTENSIONS.get(photo.content_type, 'bin')}",
    )
