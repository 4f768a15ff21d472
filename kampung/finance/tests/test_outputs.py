"""Printed outputs: the Lampiran Perdes, Penjabaran, RAB and RAK as Excel and PDF.

Property tests (hypothesis): for random budgets the total cells of the Excel outputs, read
back with openpyxl, equal the sums of the lines; the PDF text (pdftotext) carries the same
totals for a fixed budget. Access: every finance reader in scope; other village → 404;
kelurahan → 404."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, DISTRICT_B, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_B1
from kampung.core.formatting import number_id
from kampung.finance.models import (
    Apbdes,
    ApbdesStatus,
    BudgetActivity,
    BudgetLine,
    FinancingLine,
    RevenueLine,
)
from kampung.finance.outputs import documents, excel
from kampung.finance.services import execution
from kampung.finance.tests.factories import account, add_activity, add_line, make_apbdes, source
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

REVENUE_ACCOUNTS = ["4.1.2.01", "4.2.1.01", "4.2.3.01"]
SPENDING_ACCOUNTS = ["5.1.1.01", "5.2.1.01", "5.2.7.05", "5.3.5.03", "5.4.1.01"]
ACTIVITY_CODES = ["01.01.01", "01.01.04", "02.03.10", "04.02.03", "05.03.00"]
SOURCES = ["PAD", "ADD", "DDS"]


def _column_values(data: bytes, label_col: int, value_col: int) -> dict[str, float]:
    ws = load_workbook(io.BytesIO(data)).active
    out = {}
    for row in ws.iter_rows(values_only=True):
        label = row[label_col - 1] if len(row) >= label_col else None
        if isinstance(label, str) and label in documents.TOTAL_KEYS.values():
            out[label] = row[value_col - 1]
    return out


def _sums(apbdes):
    revenue = RevenueLine.objects.filter(apbdes=apbdes).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    spending = BudgetLine.objects.filter(activity__apbdes=apbdes).aggregate(s=Sum("amount"))["s"] or Decimal(
        0
    )
    fin_in = FinancingLine.objects.filter(apbdes=apbdes, account__code__startswith="6.1").aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    fin_out = FinancingLine.objects.filter(apbdes=apbdes, account__code__startswith="6.2").aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    return revenue, spending, fin_in, fin_out


revenue_st = st.lists(
    st.tuples(st.sampled_from(REVENUE_ACCOUNTS), st.sampled_from(SOURCES), st.integers(1, 3_000_000_000)),
    max_size=5,
)
spending_st = st.lists(
    st.tuples(
        st.sampled_from(ACTIVITY_CODES),
        st.sampled_from(SPENDING_ACCOUNTS),
        st.sampled_from(SOURCES),
        st.integers(1, 500),
        st.integers(1, 50_000_000),
    ),
    max_size=10,
)
financing_st = st.lists(
    st.tuples(st.sampled_from(["6.1.1.01", "6.2.1.01"]), st.integers(1, 900_000_000)),
    max_size=3,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(revenue_st, spending_st, financing_st)
def test_excel_totals_equal_the_sums_of_the_lines(revenue, spending, financing):
    with transaction.atomic():
        apbdes = Apbdes.objects.create(village=Region.objects.get(code=VILLAGE_A1), year=2030)
        for acc, src, amount in revenue:
            RevenueLine.objects.create(apbdes=apbdes, account=account(acc), source=source(src), amount=amount)
        activities: dict[str, BudgetActivity] = {}
        for code, acc, src, volume, price in spending:
            activity = activities.get(code) or add_activity(apbdes, code)
            activities[code] = activity
            add_line(activity, acc, src, volume, price)
        for acc, amount in financing:
            FinancingLine.objects.create(
                apbdes=apbdes, account=account(acc), source=source("DDS"), amount=amount
            )
        rev, spend, fin_in, fin_out = _sums(apbdes)
        expected = {
            "revenue": rev,
            "spending": spend,
            "surplus": rev - spend,
            "financing_in": fin_in,
            "financing_out": fin_out,
            "net_financing": fin_in - fin_out,
            "remaining": rev - spend + fin_in - fin_out,
        }
        for detail, amount_col in ((False, 3), (True, 6)):
            doc = documents.budget_document(apbdes, detail=detail)
            cells = _column_values(excel.budget_workbook(doc, detail=detail), 2, amount_col)
            for key, label in documents.TOTAL_KEYS.items():
                assert Decimal(str(cells[label])) == expected[key], (detail, key)
            # each kegiatan row equals the sum of its lines
            ws = load_workbook(io.BytesIO(excel.budget_workbook(doc, detail=detail))).active
            by_name = {r[1]: r[amount_col - 1] for r in ws.iter_rows(values_only=True) if r[0] in activities}
            for activity in activities.values():
                own = BudgetLine.objects.filter(activity=activity).aggregate(s=Sum("amount"))["s"]
                assert Decimal(str(by_name[activity.name])) == own
        # RAB per kegiatan and the RAK total
        for activity in activities.values():
            rab = load_workbook(io.BytesIO(excel.rab_workbook(documents.rab_document(activity)))).active
            total = next(r[6] for r in rab.iter_rows(values_only=True) if r[2] == "JUMLAH")
            assert (
                Decimal(str(total))
                == BudgetLine.objects.filter(activity=activity).aggregate(s=Sum("amount"))["s"]
            )
        months = {
            line.pk: execution.spread_evenly(line.amount, 1, 12)
            for line in BudgetLine.objects.filter(activity__apbdes=apbdes)
        }
        grid = documents.rak_grid(apbdes, months)
        rak = load_workbook(io.BytesIO(excel.rak_workbook(grid, "RAK", "Desa"))).active
        total_row = next(r for r in rak.iter_rows(values_only=True) if r[2] == "JUMLAH")
        assert Decimal(str(total_row[3] or 0)) == spend
        assert Decimal(str(total_row[-1] or 0)) == spend  # the months add up to the budget
        assert sum(Decimal(str(v or 0)) for v in total_row[16:20]) == spend  # Tw I–IV
        transaction.set_rollback(True)


def _pdf_text(content: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_pdf_carries_the_same_totals(client, world):
    apbdes = make_apbdes(
        VILLAGE_A1, status=ApbdesStatus.ENACTED, perdes_number="3/2026", perdes_date=dt.date(2026, 12, 18)
    )
    rev, spend, fin_in, fin_out = _sums(apbdes)
    client.force_login(world.user(Role.BPD, VILLAGE_A1))
    for name in ("finance:print_attachment", "finance:print_penjabaran"):
        response = client.get(reverse(name, args=[apbdes.pk, "pdf"]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = _pdf_text(response.content)
        assert "JUMLAH PENDAPATAN" in text and number_id(rev) in text
        assert "JUMLAH BELANJA" in text and number_id(spend) in text
        assert number_id(fin_in) in text and "PEMBIAYAAN NETTO" in text
    road = BudgetActivity.objects.get(apbdes=apbdes, activity_code__code="02.03.10")
    text = _pdf_text(client.get(reverse("finance:print_rab", args=[road.pk, "pdf"])).content)
    assert "Rabat beton" in text and number_id(450_000_000 + 12_000_000) in text
    execution.rak_spread_evenly(actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=apbdes)
    text = _pdf_text(client.get(reverse("finance:print_rak", args=[apbdes.pk, "pdf"])).content)
    assert "RENCANA ANGGARAN KAS" in text.upper() and number_id(spend) in text


def test_excel_of_the_factory_budget(client, world):
    apbdes = make_apbdes(VILLAGE_A1)
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    response = client.get(reverse("finance:print_attachment", args=[apbdes.pk, "xlsx"]))
    assert response.status_code == 200
    cells = _column_values(response.content, 2, 3)
    assert cells["JUMLAH PENDAPATAN"] == 1_420_000_000
    assert cells["JUMLAH BELANJA"] == 1_450_000_000
    assert cells["SURPLUS/(DEFISIT)"] == -30_000_000
    assert cells[documents.TOTAL_KEYS["remaining"]] == 0
    ws = load_workbook(io.BytesIO(response.content)).active
    labels = [r[1] for r in ws.iter_rows(values_only=True)]
    assert "PENDAPATAN" in labels and "BELANJA" in labels
    assert any(isinstance(v, str) and v.upper().startswith("BIDANG PELAKSANAAN") for v in labels)


@pytest.mark.parametrize(
    ("role", "region", "status"),
    [
        (Role.BPD, VILLAGE_A1, 200),
        (Role.TREASURER, VILLAGE_A1, 200),
        (Role.CAMAT, DISTRICT_A, 200),
        (Role.DPMD, REGENCY, 200),
        (Role.SECRETARY, VILLAGE_B1, 404),
        (Role.CAMAT, DISTRICT_B, 404),
        (Role.RESIDENT, VILLAGE_A1, 404),
    ],
)
def test_who_may_print(client, world, role, region, status):
    apbdes = make_apbdes(VILLAGE_A1)
    road = BudgetActivity.objects.get(apbdes=apbdes, activity_code__code="02.03.10")
    client.force_login(world.user(role, region))
    urls = [
        reverse("finance:print_attachment", args=[apbdes.pk, "xlsx"]),
        reverse("finance:print_penjabaran", args=[apbdes.pk, "xlsx"]),
        reverse("finance:print_rab", args=[road.pk, "xlsx"]),
        reverse("finance:print_rak", args=[apbdes.pk, "xlsx"]),
    ]
    for url in urls:
        assert client.get(url).status_code == status, url


def test_unknown_format_and_missing_objects_are_404(client, world):
    apbdes = make_apbdes(VILLAGE_A1)
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    assert client.get(f"/keuangan/apbdes/{apbdes.pk}/lampiran.doc").status_code == 404
    assert client.get(reverse("finance:print_attachment", args=[999999, "pdf"])).status_code == 404
    assert client.get(reverse("finance:print_rab", args=[999999, "pdf"])).status_code == 404


def test_kelurahan_has_no_budget_pages(client, world):
    kelurahan = Region.objects.get(code=KELURAHAN_B)
    apbdes = Apbdes.objects.create(village=kelurahan, year=2027)  # written straight to the table
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert client.get(reverse("finance:print_attachment", args=[apbdes.pk, "pdf"])).status_code == 404
    assert client.get(reverse("finance:dpa_list", args=[apbdes.pk])).status_code == 404
    assert client.get(reverse("finance:rak_edit", args=[apbdes.pk])).status_code == 404


def test_the_apbdes_page_links_the_outputs_and_execution_documents(client, world):
    draft = make_apbdes(VILLAGE_A1)
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    page = client.get(reverse("finance:apbdes_detail", args=[draft.pk])).content.decode()
    assert reverse("finance:print_attachment", args=[draft.pk, "pdf"]) in page
    assert reverse("finance:rak_edit", args=[draft.pk]) not in page  # not before enactment
    enacted = make_apbdes(VILLAGE_A1, 2028, status=ApbdesStatus.ENACTED, perdes_date=dt.date(2027, 12, 20))
    page = client.get(reverse("finance:apbdes_detail", args=[enacted.pk])).content.decode()
    assert reverse("finance:dpa_list", args=[enacted.pk]) in page
    assert reverse("finance:rak_edit", args=[enacted.pk]) in page
