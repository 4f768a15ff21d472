"""BLT Dana Desa pages: the months overview with the Dana Desa cap, the month page (SPP
request, distribution record, bulk record, Excel) and the panel on the case page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.assistance.models import CaseStatus, MonthlyPayment
from kampung.assistance.selectors import blt as sel
from kampung.assistance.tests.factories import household, make_case
from kampung.assistance.tests.test_blt_services import YEAR, blt_village, pay_spp, request
from kampung.conftest import DISTRICT_A, VILLAGE_A1, VILLAGE_A2
from kampung.finance.models import Spp
from kampung.population.checks import mask_nik

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def months_url(village: str = VILLAGE_A1, programme: str = "blt") -> str:
    return reverse("assistance:months", args=[village, programme, YEAR])


def month_url(month: int, village: str = VILLAGE_A1) -> str:
    return reverse("assistance:month", args=[village, "blt", YEAR, month])


def as_user(client: Any, world: Any, role: str, region: str = VILLAGE_A1) -> Any:
    client.force_login(world.user(role, region))
    return client


def test_months_page_shows_the_cap_the_months_and_the_grid(client: Any, world: Any) -> None:
    blt, cases = blt_village(world)
    spp = pay_spp(world, request(world, blt, 1))
    row = MonthlyPayment.objects.filter(spp=spp).order_by("case__number").first()
    assert row is not None
    row.collected, row.paid_on, row.method, row.received_by = True, dt.date(YEAR, 1, 26), "tunai", "X"
    row.save()
    page = as_user(client, world, Role.BPD).get(months_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rp 1.000.000.000" in html  # Dana Desa
    assert "Rp 150.000.000" in html  # 15 % cap
    assert "Rp 129.600.000" in html  # the BLT line
    assert "Rp 10.800.000" in html  # 3 × 300.000 × 12
    assert spp.number in html
    assert cases[0].name in html and "✔" in html
    assert 'data-testid="over-cap"' not in html


def test_months_page_warns_over_the_cap(client: Any, world: Any) -> None:
    blt, _ = blt_village(world, n=2)
    from kampung.assistance.loader import programme_year_get

    py = programme_year_get(blt, YEAR)
    py.dd_cap_percent = Decimal("0.5")  # Rp 5 jt, below 2 × 3,6 jt
    py.save()
    html = as_user(client, world, Role.OPERATOR).get(months_url()).content.decode()
    assert 'data-testid="over-cap"' in html


def test_pages_of_another_village_or_a_yearly_programme_are_not_found(client: Any, world: Any) -> None:
    blt_village(world, n=1)
    c = as_user(client, world, Role.SECRETARY, VILLAGE_A2)
    assert c.get(months_url()).status_code == 404
    assert c.get(month_url(1)).status_code == 404
    assert c.post(month_url(1), {"action": "request", "date": "2026-01-20"}).status_code == 404
    c = as_user(client, world, Role.SECRETARY)
    assert c.get(months_url(programme="rtlh")).status_code == 404
    assert c.get(month_url(13)).status_code == 404
    assert not Spp.objects.exists()


def test_empty_states(client: Any, world: Any) -> None:
    blt_village(world, n=0)
    c = as_user(client, world, Role.SECRETARY)
    assert 'data-testid="grid-empty"' in c.get(months_url()).content.decode()
    assert 'data-testid="month-empty"' in c.get(month_url(2)).content.decode()


def test_month_request_over_http(client: Any, world: Any) -> None:
    blt_village(world)
    c = as_user(client, world, Role.SECRETARY)
    page = c.get(month_url(1))
    assert 'data-testid="request-form"' in page.content.decode()
    done = c.post(month_url(1), {"action": "request", "date": "2026-01-20"})
    assert done.status_code == 302
    spp = Spp.objects.get()
    assert spp.amount == Decimal("900000")
    page = c.get(month_url(1))
    html = page.content.decode()
    assert spp.number in html and 'data-testid="request-form"' not in html
    # A second request and a bad date: refused on the form, nothing made.
    again = c.post(month_url(1), {"action": "request", "date": "2026-01-21"})
    assert again.status_code == 400 and "sudah diajukan" in again.content.decode()
    bad = c.post(month_url(2), {"action": "request", "date": ""})
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    assert Spp.objects.count() == 1


def test_month_request_refused_for_a_role_without_the_act(client: Any, world: Any) -> None:
    blt_village(world)
    c = as_user(client, world, Role.OPERATOR)
    assert 'data-testid="request-form"' not in c.get(month_url(1)).content.decode()
    assert c.post(month_url(1), {"action": "request", "date": "2026-01-20"}).status_code == 403
    assert not Spp.objects.exists()


def test_distribution_over_http(client: Any, world: Any) -> None:
    blt, cases = blt_village(world)
    spp = pay_spp(world, request(world, blt, 1))
    rows = list(MonthlyPayment.objects.filter(spp=spp).order_by("case__number"))
    c = as_user(client, world, Role.TREASURER)
    html = c.get(month_url(1)).content.decode()
    assert 'data-testid="bulk-form"' in html and f'data-testid="record-form-{rows[0].pk}"' in html
    missing_note = c.post(
        month_url(1),
        {"action": "record", "payment": rows[0].pk, "outcome": "tidak_diambil", "method": "tunai"},
    )
    assert missing_note.status_code == 400 and "alasan" in missing_note.content.decode()
    ok = c.post(
        month_url(1),
        {"action": "record", "payment": rows[0].pk, "outcome": "tidak_diambil", "note": "Meninggal dunia"},
    )
    assert ok.status_code == 302
    done = c.post(month_url(1), {"action": "bulk", "paid_on": "2026-01-26", "method": "tunai"})
    assert done.status_code == 302
    states = [sel.payment_state(r) for r in MonthlyPayment.objects.filter(spp=spp).order_by("case__number")]
    assert states == [sel.NOT_COLLECTED, sel.RECEIVED, sel.RECEIVED]
    overview = sel.months_overview(programme=blt, village=cases[0].village, year=YEAR)
    january = overview.months[0]
    assert (january.collected, january.not_collected, january.waiting) == (2, 1, 0)
    assert overview.collected_total == Decimal("600000")
    # Someone else's payment row is not found; the operator may not record.
    other_blt, other = blt_village(world, VILLAGE_A2, n=1)
    other_spp = request(world, other_blt, 1, village=VILLAGE_A2)
    other_row = MonthlyPayment.objects.get(spp=other_spp)
    stray = c.post(month_url(1), {"action": "record", "payment": other_row.pk, "outcome": "diterima"})
    assert stray.status_code == 404
    c = as_user(client, world, Role.OPERATOR)
    refused = c.post(month_url(1), {"action": "bulk", "paid_on": "2026-01-26", "method": "tunai"})
    assert refused.status_code == 403


def test_month_excel_masks_nik_for_the_district(client: Any, world: Any) -> None:
    blt, cases = blt_village(world, n=2)
    request(world, blt, 1)
    staff = as_user(client, world, Role.SECRETARY).get(month_url(1) + "?format=xlsx")
    assert staff.status_code == 200 and "spreadsheetml" in staff["Content-Type"]
    ws = load_workbook(io.BytesIO(staff.content)).active
    values = [list(row) for row in ws.iter_rows(min_row=5, values_only=True)]
    first = sorted(cases, key=lambda c: c.number)[0]
    assert values[0][1] == first.number and values[0][2] == first.nik and values[0][8] == 300000
    assert values[0][10] == "Belum dicatat"
    district = as_user(client, world, Role.CAMAT, DISTRICT_A).get(month_url(1) + "?format=xlsx")
    ws = load_workbook(io.BytesIO(district.content)).active
    row = next(ws.iter_rows(min_row=5, values_only=True))
    assert row[2] == mask_nik(first.nik) and row[2] != first.nik
    html = as_user(client, world, Role.CAMAT, DISTRICT_A).get(month_url(1)).content.decode()
    assert first.nik not in html and mask_nik(first.nik) in html


def test_months_page_query_count_does_not_grow_with_households(client: Any, world: Any) -> None:
    blt, _ = blt_village(world, n=2)
    request(world, blt, 1)
    c = as_user(client, world, Role.SECRETARY)
    c.get(months_url())
    with CaptureQueriesContext(connection) as few:
        assert c.get(months_url()).status_code == 200
    for _ in range(8):
        family, head = household(world, VILLAGE_A1)
        make_case(blt, family, head, status=CaseStatus.DECIDED)
    request(world, blt, 2)
    with CaptureQueriesContext(connection) as many:
        assert c.get(months_url()).status_code == 200
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as month_page:
        assert c.get(month_url(2)).status_code == 200
    assert len(month_page) <= 30


def test_case_panel_lists_the_months(world: Any) -> None:
    blt, cases = blt_village(world, n=1)
    spp = pay_spp(world, request(world, blt, 1))
    row = MonthlyPayment.objects.get(spp=spp)
    row.collected, row.paid_on, row.method, row.received_by = True, dt.date(YEAR, 1, 26), "tunai", "Istri"
    row.save()
    case = cases[0]
    case.refresh_from_db()
    panel = sel.case_panel(actor=world.user(Role.SECRETARY, VILLAGE_A1), case=case)
    months = panel["blt"]["months"]
    assert len(months) == 12
    assert months[0]["state"] == sel.RECEIVED and months[1]["payment"] is None
    assert panel["blt"]["collected"] == Decimal("300000")
    html = render_to_string("assistance/panels/blt.html", panel)
    assert spp.number in html and "Istri" in html and "Belum diajukan" in html
    # An RTLH case has no BLT panel.
    from kampung.assistance.tests.factories import programmes

    rtlh, _ = programmes()
    family, head = household(world, VILLAGE_A1)
    assert sel.case_panel(actor=None, case=make_case(rtlh, family, head)) == {}
    assert render_to_string("assistance/panels/blt.html", {}).strip() == ""


def test_year_recap_excel(client: Any, world: Any) -> None:
    blt, cases = blt_village(world, n=2)
    spp = pay_spp(world, request(world, blt, 1))
    row = MonthlyPayment.objects.filter(spp=spp).order_by("case__number").first()
    assert row is not None
    row.collected, row.paid_on, row.method = True, dt.date(YEAR, 1, 26), "tunai"
    row.save()
    request(world, blt, 2)
    response = as_user(client, world, Role.TREASURER).get(months_url() + "?format=xlsx")
    assert response.status_code == 200 and "rekap-blt" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert rows[0][5] == "Januari" and rows[0][-1] == "Jumlah diterima (Rp)"
    first = sorted(cases, key=lambda c: c.number)[0]
    assert rows[1][1] == first.number and rows[1][2] == first.nik
    assert rows[1][5:8] == ("Diterima", "Belum dicatat", None) and rows[1][-1] == 300000
    assert rows[2][5] == "Belum dicatat" and rows[2][-1] == 0
    masked = as_user(client, world, Role.DPMD, "35.10").get(months_url() + "?format=xlsx")
    ws = load_workbook(io.BytesIO(masked.content)).active
    assert list(ws.iter_rows(min_row=5, values_only=True))[0][2] == mask_nik(first.nik)


def test_month_outside_the_season(client: Any, world: Any) -> None:
    blt, _ = blt_village(world, n=1)
    from kampung.assistance.loader import programme_year_get

    py = programme_year_get(blt, YEAR)
    py.months = 3
    py.save()
    c = as_user(client, world, Role.SECRETARY)
    html = c.get(month_url(5)).content.decode()
    assert 'data-testid="off-season"' in html and 'data-testid="request-form"' not in html
    refused = c.post(month_url(5), {"action": "request", "date": "2026-05-20"})
    assert refused.status_code == 400 and "di luar masa BLT" in refused.content.decode()
    assert not Spp.objects.exists()
