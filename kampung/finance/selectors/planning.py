"""Reads of village planning: RPJMDes, RKPDes, Musdes and residents' proposals, the planning
panel of the village finance page, the deadlines, and the Excel exports.

Views resolve the village with ``desa_in_scope_or_404`` first; every read here is then
limited to that village, so another village's row is "not found".
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from kampung.core.formatting import MONTHS_ID
from kampung.finance.models import (
    CalendarEvent,
    GoalKind,
    Musdes,
    PlanStatus,
    Proposal,
    ProposalStatus,
    RkpActivity,
    Rkpdes,
    RpjmActivity,
    RpjmAmount,
    Rpjmdes,
    RpjmGoal,
)
from kampung.finance.services.planning import rpjm_deadline
from kampung.population.models import Resident
from kampung.regions.models import Region

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBE4")
MONEY_FORMAT = "#,##0"


# -- deadlines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    label: str
    due: dt.date | None
    done_on: dt.date | None = None

    @property
    def state(self) -> str:
        """tepat waktu / terlambat (done), lewat / belum (open), or '' when unknown."""
        if self.due is None:
            return ""
        if self.done_on is not None:
            return "terlambat" if self.done_on > self.due else "tepat waktu"
        return "lewat batas" if timezone.localdate() > self.due else "belum jatuh tempo"

    @property
    def late(self) -> bool:
        return self.state in ("terlambat", "lewat batas")


def rpjm_deadline_info(rpjm: Rpjmdes) -> Deadline:
    """Perdes RPJMDes within 3 months of the head's inauguration (Permendagri 114/2014 Pasal 8)."""
    return Deadline(
        label="Perdes RPJMDes paling lambat 3 bulan setelah pelantikan kepala desa",
        due=rpjm_deadline(rpjm),
        done_on=rpjm.perdes_date if rpjm.status == PlanStatus.ENACTED else None,
    )


def rkp_due_date(*, regency_code: str, year: int) -> dt.date | None:
    """The regency's RKPDes Perdes deadline for budget year ``year`` from its calendar
    (``kampung.finance.selectors.calendar``); the built-in default calendar when that module
    is not installed."""
    try:
        from kampung.finance.selectors.calendar import deadlines_for
    except ImportError:
        from kampung.finance.defaults import default_calendar

        return default_calendar(year).get(CalendarEvent.RKPDES_PERDES)
    value: Any = deadlines_for(regency_code=regency_code, year=year).get(CalendarEvent.RKPDES_PERDES)
    if value is None or isinstance(value, dt.date):
        return value
    return getattr(value, "due_date", None) or getattr(value, "due", None)


def rkp_deadline_info(rkp: Rkpdes) -> Deadline:
    return Deadline(
        label=f"Penetapan Perdes RKPDes {rkp.year}",
        due=rkp_due_date(regency_code=rkp.village.regency_code, year=rkp.year),
        done_on=rkp.perdes_date if rkp.status == PlanStatus.ENACTED else None,
    )


# -- RPJMDes -------------------------------------------------------------------------------


def rpjmdes_list(*, village: Region) -> QuerySet[Rpjmdes]:
    return (
        Rpjmdes.objects.filter(village=village)
        .annotate(activity_count=Count("activities", distinct=True))
        .order_by("-start_year")
    )


def rpjmdes_get(*, village: Region, pk: int) -> Rpjmdes:
    rpjm = Rpjmdes.objects.filter(village=village, pk=pk).select_related("village").first()
    if rpjm is None:
        raise Http404("RPJMDes tidak ditemukan.")
    return rpjm


@dataclass
class MissionTree:
    goal: RpjmGoal
    children: list[MissionTree] = field(default_factory=list)


def rpjm_goal_tree(rpjm: Rpjmdes) -> list[MissionTree]:
    """Missions in order, each with its goals in order, each with its targets in order."""
    goals = list(RpjmGoal.objects.filter(rpjm=rpjm).order_by("order", "pk"))
    nodes = {g.pk: MissionTree(g) for g in goals}
    roots: list[MissionTree] = []
    for g in goals:
        node = nodes[g.pk]
        if g.parent_id and g.parent_id in nodes:
            nodes[g.parent_id].children.append(node)
        elif g.kind == GoalKind.MISSION:
            roots.append(node)
    return roots


