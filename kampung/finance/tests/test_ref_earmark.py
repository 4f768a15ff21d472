"""Dana Desa earmark rules: the yearly table the APBDes checks read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1
from kampung.core.errors import KampungError
from kampung.finance.models import EarmarkRule
from kampung.finance.services import ref as svc
from kampung.regions.models import Region

pytestmark = pytest.mark.django_db


def _data(**kw: str) -> dict[str, str]:
    data = {
        "year": "2030",
        "label": "BLT Dana Desa",
        "kind": "maks",
        "percent": "15",
        "activity_prefixes": "05.03",
        "basis": "PMK uji",
    }
    data.update(kw)
    return data


def test_admin_adds_edits_and_deletes(world, client):
    client.force_login(world.user(Role.DPMD, REGENCY))
    response = client.post(reverse("finance:earmark_create"), _data())
    assert response.status_code == 302
    rule = EarmarkRule.objects.get(year=2030)
    assert rule.percent == Decimal(15) and rule.prefixes() == ["05.03"]
    client.post(
        reverse("finance:earmark_edit", args=[rule.pk]), _data(percent="20", activity_prefixes="05.03, 04.02")
    )
    rule.refresh_from_db()
    assert rule.percent == Decimal(20) and rule.activity_prefixes == "05.03 04.02"
    response = client.get(reverse("finance:earmark_list"), {"tahun": "2030"})
    assert "BLT Dana Desa" in response.content.decode()
    client.post(reverse("finance:earmark_delete", args=[rule.pk]))
    assert not EarmarkRule.objects.filter(year=2030).exists()
    acts = list(AuditEntry.objects.filter(act__startswith="finance.earmark.").values_list("act", flat=True))
    assert acts == ["finance.earmark.save", "finance.earmark.save", "finance.earmark.delete"]


@pytest.mark.parametrize(
    "bad",
    [
        {"percent": "101"},
        {"percent": "-1"},
        {"percent": "abc"},
        {"activity_prefixes": "99.99"},
        {"activity_prefixes": "05.03 bukan"},
        {"activity_prefixes": ""},
        {"kind": "lain"},
        {"label": ""},
    ],
)
def test_bad_rules_are_refused(world, client, bad):
    client.force_login(world.user(Role.ADMIN, REGENCY))
    response = client.post(reverse("finance:earmark_create"), _data(**bad))
    assert response.status_code == 200
    assert not EarmarkRule.objects.filter(year=2030).exists()


def test_service_checks_percent_and_codes(world):
    dpmd, regency = world.user(Role.DPMD, REGENCY), Region.objects.get(code=REGENCY)
    with pytest.raises(KampungError, match="antara 0 dan 100"):
        svc.earmark_save(
            actor=dpmd,
            regency=regency,
            year=2030,
            label="X",
            kind="maks",
            percent=Decimal(150),
            activity_prefixes="05",
        )
    with pytest.raises(KampungError, match="tidak dikenal"):
        svc.earmark_save(
            actor=dpmd,
            regency=regency,
            year=2030,
            label="X",
            kind="maks",
            percent=Decimal(5),
            activity_prefixes="77",
        )


@pytest.mark.parametrize(
    "user", [(Role.SECRETARY, VILLAGE_A1), (Role.CAMAT, DISTRICT_A), (Role.BUPATI, REGENCY)]
)
def test_others_read_but_may_not_write(world, client, user):
    rule = EarmarkRule.objects.filter(year=2026).first()
    assert rule is not None  # loaded with the defaults
    client.force_login(world.user(*user))
    response = client.get(reverse("finance:earmark_list"), {"tahun": "2026"})
    assert response.status_code == 200 and rule.label in response.content.decode()
    assert reverse("finance:earmark_create") not in response.content.decode()
    assert client.post(reverse("finance:earmark_create"), _data()).status_code == 404
    assert client.post(reverse("finance:earmark_delete", args=[rule.pk])).status_code == 404
    assert (
        client.post(reverse("finance:earmark_copy"), {"from_year": "2026", "to_year": "2030"}).status_code
        == 404
    )
    assert (
        EarmarkRule.objects.filter(pk=rule.pk).exists() and not EarmarkRule.objects.filter(year=2030).exists()
    )


def test_copy_to_next_year(world, client):
    client.force_login(world.user(Role.DPMD, REGENCY))
    count = EarmarkRule.objects.filter(year=2027).count()
    assert count
    client.post(reverse("finance:earmark_copy"), {"from_year": "2027", "to_year": "2031"})
    assert EarmarkRule.objects.filter(year=2031).count() == count
    client.post(reverse("finance:earmark_copy"), {"from_year": "2027", "to_year": "2031"})
    assert EarmarkRule.objects.filter(year=2031).count() == count
    response = client.post(
        reverse("finance:earmark_copy"), {"from_year": "2040", "to_year": "2041"}, follow=True
    )
    assert "Belum ada ketentuan tahun 2040" in response.content.decode()
