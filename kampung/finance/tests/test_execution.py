"""DPA and RAK: available only once enacted, roles and authority, RAK sums refused line by line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import KELURAHAN_B, PASSWORD, VILLAGE_A1, VILLAGE_B1  # noqa: F401
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.models import ApbdesStatus, BudgetActivity, BudgetLine, DocStatus, Dpa, Rak, RakEntry
from kampung.finance.services import execution as svc
from kampung.finance.tests.factories import make_apbdes

pytestmark = pytest.mark.django_db

ZERO = Decimal(0)


def enacted(village: str = VILLAGE_A1, **fields):
    return make_apbdes(
        village,
        2027,
        status=ApbdesStatus.ENACTED,
        perdes_number="3/2026",
        perdes_date=dt.date(2026, 12, 18),
        **fields,
    )


def even_entries(apbdes):
    return {
        line.pk: svc.spread_evenly(line.amount, line.activity.start_month, line.activity.end_month)
        for line in BudgetLine.objects.filter(activity__apbdes=apbdes).select_related("activity")
    }


# -- spreading -----------------------------------------------------------------------------


def test_spread_evenly_keeps_the_whole_amount_in_the_kegiatan_months():
    months = svc.spread_evenly(Decimal(1_000_001), 3, 5)
    assert months[:2] == [ZERO, ZERO] and months[5:] == [ZERO] * 7
    assert months[2:5] == [Decimal(333_333), Decimal(333_333), Decimal(333_335)]
    assert sum(months) == Decimal(1_000_001)


# -- DPA -----------------------------------------------------------------------------------


def test_dpa_not_before_enactment(world):
    apbdes = make_apbdes(VILLAGE_A1, status=ApbdesStatus.APPROVED)
    activity = BudgetActivity.objects.filter(apbdes=apbdes).first()
    with pytest.raises(KampungError, match="setelah"):
        svc.dpa_create(actor=world.user(Role.EXECUTOR, VILLAGE_A1), activity=activity)
    assert not Dpa.objects.exists()


def test_dpa_drafted_verified_approved_with_the_acts(world):
    apbdes = enacted()
    activity = BudgetActivity.objects.filter(apbdes=apbdes, activity_code__code="02.03.10").get()
    dpa = svc.dpa_create(actor=world.user(Role.EXECUTOR, VILLAGE_A1), activity=activity)
    assert dpa.status == DocStatus.DRAFT and dpa.number == "DPA/02.03.10/2027"
    with pytest.raises(NotPermitted):
        svc.dpa_verify(actor=world.user(Role.TREASURER, VILLAGE_A1), dpa=dpa)
    with pytest.raises(KampungError):  # the head cannot approve before the secretary verifies
        svc.dpa_approve(actor=world.user(Role.HEAD, VILLAGE_A1), dpa=dpa)
    svc.dpa_verify(actor=world.user(Role.SECRETARY, VILLAGE_A1), dpa=dpa)
    with pytest.raises(NotPermitted):
        svc.dpa_approve(actor=world.user(Role.TREASURER, VILLAGE_A1), dpa=dpa)
    dpa.refresh_from_db()
    assert dpa.status == DocStatus.VERIFIED
    svc.dpa_approve(actor=world.user(Role.HEAD, VILLAGE_A1), dpa=dpa)
    dpa.refresh_from_db()
    assert dpa.status == DocStatus.APPROVED and dpa.approved_on is not None
    acts = list(
        AuditEntry.objects.filter(object_type="finance.Dpa", object_id=str(dpa.pk)).values_list(
            "act", flat=True
        )
    )
    assert acts == ["finance.dpa.create", "finance.dpa.verify", "finance.dpa.approve"]


def test_dpa_drafting_roles_and_due_date(world):
    apbdes = enacted()
    activity = BudgetActivity.objects.filter(apbdes=apbdes).first()
    with pytest.raises(NotPermitted):
        svc.dpa_create(actor=world.user(Role.TREASURER, VILLAGE_A1), activity=activity)
    with pytest.raises(NotPermitted):  # another village's secretary
        svc.dpa_create(actor=world.user(Role.SECRETARY, VILLAGE_B1), activity=activity)
    created = svc.dpa_create_all(actor=world.user(Role.SECRETARY, VILLAGE_A1), apbdes=apbdes)
    assert len(created) == BudgetActivity.objects.filter(apbdes=apbdes).count()
    # Friday 18 December 2026 + 3 working days = Wednesday 23 December (no holiday loaded)
    assert svc.dpa_due_date(apbdes) == dt.date(2026, 12, 23)


# -- RAK -----------------------------------------------------------------------------------


def test_rak_saved_when_every_line_adds_up(world):
    apbdes = enacted()
    rak = svc.rak_save(
        actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=apbdes, entries=even_entries(apbdes)
    )
    assert rak.status == DocStatus.DRAFT
    assert svc.rak_problems(apbdes) == {}
    total = sum(RakEntry.objects.filter(line__activity__apbdes=apbdes).values_list("amount", flat=True))
    assert total == sum(BudgetLine.objects.filter(activity__apbdes=apbdes).values_list("amount", flat=True))
    assert AuditEntry.objects.filter(act="finance.rak.save", object_id=str(rak.pk)).exists()


def test_rak_refused_line_by_line_and_nothing_saved(world):
    apbdes = enacted()
    entries = even_entries(apbdes)
    road = BudgetLine.objects.get(activity__apbdes=apbdes, description="Rabat beton")
    blt = BudgetLine.objects.get(activity__apbdes=apbdes, description="BLT Dana Desa")
    entries[road.pk][0] += 1000
    entries[blt.pk][11] -= 5
    with pytest.raises(svc.RakNotBalanced) as refused:
        svc.rak_save(actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=apbdes, entries=entries)
    problems = refused.value.problems
    assert set(problems) == {road.pk, blt.pk}
    assert "Rabat beton" in problems[road.pk] and "lebih Rp 1.000" in problems[road.pk]
    assert "BLT Dana Desa" in problems[blt.pk] and "kurang Rp 5" in problems[blt.pk]
    assert not RakEntry.objects.exists()


def test_rak_refuses_negative_months_and_foreign_lines(world):
    apbdes = enacted()
    other = enacted(VILLAGE_B1)
    entries = even_entries(apbdes)
    line = BudgetLine.objects.filter(activity__apbdes=apbdes).first()
    entries[line.pk][0] -= 100
    entries[line.pk][1] += 100
    entries[line.pk][0] = Decimal(-1) if entries[line.pk][0] == 0 else -entries[line.pk][0]
    with pytest.raises(svc.RakNotBalanced):
        svc.rak_save(actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=apbdes, entries=entries)
    foreign = BudgetLine.objects.filter(activity__apbdes=other).first()
    with pytest.raises(KampungError, match="bukan bagian"):
        svc.rak_save(
            actor=world.user(Role.TREASURER, VILLAGE_A1),
            apbdes=apbdes,
            entries={**even_entries(apbdes), foreign.pk: [ZERO] * 12},
        )
    assert not RakEntry.objects.exists()


def test_rak_roles_not_before_enactment_and_approval(world):
    draft = make_apbdes(VILLAGE_A1, 2028)
    with pytest.raises(KampungError, match="setelah"):
        svc.rak_spread_evenly(actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=draft)
    apbdes = enacted()
    with pytest.raises(NotPermitted):
        svc.rak_spread_evenly(actor=world.user(Role.BPD, VILLAGE_A1), apbdes=apbdes)
    svc.rak_spread_evenly(actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=apbdes)
    with pytest.raises(NotPermitted):
        svc.rak_verify(actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=apbdes)
    svc.rak_verify(actor=world.user(Role.SECRETARY, VILLAGE_A1), apbdes=apbdes)
    with pytest.raises(NotPermitted):
        svc.rak_approve(actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=apbdes)
    rak = svc.rak_approve(actor=world.user(Role.HEAD, VILLAGE_A1), apbdes=apbdes)
    assert rak.status == DocStatus.APPROVED
    with pytest.raises(KampungError, match="tidak dapat diubah"):
        svc.rak_save(
            actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=apbdes, entries=even_entries(apbdes)
        )


def test_rak_verify_refused_while_a_line_is_off(world):
    apbdes = enacted()
    line = BudgetLine.objects.filter(activity__apbdes=apbdes).first()
    svc.rak_spread_evenly(actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=apbdes, line_ids=[line.pk])
    with pytest.raises(svc.RakNotBalanced):
        svc.rak_verify(actor=world.user(Role.SECRETARY, VILLAGE_A1), apbdes=apbdes)
    assert Rak.objects.get(apbdes=apbdes).status == DocStatus.DRAFT


# -- pages ---------------------------------------------------------------------------------


def test_rak_page_saves_and_refuses_with_a_message_per_line(client, world):
    apbdes = enacted()
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    url = reverse("finance:rak_edit", args=[apbdes.pk])
    assert client.get(url).status_code == 200
    data = {}
    for pk, months in even_entries(apbdes).items():
        for i, value in enumerate(months, start=1):
            data[f"m_{pk}_{i}"] = f"{value:f}"
    road = BudgetLine.objects.get(activity__apbdes=apbdes, description="Rabat beton")
    bad = dict(data, **{f"m_{road.pk}_1": "999"})
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "Rabat beton" in response.content.decode()
    assert not RakEntry.objects.exists()
    response = client.post(url, dict(data, **{f"m_{road.pk}_2": "abc"}))
    assert response.status_code == 400 and not RakEntry.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302
    assert svc.rak_problems(apbdes) == {}
    response = client.post(url, {"spread": "all"})
    assert response.status_code == 302


def test_dpa_pages_roles_and_scope(client, world):
    apbdes = enacted()
    client.force_login(world.user(Role.EXECUTOR, VILLAGE_A1))
    response = client.get(reverse("finance:dpa_list", args=[apbdes.pk]))
    assert response.status_code == 200 and "23 Desember 2026" in response.content.decode()
    activity = BudgetActivity.objects.filter(apbdes=apbdes).first()
    client.post(reverse("finance:dpa_create", args=[apbdes.pk]), {"activity": activity.pk})
    dpa = Dpa.objects.get(activity=activity)
    assert client.get(reverse("finance:dpa_detail", args=[dpa.pk])).status_code == 200
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    client.post(reverse("finance:dpa_act", args=[dpa.pk, "verify"]))
    dpa.refresh_from_db()
    assert dpa.status == DocStatus.DRAFT
    client.force_login(world.user(Role.SECRETARY, VILLAGE_B1))
    assert client.get(reverse("finance:dpa_list", args=[apbdes.pk])).status_code == 404
    assert client.get(reverse("finance:dpa_detail", args=[dpa.pk])).status_code == 404
    assert client.post(reverse("finance:rak_edit", args=[apbdes.pk]), {"spread": "all"}).status_code == 404
    assert not RakEntry.objects.exists()


@pytest.mark.parametrize("value", ["1e400", "NaN", "Infinity", "-5", "0,001", "9" * 40, "1.2.3"])
def test_rak_page_bad_input_changes_nothing(client, world, value):
    apbdes = enacted()
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    url = reverse("finance:rak_edit", args=[apbdes.pk])
    data = {}
    for pk, months in even_entries(apbdes).items():
        for i, amount in enumerate(months, start=1):
            data[f"m_{pk}_{i}"] = f"{amount:f}"
    line = BudgetLine.objects.filter(activity__apbdes=apbdes).first()
    data[f"m_{line.pk}_1"] = value
    response = client.post(url, data)
    assert response.status_code == 400
    assert not RakEntry.objects.exists()
    assert client.post(url, {"spread": "x"}).status_code == 200
    assert client.post(reverse("finance:rak_act", args=[apbdes.pk, "bogus"])).status_code == 404
    assert not RakEntry.objects.exists()


def test_dpa_list_and_rak_page_query_counts_do_not_grow_with_kegiatan(
    client, world, django_assert_max_num_queries
):
    apbdes = enacted()
    svc.dpa_create_all(actor=world.user(Role.SECRETARY, VILLAGE_A1), apbdes=apbdes)
    svc.rak_spread_evenly(actor=world.user(Role.TREASURER, VILLAGE_A1), apbdes=apbdes)
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    client.get(reverse("finance:dpa_list", args=[apbdes.pk]))  # warm the session
    with django_assert_max_num_queries(20):
        assert client.get(reverse("finance:dpa_list", args=[apbdes.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("finance:rak_edit", args=[apbdes.pk])).status_code == 200