@dataclass
class GridRow:
    activity: RpjmActivity
    cells: list[Decimal | None]
    total: Decimal


@dataclass
class Grid:
    years: list[int]
    rows: list[GridRow]
    year_totals: list[Decimal]
    total: Decimal


def rpjm_grid(rpjm: Rpjmdes) -> Grid:
    """Activities × years of the term with their indicative amounts (two queries)."""
    years = rpjm.years
    activities = list(
        RpjmActivity.objects.filter(rpjm=rpjm)
        .select_related("activity_code")
        .prefetch_related(Prefetch("amounts", queryset=RpjmAmount.objects.order_by("year")))
        .order_by("activity_code__code", "pk")
    )
    rows: list[GridRow] = []
    year_totals = [Decimal(0)] * len(years)
    for activity in activities:
        by_year = {a.year: a.amount for a in activity.amounts.all()}
        cells = [by_year.get(y) for y in years]
        for i, value in enumerate(cells):
            if value is not None:
                year_totals[i] += value
        rows.append(GridRow(activity, cells, sum((c for c in cells if c is not None), Decimal(0))))
    return Grid(years=years, rows=rows, year_totals=year_totals, total=sum(year_totals, Decimal(0)))


# -- RKPDes --------------------------------------------------------------------------------


def rkpdes_list(*, village: Region) -> QuerySet[Rkpdes]:
    return (
        Rkpdes.objects.filter(village=village)
        .select_related("rpjm", "musdes")
        .annotate(activity_count=Count("activities"), amount_total=Sum("activities__amount"))
        .order_by("-year")
    )


def rkpdes_get(*, village: Region, year: int) -> Rkpdes:
    rkp = (
        Rkpdes.objects.filter(village=village, year=year).select_related("village", "rpjm", "musdes").first()
    )
    if rkp is None:
        raise Http404("RKPDes tidak ditemukan.")
    return rkp


def month_span(start: int, end: int) -> str:
    """ "Maret–Agustus"; one month alone when they are the same."""
    first, last = MONTHS_ID[start - 1], MONTHS_ID[end - 1]
    return first if start == end else f"{first}–{last}"


def rkp_activity_rows(rkp: Rkpdes) -> list[RkpActivity]:
    """The kegiatan with their period as text (``period``) and how many proposals they came from."""
    rows: list[RkpActivity] = list(
        RkpActivity.objects.filter(rkp=rkp)
        .select_related("activity_code", "source", "rpjm_activity")
        .annotate(proposal_count=Count("proposals"))
        .order_by("activity_code__code", "pk")
    )
    for row in rows:
        setattr(row, "period", month_span(row.start_month, row.end_month))  # noqa: B010
    return rows


def rkp_activities_for(*, village_code: str, year: int) -> list[RkpActivity]:
    """The kegiatan of the village's RKPDes for ``year`` from which the APBDes is drafted.

    The enacted RKPDes's kegiatan when it is enacted (Permendagri 20/2018 Pasal 31: the
    APBDes is drafted from the RKPDes); otherwise the draft's, so that a village whose Perdes
    RKPDes is late can still start its APBDes draft. Check ``activity.rkp.status`` to tell
    which. An empty list when the village has no RKPDes for that year.
    """
    return list(
        RkpActivity.objects.filter(rkp__village_id=village_code, rkp__year=year)
        .select_related("rkp", "activity_code", "source")
        .order_by("activity_code__code", "pk")
    )


# -- Musdes --------------------------------------------------------------------------------


def musdes_list(*, village: Region) -> QuerySet[Musdes]:
    return (
        Musdes.objects.filter(village=village)
        .annotate(proposal_count=Count("proposals"))
        .order_by("-held_on", "-pk")
    )


def musdes_get(*, village: Region, pk: int) -> Musdes:
    musdes = Musdes.objects.filter(village=village, pk=pk).first()
    if musdes is None:
        raise Http404("Musdes tidak ditemukan.")
    return musdes


# -- proposals -----------------------------------------------------------------------------


