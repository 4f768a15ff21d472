"""Alert lists: the user's own (``peringatan/``: open alerts under their scope of the kinds
their role acts on, see :mod:`kampung.monitoring.selectors.alerts`) and a region's
(``<code>/peringatan/``, with the dashboard's header), filtered by kind, paginated, Excel."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kampung.monitoring.excel import DATE, XLSX_CONTENT_TYPE, Column, Table, workbook
from kampung.monitoring.models import Alert, AlertKind
from kampung.monitoring.selectors import alerts as sel
from kampung.monitoring.views_common import region_page, region_title

PER_PAGE = 50


def _kind(request: HttpRequest, allowed: tuple[str, ...]) -> str:
    kind = request.GET.get("jenis", "")
    return kind if kind in allowed else ""


def _workbook(title: str, alerts: QuerySet[Alert]) -> bytes:
    table = Table(
        key="peringatan",
        title="Peringatan",
        columns=[
            Column("Jenis"),
            Column("Desa/kelurahan"),
            Column("Kecamatan"),
            Column("Peringatan"),
            Column("Keterangan"),
            Column("Sejak", DATE),
            Column("Tautan"),
        ],
    )
    for alert in alerts.iterator(chunk_size=500):
        table.add(
            alert.get_kind_display(),
            alert.village.name,
            alert.village.parent.name if alert.village.parent else "",
            alert.title,
            alert.detail,
            timezone.localdate(alert.first_seen_at),
            alert.link,
        )
    return workbook(table, [title])


def _excel(title: str, alerts: QuerySet[Alert], name: str) -> HttpResponse:
    response = HttpResponse(_workbook(title, alerts), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="peringatan-{name}.xlsx"'
    return response


def _kind_choices(kinds: tuple[str, ...], counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(kind, label, open alerts of that kind in the unfiltered list)."""
    return [(k, str(AlertKind(k).label), counts.get(k, 0)) for k in kinds]


@login_required
@require_GET
def my_alerts(request: HttpRequest) -> HttpResponse:
    """What needs the user's attention: the open alerts of their scope and roles."""
    kinds = sel.kinds_for(request.user)
    everything = sel.user_alerts(user=request.user)
    if everything is None or not kinds:
        raise Http404("Halaman tidak ditemukan.")
    kind = _kind(request, kinds)
    alerts = sel.user_alerts(user=request.user, kind=kind)
    assert alerts is not None
    if request.GET.get("unduh") == "peringatan":
        return _excel("Peringatan yang perlu perhatian", alerts, "saya")
    page = Paginator(alerts, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/alerts/list.html",
        {
            "nav_active": "monitoring",
            "page_obj": page,
            "alerts": page.object_list,
            "kinds": _kind_choices(kinds, sel.kind_counts(everything)),
            "kind": kind,
            "querystring_base": urlencode({"jenis": kind}) + "&",
            "export_query": urlencode({"jenis": kind, "unduh": "peringatan"}),
        },
    )


@login_required
@require_GET
def region_alerts(request: HttpRequest, code: str) -> HttpResponse:
    """Every open alert of the region's villages (for whoever may open its dashboard)."""
    region, period, context = region_page(request, code, tab="peringatan")
    kind = _kind(request, sel.ALL_KINDS)
    everything = sel.region_alerts(region=region)
    alerts = sel.region_alerts(region=region, kind=kind)
    if request.GET.get("unduh") == "peringatan":
        return _excel(f"Peringatan — {region_title(region)}", alerts, region.code.replace(".", ""))
    page = Paginator(alerts, PER_PAGE).get_page(request.GET.get("page"))
    params = {"tahun": period.year, "periode": period.key, "jenis": kind}
    context.update(
        {
            "page_obj": page,
            "alerts": page.object_list,
            "kinds": _kind_choices(sel.ALL_KINDS, sel.kind_counts(everything)),
            "kind": kind,
            "keep": [("jenis", kind)],
            "querystring_base": urlencode(params) + "&",
            "export_query": urlencode({**params, "unduh": "peringatan"}),
        }
    )
    return render(request, "monitoring/alerts/region.html", context)
