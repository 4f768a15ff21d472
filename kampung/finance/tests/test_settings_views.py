"""Execution settings and tax-rate pages: admins only, messages on bad input, no 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, make_other_regency
from kampung.finance.models import FinanceSetting, TaxRate

pytestmark = pytest.mark.django_db


def test_settings_page_saves_and_refuses(client, world):
    client.force_login(world.user(Role.DPMD, REGENCY))
    url = reverse("finance:exec_settings")
    page = client.get(url)
    assert page.status_code == 200 and "belum diatur" in page.content.decode()
    assert client.post(url, {"cash_limit": "5.000.000", "advance_working_days": "7"}).status_code == 302
    row = FinanceSetting.objects.get()
    assert (row.require_stage_complete, row.cash_limit, row.advance_working_days) == (
        False,
        Decimal(5_000_000),
        7,
    )
    for bad in (
        {"advance_working_days": "45"},
        {"advance_working_days": "x"},
        {"cash_limit": "abc", "advance_working_days": "5"},
        {"cash_limit": "-1", "advance_working_days": "5"},
    ):
        response = client.post(url, bad)
        assert response.status_code == 200
    row.refresh_from_db()
    assert row.advance_working_days == 7 and row.cash_limit == Decimal(5_000_000)
    assert "5000000" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("role", "region"), [(Role.CAMAT, DISTRICT_A), (Role.TREASURER, VILLAGE_A1), (Role.BUPATI, REGENCY)]
)
def test_settings_pages_are_for_admins_only(client, world, role, region):
    client.force_login(world.user(role, region))
    for name in ("finance:exec_settings", "finance:tax_rate_list"):
        assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse("finance:exec_settings"), {"advance_working_days": "3"}).status_code == 404
    assert client.post(reverse("finance:tax_rate_add"), {"code": "X1"}).status_code == 404
    assert not FinanceSetting.objects.exists()


def test_tax_rate_pages(client, world):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    url = reverse("finance:tax_rate_list")
    page = client.get(url)
    assert page.status_code == 200 and "PPN" in page.content.decode() and "nasional" in page.content.decode()
    data = {
        "code": "PBJT_MAKAN",
        "name": "PBJT makan minum",
        "kind": "daerah",
        "rate": "10",
        "threshold": "1.000.000",
        "valid_from": "2024-01-01",
    }
    assert client.post(reverse("finance:tax_rate_add"), data).status_code == 302
    rate = TaxRate.objects.get(code="PBJT_MAKAN")
    assert rate.regency_id == REGENCY and rate.threshold == Decimal(1_000_000)
    response = client.post(reverse("finance:tax_rate_add"), dict(data, valid_from="2025-01-01"))
    assert response.status_code == 200 and "bertumpang tindih" in response.content.decode()
    response = client.post(reverse("finance:tax_rate_add"), dict(data, rate="abc"))
    assert response.status_code == 200
    assert TaxRate.objects.filter(code="PBJT_MAKAN").count() == 1
    change = reverse("finance:tax_rate_change", args=[rate.pk])
    assert client.get(change).status_code == 200
    response = client.post(change, {"valid_from": "2023-01-01", "rate": "12"})
    assert response.status_code == 200 and "setelah tarif lama" in response.content.decode()
    assert client.post(change, {"valid_from": "2026-01-01", "rate": "12", "threshold": ""}).status_code == 302
    rate.refresh_from_db()
    assert rate.valid_to == dt.date(2025, 12, 31)
    new = TaxRate.objects.get(code="PBJT_MAKAN", valid_from=dt.date(2026, 1, 1))
    response = client.post(
        reverse("finance:tax_rate_end", args=[new.pk]), {"valid_to": "2025-01-01"}, follow=True
    )
    assert "sebelum tanggal mulai" in response.content.decode()
    client.post(reverse("finance:tax_rate_end", args=[new.pk]), {"valid_to": "2027-12-31"})
    new.refresh_from_db()
    assert new.valid_to == dt.date(2027, 12, 31)
    response = client.post(reverse("finance:tax_rate_end", args=[new.pk]), {"valid_to": "nanti"}, follow=True)
    assert response.status_code == 200
    national = TaxRate.objects.filter(regency__isnull=True).first()
    response = client.get(reverse("finance:tax_rate_change", args=[national.pk]), follow=True)
    assert "Tarif nasional tidak dapat diubah" in response.content.decode()
    response = client.post(
        reverse("finance:tax_rate_end", args=[national.pk]), {"valid_to": "2030-01-01"}, follow=True
    )
    assert "nasional" in response.content.decode()
    assert client.get(reverse("finance:tax_rate_change", args=[999999])).status_code == 404
    # another regency's own rate is not found
    other_admin, _ = make_other_regency()
    client.force_login(other_admin)
    assert client.get(reverse("finance:tax_rate_change", args=[new.pk])).status_code == 404
    assert (
        client.post(reverse("finance:tax_rate_end", args=[new.pk]), {"valid_to": "2026-06-30"}).status_code
        == 404
    )