def proposal_list(
    *, village: Region, year: int | None = None, status: str = "", q: str = ""
) -> QuerySet[Proposal]:
    qs = Proposal.objects.filter(village=village)
    if year:
        qs = qs.filter(year=year)
    if status in ProposalStatus.values:
        qs = qs.filter(status=status)
    q = " ".join(q.split())
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(location__icontains=q)
            | Q(description__icontains=q)
            | Q(resident__name__icontains=q)
        )
    return qs.select_related("resident", "musdes", "activity_code", "rkp_activity").order_by(
        "-created_at", "-pk"
    )


def proposal_get(*, village: Region, pk: int) -> Proposal:
    proposal = (
        Proposal.objects.filter(village=village, pk=pk)
        .select_related("resident", "musdes", "activity_code", "rkp_activity__rkp", "decided_by")
        .first()
    )
    if proposal is None:
        raise Http404("Usulan tidak ditemukan.")
    return proposal


def proposals_of_resident(resident: Resident) -> QuerySet[Proposal]:
    """A resident's own proposals only."""
    return (
        Proposal.objects.filter(resident=resident)
        .select_related("musdes", "activity_code")
        .order_by("-created_at", "-pk")
    )


def proposal_for_resident(resident: Resident, pk: int) -> Proposal:
    proposal = proposals_of_resident(resident).filter(pk=pk).first()
    if proposal is None:
        raise Http404("Usulan tidak ditemukan.")
    return proposal


def proposal_years(village: Region) -> list[int]:
    return list(
        Proposal.objects.filter(village=village).values_list("year", flat=True).distinct().order_by("-year")
    )


# -- the panel on the village finance page -------------------------------------------------


@dataclass(frozen=True)
class PlanningPanel:
    rpjm: Rpjmdes | None
    rkp: Rkpdes | None
    rkp_deadline: Deadline
    musdes_count: int
    last_musdes: Musdes | None
    proposals_waiting: int
    proposals_accepted_open: int


def planning_panel(*, village: Region, year: int) -> PlanningPanel:
    """What the planning panel shows for budget year ``year`` (five small queries)."""
    # Terms of one village never overlap, so at most one RPJMDes covers the year.
    rpjm = Rpjmdes.objects.filter(village=village, start_year__lte=year, end_year__gte=year).first()
    rkp = Rkpdes.objects.filter(village=village, year=year).first()
    musdes = Musdes.objects.filter(village=village)
    counts = Proposal.objects.filter(village=village).aggregate(
        waiting=Count("pk", filter=Q(status=ProposalStatus.SUBMITTED)),
        accepted_open=Count(
            "pk", filter=Q(status=ProposalStatus.ACCEPTED, rkp_activity__isnull=True, year=year)
        ),
    )
    due = rkp_due_date(regency_code=village.regency_code, year=year)
    return PlanningPanel(
        rpjm=rpjm,
        rkp=rkp,
        rkp_deadline=Deadline(
            label=f"Penetapan Perdes RKPDes {year}",
            due=due,
            done_on=rkp.perdes_date if rkp and rkp.status == PlanStatus.ENACTED else None,
        ),
        musdes_count=musdes.count(),
        last_musdes=musdes.order_by("-held_on", "-pk").first(),
        proposals_waiting=counts["waiting"] or 0,
        proposals_accepted_open=counts["accepted_open"] or 0,
    )


# -- Excel ---------------------------------------------------------------------------------


