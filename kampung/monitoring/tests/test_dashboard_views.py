"""The dashboards open for each level's users, stay "not found" outside their scope, and
never fail on junk in the query string."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import (
    DISTRICT_A,
    DISTRICT_B,
    KELURAHAN_B,
    REGENCY,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
)
from kampung.monitoring.tests.rollup_factories import fill

pytestmark = pytest.mark.django_db

PAGES = (
    "monitoring:region",
    "monitoring:finance",
    "monitoring:letters",
    "monitoring:programmes",
    "monitoring:population",
)
YEAR = dt.date.today().year


@pytest.fixture
def data(world: Any) -> Any:
    today = dt.date.today()
    for code in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1):
        fill(code, YEAR, seed=1, today=today)
    fill(KELURAHAN_B, YEAR, seed=1, today=today, desa=False)
    return world


def _get(client: Any, user: Any, name: str, code: str, query: str = "") -> Any:
    client.force_login(user)
    return client.get(reverse(name, args=[code]) + query)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("role", "where", "code"),
    [
        (Role.DPMD, REGENCY, REGENCY),
        (Role.BUPATI, REGENCY, REGENCY),
        (Role.BUPATI, REGENCY, DISTRICT_B),
        (Role.BUPATI, REGENCY, VILLAGE_B1),
        (Role.CAMAT, DISTRICT_A, DISTRICT_A),
        (Role.CAMAT, DISTRICT_A, VILLAGE_A2),
        (Role.SECRETARY, VILLAGE_A1, VILLAGE_A1),
        (Role.HEAD, KELURAHAN_B, KELURAHAN_B),
    ],
)
def test_each_level_opens(client: Any, data: Any, name: str, role: str, where: str, code: str) -> None:
    response = _get(client, data.user(role, where), name, code)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="monitoring-tabs"' in body
    assert "<svg" not in body or 'role="img"' in body


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("role", "where", "code"),
    [
        (Role.CAMAT, DISTRICT_A, REGENCY),
        (Role.CAMAT, DISTRICT_A, DISTRICT_B),
        (Role.CAMAT, DISTRICT_A, VILLAGE_B1),
        (Role.SECRETARY, VILLAGE_A1, VILLAGE_A2),
        (Role.SECRETARY, VILLAGE_A1, DISTRICT_A),
        (Role.SECRETARY, VILLAGE_A1, REGENCY),
        (Role.RESIDENT, VILLAGE_A1, VILLAGE_A1),
        (Role.BUPATI, REGENCY, "35.09"),
        (Role.BUPATI, REGENCY, "35"),
        (Role.BUPATI, REGENCY, "35.10.99"),
        (Role.BUPATI, REGENCY, "bukan-kode"),
        (Role.BUPATI, REGENCY, "35.10.01.2001%00"),
    ],
)
def test_out_of_scope_is_not_found(
    client: Any, data: Any, name: str, role: str, where: str, code: str
) -> None:
    assert _get(client, data.user(role, where), name, code).status_code == 404


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "query",
    [
        "?tahun=abc&periode=zz",
        "?tahun=99999999999999999999&periode=13",
        "?tahun=1999&periode=0",
        "?tahun=%00&periode=%00",
        "?tahun=٢٠٢٤&periode=s3",
        "?tahun=2031&periode=s2",
        "?periode=7",
        "?unduh=",
    ],
)
def test_junk_query_falls_back(client: Any, data: Any, name: str, query: str) -> None:
    assert _get(client, data.user(Role.DPMD, REGENCY), name, REGENCY, query).status_code == 200


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("key", ["tidak-ada", "%00", "wilayah%27--", "x" * 300])
def test_unknown_table_is_not_found(client: Any, data: Any, name: str, key: str) -> None:
    assert _get(client, data.user(Role.DPMD, REGENCY), name, REGENCY, f"?unduh={key}").status_code == 404


def test_home_sends_each_user_to_their_widest_region(client: Any, world: Any) -> None:
    cases = [
        (world.user(Role.BUPATI, REGENCY), REGENCY),
        (world.user(Role.DPMD, REGENCY), REGENCY),
        (world.user(Role.CAMAT, DISTRICT_B), DISTRICT_B),
        (world.user(Role.SECRETARY, VILLAGE_A1), VILLAGE_A1),
    ]
    for user, code in cases:
        client.force_login(user)
        response = client.get(reverse("monitoring:home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("monitoring:region", args=[code])


def test_home_is_not_found_without_a_dashboard_role(client: Any, world: Any) -> None:
    client.force_login(world.user(Role.RESIDENT, VILLAGE_A1))
    assert client.get(reverse("monitoring:home")).status_code == 404


def test_home_needs_a_login(client: Any) -> None:
    response = client.get(reverse("monitoring:home"))
    assert response.status_code == 302
    assert "/akun/masuk/" in response["Location"]


def test_empty_year_shows_plain_messages(client: Any, world: Any) -> None:
    user = world.user(Role.DPMD, REGENCY)
    body = _get(client, user, "monitoring:finance", REGENCY, "?tahun=2019").content.decode()
    assert "Belum ada anggaran desa yang tercatat untuk tahun 2019" in body
    body = _get(client, user, "monitoring:letters", REGENCY, "?tahun=2019").content.decode()
    assert "Belum ada surat yang diterbitkan dalam periode ini" in body


def test_kelurahan_has_no_village_budget(client: Any, data: Any) -> None:
    body = _get(client, data.user(Role.HEAD, KELURAHAN_B), "monitoring:finance", KELURAHAN_B).content.decode()
    assert 'data-testid="no-desa"' in body


def test_children_link_down_one_level(client: Any, data: Any) -> None:
    user = data.user(Role.BUPATI, REGENCY)
    body = _get(client, user, "monitoring:region", REGENCY).content.decode()
    period = f"tahun={YEAR}&amp;periode=tahun"
    assert f'href="{reverse("monitoring:region", args=[DISTRICT_A])}?{period}"' in body
    body = _get(client, user, "monitoring:region", DISTRICT_A).content.decode()
    assert f'href="{reverse("monitoring:region", args=[VILLAGE_A1])}?{period}"' in body


def test_the_overview_links_to_the_users_alerts_and_for_dpmd_to_the_settings(client: Any, data: Any) -> None:
    client.force_login(data.user(Role.DPMD, REGENCY))
    page = client.get(reverse("monitoring:region", args=[REGENCY])).content.decode()
    assert reverse("monitoring:alerts") in page and reverse("monitoring:settings") in page
    client.force_login(data.user(Role.CAMAT, DISTRICT_A))
    page = client.get(reverse("monitoring:region", args=[DISTRICT_A])).content.decode()
    assert reverse("monitoring:alerts") in page and reverse("monitoring:settings") not in page
