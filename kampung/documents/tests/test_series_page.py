from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import VILLAGE_A1, VILLAGE_A2
from kampung.documents.models import NumberSeries, SeriesKind

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(code: str = VILLAGE_A1) -> str:
    return reverse("documents:series_list", kwargs={"code": code})


def test_reading_creates_nothing_and_shows_a_sample_number(world: Any) -> None:
    page = _client(world.user(Role.OPERATOR, VILLAGE_A1)).get(_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "[nomor:03]" in text and "/007/" in text
    assert "Ubah penomoran" not in text  # the operator reads only
    assert not NumberSeries.objects.exists()


def test_secretary_changes_the_pattern_with_audit(world: Any) -> None:
    client = _client(world.user(Role.SECRETARY, VILLAGE_A1))
    kind = SeriesKind.values[0]
    done = client.post(
        _url(),
        {"kind": kind, f"{kind}-pattern": "[nomor:04]/[kode_desa]/[tahun]", f"{kind}-village_code": "SRG"},
    )
    assert done.status_code == 302
    series = NumberSeries.objects.get(village_id=VILLAGE_A1, kind=kind)
    assert series.pattern == "[nomor:04]/[kode_desa]/[tahun]" and series.village_code == "SRG"
    assert AuditEntry.objects.filter(act="document.series_configure").count() == 1
    assert "SRG" in client.get(_url()).content.decode()


@pytest.mark.parametrize("pattern", ["[nomor]/[jam]/[tahun]", "[kode_desa]/[tahun]", "x" * 200])
def test_bad_patterns_are_refused_and_change_nothing(world: Any, pattern: str) -> None:
    kind = SeriesKind.values[0]
    page = _client(world.user(Role.HEAD, VILLAGE_A1)).post(_url(), {"kind": kind, f"{kind}-pattern": pattern})
    assert page.status_code == 200
    assert 'class="errorlist' in page.content.decode()
    assert not NumberSeries.objects.exists()


def test_others_cannot_change_or_see_another_village(world: Any) -> None:
    kind = SeriesKind.values[0]
    operator = _client(world.user(Role.OPERATOR, VILLAGE_A1))
    assert operator.post(_url(), {"kind": kind, f"{kind}-pattern": "[nomor]/[tahun]"}).status_code == 404
    assert _client(world.user(Role.HEAD, VILLAGE_A2)).get(_url()).status_code == 404
    assert not NumberSeries.objects.exists()
    # An unknown kind changes nothing and is no error page.
    head = _client(world.user(Role.HEAD, VILLAGE_A1))
    assert head.post(_url(), {"kind": "zzz"}).status_code == 200


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BPD])
def test_residents_and_bpd_do_not_read_the_numbering(world: Any, role: str) -> None:
    assert _client(world.user(role, VILLAGE_A1)).get(_url()).status_code == 404