def _sheet(wb: Workbook, title: str, headers: Iterable[tuple[str, int]], intro: list[str]) -> Any:
    ws = wb.create_sheet(title=title[:31])
    headers = list(headers)
    for i, (_, width) in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for line in intro:
        cell = WriteOnlyCell(ws, value=line)
        cell.font = _HEADER_FONT
        ws.append([cell])
    ws.append([])
    row = []
    for label, _ in headers:
        cell = WriteOnlyCell(ws, value=label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        row.append(cell)
    ws.append(row)
    return ws


def _text(ws: Any, value: Any) -> Any:
    """Text stays text: '=...' typed by a user is never run as a formula in Excel."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _money(ws: Any, value: Decimal | None) -> Any:
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]  # openpyxl writes Decimal
    cell.number_format = MONEY_FORMAT
    return cell


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rpjm_workbook(rpjm: Rpjmdes) -> bytes:
    """The RPJMDes plan: one row per kegiatan, one column per year of the term, with totals."""
    grid = rpjm_grid(rpjm)
    wb = Workbook(write_only=True)
    headers = [
        ("Kode", 11),
        ("Kegiatan", 44),
        ("Lokasi", 22),
        ("Sasaran keluaran", 24),
        ("Penerima manfaat", 22),
    ]
    headers += [(str(y), 16) for y in grid.years] + [("Jumlah", 18)]
    status = f"Perdes {rpjm.perdes_number}" if rpjm.status == PlanStatus.ENACTED else "Draf"
    ws = _sheet(
        wb,
        "RPJMDes",
        headers,
        [f"RPJMDes {rpjm.village} {rpjm.start_year}–{rpjm.end_year}", f"Status: {status}"],
    )
    for row in grid.rows:
        a = row.activity
        ws.append(
            [
                _text(ws, a.activity_code.code),
                _text(ws, a.name),
                _text(ws, a.location),
                _text(ws, a.output_target),
                _text(ws, a.beneficiaries),
                *[_money(ws, c) for c in row.cells],
                _money(ws, row.total),
            ]
        )
    ws.append(["", "Jumlah", "", "", "", *[_money(ws, t) for t in grid.year_totals], _money(ws, grid.total)])
    return _save(wb)


def rkp_workbook(rkp: Rkpdes) -> bytes:
    """The RKPDes kegiatan with location, volume, output target, months, amount and source."""
    wb = Workbook(write_only=True)
    headers = [
        ("Kode", 11),
        ("Kegiatan", 44),
        ("Lokasi", 22),
        ("Volume", 10),
        ("Satuan", 10),
        ("Penerima manfaat", 22),
        ("Pelaksana", 20),
        ("Target keluaran", 12),
        ("Satuan keluaran", 12),
        ("Waktu", 20),
        ("Sumber dana", 12),
        ("Biaya (Rp)", 18),
    ]
    status = f"Perdes {rkp.perdes_number}" if rkp.status == PlanStatus.ENACTED else "Draf"
    ws = _sheet(
        wb, f"RKPDes {rkp.year}", headers, [f"RKPDes {rkp.village} tahun {rkp.year}", f"Status: {status}"]
    )
    total = Decimal(0)
    for a in rkp_activity_rows(rkp):
        total += a.amount
        ws.append(
            [
                _text(ws, a.activity_code.code),
                _text(ws, a.name),
                _text(ws, a.location),
                a.volume,
                _text(ws, a.unit),
                _text(ws, a.beneficiaries),
                _text(ws, a.executor),
                a.output_volume,
                _text(ws, a.output_unit),
                month_span(a.start_month, a.end_month),
                a.source_id,
                _money(ws, a.amount),
            ]
        )
    ws.append(["", "Jumlah", *[""] * 9, _money(ws, total)])
    return _save(wb)


def proposals_workbook(village: Region, proposals: Iterable[Proposal]) -> bytes:
    """The filtered proposal list (no NIK: the proposer's name only)."""
    wb = Workbook(write_only=True)
    headers = [
        ("Diajukan", 12),
        ("Tahun", 8),
        ("Usulan", 40),
        ("Lokasi", 22),
        ("Pengusul", 26),
        ("Saluran", 14),
        ("Perkiraan biaya", 16),
        ("Status", 18),
        ("Musdes", 30),
        ("Catatan", 40),
    ]
    ws = _sheet(wb, "Usulan warga", headers, [f"Usulan warga {village}"])
    for p in proposals:
        date_cell = WriteOnlyCell(ws, value=timezone.localtime(p.created_at).replace(tzinfo=None))
        date_cell.number_format = "dd-mm-yyyy"
        ws.append(
            [
                date_cell,
                p.year,
                _text(ws, p.title),
                _text(ws, p.location),
                _text(ws, p.resident.name),
                p.get_channel_display(),
                _money(ws, p.estimated_cost),
                p.get_status_display(),
                _text(ws, str(p.musdes) if p.musdes else ""),
                _text(ws, p.decision_note),
            ]
        )
    return _save(wb)
