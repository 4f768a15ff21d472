"""The demo's finance: enacted budgets for every desa that pass every check, built in bulk;
the named cases (in evaluation, returned, revised) through the services; idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampung.conftest import KELURAHAN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.demo.finance import budget_spec, enacted_budgets_fill, finance_fill
from kampung.finance.budget import FINANCING, REVENUE, SPENDING, Line, Snapshot, budget_totals
from kampung.finance.checks import apbdes_problems, blocking
from kampung.finance.models import Apbdes, ApbdesStatus, BudgetLine, CalendarDeadline, Ceiling, UnitPrice
from kampung.regions.models import Kind, Region

pytestmark = pytest.mark.django_db

YEAR = 2026


def test_every_banyuwangi_desa_gets_a_balanced_plan():
    codes = list(
        Region.objects.filter(code__startswith="35.10.", level=4, kind="desa").values_list("code", flat=True)
    )
    assert len(codes) == 189
    for code in codes:
        spec = budget_spec(code, YEAR, seed=2018)
        lines = [Line(REVENUE, "4", src, amount) for src, amount in spec.revenue().items()]
        lines.append(Line(FINANCING, "6.1.1.01", "DDS", spec.silpa))
        for a in spec.activities:
            lines += [Line(SPENDING, line.account, line.source, line.amount, a.code) for line in a.lines]
        totals = budget_totals(Snapshot(lines))
        assert totals.remaining == 0, code
        assert Decimal(700_000_000) < spec.ceilings["DDS"] < Decimal(1_300_000_000)
        for src, spent in totals.spending_by_source.items():
            assert spent == totals.revenue_by_source.get(src, 0) + totals.financing_in_by_source.get(src, 0)
        personnel = sum(
            v
            for k, v in totals.spending_by_activity_code.items()
            if k[:8] < "01.01.08" and k.startswith("01.01")
        )
        assert personnel <= totals.spending * Decimal("0.3")
        assert all(line.amount > 0 for a in spec.activities for line in a.lines), code


def test_bulk_budgets_pass_every_check_and_are_idempotent(django_assert_max_num_queries):
    result = finance_fill(
        village_codes=[VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, KELURAHAN_B], seed=2018, year=YEAR
    )
    assert result.budgets == 3 and result.lines > 60
    assert not Apbdes.objects.filter(village_id=KELURAHAN_B).exists()
    for apbdes in Apbdes.objects.filter(year=YEAR):
        assert apbdes.status == ApbdesStatus.ENACTED and apbdes.perdes_date <= dt.date(YEAR - 1, 12, 31)
        assert blocking(apbdes_problems(apbdes)) == [], apbdes.village_id
        assert apbdes.rkp is not None and apbdes.rkp.status == "ditetapkan"
    assert Ceiling.objects.filter(village_id=VILLAGE_A1, year=YEAR, source_id="DDS").exists()
    assert UnitPrice.objects.filter(regency_id="35.10", year=YEAR).count() >= 30
    assert CalendarDeadline.objects.filter(regency_id="35.10", year=YEAR).exists()
    assert BudgetLine.objects.filter(activity__apbdes__year=YEAR, unit_price_ref__isnull=False).exists()
    before = BudgetLine.objects.count()
    assert enacted_budgets_fill(codes=[VILLAGE_A1, VILLAGE_A2, VILLAGE_B1], year=YEAR, seed=2018) == (0, 0)
    assert BudgetLine.objects.count() == before


def test_bulk_build_does_not_save_line_by_line(django_assert_max_num_queries):
    codes = list(
        Region.objects.filter(code__startswith="35.10.02.", kind="desa").values_list("code", flat=True)
    )
    # a fixed number of statements plus one audit entry (4 statements) per village
    with django_assert_max_num_queries(30 + 6 * len(codes)):
        budgets, lines = enacted_budgets_fill(codes=codes, year=YEAR, seed=7)
    assert budgets == len(codes) and lines > 20 * len(codes)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def test_small_demo_has_the_named_cases_with_a_real_audit_trail(media, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from kampung.audit.models import AuditEntry
    from kampung.demo.finance import EVALUATING, RETURNED, REVISED
    from kampung.demo.services import demo_build

    with django_capture_on_commit_callbacks(execute=True):
        result = demo_build(seed=2018)
    year = timezone.localdate().year
    # every desa of the regency gets an enacted budget, not only the populated villages
    desa = Region.objects.filter(code__startswith="35.10.", kind=Kind.DESA).count()
    assert desa >= 189
    assert result.finance.budgets == desa
    assert Apbdes.objects.filter(year=year, revision=0, village__kind=Kind.KELURAHAN).count() == 0
    for apbdes in Apbdes.objects.filter(year=year, revision=0):
        assert apbdes.status == ApbdesStatus.ENACTED
        assert blocking(apbdes_problems(apbdes)) == []
    evaluating = Apbdes.objects.get(village_id=EVALUATING, year=year + 1)
    returned = Apbdes.objects.get(village_id=RETURNED, year=year + 1)
    revised = Apbdes.objects.get(village_id=REVISED, year=year, revision=1)
    assert evaluating.status == ApbdesStatus.SUBMITTED and evaluating.evaluation_due is not None
    assert returned.status == ApbdesStatus.RETURNED
    assert "Musdes" in returned.evaluations.get().notes
    assert revised.status == ApbdesStatus.DRAFT
    assert blocking(apbdes_problems(revised)) == []
    from kampung.finance.budget import budget_snapshot

    base_totals = budget_totals(budget_snapshot(revised.base))
    assert budget_totals(budget_snapshot(revised)).spending == base_totals.spending + Decimal(26_000_000)
    acts = set(AuditEntry.objects.filter(region_code=RETURNED).values_list("act", flat=True))
    assert {"finance.apbdes.agree", "finance.apbdes.submit", "finance.apbdes.evaluate"} <= acts
    again = demo_build(seed=2018)
    assert again.finance.budgets == 0 and again.finance.cases == []
