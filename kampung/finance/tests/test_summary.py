"""The budget summary page (districts and regency) and the public summary."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, DISTRICT_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.finance.models import Apbdes, ApbdesStatus, RevenueLine
from kampung.finance.selectors.public import apbdes_public_summary
from kampung.finance.selectors.summary import NONE, budget_summary
from kampung.finance.tests.factories import make_apbdes
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def _budgets():
    make_apbdes(VILLAGE_A1, status=ApbdesStatus.ENACTED, perdes_date=dt.date(2026, 12, 20))
    make_apbdes(
        VILLAGE_A2,
        status=ApbdesStatus.SUBMITTED,
        submitted_on=dt.date(2026, 11, 16),
        evaluation_due=dt.date(2026, 12, 14),
    )
    make_apbdes(
        VILLAGE_B1,
        status=ApbdesStatus.RETURNED,
        evaluation_due=dt.date(2026, 11, 10),
        evaluated_on=dt.date(2026, 11, 12),
    )


def test_summary_figures_and_statuses():
    _budgets()
    s = budget_summary(root=Region.objects.get(code=REGENCY), year=2027, today=TODAY)
    rows = {v.code: v for v in s.villages}
    assert rows[VILLAGE_A1].status == ApbdesStatus.ENACTED
    assert rows[VILLAGE_A1].figures.revenue == Decimal(1_420_000_000)
    assert rows[VILLAGE_A1].figures.dana_desa == Decimal(1_000_000_000)
    assert rows[VILLAGE_A1].figures.spending == Decimal(1_450_000_000)
    assert sum(rows[VILLAGE_A1].figures.bidang.values()) == Decimal(1_450_000_000)
    assert rows[VILLAGE_A2].status == ApbdesStatus.SUBMITTED
    assert rows[VILLAGE_A2].days_left == 16  # 20 Nov → 14 Dec, working days, no holidays loaded
    assert "16 hari kerja lagi" in rows[VILLAGE_A2].status_label
    assert rows[VILLAGE_B1].evaluation_late is True
    others = [v for v in s.villages if v.code not in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1)]
    assert others and all(v.status == NONE for v in others)
    assert all(not v.code.startswith("35.10.15.1") for v in s.villages)  # no kelurahan
    assert s.total.count(ApbdesStatus.ENACTED) == 1 and s.total.villages == len(s.villages)
    district = {g.code: g for g in s.groups}[DISTRICT_A]
    assert district.count(ApbdesStatus.SUBMITTED) == 1 and district.figures.dana_desa == Decimal(
        2_000_000_000
    )


def test_a_revision_is_shown_and_its_enacted_figures_count():
    base = make_apbdes(VILLAGE_A1, status=ApbdesStatus.ENACTED, is_current=False)
    revision = make_apbdes(
        VILLAGE_A1, revision=1, base=base, status=ApbdesStatus.ENACTED, with_ceilings=False
    )
    RevenueLine.objects.filter(apbdes=revision, source_id="PAD").update(amount=Decimal(50_000_000))
    s = budget_summary(root=Region.objects.get(code=DISTRICT_A), year=2027, today=TODAY)
    row = next(v for v in s.villages if v.code == VILLAGE_A1)
    assert row.revised and row.apbdes_id == revision.pk
    assert row.figures.revenue == Decimal(1_450_000_000)


@time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
def test_summary_page_for_regency_and_district_users(client, world, django_assert_max_num_queries):
    _budgets()
    client.force_login(world.user(Role.DPMD, REGENCY))
    url = reverse("finance:summary")
    client.get(url + "?tahun=2027")  # warm the session and scope caches
    with django_assert_max_num_queries(15):
        response = client.get(url + "?tahun=2027")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pesanggaran" in page and 'data-testid="summary-districts"' in page and "<svg" in page
    response = client.get(url + f"?tahun=2027&kecamatan={DISTRICT_A}")
    assert response.status_code == 200 and 'data-testid="summary-villages"' in response.content.decode()
    response = client.get(url + "?tahun=2027&format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    codes = [r[0] for r in ws.iter_rows(min_row=4, values_only=True)]
    assert VILLAGE_A1 in codes and VILLAGE_B1 in codes
    client.force_login(world.user(Role.CAMAT, DISTRICT_B))
    response = client.get(url + "?tahun=2027")
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="summary-villages"' in page
    assert "Dikembalikan" in page
    assert client.get(url + f"?kecamatan={DISTRICT_A}").status_code == 404
    assert client.get(url + f"?kecamatan={VILLAGE_B1}").status_code == 404
    assert client.get(url + "?tahun=abc").status_code == 200
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    assert client.get(url).status_code == 404


def test_summary_query_count_does_not_grow_with_villages(django_assert_max_num_queries):
    _budgets()
    for code in Region.objects.filter(code__startswith="35.10.02.", kind="desa").values_list(
        "code", flat=True
    )[:6]:
        make_apbdes(code, status=ApbdesStatus.ENACTED)
    regency = Region.objects.get(code=REGENCY)
    # villages, versions, revenue, spending, holidays, calendar, district names
    with django_assert_max_num_queries(7):
        budget_summary(root=regency, year=2027, today=TODAY)


def test_public_summary_only_enacted_and_cached(django_assert_num_queries):
    apbdes = make_apbdes(VILLAGE_A1)
    assert apbdes_public_summary(village_code=VILLAGE_A1, year=2027) is None
    assert apbdes_public_summary(village_code=VILLAGE_A1, year=2031) is None
    Apbdes.objects.filter(pk=apbdes.pk).update(status=ApbdesStatus.ENACTED)
    apbdes.status = ApbdesStatus.ENACTED
    apbdes.save()  # a change of state saves the row: a new cache key
    summary = apbdes_public_summary(village_code=VILLAGE_A1, year=2027)
    assert summary is not None
    assert summary["revenue"]["total"] == Decimal(1_420_000_000)
    by_source = {s["code"]: s for s in summary["revenue"]["by_source"]}
    assert by_source["DDS"]["amount"] == Decimal(1_000_000_000) and by_source["DDS"]["name"]
    assert sum(b["amount"] for b in summary["spending"]["by_bidang"]) == summary["spending"]["total"]
    assert summary["surplus"] == Decimal(-30_000_000) and summary["financing"]["net"] == Decimal(30_000_000)
    assert "executor" not in str(summary) and "Rabat beton" not in str(summary)
    with django_assert_num_queries(1):  # the cheap key query only
        assert apbdes_public_summary(village_code=VILLAGE_A1, year=2027) == summary
    RevenueLine.objects.filter(apbdes=apbdes, source_id="PAD").update(amount=Decimal(25_000_000))
    apbdes.status = ApbdesStatus.ELABORATED
    apbdes.save()
    assert apbdes_public_summary(village_code=VILLAGE_A1, year=2027)["revenue"]["total"] == Decimal(
        1_425_000_000
    )
