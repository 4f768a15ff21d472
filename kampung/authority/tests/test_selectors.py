"""Reads of the register: status in SQL agrees with status in Python, the look-ahead window,
the timeline axis, the Rupiah input, and which villages hold which powers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kampung.accounts.roles import Role
from kampung.authority import register, selectors
from kampung.authority.forms import RupiahField
from kampung.authority.models import Delegation
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_B1
from kampung.regions.models import Region

WINDOWS = [
    (dt.date(2024, 1, 1), None, None),
    (dt.date(2024, 1, 1), dt.date(2024, 6, 30), None),
    (dt.date(2024, 1, 1), dt.date(2025, 12, 31), dt.date(2024, 9, 1)),
    (dt.date(2024, 3, 1), None, dt.date(2024, 3, 1)),
    (dt.date(2025, 1, 1), dt.date(2025, 1, 1), None),
]


@pytest.fixture
def windows(world):
    admin = world.user(Role.ADMIN, REGENCY)
    regency = Region.objects.get(code=REGENCY)
    instrument = register.instrument_create(
        actor=admin, regency=regency, kind="perbup", number="1", date=dt.date(2024, 1, 1), title="Uji"
    )
    for start, end, revoked in WINDOWS:
        delegation = register.delegation_create(
            actor=admin,
            instrument=instrument,
            data=register.DelegationInput(
                kind="delegasi",
                from_role=Role.BUPATI,
                from_region=regency,
                to_role=Role.CAMAT,
                to_region=regency,
                to_scope="kecamatan_di_bawah",
                acts=["finance.apbdes.evaluate"],
                valid_from=start,
                valid_until=end,
            ),
        )
        if revoked:
            register.delegation_revoke(actor=admin, delegation=delegation, revoked_on=revoked, reason="uji")
    return list(Delegation.objects.order_by("pk"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=dt.date(2023, 10, 1), max_value=dt.date(2026, 3, 1)))
def test_status_in_sql_agrees_with_python(windows, day):
    for status in selectors.STATUS_LABELS:
        in_sql = set(Delegation.objects.filter(selectors.status_q(status, day)).values_list("pk", flat=True))
        in_python = {d.pk for d in windows if selectors.delegation_status(d, day) == status}
        assert in_sql == in_python, (status, day)
    active = {d.pk for d in windows if selectors.delegation_status(d, day) == selectors.Status.ACTIVE}
    assert active == {d.pk for d in windows if d.in_force_on(day)}


def test_end_is_the_last_day_in_force(windows):
    for d in windows:
        end = selectors.delegation_end(d)
        if end is None:
            assert d.valid_until is None and d.revoked_on is None
            continue
        assert d.in_force_on(end) or end < d.valid_from
        assert not d.in_force_on(end + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("value", "days"),
    [("30", 30), (" 90 ", 90), ("0", 1), ("-4", 1), ("100000", 366), ("x", 60), (None, 60), ("", 60)],
)
def test_expiring_days_never_fails(value, days):
    assert selectors.expiring_days(value) == days


def test_timeline_bars_stay_on_the_axis(windows):
    day = dt.date(2025, 3, 3)
    rows = [selectors.delegation_row(d, day) for d in windows]
    timeline = selectors.timeline_place(rows, day)
    assert timeline is not None and 0 <= timeline.today <= 100
    for row in rows:
        assert 0 <= row.bar_start <= 100
        assert 0 < row.bar_width <= 100 - row.bar_start + 0.001
    assert selectors.timeline_place([], day) is None


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("50000000", Decimal("50000000")),
        ("50.000.000", Decimal("50000000")),
        ("Rp 50.000.000", Decimal("50000000")),
        ("Rp50.000.000,50", Decimal("50000000.50")),
        ("1.500", Decimal("1500")),
        ("2500000.25", Decimal("2500000.25")),
        ("", None),
    ],
)
def test_rupiah_input(text, amount):
    assert RupiahField(required=False).clean(text) == amount


@pytest.mark.parametrize("text", ["dua juta", "-5", "0", "1,2,3", "5e6", "1" * 20, "Rp"])
def test_rupiah_input_refuses_what_is_not_an_amount(text):
    with pytest.raises(forms.ValidationError):
        RupiahField(required=False).clean(text)


def test_village_powers_does_not_query_per_village(world, django_assert_max_num_queries):
    admin = world.user(Role.ADMIN, REGENCY)
    regency = Region.objects.get(code=REGENCY)
    instrument = register.instrument_create(
        actor=admin, regency=regency, kind="perbup", number="2", date=dt.date(2024, 1, 1), title="Uji"
    )
    for target, scope in ((regency, "desa_di_bawah"), (Region.objects.get(code=DISTRICT_A), "desa_di_bawah")):
        register.delegation_create(
            actor=admin,
            instrument=instrument,
            data=register.DelegationInput(
                kind="mandat",
                from_role=Role.BUPATI,
                from_region=regency,
                to_role=Role.HEAD,
                to_region=target,
                to_scope=scope,
                acts=["finance.apbdes.evaluate"],
                valid_from=dt.date(2024, 1, 1),
            ),
        )
    villages = list(selectors.regency_villages(regency=regency))
    with django_assert_max_num_queries(2):
        table = selectors.village_powers(actor=admin, regency=regency, villages=villages)
    assert len(table.rows) == len(villages) > 200
    cells = {v.code: c for v, c in table.rows}
    assert len(cells[VILLAGE_A1][0]) == 2  # both mandats reach Sarongan
    assert len(cells[VILLAGE_B1][0]) == 1
