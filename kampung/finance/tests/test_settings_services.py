"""The regency's execution settings and its dated tax-rate rows: admins only, refusals change
nothing, no overlapping validity, a change closes the old row and adds a new one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import REGENCY, VILLAGE_A1, make_other_regency
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.models import FinanceSetting, TaxRate
from kampung.finance.services import settings as svc
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def regency(world):
    return Region.objects.get(code=REGENCY)


def admin(world):
    return world.user(Role.ADMIN, REGENCY)


def test_defaults_then_saved_settings(world, regency):
    default = svc.setting_for(regency)
    assert default.pk is None and default.advance_working_days == 10 and default.require_stage_complete
    row = svc.finance_setting_save(
        actor=world.user(Role.DPMD, REGENCY),
        regency=regency,
        require_stage_complete=False,
        cash_limit=D(10_000_000),
        advance_working_days=7,
    )
    assert (row.require_stage_complete, row.cash_limit, row.advance_working_days) == (False, D(10_000_000), 7)
    svc.finance_setting_save(
        actor=admin(world),
        regency=regency,
        require_stage_complete=True,
        cash_limit=None,
        advance_working_days=30,
    )
    row = FinanceSetting.objects.get(regency=regency)
    assert row.cash_limit is None and row.advance_working_days == 30
    assert AuditEntry.objects.filter(act="finance.setting.save").count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"advance_working_days": 0}, "1 sampai 30"),
        ({"advance_working_days": 31}, "1 sampai 30"),
        ({"cash_limit": D(-1)}, "0 atau lebih"),
        ({"cash_limit": "abc"}, "angka"),
    ],
)
def test_bad_settings_are_refused(world, regency, fields, message):
    data = {"require_stage_complete": True, "cash_limit": None, "advance_working_days": 10, **fields}
    with pytest.raises(KampungError, match=message):
        svc.finance_setting_save(actor=admin(world), regency=regency, **data)
    assert not FinanceSetting.objects.exists()


def test_only_admins_change_settings(world, regency):
    for user in (
        world.user(Role.CAMAT, "35.10.01"),
        world.user(Role.TREASURER, VILLAGE_A1),
        world.user(Role.BUPATI, REGENCY),
    ):
        with pytest.raises(NotPermitted):
            svc.finance_setting_save(
                actor=user,
                regency=regency,
                require_stage_complete=False,
                cash_limit=None,
                advance_working_days=5,
            )
    other_admin, _ = make_other_regency()
    with pytest.raises(NotPermitted):
        svc.finance_setting_save(
            actor=other_admin,
            regency=regency,
            require_stage_complete=False,
            cash_limit=None,
            advance_working_days=5,
        )
    assert not FinanceSetting.objects.exists()


# -- tax rates -------------------------------------------------------------------------------


def add(world, regency, **fields):
    data = {
        "code": "PBJT_MAKAN",
        "name": "PBJT makanan dan minuman",
        "kind": "daerah",
        "rate": D(10),
        "valid_from": dt.date(2024, 1, 1),
    }
    data.update(fields)
    return svc.tax_rate_add(actor=admin(world), regency=regency, **data)


def test_national_and_regency_rows_are_listed(world, regency):
    own = add(world, regency)
    rates = svc.rates_for(regency)
    assert own in rates and any(r.regency_id is None and r.code == "PPN" for r in rates)
    other_admin, _ = make_other_regency()
    assert own not in svc.rates_for(Region.objects.get(code="35.09"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "pbjt makan"}, "Kode pajak"),
        ({"code": "PPN"}, "tarif nasional"),
        ({"name": ""}, "Nama pajak"),
        ({"kind": "lain"}, "Jenis"),
        ({"rate": D(101)}, "antara 0 dan 100"),
        ({"rate": D("1.00001")}, "antara 0 dan 100"),
        ({"rate_without_npwp": D(-1)}, "antara 0 dan 100"),
        ({"threshold": D(-5)}, "0 atau lebih"),
        ({"valid_from": None}, "mulai berlaku"),
        ({"valid_to": dt.date(2023, 12, 31)}, "sebelum tanggal mulai"),
    ],
)
def test_bad_rates_are_refused(world, regency, fields, message):
    count = TaxRate.objects.count()
    with pytest.raises(KampungError, match=message):
        add(world, regency, **fields)
    assert TaxRate.objects.count() == count


def test_overlapping_validity_is_refused(world, regency):
    add(world, regency, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2024, 12, 31))
    count = TaxRate.objects.count()
    for start, end in (
        (dt.date(2024, 6, 1), None),
        (dt.date(2023, 1, 1), dt.date(2024, 1, 1)),
        (dt.date(2024, 12, 31), dt.date(2025, 12, 31)),
        (dt.date(2020, 1, 1), None),
    ):
        with pytest.raises(KampungError, match="bertumpang tindih"):
            add(world, regency, valid_from=start, valid_to=end)
    assert TaxRate.objects.count() == count
    add(world, regency, valid_from=dt.date(2025, 1, 1), rate=D(11))
    assert TaxRate.objects.filter(code="PBJT_MAKAN").count() == 2
    # another regency may use the same code at the same time
    other_admin, _ = make_other_regency()
    svc.tax_rate_add(
        actor=other_admin,
        regency=Region.objects.get(code="35.09"),
        code="PBJT_MAKAN",
        name="PBJT",
        kind="daerah",
        rate=D(10),
        valid_from=dt.date(2024, 1, 1),
    )


def test_end_a_rate(world, regency):
    rate = add(world, regency)
    with pytest.raises(KampungError, match="sebelum tanggal mulai"):
        svc.tax_rate_end(actor=admin(world), regency=regency, rate=rate, valid_to=dt.date(2023, 12, 31))
    svc.tax_rate_end(actor=admin(world), regency=regency, rate=rate, valid_to=dt.date(2026, 6, 30))
    assert rate.valid_to == dt.date(2026, 6, 30)
    with pytest.raises(KampungError, match="diperpanjang"):
        svc.tax_rate_end(actor=admin(world), regency=regency, rate=rate, valid_to=dt.date(2027, 1, 1))
    national = TaxRate.objects.filter(regency__isnull=True).first()
    with pytest.raises(KampungError, match="nasional"):
        svc.tax_rate_end(actor=admin(world), regency=regency, rate=national, valid_to=dt.date(2030, 1, 1))
    national.refresh_from_db()
    assert national.valid_to != dt.date(2030, 1, 1)
    assert AuditEntry.objects.filter(act="finance.tax_rate.end").count() == 1


def test_change_closes_the_old_row_and_adds_a_new_one(world, regency):
    rate = add(world, regency, threshold=D(1_000_000), deposit_code="4101")
    new = svc.tax_rate_change(
        actor=admin(world),
        regency=regency,
        rate=rate,
        valid_from=dt.date(2026, 1, 1),
        rate_value=D(12),
        threshold=D(2_000_000),
    )
    rate.refresh_from_db()
    assert rate.valid_to == dt.date(2025, 12, 31) and rate.rate == D(10) and rate.threshold == D(1_000_000)
    assert (new.code, new.rate, new.valid_from, new.valid_to, new.deposit_code, new.threshold) == (
        "PBJT_MAKAN",
        D(12),
        dt.date(2026, 1, 1),
        None,
        "4101",
        D(2_000_000),
    )
    with pytest.raises(KampungError, match="setelah tarif lama"):
        svc.tax_rate_change(
            actor=admin(world), regency=regency, rate=new, valid_from=dt.date(2026, 1, 1), rate_value=D(13)
        )
    with pytest.raises(KampungError, match="antara 0 dan 100"):
        svc.tax_rate_change(
            actor=admin(world), regency=regency, rate=new, valid_from=dt.date(2027, 1, 1), rate_value=D(130)
        )
    new.refresh_from_db()
    assert new.valid_to is None  # the refused change left the row open
    national = TaxRate.objects.filter(regency__isnull=True, code="PPN").first()
    with pytest.raises(KampungError, match="nasional"):
        svc.tax_rate_change(
            actor=admin(world),
            regency=regency,
            rate=national,
            valid_from=dt.date(2030, 1, 1),
            rate_value=D(12),
        )
    with pytest.raises(NotPermitted):
        svc.tax_rate_change(
            actor=world.user(Role.CAMAT, "35.10.01"),
            regency=regency,
            rate=new,
            valid_from=dt.date(2027, 1, 1),
            rate_value=D(12),
        )
    assert TaxRate.objects.filter(regency=regency).count() == 2


def test_change_of_an_ended_rate_is_refused(world, regency):
    rate = add(world, regency, valid_to=dt.date(2024, 12, 31))
    with pytest.raises(KampungError, match="sudah berakhir"):
        svc.tax_rate_change(
            actor=admin(world), regency=regency, rate=rate, valid_from=dt.date(2026, 1, 1), rate_value=D(12)
        )
    # a change starting the day after the end is a continuation
    new = svc.tax_rate_change(
        actor=admin(world), regency=regency, rate=rate, valid_from=dt.date(2025, 1, 1), rate_value=D(12)
    )
    assert new.valid_to is None
