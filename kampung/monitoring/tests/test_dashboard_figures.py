"""Every figure a dashboard shows equals the same figure computed here, directly from the
roll-up rows the test wrote (six villages in two districts), at the regency, a district and a
village; timeliness against a frozen clock and the regency's calendar."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.assistance.models import CaseStatus, Programme
from kampung.conftest import DISTRICT_A, DISTRICT_B, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.finance.models import CalendarDeadline, CalendarEvent
from kampung.monitoring.histogram import bucket_label
from kampung.monitoring.models import (
    HISTOGRAM_FIELDS,
    FinanceFigure,
    FinanceYear,
    LetterMonth,
    LetterOpen,
    PopulationEvent,
    PopulationFigure,
    PopulationVillage,
    ProgrammeFigure,
)
from kampung.monitoring.tests.rollup_factories import fill, finance_year
from kampung.monitoring.tests.test_dashboard_support import by_name, n, nearest_rank, page_tables, pct, rp
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

YEAR = 2025
TODAY = dt.date(YEAR, 8, 15)
NOW = dt.datetime(YEAR, 8, 15, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
DESA = ("35.10.01.2001", "35.10.01.2002", "35.10.01.2004", "35.10.15.2004", "35.10.15.2005")
VILLAGES = (*DESA, KELURAHAN_B)


@pytest.fixture
def filled(world: Any) -> Any:
    for code in DESA:
        fill(code, YEAR, seed=7, today=TODAY)
    fill(KELURAHAN_B, YEAR, seed=7, today=TODAY, desa=False)
    return world


def _page(
    client: Any, user: Any, name: str, code: str, query: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    with time_machine.travel(NOW, tick=False):
        client.force_login(user)
        response = client.get(reverse(name, args=[code]) + f"?tahun={YEAR}{query}")
    assert response.status_code == 200
    return page_tables(response.content.decode())


def _name(code: str) -> str:
    return Region.objects.get(code=code).name


def _in(code: str, root: str) -> bool:
    return code == root or code.startswith(root + ".")


# -- finance --------------------------------------------------------------------------------


def _finance_rows(root: str) -> list[dict[str, Any]]:
    return [r for r in FinanceFigure.objects.filter(year=YEAR).values() if _in(r["village_id"], root)]


def _money(rows: list[dict[str, Any]], kind: str, months: range) -> Decimal:
    return sum((r["amount"] for r in rows if r["kind"] == kind and r["month"] in months), Decimal(0))


@pytest.mark.parametrize(("root", "children"), [(REGENCY, (DISTRICT_A, DISTRICT_B)), (DISTRICT_A, DESA[:3])])
def test_absorption_per_child_and_total(
    client: Any, filled: Any, root: str, children: tuple[str, ...]
) -> None:
    tables, texts = _page(client, filled.user(Role.DPMD, REGENCY), "monitoring:finance", root, "&periode=s1")
    table = tables["table-serapan"]
    rows = by_name(table)
    expected_order = []
    for child in children:
        mine = _finance_rows(child)
        budget = _money(mine, "anggaran_blj", range(0, 1))
        spent = _money(mine, "belanja", range(1, 7))
        revenue_budget = _money(mine, "anggaran_pdp", range(0, 1))
        revenue = _money(mine, "pendapatan", range(1, 7))
        cash = _money(mine, "kas", range(0, 7))
        row = rows[_name(child)]
        offset = 2 if root == REGENCY else 1
        assert row[offset:] == [
            rp(revenue_budget),
            rp(revenue),
            pct(revenue, revenue_budget),
            rp(budget),
            rp(spent),
            pct(spent, budget),
            rp(cash),
        ]
        expected_order.append((spent / budget, _name(child)))
    names = [r[0] for r in table["rows"] if r[0] in {name for _, name in expected_order}]
    assert names == [name for _, name in sorted(expected_order, reverse=True)]
    everything = _finance_rows(root)
    total_budget = _money(everything, "anggaran_blj", range(0, 1))
    total_spent = _money(everything, "belanja", range(1, 7))
    assert table["foot"][-2] == pct(total_spent, total_budget)
    assert texts["fin-spending-ytd"] == rp(total_spent)
    assert texts["fin-spending-period"] == rp(total_spent)
    assert texts["fin-cash"] == rp(_money(everything, "kas", range(0, 7)))


def test_a_month_adds_only_that_month_but_absorption_runs_from_january(client: Any, filled: Any) -> None:
    tables, texts = _page(
        client, filled.user(Role.CAMAT, DISTRICT_A), "monitoring:finance", DISTRICT_A, "&periode=4"
    )
    mine = _finance_rows(DISTRICT_A)
    assert texts["fin-spending-period"] == rp(_money(mine, "belanja", range(4, 5)))
    assert texts["fin-revenue-period"] == rp(_money(mine, "pendapatan", range(4, 5)))
    assert texts["fin-spending-ytd"] == rp(_money(mine, "belanja", range(1, 5)))
    budget = _money(mine, "anggaran_blj", range(0, 1))
    assert tables["table-serapan"]["foot"][-2] == pct(_money(mine, "belanja", range(1, 5)), budget)


def test_sources_bidang_months_and_spp(client: Any, filled: Any) -> None:
    tables, _ = _page(
        client, filled.user(Role.BUPATI, REGENCY), "monitoring:finance", DISTRICT_B, "&periode=s2"
    )
    rows = _finance_rows(DISTRICT_B)
    sources = by_name(tables["table-sumber"])
    for code in {r["source"] for r in rows if r["kind"] in ("anggaran_blj", "belanja")}:
        mine = [r for r in rows if r["source"] == code]
        row = next(v for k, v in sources.items() if k.startswith(code))
        budget = _money(mine, "anggaran_blj", range(0, 1))
        spent = _money(mine, "belanja", range(1, 13))
        assert row[4:] == [rp(budget), rp(spent), pct(spent, budget)]
    bidang = by_name(tables["table-bidang"])
    for code in {r["bidang"] for r in rows if r["kind"] == "anggaran_blj"}:
        mine = [r for r in rows if r["bidang"] == code]
        row = next(v for k, v in bidang.items() if k.startswith(code))
        budget = _money(mine, "anggaran_blj", range(0, 1))
        spent = _money(mine, "belanja", range(1, 13))
        assert row[1:] == [rp(budget), rp(spent), pct(spent, budget)]
    months = tables["table-bulan"]["rows"]
    assert [r[2] for r in months] == [rp(_money(rows, "belanja", range(m, m + 1))) for m in range(1, 13)]
    spp: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for r in rows:
        if r["kind"] == "spp" and 7 <= r["month"] <= 12:
            spp[(r["source"], r["status"])][0] += r["count"]
            spp[(r["source"], r["status"])][1] += r["amount"]
    shown = {(r[0], r[1]): r[2:] for r in tables["table-spp"]["rows"]}
    names = {"dibayar": "Dibayar", "diajukan": "Diajukan"}
    assert shown == {(k, names[s]): [n(c), rp(a)] for (k, s), (c, a) in spp.items()}


def _apbdes_state(done: dt.date | None, due: dt.date) -> str:
    if done is not None:
        return "Tepat waktu" if done <= due else "Terlambat"
    return "Belum, lewat batas waktu" if TODAY > due else "Belum jatuh tempo"


def test_apbdes_against_the_calendar_and_a_changed_due_date(client: Any, filled: Any) -> None:
    camat = filled.user(Role.CAMAT, DISTRICT_A)
    due = dt.date(YEAR - 1, 12, 31)
    years = {r.village_id: r for r in FinanceYear.objects.filter(year=YEAR)}
    # A desa without any budget year counts too: it has not enacted anything.
    district_desa = [
        r.code
        for r in Region.objects.filter(parent_id=DISTRICT_A, kind__in=("desa", "desa_adat")).order_by("code")
    ]
    tables, _ = _page(client, camat, "monitoring:finance", DISTRICT_A)
    shown = by_name(tables["table-apbdes-desa"])
    for code in district_desa:
        enacted = years[code].enacted_on if code in years else None
        assert shown[_name(code)][1] == _apbdes_state(enacted, due)
    counts: dict[str, int] = defaultdict(int)
    for code in district_desa:
        counts[_apbdes_state(years[code].enacted_on if code in years else None, due)] += 1
    enacted_row = next(r for r in tables["table-apbdes"]["rows"] if r[0].startswith("Ditetapkan"))
    states = ["Tepat waktu", "Terlambat", "Belum, lewat batas waktu", "Belum jatuh tempo"]
    assert enacted_row[2:] == [n(counts[s]) for s in states]

    # The regency moves the deadline to 30 September: January enactments become on time, and
    # the desa without an enacted APBDes are not yet due.
    CalendarDeadline.objects.create(
        regency_id=REGENCY, year=YEAR, event=CalendarEvent.APBDES_ENACTED, due_date=dt.date(YEAR, 9, 30)
    )
    tables, _ = _page(client, camat, "monitoring:finance", DISTRICT_A)
    shown = by_name(tables["table-apbdes-desa"])
    for code in district_desa:
        enacted = years[code].enacted_on if code in years else None
        assert shown[_name(code)][1] == _apbdes_state(enacted, dt.date(YEAR, 9, 30))
    assert "Belum, lewat batas waktu" not in {row[1] for row in shown.values()}


def test_reporting_rate_and_on_time_rate(client: Any, filled: Any) -> None:
    tables, _ = _page(client, filled.user(Role.DPMD, REGENCY), "monitoring:finance", REGENCY)
    years = list(FinanceYear.objects.filter(year=YEAR).values("village_id", "semester_on", "lpj_on"))
    semester_due, lpj_due = dt.date(YEAR, 7, 14), dt.date(YEAR + 1, 3, 31)
    rows = {r[0]: r for r in tables["table-laporan"]["rows"]}

    def expect(field: str, due: dt.date, subset: list[dict[str, Any]]) -> list[str]:
        expected = [y for y in subset if y[field] is not None or TODAY > due]
        submitted = [y for y in subset if y[field] is not None]
        on_time = [y for y in submitted if y[field] <= due]
        return [
            n(len(subset)),
            n(len(expected)),
            n(len(submitted)),
            pct(len(submitted), len(expected)),
            n(len(on_time)),
            pct(len(on_time), len(expected)),
        ]

    assert rows["Laporan semester I"][2:] == expect("semester_on", semester_due, years)
    # The LPJ is not due until March of next year and nobody sent it: nothing is expected yet.
    assert rows["LPJ realisasi APBDes"][2:] == expect("lpj_on", lpj_due, years)
    assert rows["LPJ realisasi APBDes"][3] == "0"
    per_district = by_name(tables["table-laporan-wilayah"])
    for district in (DISTRICT_A, DISTRICT_B):
        mine = [y for y in years if y["village_id"].startswith(district + ".")]
        e = expect("semester_on", semester_due, mine)
        assert per_district[_name(district)][1:5] == [e[1], e[2], e[3], e[5]]


def test_a_late_lpj_counts_after_its_due_date(client: Any, world: Any) -> None:
    finance_year(VILLAGE_A1, YEAR, lpj_on=dt.date(YEAR + 1, 3, 20))
    late = finance_year(VILLAGE_A2, YEAR)
    finance_year("35.10.01.2004", YEAR)
    with time_machine.travel(dt.datetime(YEAR + 1, 3, 25, 9, tzinfo=ZoneInfo("Asia/Jakarta")), tick=False):
        client.force_login(world.user(Role.CAMAT, DISTRICT_A))
        before, _ = page_tables(
            client.get(reverse("monitoring:finance", args=[DISTRICT_A]) + f"?tahun={YEAR}").content.decode()
        )
    # Sent on 2 April, after the due date.
    FinanceYear.objects.filter(pk=late.pk).update(lpj_on=dt.date(YEAR + 1, 4, 2))
    with time_machine.travel(dt.datetime(YEAR + 1, 4, 5, 9, tzinfo=ZoneInfo("Asia/Jakarta")), tick=False):
        client.force_login(world.user(Role.CAMAT, DISTRICT_A))
        after, _ = page_tables(
            client.get(reverse("monitoring:finance", args=[DISTRICT_A]) + f"?tahun={YEAR}").content.decode()
        )
    lpj_before = next(r for r in before["table-laporan"]["rows"] if r[0].startswith("LPJ"))
    lpj_after = next(r for r in after["table-laporan"]["rows"] if r[0].startswith("LPJ"))
    # Before the due date only the submitted one is expected (1 of 1 on time); after it, all
    # three are expected: two sent, one of them on time.
    assert lpj_before[2:] == ["3", "1", "1", "100,0 %", "1", "100,0 %"]
    assert lpj_after[2:] == ["3", "3", "2", "66,7 %", "1", "33,3 %"]


def test_tranche_readiness(client: Any, filled: Any) -> None:
    tables, _ = _page(client, filled.user(Role.DPMD, REGENCY), "monitoring:finance", REGENCY)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    ready_desa = []
    for fy in FinanceYear.objects.filter(year=YEAR):
        for t in fy.tranches:
            if t["done"]:
                counts[t["part"]][2] += 1
            elif t["ready"]:
                counts[t["part"]][0] += 1
                ready_desa.append(fy.village_id)
            else:
                counts[t["part"]][1] += 1
    shown = by_name(tables["table-tahap"])
    assert shown["Non-earmark (desa reguler)"][1:] == [n(v) for v in counts["reguler"]]
    assert shown["Earmark"][1:] == [n(v) for v in counts["earmark"]]
    listed = [r for r in tables["table-tahap-desa"]["rows"] if r[5] == "Siap"]
    assert sorted(r[0] for r in listed) == sorted(_name(c) for c in ready_desa)


# -- letters --------------------------------------------------------------------------------


def _letters(root: str, months: range) -> list[dict[str, Any]]:
    return [
        r
        for r in LetterMonth.objects.filter(year=YEAR).values()
        if _in(r["village_id"], root) and r["month"] in months
    ]


def _durations(rows: list[dict[str, Any]]) -> list[int]:
    return [i for r in rows for i, name in enumerate(HISTOGRAM_FIELDS) for _ in range(r[name])]


def _label(rows: list[dict[str, Any]], q: float) -> str:
    bucket = nearest_rank(_durations(rows), q)
    return "–" if bucket is None else bucket_label(bucket)


def _open(root: str) -> tuple[int, int]:
    rows = [r for r in LetterOpen.objects.values() if _in(r["village_id"], root)]
    late = ("diajukan", "diverifikasi", "ditandatangani")
    return (
        sum(r["count"] for r in rows),
        sum(r["count"] for r in rows if r["due_on"] < TODAY and r["status"] in late),
    )


@pytest.mark.parametrize(
    ("root", "children"),
    [(REGENCY, (DISTRICT_A, DISTRICT_B)), (DISTRICT_B, (VILLAGE_B1, "35.10.15.2005", KELURAHAN_B))],
)
def test_letters_per_child_type_and_histogram(
    client: Any, filled: Any, root: str, children: tuple[str, ...]
) -> None:
    tables, texts = _page(
        client, filled.user(Role.BUPATI, REGENCY), "monitoring:letters", root, "&periode=s1"
    )
    months = range(1, 7)
    shown = by_name(tables["table-wilayah"])
    for child in children:
        rows = _letters(child, months)
        open_now, overdue = _open(child)
        assert shown[_name(child)][1:] == [
            n(sum(r["submitted"] for r in rows)),
            n(sum(r["issued"] for r in rows)),
            n(sum(r["rejected"] for r in rows)),
            _label(rows, 0.5),
            _label(rows, 0.9),
            n(open_now),
            n(overdue),
        ]
    everything = _letters(root, months)
    assert texts["let-median"] == _label(everything, 0.5)
    assert texts["let-p90"] == _label(everything, 0.9)
    assert texts["let-issued"] == n(sum(r["issued"] for r in everything))
    assert texts["let-overdue"] == n(_open(root)[1])
    types = by_name(tables["table-jenis"])
    for slug in {r["letter_type"] for r in everything}:
        mine = [r for r in everything if r["letter_type"] == slug]
        assert types[slug][2] == n(sum(r["issued"] for r in mine))
        assert types[slug][4] == _label(mine, 0.5)
    histogram = tables["table-waktu"]["rows"]
    assert [r[1] for r in histogram] == [n(sum(r[f] for r in everything)) for f in HISTOGRAM_FIELDS]


def test_overdue_moves_with_the_clock(client: Any, world: Any) -> None:
    from kampung.monitoring.tests.rollup_factories import letter_open

    letter_open(VILLAGE_A1, "sk-usaha", "diajukan", dt.date(YEAR, 8, 16), 3)
    letter_open(VILLAGE_A1, "sk-usaha", "diterbitkan", dt.date(YEAR, 8, 1), 2)
    user = world.user(Role.SECRETARY, VILLAGE_A1)
    for day, overdue in ((15, "0"), (16, "0"), (17, "3")):
        with time_machine.travel(dt.datetime(YEAR, 8, day, 9, tzinfo=ZoneInfo("Asia/Jakarta")), tick=False):
            client.force_login(user)
            _, texts = page_tables(
                client.get(reverse("monitoring:letters", args=[VILLAGE_A1])).content.decode()
            )
        assert texts["let-overdue"] == overdue
        assert texts["let-open"] == "5"


# -- programmes -----------------------------------------------------------------------------


@pytest.mark.parametrize(("root", "children"), [(REGENCY, (DISTRICT_A, DISTRICT_B)), (DISTRICT_A, DESA[:3])])
def test_programmes_per_child(client: Any, filled: Any, root: str, children: tuple[str, ...]) -> None:
    from kampung.assistance.tests.factories import programmes

    programmes(YEAR)
    tables, _ = _page(client, filled.user(Role.DPMD, REGENCY), "monitoring:programmes", root)
    rows = [r for r in ProgrammeFigure.objects.filter(year=YEAR).values() if _in(r["village_id"], root)]
    aided = ("ditetapkan", "dibayar", "dikerjakan", "selesai")
    for programme, housing in (("rtlh", True), ("blt", False)):
        shown = by_name(tables[f"table-p-{programme}"])
        for child in children:
            mine = [r for r in rows if r["programme"] == programme and _in(r["village_id"], child)]
            expected = [
                n(sum(sum(r["counts"].values()) for r in mine)),
                n(sum(r["counts"].get(s, 0) for r in mine for s in aided)),
                rp(sum((r["committed"] for r in mine), Decimal(0))),
                rp(sum((r["paid"] for r in mine), Decimal(0))),
                *([n(sum(r["finished"] for r in mine))] if housing else []),
                n(sum(r["stalled"] for r in mine)),
                n(sum(r["decisions_issued"] for r in mine)),
                n(sum(r["decisions_delegated"] + r["decisions_mandated"] for r in mine)),
                n(sum(r["decisions_routed"] for r in mine)),
            ]
            assert shown[_name(child)][1:] == expected
    summary = tables["table-program"]
    stage_columns = summary["head"][1:11]
    labels = {s.value.capitalize(): str(s.value) for s in CaseStatus}
    names = dict(Programme.objects.values_list("name", "code"))
    assert len(summary["rows"]) == 2
    for row in summary["rows"]:
        mine = [r for r in rows if r["programme"] == names[row[0]]]
        assert row[1:11] == [n(sum(r["counts"].get(labels[c], 0) for r in mine)) for c in stage_columns]


# -- population -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("root", "children"),
    [(REGENCY, (DISTRICT_A, DISTRICT_B)), (DISTRICT_B, (VILLAGE_B1, "35.10.15.2005", KELURAHAN_B))],
)
def test_population_per_child_pyramid_and_trend(
    client: Any, filled: Any, root: str, children: tuple[str, ...]
) -> None:
    tables, texts = _page(
        client, filled.user(Role.BUPATI, REGENCY), "monitoring:population", root, "&periode=s2"
    )
    people = [r for r in PopulationVillage.objects.values() if _in(r["village_id"], root)]
    bands = [r for r in PopulationFigure.objects.values() if _in(r["village_id"], root)]
    events = [r for r in PopulationEvent.objects.filter(year=YEAR).values() if _in(r["village_id"], root)]
    shown = by_name(tables["table-wilayah"])
    for child in children:
        men = sum(r["residents"] for r in bands if _in(r["village_id"], child) and r["sex"] == 1)
        women = sum(r["residents"] for r in bands if _in(r["village_id"], child) and r["sex"] == 2)
        row = shown[_name(child)]
        assert row[1:5] == [
            n(sum(r["residents"] for r in people if _in(r["village_id"], child))),
            n(sum(r["families"] for r in people if _in(r["village_id"], child))),
            n(men),
            n(women),
        ]
        ratio = (Decimal(men) * 100 / Decimal(women)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert row[5] == f"{ratio}".replace(".", ",")
        for i, kind in enumerate(("lahir", "mati", "datang", "pindah")):
            count = sum(
                r["count"]
                for r in events
                if _in(r["village_id"], child) and r["kind"] == kind and r["month"] >= 7
            )
            assert row[6 + i] == n(count)
    assert texts["pop-residents"] == n(sum(r["residents"] for r in people))
    pyramid = by_name(tables["table-umur"])
    for label in ("0-4", "35-39", "75+"):
        men = sum(r["residents"] for r in bands if r["age_band"] == label and r["sex"] == 1)
        women = sum(r["residents"] for r in bands if r["age_band"] == label and r["sex"] == 2)
        assert pyramid[label][1:] == [n(men), n(women), n(men + women)]
    trend = tables["table-bulan"]["rows"]
    for m in range(1, 13):
        births = sum(r["count"] for r in events if r["month"] == m and r["kind"] == "lahir")
        assert trend[m - 1][1] == n(births)


# -- overview -------------------------------------------------------------------------------


def test_overview_combines_the_areas(client: Any, filled: Any) -> None:
    from kampung.assistance.tests.factories import programmes

    programmes(YEAR)
    tables, texts = _page(client, filled.user(Role.BUPATI, REGENCY), "monitoring:region", REGENCY)
    shown = by_name(tables["table-wilayah"])
    for district in (DISTRICT_A, DISTRICT_B):
        fin = _finance_rows(district)
        letters = _letters(district, range(1, 13))
        progs = [
            r for r in ProgrammeFigure.objects.filter(year=YEAR).values() if _in(r["village_id"], district)
        ]
        people = [r for r in PopulationVillage.objects.values() if _in(r["village_id"], district)]
        row = shown[_name(district)]
        assert row[1] == pct(_money(fin, "belanja", range(1, 13)), _money(fin, "anggaran_blj", range(0, 1)))
        assert row[3] == n(sum(r["issued"] for r in letters))
        assert row[4] == _label(letters, 0.5)
        assert row[5] == n(_open(district)[1])
        assert row[-1] == n(sum(r["residents"] for r in people))
        rtlh = [r for r in progs if r["programme"] == "rtlh"]
        blt = [r for r in progs if r["programme"] == "blt"]
        assert n(sum(r["finished"] for r in rtlh)) in row
        assert rp(sum((r["paid"] for r in blt), Decimal(0))) in row
    everything = _finance_rows(REGENCY)
    assert texts["card-value-serapan"] == pct(
        _money(everything, "belanja", range(1, 13)), _money(everything, "anggaran_blj", range(0, 1))
    )
