"""The district/regency overview of a programme year (figures per village, totals,
drill-down, Excel), stalled cases, decisions under delegation, the home page and the menu."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.navigation import nav_items
from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.assistance.models import Case, CaseStatus, Decision, DecisionStatus, MonthlyPayment, Programme
from kampung.assistance.selectors import overview as sel
from kampung.assistance.tests.factories import household, make_case, programmes
from kampung.conftest import (
    DISTRICT_A,
    DISTRICT_B,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    make_other_regency,
)
from kampung.regions.models import Level, Region

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)
LONG_AGO = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
RECENT = dt.datetime(2026, 4, 28, 9, tzinfo=dt.UTC)
HOUSE = 17_500_000


@pytest.fixture(autouse=True)
def _in_may_2026() -> Any:
    with time_machine.travel(NOW):
        yield


def _case(
    world: Any, programme: Programme, village: str, status: str, *, since: dt.datetime, **kw: Any
) -> Case:
    family, head = household(world, village)
    case = make_case(programme, family, head, status=status, **kw)
    Case.objects.filter(pk=case.pk).update(stage_since=since)
    case.stage_since = since
    return case


def _decision(programme: Programme, village: str, status: str, basis: str = "", n: int = 1) -> Decision:
    return Decision.objects.create(
        programme=programme,
        year=2026,
        village_id=village,
        title=f"Keputusan {programme.name} {village}",
        status=status,
        basis=basis,
        instrument="Perbup Banyuwangi 12/2025" if basis else "",
        beneficiary_count=n,
        total_amount=Decimal(HOUSE * n),
        decided_on=dt.date(2026, 4, 20) if status == DecisionStatus.ISSUED else None,
    )


@pytest.fixture
def scene(world: Any) -> dict[str, Any]:
    rtlh, blt = programmes()
    cases = {
        "fresh": _case(world, rtlh, VILLAGE_A1, CaseStatus.REGISTERED, since=RECENT),
        "stuck": _case(world, rtlh, VILLAGE_A1, CaseStatus.ELIGIBLE, since=LONG_AGO),
        "decided": _case(world, rtlh, VILLAGE_A1, CaseStatus.DECIDED, since=RECENT, amount=HOUSE),
        "paid": _case(world, rtlh, VILLAGE_A1, CaseStatus.PAID, since=RECENT, amount=HOUSE),
        "done": _case(world, rtlh, VILLAGE_A1, CaseStatus.DONE, since=LONG_AGO, amount=HOUSE),
        "refused": _case(world, rtlh, VILLAGE_A1, CaseStatus.REFUSED, since=LONG_AGO),
        "a2_stuck": _case(world, rtlh, VILLAGE_A2, CaseStatus.PRIORITISED, since=LONG_AGO),
        "a2_works": _case(world, rtlh, VILLAGE_A2, CaseStatus.IN_PROGRESS, since=LONG_AGO, amount=HOUSE),
        "b1": _case(world, rtlh, VILLAGE_B1, CaseStatus.PROPOSED, since=RECENT),
        "blt_1": _case(world, blt, VILLAGE_A1, CaseStatus.DECIDED, since=LONG_AGO, amount=3_600_000),
        "blt_2": _case(world, blt, VILLAGE_A1, CaseStatus.DECIDED, since=LONG_AGO, amount=3_600_000),
        "blt_old": _case(world, blt, VILLAGE_A1, CaseStatus.REGISTERED, since=LONG_AGO),
    }
    for case, month, collected in (
        (cases["blt_1"], 1, True),
        (cases["blt_2"], 1, True),
        (cases["blt_1"], 2, False),
    ):
        MonthlyPayment.objects.create(
            case=case, year=2026, month=month, amount=Decimal(300_000), collected=collected
        )
    _decision(rtlh, VILLAGE_A1, DecisionStatus.ISSUED, "delegasi", n=3)
    _decision(rtlh, VILLAGE_A2, DecisionStatus.ISSUED, "atribusi")
    _decision(rtlh, VILLAGE_A2, DecisionStatus.ISSUED, "mandat")
    _decision(rtlh, VILLAGE_B1, DecisionStatus.ROUTED)
    _decision(rtlh, VILLAGE_B1, DecisionStatus.DRAFT)
    _decision(blt, VILLAGE_A1, DecisionStatus.ISSUED, "delegasi", n=2)
    return {"rtlh": rtlh, "blt": blt, "cases": cases}


# -- programme_figures ----------------------------------------------------------------------


def test_figures_per_village(scene, django_assert_max_num_queries):
    rtlh = scene["rtlh"]
    with django_assert_max_num_queries(3):
        figures = sel.programme_figures(
            village_codes=[VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, "35.10.15.2001"], programme=rtlh, year=2026
        )
    a1, a2, b1, empty = (
        figures[VILLAGE_A1],
        figures[VILLAGE_A2],
        figures[VILLAGE_B1],
        figures["35.10.15.2001"],
    )
    assert a1.counts == {
        "terdaftar": 1,
        "layak": 1,
        "ditetapkan": 1,
        "dibayar": 1,
        "selesai": 1,
        "ditolak": 1,
    }
    assert a1.total == 6 and a1.decided == 3
    assert a1.committed == Decimal(3 * HOUSE) and a1.paid == Decimal(2 * HOUSE)
    assert a1.finished == 1
    assert a1.stalled == 1  # the eligible case untouched since March; done/refused never stall
    assert (a1.decisions_issued, a1.decisions_delegated, a1.decisions_mandated) == (1, 1, 0)
    assert a2.stalled == 2 and a2.paid == Decimal(HOUSE) and a2.finished == 0
    assert (a2.decisions_issued, a2.under_delegation, a2.decisions_mandated) == (2, 1, 1)
    assert b1.count(CaseStatus.PROPOSED) == 1 and b1.stalled == 0 and b1.decisions_routed == 1
    assert b1.decisions_issued == 0
    assert empty == sel.Figures()
    total = sel.figures_total(figures.values())
    assert total.total == 9 and total.committed == Decimal(4 * HOUSE) and total.under_delegation == 2


def test_monthly_programme_counts_collected_payments_and_never_stalls_after_the_decision(
    scene, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        figures = sel.programme_figures(
            village_codes=[VILLAGE_A1, VILLAGE_A2], programme=scene["blt"], year=2026
        )
    a1 = figures[VILLAGE_A1]
    assert a1.committed == Decimal(7_200_000)
    assert a1.paid == Decimal(600_000)  # two households collected January; February not collected
    assert a1.stalled == 1  # the registered case; beneficiaries stay "ditetapkan" all year by design
    assert a1.decisions_delegated == 1 and figures[VILLAGE_A2] == sel.Figures()


def test_other_years_and_programmes_are_not_counted(scene, world):
    rtlh = scene["rtlh"]
    _case(world, rtlh, VILLAGE_A1, CaseStatus.DONE, since=LONG_AGO, amount=HOUSE, year=2025)
    figures = sel.programme_figures(village_codes=[VILLAGE_A1], programme=rtlh, year=2025)
    assert figures[VILLAGE_A1].finished == 1 and figures[VILLAGE_A1].total == 1
    assert sel.programme_figures(village_codes=[], programme=rtlh, year=2026) == {}


def _spread(base: Case, villages: list[str]) -> None:
    """Copies of ``base`` in many villages (written straight to the table)."""
    for n, code in enumerate(villages):
        for status, amount in ((CaseStatus.DONE, HOUSE), (CaseStatus.REGISTERED, None)):
            Case.objects.create(
                programme=base.programme,
                year=base.year,
                village_id=code,
                number=f"RTLH-2026-S{n:03d}-{status}",
                family=base.family,
                beneficiary=base.beneficiary,
                nik=base.nik,
                kk_number=f"35100{n:03d}{'1' if status == CaseStatus.DONE else '2'}0000000",
                name=base.name,
                channel=base.channel,
                registered_on=base.registered_on,
                status=status,
                amount=amount,
                stage_since=LONG_AGO,
            )


def test_query_count_does_not_grow_with_villages(scene, django_assert_max_num_queries):
    rtlh = scene["rtlh"]
    villages = list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith=REGENCY + ".").values_list(
            "code", flat=True
        )
    )
    assert len(villages) > 150
    others = [v for v in villages if v not in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1)][:60]
    _spread(scene["cases"]["done"], others)
    with django_assert_max_num_queries(3):
        figures = sel.programme_figures(village_codes=villages, programme=rtlh, year=2026)
    assert len(figures) == len(villages)
    assert all(figures[v].finished == 1 and figures[v].stalled == 1 for v in others)
    assert figures[VILLAGE_A1].finished == 1
    with django_assert_max_num_queries(3):
        sel.programme_figures(village_codes=villages, programme=scene["blt"], year=2026)


def test_overview_groups_by_district_and_totals(scene):
    regency = Region.objects.get(code=REGENCY)
    data = sel.overview(root=regency, programme=scene["rtlh"], year=2026)
    rows = {r.code: r for r in data.rows}
    assert data.by_district and not rows[DISTRICT_A].is_village
    assert rows[DISTRICT_A].figures.total == 8 and rows[DISTRICT_B].figures.total == 1
    assert rows[DISTRICT_A].villages == Region.objects.filter(code__startswith=DISTRICT_A + ".").count()
    assert data.total.total == 9 and data.villages == sum(r.villages for r in data.rows)
    district = sel.overview(root=Region.objects.get(code=DISTRICT_A), programme=scene["rtlh"], year=2026)
    assert not district.by_district and {r.code for r in district.rows} >= {VILLAGE_A1, VILLAGE_A2}
    assert next(r for r in district.rows if r.code == VILLAGE_A1).name == "Desa Sarongan"


# -- pages ----------------------------------------------------------------------------------


def test_regency_overview_page_with_drill_down_and_excel(client, world, scene, django_assert_max_num_queries):
    client.force_login(world.user(Role.DPMD, REGENCY))
    url = reverse("assistance:overview", args=["rtlh", 2026])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Pesanggaran" in body and "Per kecamatan" in body and f"?kecamatan={DISTRICT_A}" in body
    assert page.context["o"].total.committed == Decimal(4 * HOUSE)
    drilled = client.get(url, {"kecamatan": DISTRICT_A})
    assert drilled.status_code == 200 and drilled.context["drilled"]
    assert reverse("assistance:village", args=[VILLAGE_A1, "rtlh", 2026]) in drilled.content.decode()
    assert client.get(url, {"kecamatan": VILLAGE_A1}).status_code == 404
    assert client.get(url, {"kecamatan": "35.09.01"}).status_code == 404
    sheet = client.get(url, {"format": "xlsx"})
    assert sheet.status_code == 200
    ws = load_workbook(io.BytesIO(sheet.content)).active
    header = [c.value for c in ws[3]]
    total_row = [c.value for c in ws[ws.max_row]]
    assert total_row[1] == "Jumlah"
    assert total_row[header.index("Nilai ditetapkan (Rp)")] == 4 * HOUSE
    assert total_row[header.index("Keputusan delegasi/mandat")] == 2


def test_district_user_sees_only_their_district(client, world, scene):
    url = reverse("assistance:overview", args=["rtlh", 2026])
    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    page = client.get(url)
    assert page.status_code == 200 and not page.context["o"].by_district
    codes = {r.code for r in page.context["o"].rows}
    assert VILLAGE_A1 in codes and VILLAGE_B1 not in codes
    assert client.get(url, {"kecamatan": DISTRICT_B}).status_code == 404
    for role, region in ((Role.OPERATOR, VILLAGE_A1), (Role.HEAD, VILLAGE_B1), (Role.BPD, VILLAGE_A1)):
        client.force_login(world.user(role, region))
        assert client.get(url).status_code == 404
        assert client.get(reverse("assistance:stalled", args=["rtlh", 2026])).status_code == 404
        assert client.get(reverse("assistance:delegated", args=[2026])).status_code == 404
    other_admin, _ = make_other_regency()
    client.force_login(other_admin)
    assert client.get(url).status_code == 404


def test_stalled_list(client, world, scene):
    url = reverse("assistance:stalled", args=["rtlh", 2026])
    client.force_login(world.user(Role.ADMIN, REGENCY))
    page = client.get(url)
    assert page.status_code == 200
    shown = [c.pk for c in page.context["page"].object_list]
    cases = scene["cases"]
    assert set(shown) == {cases["stuck"].pk, cases["a2_stuck"].pk, cases["a2_works"].pk}
    assert page.context["page"].object_list[0].days == 64
    client.force_login(world.user(Role.DISTRICT_OFFICER, DISTRICT_B))
    page = client.get(url)
    assert page.status_code == 200 and not page.context["page"].object_list
    assert "Tidak ada kasus yang macet" in page.content.decode()


def test_decisions_under_delegation_list(client, world, scene):
    url = reverse("assistance:delegated", args=[2026])
    client.force_login(world.user(Role.BUPATI, REGENCY))
    page = client.get(url)
    assert page.status_code == 200
    shown = page.context["page"].object_list
    assert sorted((d.village_id, d.basis) for d in shown) == [
        (VILLAGE_A1, "delegasi"),
        (VILLAGE_A1, "delegasi"),
        (VILLAGE_A2, "mandat"),
    ]
    sheet = client.get(url, {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(sheet.content)).active
    assert ws.max_row == 6 and ws.cell(row=4, column=9).value == "Perbup Banyuwangi 12/2025"
    client.force_login(world.user(Role.CAMAT, DISTRICT_B))
    assert not client.get(url).context["page"].object_list
    assert "Belum ada keputusan" in client.get(reverse("assistance:delegated", args=[2025])).content.decode()


def test_home_for_each_kind_of_user(client, world, scene):
    url = reverse("assistance:home")
    client.force_login(world.user(Role.OPERATOR, VILLAGE_A1))
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("assistance:village", args=[VILLAGE_A1, "rtlh", 2026]) in body
    assert reverse("assistance:village", args=[VILLAGE_A1, "blt", 2026]) in body
    Programme.objects.filter(code="blt").update(active=False)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("assistance:village", args=[VILLAGE_A1, "rtlh", 2026])

    client.force_login(world.user(Role.CAMAT, DISTRICT_A))
    page = client.get(url, {"tahun": "2026"})
    assert page.status_code == 200
    card = page.context["cards"][0]
    assert card["root"].code == DISTRICT_A and card["total"].total == 8

    client.force_login(world.user(Role.RESIDENT, VILLAGE_A1))
    assert client.get(url)["Location"] == reverse("assistance_portal:list")


def test_menu_has_bantuan_for_staff_district_and_regency(world):
    for role, region in (
        (Role.OPERATOR, VILLAGE_A1),
        (Role.TREASURER, VILLAGE_A2),
        (Role.CAMAT, DISTRICT_A),
        (Role.DPMD, REGENCY),
        (Role.BUPATI, REGENCY),
    ):
        keys = [item.key for item in nav_items(scope_for(world.user(role, region)))]
        assert "assistance" in keys, role
    assert "assistance" not in [i.key for i in nav_items(scope_for(world.user(Role.RESIDENT, VILLAGE_A1)))]
