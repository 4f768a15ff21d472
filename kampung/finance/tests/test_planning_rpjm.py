"""RPJMDes: term rules, goals, the activity × year grid, enactment, roles and scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import KELURAHAN_B, PASSWORD, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1  # noqa: F401
from kampung.core.errors import KampungError, NotPermitted
from kampung.finance.models import ActivityCode, GoalKind, PlanStatus, RpjmActivity, RpjmAmount, Rpjmdes
from kampung.finance.selectors import planning as sel
from kampung.finance.services import planning as svc
from kampung.finance.tests.test_planning_factories import code, make_rpjm, region, secretary

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _input(start: int, end: int, **kw) -> svc.RpjmInput:
    return svc.RpjmInput(start_year=start, end_year=end, vision=kw.get("vision", "Visi"))


# -- rules ---------------------------------------------------------------------------------


def test_term_length_is_what_is_entered_six_or_eight_years(world):
    actor = secretary(world, VILLAGE_A1)
    six = svc.rpjmdes_create(actor=actor, village=region(VILLAGE_A1), data=_input(2020, 2025))
    eight = svc.rpjmdes_create(actor=actor, village=region(VILLAGE_A1), data=_input(2026, 2033))
    assert len(six.years) == 6 and len(eight.years) == 8


@pytest.mark.parametrize("start,end", [(2025, 2024), (2025, 2035), (1990, 1995)])
def test_term_outside_one_to_ten_years_refused(world, start, end):
    with pytest.raises(KampungError):
        svc.rpjmdes_create(
            actor=secretary(world, VILLAGE_A1), village=region(VILLAGE_A1), data=_input(start, end)
        )
    assert not Rpjmdes.objects.exists()


def test_overlapping_terms_refused_other_village_free(world):
    make_rpjm(world, VILLAGE_A1, 2025, 2030)
    with pytest.raises(KampungError, match="bertumpang tindih"):
        svc.rpjmdes_create(
            actor=secretary(world, VILLAGE_A1), village=region(VILLAGE_A1), data=_input(2030, 2037)
        )
    make_rpjm(world, VILLAGE_A2, 2025, 2030)  # another village may have the same term
    assert Rpjmdes.objects.filter(village_id=VILLAGE_A1).count() == 1


def test_update_may_not_leave_amounts_outside_the_term(world):
    rpjm = make_rpjm(world, VILLAGE_A1, 2025, 2030)
    with pytest.raises(KampungError, match="2025"):
        svc.rpjmdes_update(actor=secretary(world, VILLAGE_A1), rpjm=rpjm, data=_input(2026, 2031))
    rpjm.refresh_from_db()
    assert rpjm.start_year == 2025


def test_amount_for_a_year_outside_the_term_refused(world):
    rpjm = make_rpjm(world, VILLAGE_A1, 2025, 2030)
    before = RpjmAmount.objects.count()
    with pytest.raises(KampungError, match="di luar masa"):
        svc.rpjm_activity_save(
            actor=secretary(world, VILLAGE_A1),
            rpjm=rpjm,
            data=svc.RpjmActivityInput(activity_code=code("02.03.02"), amounts={2031: Decimal(1000)}),
        )
    assert RpjmAmount.objects.count() == before
    assert not RpjmActivity.objects.filter(activity_code__code="02.03.02").exists()


def test_activity_code_must_be_an_active_kegiatan_of_the_regency(world):
    rpjm = make_rpjm(world, VILLAGE_A1)
    bidang = ActivityCode.objects.get(code="02", regency=None)
    from kampung.conftest import make_other_regency

    make_other_regency()
    other = ActivityCode.objects.create(
        code="02.03.91", level="kegiatan", name="Lokal lain", regency_id="35.09"
    )
    inactive = ActivityCode.objects.create(
        code="02.03.93", level="kegiatan", name="Lama", regency_id="35.10", active=False
    )
    for c in (bidang, other, inactive):
        with pytest.raises(KampungError, match="kode kegiatan"):
            svc.rpjm_activity_save(
                actor=secretary(world, VILLAGE_A1), rpjm=rpjm, data=svc.RpjmActivityInput(activity_code=c)
            )
    local = ActivityCode.objects.create(code="02.03.92", level="kegiatan", name="Lokal", regency_id="35.10")
    svc.rpjm_activity_save(
        actor=secretary(world, VILLAGE_A1), rpjm=rpjm, data=svc.RpjmActivityInput(activity_code=local)
    )


def test_goals_ordered_and_goal_needs_a_mission_of_this_plan(world):
    rpjm = make_rpjm(world, VILLAGE_A1)
    actor = secretary(world, VILLAGE_A1)
    with pytest.raises(KampungError, match="misi"):
        svc.rpjm_goal_add(actor=actor, rpjm=rpjm, kind=GoalKind.GOAL, text="Tujuan tanpa misi")
    m1 = svc.rpjm_goal_add(actor=actor, rpjm=rpjm, kind=GoalKind.MISSION, text="Misi 1")
    m2 = svc.rpjm_goal_add(actor=actor, rpjm=rpjm, kind=GoalKind.MISSION, text="Misi 2")
    g = svc.rpjm_goal_add(actor=actor, rpjm=rpjm, kind=GoalKind.GOAL, text="Tujuan 1", parent=m1)
    svc.rpjm_goal_add(actor=actor, rpjm=rpjm, kind=GoalKind.TARGET, text="Sasaran 1", parent=g)
    with pytest.raises(KampungError):
        svc.rpjm_goal_add(actor=actor, rpjm=rpjm, kind=GoalKind.TARGET, text="Sasaran di misi", parent=m2)
    other = make_rpjm(world, VILLAGE_A2)
    with pytest.raises(KampungError):
        svc.rpjm_goal_add(
            actor=secretary(world, VILLAGE_A2), rpjm=other, kind=GoalKind.GOAL, text="x", parent=m1
        )
    tree = sel.rpjm_goal_tree(rpjm)
    assert [n.goal.text for n in tree] == ["Misi 1", "Misi 2"]
    assert (m1.order, m2.order) == (1, 2)
    assert tree[0].children[0].children[0].goal.text == "Sasaran 1"


def test_grid_sums_amounts_per_year(world):
    rpjm = make_rpjm(world, VILLAGE_A1, 2025, 2030)
    grid = sel.rpjm_grid(rpjm)
    assert grid.years == [2025, 2026, 2027, 2028, 2029, 2030]
    assert grid.year_totals[:2] == [Decimal("150000000"), Decimal("225000000")]
    assert grid.total == Decimal("375000000")
    assert grid.rows[0].cells[2] is None


def test_enact_then_read_only_and_audited(world):
    rpjm = make_rpjm(world, VILLAGE_A1, inaugurated_on=dt.date(2024, 11, 30))
    head = world.user(Role.HEAD, VILLAGE_A1)
    svc.rpjmdes_enact(actor=head, rpjm=rpjm, perdes_number="2/2025", perdes_date=dt.date(2025, 3, 5))
    rpjm.refresh_from_db()
    assert rpjm.status == PlanStatus.ENACTED
    entry = AuditEntry.objects.filter(act="finance.rpjmdes.enact").get()
    assert entry.after["late"] is True  # due 28 Feb 2025 (3 months after 30 Nov 2024)
    assert sel.rpjm_deadline_info(rpjm).state == "terlambat"
    actor = secretary(world, VILLAGE_A1)
    with pytest.raises(KampungError, match="sudah ditetapkan"):
        svc.rpjmdes_update(actor=actor, rpjm=rpjm, data=_input(2025, 2030))
    with pytest.raises(KampungError, match="sudah ditetapkan"):
        svc.rpjm_goal_add(actor=actor, rpjm=rpjm, kind=GoalKind.MISSION, text="x")
    with pytest.raises(KampungError, match="sudah ditetapkan"):
        svc.rpjm_activity_delete(actor=actor, activity=rpjm.activities.first())
    with pytest.raises(KampungError, match="sudah ditetapkan"):
        svc.rpjmdes_enact(actor=head, rpjm=rpjm, perdes_number="x", perdes_date=dt.date(2025, 3, 5))


def test_deadline_three_months_after_inauguration_clamps_month_end(world):
    rpjm = Rpjmdes(inaugurated_on=dt.date(2024, 11, 30), start_year=2025, end_year=2030)
    assert svc.rpjm_deadline(rpjm) == dt.date(2025, 2, 28)
    rpjm.inaugurated_on = dt.date(2025, 1, 15)
    assert svc.rpjm_deadline(rpjm) == dt.date(2025, 4, 15)


def test_enact_needs_vision_activities_and_a_past_date(world):
    actor = world.user(Role.HEAD, VILLAGE_A1)
    empty = svc.rpjmdes_create(actor=actor, village=region(VILLAGE_A1), data=_input(2025, 2030, vision=""))
    with pytest.raises(KampungError, match="visi"):
        svc.rpjmdes_enact(actor=actor, rpjm=empty, perdes_number="1", perdes_date=dt.date(2025, 1, 2))
    rpjm = make_rpjm(world, VILLAGE_A2)
    with pytest.raises(KampungError, match="setelah hari ini"):
        svc.rpjmdes_enact(
            actor=world.user(Role.HEAD, VILLAGE_A2),
            rpjm=rpjm,
            perdes_number="1",
            perdes_date=dt.date(2025, 4, 1),
        )


@pytest.mark.parametrize("role", [Role.TREASURER, Role.BPD, Role.EXECUTOR, Role.RESIDENT])
def test_non_editors_cannot_write(world, role):
    rpjm = make_rpjm(world, VILLAGE_A1)
    with pytest.raises(NotPermitted):
        svc.rpjmdes_create(
            actor=world.user(role, VILLAGE_A1), village=region(VILLAGE_A1), data=_input(2031, 2036)
        )
    with pytest.raises(NotPermitted):
        svc.rpjm_goal_add(actor=world.user(role, VILLAGE_A1), rpjm=rpjm, kind=GoalKind.MISSION, text="x")


def test_operator_drafts_but_only_head_or_secretary_enacts(world):
    rpjm = make_rpjm(world, VILLAGE_A1)
    with pytest.raises(NotPermitted):
        svc.rpjmdes_enact(
            actor=world.user(Role.OPERATOR, VILLAGE_A1),
            rpjm=rpjm,
            perdes_number="1",
            perdes_date=dt.date(2025, 1, 2),
        )
    with pytest.raises(NotPermitted):  # another village's secretary
        svc.rpjmdes_enact(
            actor=secretary(world, VILLAGE_A2), rpjm=rpjm, perdes_number="1", perdes_date=dt.date(2025, 1, 2)
        )


# -- pages ---------------------------------------------------------------------------------


def _url(name, *args):
    return reverse(f"finance:{name}", args=args)


@pytest.mark.parametrize("role", [Role.BPD, Role.TREASURER, Role.SECRETARY])
def test_readers_see_list_and_detail(client, world, role):
    rpjm = make_rpjm(world, VILLAGE_A1)
    client.force_login(world.user(role, VILLAGE_A1))
    page = client.get(_url("rpjm_detail", VILLAGE_A1, rpjm.pk))
    assert page.status_code == 200
    assert "Pembangunan jalan rabat beton" in page.content.decode()
    assert client.get(_url("rpjm_list", VILLAGE_A1)).status_code == 200


def test_district_and_regency_read(client, world):
    make_rpjm(world, VILLAGE_A1)
    for user in (world.user(Role.CAMAT, "35.10.01"), world.user(Role.DPMD, "35.10")):
        client.force_login(user)
        assert client.get(_url("rpjm_list", VILLAGE_A1)).status_code == 200
    client.force_login(world.user(Role.CAMAT, "35.10.15"))
    assert client.get(_url("rpjm_list", VILLAGE_A1)).status_code == 404


def test_other_village_and_kelurahan_404(client, world):
    rpjm = make_rpjm(world, VILLAGE_A1)
    client.force_login(secretary(world, VILLAGE_A2))
    assert client.get(_url("rpjm_detail", VILLAGE_A1, rpjm.pk)).status_code == 404
    assert client.get(_url("rpjm_detail", VILLAGE_A2, rpjm.pk)).status_code == 404  # not this village's plan
    assert client.post(_url("rpjm_enact", VILLAGE_A1, rpjm.pk), {}).status_code == 404
    client.force_login(world.user(Role.HEAD, KELURAHAN_B))
    assert client.get(_url("rpjm_list", KELURAHAN_B)).status_code == 404
    assert client.get(_url("rpjm_create", KELURAHAN_B)).status_code == 404


def test_treasurer_cannot_edit_over_http(client, world):
    rpjm = make_rpjm(world, VILLAGE_A1)
    client.force_login(world.user(Role.TREASURER, VILLAGE_A1))
    assert client.get(_url("rpjm_create", VILLAGE_A1)).status_code == 403
    assert (
        client.post(_url("rpjm_goal_add", VILLAGE_A1, rpjm.pk), {"kind": "misi", "text": "x"}).status_code
        == 403
    )
    assert client.post(_url("rpjm_enact", VILLAGE_A1, rpjm.pk), {}).status_code == 403
    assert not rpjm.goals.exists()


def test_create_edit_and_enact_over_http(client, world):
    client.force_login(secretary(world, VILLAGE_A1))
    response = client.post(
        _url("rpjm_create", VILLAGE_A1),
        {
            "start_year": 2025,
            "end_year": 2032,
            "head_name": "Bu Siti",
            "inaugurated_on": "2025-01-20",
            "vision": "Maju",
        },
    )
    rpjm = Rpjmdes.objects.get(village_id=VILLAGE_A1)
    assert response.status_code == 302 and len(rpjm.years) == 8
    kegiatan = code("02.03.01")
    response = client.post(
        _url("rpjm_activity_create", VILLAGE_A1, rpjm.pk),
        {"activity_code": kegiatan.pk, "name": "", "amount_2025": "1000000", "amount_2032": "2000000"},
    )
    assert response.status_code == 302
    activity = rpjm.activities.get()
    assert activity.name == kegiatan.name
    assert sorted(activity.amounts.values_list("year", flat=True)) == [2025, 2032]
    page = client.get(_url("rpjm_detail", VILLAGE_A1, rpjm.pk)).content.decode()
    assert "20 April 2025" in page  # deadline shown
    client.post(_url("rpjm_goal_add", VILLAGE_A1, rpjm.pk), {"kind": "misi", "text": "Misi pertama"})
    assert rpjm.goals.get().text == "Misi pertama"
    client.post(
        _url("rpjm_enact", VILLAGE_A1, rpjm.pk), {"perdes_number": "1/2025", "perdes_date": "2025-03-01"}
    )
    rpjm.refresh_from_db()
    assert rpjm.status == PlanStatus.ENACTED
    # read-only afterwards: edit pages refuse with a message, nothing changes
    response = client.post(
        _url("rpjm_activity_edit", VILLAGE_A1, rpjm.pk, activity.pk),
        {"activity_code": kegiatan.pk, "name": "Ganti", "amount_2025": "5"},
    )
    assert response.status_code == 200 and "sudah ditetapkan" in response.content.decode()
    activity.refresh_from_db()
    assert activity.name == kegiatan.name


def test_bad_input_is_a_form_error_not_a_500(client, world):
    client.force_login(secretary(world, VILLAGE_A1))
    for data in ({"start_year": "abc", "end_year": 2030}, {"start_year": 2030, "end_year": 2020}, {}):
        response = client.post(_url("rpjm_create", VILLAGE_A1), data)
        assert response.status_code == 200
    assert not Rpjmdes.objects.exists()
    rpjm = make_rpjm(world, VILLAGE_A1)
    response = client.post(
        _url("rpjm_activity_create", VILLAGE_A1, rpjm.pk), {"activity_code": "999999", "amount_2025": "-5"}
    )
    assert response.status_code == 200
    assert (
        client.post(
            _url("rpjm_goal_add", VILLAGE_A1, rpjm.pk), {"kind": "tujuan", "text": "x", "parent": "abc"}
        ).status_code
        == 302
    )
    assert not rpjm.goals.exists()


def test_excel_export_activities_by_years(client, world):
    import io

    rpjm = make_rpjm(world, VILLAGE_A1, 2025, 2030)
    client.force_login(world.user(Role.BPD, VILLAGE_A1))
    response = client.get(_url("rpjm_excel", VILLAGE_A1, rpjm.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and r[0] == "Kode")
    assert header[5:] == ["2025", "2026", "2027", "2028", "2029", "2030", "Jumlah"]
    total = rows[-1]
    assert total[1] == "Jumlah" and Decimal(str(total[-1])) == Decimal("375000000")


def test_list_and_detail_query_bounds(client, world, django_assert_max_num_queries):
    rpjm = make_rpjm(world, VILLAGE_A1, 2025, 2030)
    for i in range(10):
        svc.rpjm_activity_save(
            actor=secretary(world, VILLAGE_A1),
            rpjm=rpjm,
            data=svc.RpjmActivityInput(
                activity_code=code("02.02.03"), name=f"K{i}", amounts={2027: Decimal(i + 1)}
            ),
        )
    client.force_login(secretary(world, VILLAGE_A1))
    with django_assert_max_num_queries(14):
        assert client.get(_url("rpjm_detail", VILLAGE_A1, rpjm.pk)).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(_url("rpjm_list", VILLAGE_A1)).status_code == 200
