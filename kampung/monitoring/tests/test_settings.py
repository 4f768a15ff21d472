"""The regency's monitoring thresholds: defaults, who may change them, validation (nothing
changed on refusal), the audit entry and the roll-up mark for the kegiatan figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1
from kampung.core.errors import KampungError, NotPermitted
from kampung.monitoring.models import Area, MonitoringSetting, RollupMark
from kampung.monitoring.services.settings import setting_for, setting_save
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db

GOOD = {
    "physical_prefixes": "02.03., 02.04.",
    "visit_days": "30",
    "behind_points": "15",
    "ahead_points": "25",
    "spending_factor": "2.5",
    "spending_floor": "75000000",
    "stalled_days": "45",
}


def test_defaults_when_the_regency_has_no_row(db: Any) -> None:
    setting = setting_for(REGENCY)
    assert setting.pk is None and setting.regency_id == REGENCY
    assert (setting.visit_days, setting.behind_points, setting.ahead_points) == (60, 20, 20)
    assert setting.physical_prefixes == "02." and setting.spending_factor == 3


@pytest.mark.parametrize("role", [Role.DPMD, Role.ADMIN])
def test_dpmd_or_admin_saves_with_audit_and_rollup_mark(world: Any, role: str) -> None:
    RollupMark.objects.all().delete()
    regency = Region.objects.get(code=REGENCY)
    saved = setting_save(actor=world.user(role, REGENCY), regency=regency, **GOOD)
    assert saved.physical_prefixes == "02.03.,02.04."
    assert (saved.visit_days, saved.behind_points, saved.ahead_points, saved.stalled_days) == (30, 15, 25, 45)
    assert saved.spending_factor == Decimal("2.5") and saved.spending_floor == Decimal("75000000.00")
    assert setting_for(REGENCY).pk == saved.pk
    entry = AuditEntry.objects.get(object_type="monitoring.MonitoringSetting")
    assert entry.before is None and entry.after["visit_days"] == "30"
    assert RollupMark.objects.filter(region_code=REGENCY, area=Area.PROJECTS).exists()
    setting_save(actor=world.user(role, REGENCY), regency=regency, **{**GOOD, "visit_days": "90"})
    assert MonitoringSetting.objects.count() == 1 and setting_for(REGENCY).visit_days == 90
    second = AuditEntry.objects.filter(object_type="monitoring.MonitoringSetting").order_by("-seq").first()
    assert second is not None and second.before["visit_days"] == "30"


@pytest.mark.parametrize(
    ("role", "region"),
    [(Role.BUPATI, REGENCY), (Role.CAMAT, DISTRICT_A), (Role.HEAD, VILLAGE_A1), (Role.RESIDENT, VILLAGE_A1)],
)
def test_others_may_not(world: Any, role: str, region: str) -> None:
    with pytest.raises(NotPermitted):
        setting_save(actor=world.user(role, region), regency=Region.objects.get(code=REGENCY), **GOOD)
    assert not MonitoringSetting.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("physical_prefixes", "", "paling sedikit satu awalan"),
        ("physical_prefixes", "jalan", "tidak sah"),
        ("visit_days", "0", "antara 1 dan 366"),
        ("visit_days", "x", "bilangan bulat"),
        ("behind_points", "101", "antara 1 dan 100"),
        ("spending_factor", "0.5", "antara 1 dan 100"),
        ("spending_factor", "2.55", "1 angka di belakang koma"),
        ("spending_factor", "NaN", "antara 1 dan 100"),
        ("spending_factor", "dua", "harus angka"),
        ("spending_floor", "-1", "antara 0"),
    ],
)
def test_bad_values_change_nothing(world: Any, field: str, value: str, message: str) -> None:
    dpmd = world.user(Role.DPMD, REGENCY)
    with pytest.raises(KampungError) as exc:
        setting_save(actor=dpmd, regency=Region.objects.get(code=REGENCY), **{**GOOD, field: value})
    assert message in exc.value.message
    assert not MonitoringSetting.objects.exists()


def test_district_is_not_a_regency(world: Any) -> None:
    with pytest.raises(NotPermitted):
        setting_save(
            actor=world.user(Role.DPMD, REGENCY), regency=Region.objects.get(code=DISTRICT_A), **GOOD
        )


# -- the page --------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


URL = reverse("monitoring:settings")


def test_page_shows_defaults_then_saves(world: Any) -> None:
    client = client_for(world.user(Role.DPMD, REGENCY))
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="defaults-note"' in html and 'value="60"' in html
    response = client.post(URL, GOOD)
    assert response.status_code == 302 and response["Location"] == URL
    assert setting_for(REGENCY).visit_days == 30
    assert 'data-testid="defaults-note"' not in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {**GOOD, "visit_days": "abc"},
        {**GOOD, "physical_prefixes": "a\x00b"},
        {**GOOD, "physical_prefixes": "<script>"},
        {**GOOD, "spending_floor": "1e999"},
        {},
    ],
)
def test_bad_post_shows_the_form_again(world: Any, data: dict[str, str]) -> None:
    response = client_for(world.user(Role.ADMIN, REGENCY)).post(URL, data)
    assert response.status_code == 200
    assert 'data-testid="settings-form"' in response.content.decode()
    assert not MonitoringSetting.objects.exists()


@pytest.mark.parametrize(
    ("role", "region"), [(Role.BUPATI, REGENCY), (Role.CAMAT, DISTRICT_A), (Role.RESIDENT, VILLAGE_A1)]
)
def test_page_is_404_for_others(world: Any, role: str, region: str) -> None:
    client = client_for(world.user(role, region))
    assert client.get(URL).status_code == 404
    assert client.post(URL, GOOD).status_code == 404
