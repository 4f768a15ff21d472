"""Property tests: for random budgets, the totals equal the sums of the lines (per section,
source, bidang, kegiatan), and the checks' arithmetic agrees with a direct computation."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kampung.conftest import VILLAGE_A1
from kampung.finance.budget import (
    FINANCING,
    REVENUE,
    SPENDING,
    ZERO,
    Line,
    Snapshot,
    budget_snapshot,
    budget_totals,
)
from kampung.finance.checks import LineDetail, RuleSpec, problems_for

SOURCES = ["PAD", "ADD", "DDS", "PBH", "PBK"]
TRANSFERS = {"ADD", "DDS", "PBH", "PBK"}
ACTIVITY_CODES = [
    "01.01.01",
    "01.01.04",
    "01.01.07",
    "01.02.02",
    "02.03.10",
    "04.02.03",
    "05.03.00",
    "03.01.01",
]
REVENUE_ACCOUNTS = ["4.1.2.01", "4.2.1.01", "4.2.3.01", "4.2.5.01"]
SPENDING_ACCOUNTS = ["5.1.1.01", "5.2.1.01", "5.2.7.05", "5.3.5.03", "5.4.1.01"]
FINANCING_ACCOUNTS = ["6.1.1.01", "6.1.2.01", "6.2.1.01"]
amounts = st.integers(min_value=1, max_value=2_000_000_000).map(Decimal)

revenue_lines = st.builds(
    lambda a, s, x: Line(REVENUE, a, s, x),
    st.sampled_from(REVENUE_ACCOUNTS),
    st.sampled_from(SOURCES),
    amounts,
)
spending_lines = st.builds(
    lambda a, s, x, c, i: Line(SPENDING, a, s, x, c, i),
    st.sampled_from(SPENDING_ACCOUNTS),
    st.sampled_from(SOURCES),
    amounts,
    st.sampled_from(ACTIVITY_CODES),
    st.integers(min_value=1, max_value=6),
)
financing_lines = st.builds(
    lambda a, s, x: Line(FINANCING, a, s, x),
    st.sampled_from(FINANCING_ACCOUNTS),
    st.sampled_from(["", *SOURCES]),
    amounts,
)
snapshots = st.builds(
    lambda r, s, f: Snapshot([*r, *s, *f]),
    st.lists(revenue_lines, max_size=8),
    st.lists(spending_lines, max_size=15),
    st.lists(financing_lines, max_size=4),
)
rules = st.lists(
    st.builds(
        RuleSpec,
        st.just("Aturan"),
        st.sampled_from(["maks", "min"]),
        st.integers(min_value=1, max_value=60).map(Decimal),
        st.lists(st.sampled_from(["05.03", "04.02", "01.01.04", "02"]), min_size=1, max_size=2).map(tuple),
    ),
    max_size=3,
)
ceiling_maps = st.dictionaries(st.sampled_from(sorted(TRANSFERS)), amounts, max_size=4)


def _sum(lines, key):
    out: dict = defaultdict(lambda: ZERO)
    for line in lines:
        out[key(line)] += line.amount
    return dict(out)


@given(snapshots)
def test_totals_equal_the_sums_of_the_lines(snapshot):
    t = budget_totals(snapshot)
    rev, sp, fin = snapshot.of(REVENUE), snapshot.of(SPENDING), snapshot.of(FINANCING)
    assert t.revenue == sum((x.amount for x in rev), ZERO) == sum(t.revenue_by_source.values(), ZERO)
    assert t.spending == sum((x.amount for x in sp), ZERO)
    for breakdown in (
        t.spending_by_source,
        t.spending_by_bidang,
        t.spending_by_sub_bidang,
        t.spending_by_activity_code,
        t.spending_by_activity,
        t.spending_by_account,
        t.spending_by_jenis,
    ):
        assert sum(breakdown.values(), ZERO) == t.spending
    assert t.spending_by_source == _sum(sp, lambda x: x.source_code)
    assert t.spending_by_bidang == _sum(sp, lambda x: x.activity_code[:2])
    assert t.revenue_by_source == _sum(rev, lambda x: x.source_code)
    assert t.financing_in == sum((x.amount for x in fin if x.account_code.startswith("6.1")), ZERO)
    assert t.financing_out == sum((x.amount for x in fin if x.account_code.startswith("6.2")), ZERO)
    assert t.remaining == t.revenue - t.spending + t.financing_in - t.financing_out


@given(snapshots, ceiling_maps, rules)
def test_the_checks_agree_with_a_direct_computation(snapshot, ceilings, earmarks):
    codes = [
        p.code for p in problems_for(snapshot, ceilings=ceilings, transfer_sources=TRANSFERS, rules=earmarks)
    ]
    rev, sp, fin = snapshot.of(REVENUE), snapshot.of(SPENDING), snapshot.of(FINANCING)
    revenue = sum((x.amount for x in rev), ZERO)
    spending = sum((x.amount for x in sp), ZERO)
    fin_in = sum((x.amount for x in fin if x.account_code.startswith("6.1")), ZERO)
    fin_out = sum((x.amount for x in fin if x.account_code.startswith("6.2")), ZERO)
    remaining = revenue - spending + fin_in - fin_out
    if revenue or spending:
        assert ("defisit_tidak_tertutup" in codes) == (remaining < 0)
        assert ("tidak_seimbang" in codes) == (remaining > 0)
    else:
        assert "anggaran_kosong" in codes
    over = 0
    for src in SOURCES:
        spent = sum((x.amount for x in sp if x.source_code == src), ZERO)
        avail = (
            sum((x.amount for x in rev if x.source_code == src), ZERO)
            + sum((x.amount for x in fin if x.source_code == src and x.account_code.startswith("6.1")), ZERO)
            - sum((x.amount for x in fin if x.source_code == src and x.account_code.startswith("6.2")), ZERO)
        )
        over += spent > avail
    assert codes.count("sumber_dana_lebih") == over
    personnel = sum(
        (x.amount for x in sp if x.activity_code[:8] in {f"01.01.0{i}" for i in range(1, 8)}), ZERO
    )
    assert ("batas_30_persen" in codes) == (personnel * 100 > spending * 30)
    rev_by = _sum(rev, lambda x: x.source_code)
    mismatched = sum(
        1 for s in TRANSFERS if (s in rev_by or s in ceilings) and rev_by.get(s) != ceilings.get(s)
    )
    assert codes.count("pagu_tidak_sesuai") + codes.count("pagu_belum_ada") == mismatched
    dd = rev_by.get("DDS", ZERO)
    expected_max = expected_min = 0
    if dd > 0:
        for rule in earmarks:
            spent = sum(
                (
                    x.amount
                    for x in sp
                    if x.source_code == "DDS" and any(x.activity_code.startswith(p) for p in rule.prefixes)
                ),
                ZERO,
            )
            if rule.kind == "maks" and spent * 100 > dd * rule.percent:
                expected_max += 1
            if rule.kind == "min" and spent * 100 < dd * rule.percent:
                expected_min += 1
    assert codes.count("dana_desa_maks") == expected_max
    assert codes.count("dana_desa_min") == expected_min
    assert "nilai_tidak_positif" not in codes and "rekening_salah" not in codes


@given(
    st.lists(
        st.tuples(
            st.integers(1, 10_000).map(Decimal), st.integers(1, 10_000_000).map(Decimal), st.integers(-2, 2)
        ),
        max_size=10,
    )
)
def test_the_line_arithmetic_check_flags_exactly_the_wrong_lines(rows):
    from kampung.finance.budget import line_amount

    details = [
        LineDetail(f"baris {i}", "02.03.10", v, p, line_amount(v, p) + delta)
        for i, (v, p, delta) in enumerate(rows)
    ]
    problems = problems_for(Snapshot(), ceilings={}, transfer_sources=(), rules=(), details=details)
    assert sum(p.code == "rincian_tidak_sesuai" for p in problems) == sum(1 for _, _, d in rows if d)


budget_rows = st.lists(
    st.tuples(
        st.sampled_from(ACTIVITY_CODES),
        st.sampled_from(SPENDING_ACCOUNTS),
        st.sampled_from(SOURCES),
        st.integers(1, 500),
        st.integers(1, 50_000_000),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=budget_rows,
    revenue=st.lists(
        st.tuples(st.sampled_from(REVENUE_ACCOUNTS), st.sampled_from(SOURCES), st.integers(1, 10**10)),
        max_size=5,
    ),
)
def test_stored_budgets_the_snapshot_totals_equal_the_database_sums(db, rows, revenue):
    from kampung.finance.models import Apbdes, BudgetLine, RevenueLine
    from kampung.finance.tests.factories import account, add_activity, add_line, source
    from kampung.regions.models import Region

    with transaction.atomic():
        apbdes = Apbdes.objects.create(village=Region.objects.get(code=VILLAGE_A1), year=2027)
        activities: dict[str, object] = {}
        for code, acc, src, volume, price in rows:
            activity = activities.get(code) or add_activity(apbdes, code)
            activities[code] = activity
            add_line(activity, acc, src, volume, price)
        for acc, src, amount in revenue:
            RevenueLine.objects.create(
                apbdes=apbdes, account=account(acc), source=source(src), amount=Decimal(amount)
            )
        t = budget_totals(budget_snapshot(apbdes))
        lines = BudgetLine.objects.filter(activity__apbdes=apbdes)
        assert t.spending == (lines.aggregate(s=Sum("amount"))["s"] or ZERO)
        assert t.revenue == (
            RevenueLine.objects.filter(apbdes=apbdes).aggregate(s=Sum("amount"))["s"] or ZERO
        )
        by_source = {r["source_id"]: r["s"] for r in lines.values("source_id").annotate(s=Sum("amount"))}
        assert t.spending_by_source == dict(sorted(by_source.items()))
        for bidang in {c[:2] for c, *_ in rows}:
            assert (
                t.spending_by_bidang[bidang]
                == lines.filter(activity__activity_code__code__startswith=bidang).aggregate(s=Sum("amount"))[
                    "s"
                ]
            )
        for activity in activities.values():
            assert t.spending_by_activity[activity.pk] == sum(x.amount for x in activity.lines.all())
        transaction.set_rollback(True)
