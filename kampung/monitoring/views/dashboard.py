"""The dashboards: Ringkasan, Keuangan, Layanan surat, Program bantuan and Penduduk of a
regency, a district or a village, each with its tables downloadable as Excel
(``?unduh=<table>``). Figures come from the roll-up tables only (:mod:`..selectors.dashboard`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from kampung.accounts.scope import scope_for
from kampung.core.formatting import MONTHS_ID, number_id, rupiah
from kampung.monitoring import charts
from kampung.monitoring.access import SETTINGS_EDITORS
from kampung.monitoring.excel import (
    DATE,
    DEC,
    INT,
    MONEY,
    PCT,
    XLSX_CONTENT_TYPE,
    Column,
    Table,
    display,
    workbook,
)
from kampung.monitoring.periods import Period
from kampung.monitoring.regions import home_region_code
from kampung.monitoring.selectors import dash_finance as fsel
from kampung.monitoring.selectors import dashboard as sel
from kampung.monitoring.selectors.dash_common import ZERO
from kampung.monitoring.selectors.dash_finance import STATE_NAMES, STATES
from kampung.monitoring.selectors.dash_population import EVENT_KINDS
from kampung.monitoring.selectors.dash_programmes import STAGES
from kampung.monitoring.views_common import TABS, region_page
from kampung.regions.models import Level

TEMPLATE = "monitoring/dashboard/{}.html"


# -- shared ---------------------------------------------------------------------------------


def _child_label(area: sel.Area) -> str:
    if area.level == Level.REGENCY:
        return "Kecamatan"
    return "Desa/kelurahan"


def _link(area: sel.Area, code: str, period: Period, url_name: str) -> str:
    """A child's own page of the same section (none for a village's own row)."""
    if area.level == Level.VILLAGE:
        return ""
    return f"{reverse(url_name, args=[code])}?{period.query()}"


def _respond(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    tables: list[Table],
) -> HttpResponse:
    """The page, or one of its tables as Excel when ``?unduh=`` names it (404 otherwise)."""
    wanted = request.GET.get("unduh", "")
    if wanted:
        chosen = next((t for t in tables if t.key == wanted), None)
        if chosen is None:
            raise Http404("Tabel tidak dikenal.")
        region = context["region"]
        period = context["period"]
        content = workbook(chosen, [f"{chosen.title} — {context['title']}", f"Periode: {period.label}"])
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        name = f"pemantauan-{context['tab']}-{chosen.key}-{region.compact_code}-{period.year}-{period.key}"
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    context["tables"] = {t.key.replace("-", "_"): t for t in tables}
    context["download"] = f"?{context['period'].query()}&unduh="
    return render(request, TEMPLATE.format(template), context)


def _month(m: int) -> str:
    return MONTHS_ID[m - 1]


def _page(request: HttpRequest, code: str, tab: str) -> tuple[sel.Area, Period, dict[str, Any], dt.date]:
    region, period, context = region_page(request, code, tab=tab)
    area = sel.area_of(region)
    context["area"] = area
    context["child_label"] = _child_label(area)
    context["is_village"] = area.level == Level.VILLAGE
    context["section"] = next(label for key, label, _ in TABS if key == tab)
    return area, period, context, context["today"]


# -- home -----------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    code = home_region_code(request.user)
    if code is None:
        raise Http404("Halaman pemantauan tidak ditemukan.")
    return redirect("monitoring:region", code)


# -- finance --------------------------------------------------------------------------------


def _finance_tables(area: sel.Area, period: Period, fin: sel.FinanceDashboard) -> list[Table]:
    label = _child_label(area)
    wide = area.level == Level.REGENCY
    money_cols = [
        Column("Anggaran pendapatan", MONEY),
        Column("Realisasi pendapatan s.d. periode", MONEY),
        Column("% pendapatan", PCT),
        Column("Anggaran belanja", MONEY),
        Column("Realisasi belanja s.d. periode", MONEY),
        Column("Penyerapan belanja", PCT),
        Column("Saldo kas akhir periode", MONEY),
    ]
    absorption = Table(
        "serapan",
        f"Penyerapan per {label.lower()}",
        [Column(label), *([Column("Desa", INT)] if wide else []), *money_cols],
        empty="Belum ada APBDes desa yang tercatat untuk tahun ini.",
    )
    ranked = sorted(
        fin.children, key=lambda c: (c.money.absorption is None, -(c.money.absorption or 0), c.name)
    )
    for child in ranked:
        m = child.money
        absorption.add(
            child.name,
            *([child.desa] if wide else []),
            m.revenue_budget,
            m.revenue_ytd,
            m.revenue_rate,
            m.spending_budget,
            m.spending_ytd,
            m.absorption,
            m.cash,
            link=_link(area, child.code, period, "monitoring:finance"),
        )
    t = fin.total.money
    absorption.total = [
        "Jumlah",
        *([fin.desa] if wide else []),
        t.revenue_budget,
        t.revenue_ytd,
        t.revenue_rate,
        t.spending_budget,
        t.spending_ytd,
        t.absorption,
        t.cash,
    ]
    if not fin.has_budget and not any(c.money.spending_ytd for c in fin.children):
        absorption.rows = []
        absorption.total = None

    sources = Table(
        "sumber",
        "Per sumber dana",
        [
            Column("Sumber dana"),
            Column("Anggaran pendapatan", MONEY),
            Column("Realisasi pendapatan", MONEY),
            Column("% pendapatan", PCT),
            Column("Anggaran belanja", MONEY),
            Column("Realisasi belanja", MONEY),
            Column("% belanja", PCT),
        ],
        empty="Belum ada anggaran per sumber dana.",
    )
    for code, name, m in fin.by_source:
        sources.add(
            f"{code} — {name}" if code and name != code else name,
            m.revenue_budget,
            m.revenue_ytd,
            m.revenue_rate,
            m.spending_budget,
            m.spending_ytd,
            m.absorption,
        )
    if fin.by_source:
        s = fsel.Money()
        for _, _, m in fin.by_source:
            s.add(m)
        sources.total = [
            "Jumlah",
            s.revenue_budget,
            s.revenue_ytd,
            s.revenue_rate,
            s.spending_budget,
            s.spending_ytd,
            s.absorption,
        ]

    bidang = Table(
        "bidang",
        "Belanja per bidang",
        [
            Column("Bidang"),
            Column("Anggaran", MONEY),
            Column("Realisasi s.d. periode", MONEY),
            Column("Penyerapan", PCT),
        ],
        empty="Belum ada anggaran belanja.",
    )
    for code, name, m in fin.by_bidang:
        bidang.add(f"{code} {name}".strip(), m.spending_budget, m.spending_ytd, m.absorption)
    if fin.by_bidang:
        b = fsel.Money()
        for _, _, m in fin.by_bidang:
            b.add(m)
        bidang.total = ["Jumlah", b.spending_budget, b.spending_ytd, b.absorption]

    months = Table(
        "bulan",
        "Realisasi per bulan",
        [Column("Bulan"), Column("Pendapatan", MONEY), Column("Belanja", MONEY)],
    )
    for month, revenue, spending in fin.by_month:
        months.add(_month(month), revenue, spending)
    months.total = [
        "Jumlah",
        sum((r for _, r, _ in fin.by_month), ZERO),
        sum((s for _, _, s in fin.by_month), ZERO),
    ]

    spp = Table(
        "spp",
        "SPP dalam periode",
        [Column("Jenis"), Column("Status"), Column("Jumlah SPP", INT), Column("Nilai", MONEY)],
        empty="Tidak ada SPP dalam periode ini.",
    )
    for kind, _, status_name, count, amount in fin.spp:
        spp.add(kind, status_name, count, amount)
    if fin.spp:
        spp.total = [
            "Jumlah",
            "",
            sum(r[3] for r in fin.spp),
            sum((r[4] for r in fin.spp), ZERO),
        ]

    state_cols = [Column(STATE_NAMES[s], INT) for s in STATES]
    events = Table(
        "apbdes",
        "Tahapan APBDes terhadap jadwal",
        [Column("Tahapan"), Column("Batas waktu", DATE), *state_cols],
        empty="Tidak ada desa (kelurahan tidak menyusun APBDes).",
    )
    if fin.desa:
        for _, event_label, due, counts in fin.events:
            events.add(
                event_label,
                due,
                *[counts.get(s) for s in STATES],
                css={2 + i: f"state-{s}" for i, s in enumerate(STATES) if counts.get(s)},
            )

    if area.level == Level.DISTRICT:
        apbdes_children = Table(
            "apbdes-desa",
            "Penetapan APBDes per desa",
            [Column("Desa"), Column("Penetapan APBDes")],
            empty="Tidak ada desa di kecamatan ini.",
        )
        for child in fin.children:
            apbdes_children.add(
                child.name,
                STATE_NAMES.get(child.state, ""),
                link=_link(area, child.code, period, "monitoring:finance"),
                css={1: f"state-{child.state}"},
            )
    else:
        apbdes_children = Table(
            "apbdes-desa",
            "Penetapan APBDes per kecamatan",
            [Column("Kecamatan"), Column("Desa", INT), *state_cols],
            empty="Tidak ada desa.",
        )
        if wide:
            for child in fin.children:
                apbdes_children.add(
                    child.name,
                    child.desa,
                    *[child.apbdes.get(s) for s in STATES],
                    link=_link(area, child.code, period, "monitoring:finance"),
                )
            apbdes_children.total = ["Jumlah", fin.desa, *[fin.total.apbdes.get(s) for s in STATES]]

    rate_cols = [
        Column("Desa beranggaran", INT),
        Column("Diharapkan", INT),
        Column("Disampaikan", INT),
        Column("Tingkat pelaporan", PCT),
        Column("Tepat waktu", INT),
        Column("Tingkat tepat waktu", PCT),
    ]
    reports = Table(
        "laporan",
        "Pelaporan desa",
        [Column("Laporan"), Column("Batas waktu", DATE), *rate_cols],
        empty="Belum ada desa dengan anggaran tahun ini.",
        note=(
            "Diharapkan: desa yang punya anggaran tahun ini dan laporannya sudah lewat batas "
            "waktu atau sudah disampaikan. Tingkat pelaporan = disampaikan ÷ diharapkan; "
            "tingkat tepat waktu = disampaikan paling lambat pada batas waktu ÷ diharapkan "
            "(definisi DHIS2)."
        ),
    )
    if any(r.budgets for _, _, _, r in fin.reports):
        for _, report_label, due, r in fin.reports:
            reports.add(
                report_label, due, r.budgets, r.expected, r.submitted, r.rate, r.on_time, r.on_time_rate
            )
    report_children = Table(
        "laporan-wilayah",
        f"Pelaporan per {label.lower()}",
        [
            Column(label),
            *[
                Column(f"{name}: {suffix}", kind)
                for _, _, name in fsel.REPORTS
                for suffix, kind in (
                    ("diharapkan", INT),
                    ("disampaikan", INT),
                    ("tingkat pelaporan", PCT),
                    ("tepat waktu", PCT),
                )
            ],
        ],
        empty="Belum ada desa dengan anggaran tahun ini.",
    )
    if reports.rows:
        for child in fin.children:
            cells: list[Any] = []
            for event, _, _ in fsel.REPORTS:
                r = child.reports.get(str(event)) or fsel.ReportRate()
                cells += [r.expected, r.submitted, r.rate, r.on_time_rate]
            report_children.add(
                child.name, *cells, link=_link(area, child.code, period, "monitoring:finance")
            )
        cells = []
        for event, _, _ in fsel.REPORTS:
            r = fin.total.reports[event]
            cells += [r.expected, r.submitted, r.rate, r.on_time_rate]
        report_children.total = ["Jumlah", *cells]

    parts = Table(
        "tahap",
        "Kesiapan penyaluran Dana Desa",
        [
            Column("Bagian"),
            Column("Siap tahap berikutnya", INT),
            Column("Belum siap", INT),
            Column("Semua tahap diterima", INT),
        ],
        empty="Belum ada data tahap Dana Desa tahun ini.",
    )
    for _, part_name, ready, waiting, done in fin.tranche_parts:
        parts.add(part_name, ready, waiting, done)
    names = {c.code: c.name for c in area.children}
    if area.level == Level.DISTRICT:
        names[area.region.code] = area.region.name
    ready_list = Table(
        "tahap-desa",
        "Tahap berikutnya per desa",
        [
            Column("Desa"),
            Column("Kecamatan"),
            Column("Bagian"),
            Column("Tahap", INT),
            Column("Nilai", MONEY),
            Column("Siap"),
            Column("Syarat yang belum"),
        ],
        empty="Belum ada data tahap Dana Desa tahun ini.",
    )
    for item in fin.tranche_list:
        ready_list.add(
            item.name,
            names.get(item.district, area.region.parent.name if area.region.parent else item.district),
            fsel.PART_NAMES.get(item.part, item.part),
            item.tranche,
            item.amount,
            "Siap" if item.ready else "Belum",
            item.missing,
            css={5: "state-selesai" if item.ready else "state-mendatang"},
            link=_link(area, item.code, period, "monitoring:finance"),
        )
    tables = [absorption, sources, bidang, months, spp, events, reports, report_children, parts, ready_list]
    if area.level != Level.VILLAGE:
        tables.append(apbdes_children)
    return tables


@login_required
@require_GET
def finance(request: HttpRequest, code: str) -> HttpResponse:
    area, period, context, today = _page(request, code, "keuangan")
    fin = sel.finance_dashboard(area, period, today)
    tables = _finance_tables(area, period, fin)
    context["fin"] = fin
    context["absorption_chart"] = charts.hbars(
        [
            (c.name, (c.money.absorption or 0) * 100, _pct(c.money.absorption))
            for c in sorted(fin.children, key=lambda c: -(c.money.absorption or 0))
        ],
        title=f"Penyerapan belanja per {_child_label(area).lower()} (persen)",
    )
    context["month_chart"] = charts.grouped(
        [_month(m)[:3] for m, _, _ in fin.by_month],
        [
            ("Pendapatan", [float(r) for _, r, _ in fin.by_month]),
            ("Belanja", [float(s) for _, _, s in fin.by_month]),
        ],
        title="Realisasi pendapatan dan belanja per bulan",
    )
    context["bidang_chart"] = charts.hbars(
        [
            (f"{code} {name}", (m.absorption or 0) * 100, _pct(m.absorption))
            for code, name, m in fin.by_bidang
        ],
        title="Penyerapan belanja per bidang (persen)",
    )
    return _respond(request, "finance", context, tables)


def _pct(value: float | None) -> str:
    return display(value, PCT)


# -- letters --------------------------------------------------------------------------------


def _letter_columns(first: str) -> list[Column]:
    return [
        Column(first),
        Column("Diajukan", INT),
        Column("Diterbitkan", INT),
        Column("Ditolak", INT),
        Column("Median waktu terbit"),
        Column("Persentil ke-90"),
        Column("Masih terbuka", INT),
        Column("Lewat target", INT),
    ]


def _letter_values(f: Any) -> list[Any]:
    return [f.submitted, f.issued, f.rejected, f.median_label, f.p90_label, f.open, f.overdue]


def _letter_tables(area: sel.Area, period: Period, data: sel.LettersDashboard) -> list[Table]:
    children = Table(
        "wilayah",
        f"Layanan surat per {_child_label(area).lower()}",
        _letter_columns(_child_label(area)),
        empty="Belum ada permohonan surat.",
    )
    for f in data.children:
        children.add(f.name, *_letter_values(f), link=_link(area, f.code, period, "monitoring:letters"))
    children.total = ["Jumlah", *_letter_values(data.total)]
    types = Table(
        "jenis",
        "Per jenis surat",
        _letter_columns("Jenis surat"),
        empty="Belum ada permohonan surat dalam periode ini.",
    )
    for f in data.by_type:
        types.add(f.name, *_letter_values(f))
    if data.by_type:
        types.total = ["Jumlah", *_letter_values(data.total)]
    buckets = Table(
        "waktu",
        "Waktu dari pengajuan sampai terbit",
        [Column("Waktu terbit"), Column("Surat diterbitkan", INT)],
        empty="Belum ada surat yang diterbitkan dalam periode ini.",
    )
    if data.total.issued:
        for label, n in data.buckets:
            buckets.add(label, n)
        buckets.total = ["Jumlah", sum(n for _, n in data.buckets)]
    months = Table(
        "bulan",
        "Per bulan",
        [Column("Bulan"), Column("Diajukan", INT), Column("Diterbitkan", INT)],
    )
    for m, submitted, issued in data.by_month:
        months.add(_month(m), submitted, issued)
    months.total = ["Jumlah", sum(r[1] for r in data.by_month), sum(r[2] for r in data.by_month)]
    return [children, types, buckets, months]


@login_required
@require_GET
def letters(request: HttpRequest, code: str) -> HttpResponse:
    area, period, context, today = _page(request, code, "layanan")
    data = sel.letters_dashboard(area, period, today)
    context["letters"] = data
    context["histogram_chart"] = charts.columns(
        [(label.replace("≤ ", "≤"), float(n), str(n)) for label, n in data.buckets],
        title="Jumlah surat diterbitkan menurut lama waktu sejak pengajuan",
    )
    context["month_chart"] = charts.grouped(
        [_month(m)[:3] for m, _, _ in data.by_month],
        [
            ("Diajukan", [float(r[1]) for r in data.by_month]),
            ("Diterbitkan", [float(r[2]) for r in data.by_month]),
        ],
        title="Permohonan diajukan dan surat diterbitkan per bulan",
    )
    return _respond(request, "letters", context, _letter_tables(area, period, data))


# -- programmes -----------------------------------------------------------------------------


def _programme_tables(area: sel.Area, period: Period, data: sel.ProgrammesDashboard) -> list[Table]:
    summary = Table(
        "program",
        "Program bantuan per tahap",
        [
            Column("Program"),
            *[Column(stage.value.capitalize(), INT) for stage in STAGES],
            Column("Nilai ditetapkan", MONEY),
            Column("Disalurkan", MONEY),
            Column("Rumah selesai", INT),
            Column("Macet", INT),
            Column("Keputusan terbit", INT),
            Column("Di bawah delegasi/mandat", INT),
            Column("Menunggu keputusan kabupaten", INT),
        ],
        empty="Belum ada program bantuan.",
    )
    tables = [summary]
    for block in data.programmes:
        t = block.total
        summary.add(
            block.name,
            *[t.stages[s] for s in STAGES],
            t.committed,
            t.paid,
            t.finished if block.is_housing else None,
            t.stalled,
            t.decisions_issued,
            t.under_delegation,
            t.decisions_routed,
        )
        table = Table(
            f"p-{block.code}",
            f"{block.name} per {_child_label(area).lower()}",
            [
                Column(_child_label(area)),
                Column("Kasus", INT),
                Column("Penerima ditetapkan", INT),
                Column("Nilai ditetapkan", MONEY),
                Column("Disalurkan", MONEY),
                *([Column("Rumah selesai", INT)] if block.is_housing else []),
                Column("Macet", INT),
                Column("Keputusan terbit", INT),
                Column("Di bawah delegasi/mandat", INT),
                Column("Menunggu keputusan kabupaten", INT),
            ],
            empty="Belum ada kasus.",
        )
        for f in [*block.children, t]:
            values = [
                f.cases,
                f.decided,
                f.committed,
                f.paid,
                *([f.finished] if block.is_housing else []),
                f.stalled,
                f.decisions_issued,
                f.under_delegation,
                f.decisions_routed,
            ]
            if f is t:
                table.total = ["Jumlah", *values]
            else:
                table.add(f.name, *values, link=_link(area, f.code, period, "monitoring:programmes"))
        tables.append(table)
    return tables


@login_required
@require_GET
def programmes(request: HttpRequest, code: str) -> HttpResponse:
    area, period, context, _ = _page(request, code, "program")
    data = sel.programmes_dashboard(area, period.year)
    tables = _programme_tables(area, period, data)
    context["programmes"] = [
        {
            "block": block,
            "table": tables[i + 1],
            "chart": charts.hbars(
                [
                    (s.value.capitalize(), float(block.total.stages[s]), str(block.total.stages[s]))
                    for s in STAGES
                ],
                title=f"Kasus {block.name} per tahap",
            ),
        }
        for i, block in enumerate(data.programmes)
    ]
    context["stages"] = [(s.value.capitalize(), s.label) for s in STAGES]
    return _respond(request, "programmes", context, tables)


# -- population -----------------------------------------------------------------------------


def _population_tables(area: sel.Area, period: Period, data: sel.PopulationDashboard) -> list[Table]:
    label = _child_label(area)
    children = Table(
        "wilayah",
        f"Penduduk per {label.lower()}",
        [
            Column(label),
            Column("Penduduk", INT),
            Column("Keluarga", INT),
            Column("Laki-laki", INT),
            Column("Perempuan", INT),
            Column("Rasio jenis kelamin", DEC),
            *[Column(f"{name} (periode)", INT) for _, name in EVENT_KINDS],
        ],
        empty="Belum ada data penduduk.",
    )

    def values(f: Any) -> list[Any]:
        return [
            f.residents,
            f.families,
            f.male,
            f.female,
            f.sex_ratio,
            *[f.events[k] for k, _ in EVENT_KINDS],
        ]

    for child in data.children:
        children.add(
            child.name, *values(child), link=_link(area, child.code, period, "monitoring:population")
        )
    children.total = ["Jumlah", *values(data.total)]
    ages = Table(
        "umur",
        "Kelompok umur",
        [Column("Umur (tahun)"), Column("Laki-laki", INT), Column("Perempuan", INT), Column("Jumlah", INT)],
        empty="Belum ada data umur penduduk.",
    )
    if any(m or f for _, m, f in data.pyramid):
        for band, men, women in data.pyramid:
            ages.add(band, men, women, men + women)
        ages.total = [
            "Jumlah",
            sum(r[1] for r in data.pyramid),
            sum(r[2] for r in data.pyramid),
            sum(r[1] + r[2] for r in data.pyramid),
        ]
    months = Table(
        "bulan",
        f"Peristiwa kependudukan per bulan {period.year}",
        [Column("Bulan"), *[Column(name, INT) for _, name in EVENT_KINDS]],
    )
    for m, counts in data.by_month:
        months.add(_month(m), *[counts[k] for k, _ in EVENT_KINDS])
    months.total = ["Jumlah", *[sum(c[k] for _, c in data.by_month) for k, _ in EVENT_KINDS]]
    return [children, ages, months]


@login_required
@require_GET
def population(request: HttpRequest, code: str) -> HttpResponse:
    area, period, context, _ = _page(request, code, "penduduk")
    data = sel.population_dashboard(area, period)
    context["population"] = data
    context["pyramid_chart"] = charts.pyramid(
        data.pyramid, title="Piramida penduduk menurut umur dan jenis kelamin"
    )
    context["month_chart"] = charts.grouped(
        [_month(m)[:3] for m, _ in data.by_month],
        [(name, [float(c[k]) for _, c in data.by_month]) for k, name in EVENT_KINDS],
        title=f"Kelahiran, kematian dan perpindahan per bulan {period.year}",
    )
    return _respond(request, "population", context, _population_tables(area, period, data))


# -- overview -------------------------------------------------------------------------------


def _overview_table(area: sel.Area, period: Period, o: sel.Overview) -> Table:
    label = _child_label(area)
    fin = {c.code: c for c in o.finance.children}
    let = {c.code: c for c in o.letters.children}
    pop = {c.code: c for c in o.population.children}
    blocks = o.programmes.programmes
    prog = [{c.code: c for c in b.children} for b in blocks]
    columns = [
        Column(label),
        Column("Penyerapan belanja", PCT),
        Column("APBDes ditetapkan", INT),
        Column("Surat diterbitkan", INT),
        Column("Median waktu terbit"),
        Column("Surat lewat target", INT),
        *[
            Column(
                f"{b.name}: {'rumah selesai' if b.is_housing else 'disalurkan'}",
                INT if b.is_housing else MONEY,
            )
            for b in blocks
        ],
        Column("Penduduk", INT),
    ]
    table = Table(
        "wilayah", f"Ringkasan per {label.lower()}", columns, empty="Tidak ada wilayah di bawahnya."
    )

    def row(code: str | None) -> list[Any]:
        f = fin.get(code) if code else o.finance.total
        letter = let.get(code) if code else o.letters.total
        people = pop.get(code) if code else o.population.total
        cells: list[Any] = [
            f.money.absorption if f else None,
            (f.apbdes.get("selesai") + f.apbdes.get("terlambat")) if f else None,
            letter.issued if letter else 0,
            letter.median_label if letter else "",
            letter.overdue if letter else 0,
        ]
        for b, figures in zip(blocks, prog, strict=True):
            p = figures.get(code) if code else b.total
            cells.append((p.finished if b.is_housing else p.paid) if p else 0)
        cells.append(people.residents if people else 0)
        return cells

    for child in area.children or list(area.villages.values()):
        table.add(child.name, *row(child.code), link=_link(area, child.code, period, "monitoring:region"))
    table.total = ["Jumlah", *row(None)]
    return table


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: str
    url_name: str


def _cards(o: sel.Overview) -> list[Card]:
    """The headline numbers of every area, each leading to its section."""
    fin, letters = o.finance, o.letters.total
    cards: list[Card] = []
    if fin.desa:
        enacted = fin.total.apbdes.get("selesai") + fin.total.apbdes.get("terlambat")
        cards += [
            Card("serapan", "Penyerapan belanja", _pct(fin.total.money.absorption), "monitoring:finance"),
            Card("apbdes", "APBDes ditetapkan", f"{enacted} dari {fin.desa} desa", "monitoring:finance"),
            *(
                Card(
                    f"laporan-{event}", f"{label} tepat waktu", _pct(rate.on_time_rate), "monitoring:finance"
                )
                for event, label, _, rate in fin.reports
            ),
        ]
    cards += [
        Card("surat-terbit", "Surat diterbitkan", number_id(letters.issued), "monitoring:letters"),
        Card("surat-median", "Median waktu terbit", letters.median_label or "–", "monitoring:letters"),
        Card("surat-lewat", "Surat lewat target", number_id(letters.overdue), "monitoring:letters"),
    ]
    for block in o.programmes.programmes:
        if block.is_housing:
            value, what = number_id(block.total.finished), "rumah selesai"
        else:
            value, what = rupiah(block.total.paid), "disalurkan"
        cards.append(Card(f"program-{block.code}", f"{block.name}: {what}", value, "monitoring:programmes"))
    cards.append(
        Card("penduduk", "Penduduk", number_id(o.population.total.residents), "monitoring:population")
    )
    return cards


@login_required
@require_GET
def region(request: HttpRequest, code: str) -> HttpResponse:
    area, period, context, today = _page(request, code, "ringkasan")
    o = sel.overview(area, period, today)
    context["o"] = o
    context["cards"] = [
        {"card": card, "url": f"{reverse(card.url_name, args=[area.region.code])}?{period.query()}"}
        for card in _cards(o)
    ]
    regency = area.region.code[:5]
    context["may_edit_settings"] = regency in scope_for(request.user).region_codes(*SETTINGS_EDITORS)
    return _respond(request, "region", context, [_overview_table(area, period, o)])
