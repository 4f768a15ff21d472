"""The budget calendar: deadlines per regency and year, the APBDes deadline states, the page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from kampung.accounts.roles import Role
from kampung.audit.models import AuditEntry
from kampung.conftest import DISTRICT_A, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_other_regency
from kampung.finance.defaults import default_calendar
from kampung.finance.models import Apbdes, CalendarDeadline, CalendarEvent
from kampung.finance.selectors.calendar import apbdes_deadlines, deadlines_for
from kampung.finance.selectors.ref import apbdes_progress, regency_desa

pytestmark = pytest.mark.django_db

AGREED = CalendarEvent.APBDES_AGREED
SUBMITTED = CalendarEvent.APBDES_SUBMITTED
ENACTED = CalendarEvent.APBDES_ENACTED


def test_deadlines_fall_back_to_defaults_in_one_query(django_assert_num_queries):
    CalendarDeadline.objects.create(
        regency_id=REGENCY, year=2027, event=AGREED, due_date=dt.date(2026, 10, 15)
    )
    with django_assert_num_queries(1):
        dates = deadlines_for(regency_code=REGENCY, year=2027)
    defaults = default_calendar(2027)
    assert dates[AGREED] == dt.date(2026, 10, 15)
    assert dates[SUBMITTED] == defaults[SUBMITTED]
    assert set(defaults) <= set(dates)
    # another regency and another year keep the defaults
    assert deadlines_for(regency_code="35.09", year=2027)[AGREED] == defaults[AGREED]
    assert deadlines_for(regency_code=REGENCY, year=2028)[AGREED] == default_calendar(2028)[AGREED]


def test_apbdes_deadline_states(world):
    apbdes = Apbdes.objects.create(
        village_id=VILLAGE_A1,
        year=2027,
        bpd_agreed_on=dt.date(2026, 10, 20),
        submitted_on=dt.date(2026, 11, 10),
    )
    today = dt.date(2026, 11, 20)
    states = {
        s.event: s for s in apbdes_deadlines(regency_code=REGENCY, year=2027, apbdes=apbdes, today=today)
    }
    assert list(states) == [AGREED, SUBMITTED, ENACTED]
    assert states[AGREED].state == "selesai" and states[AGREED].label_state == "Tepat waktu"
    assert states[SUBMITTED].state == "terlambat" and states[SUBMITTED].label_state == "Terlambat"
    assert states[ENACTED].state == "mendatang" and states[ENACTED].label_state == "Belum jatuh tempo"
    assert states[ENACTED].done_on is None and states[ENACTED].due == dt.date(2026, 12, 31)
    # done on the due date itself is on time
    apbdes.submitted_on = dt.date(2026, 11, 3)
    on_time = apbdes_deadlines(regency_code=REGENCY, year=2027, apbdes=apbdes, today=today)
    assert on_time[1].state == "selesai"


def test_no_apbdes_is_overdue_after_the_due_date():
    states = apbdes_deadlines(regency_code=REGENCY, year=2027, apbdes=None, today=dt.date(2027, 1, 2))
    assert [s.state for s in states] == ["lewat", "lewat", "lewat"]
    assert states[0].label_state == "Lewat batas waktu"
    assert states[0].label == str(AGREED.label)
    before = apbdes_deadlines(regency_code=REGENCY, year=2027, apbdes=None, today=dt.date(2026, 10, 31))
    assert [s.state for s in before] == ["mendatang", "mendatang", "mendatang"]


def test_regency_calendar_changes_the_state():
    CalendarDeadline.objects.create(
        regency_id=REGENCY, year=2027, event=AGREED, due_date=dt.date(2026, 10, 1)
    )
    states = apbdes_deadlines(regency_code=REGENCY, year=2027, apbdes=None, today=dt.date(2026, 10, 10))
    assert states[0].state == "lewat"
    assert states[1].state == "mendatang"


def test_progress_counts_every_desa_in_two_queries(world, django_assert_max_num_queries):
    Apbdes.objects.create(village_id=VILLAGE_A1, year=2027, bpd_agreed_on=dt.date(2026, 10, 30))
    Apbdes.objects.create(village_id=VILLAGE_A2, year=2027, bpd_agreed_on=dt.date(2026, 11, 2))
    Apbdes.objects.create(village_id=VILLAGE_B1, year=2027, revision=1, bpd_agreed_on=dt.date(2026, 10, 1))
    desa = regency_desa(regency_code=REGENCY).count()
    with django_assert_max_num_queries(3):
        count, progress = apbdes_progress(regency_code=REGENCY, year=2027, today=dt.date(2026, 11, 5))
    assert count == desa
    agreed = progress[0]
    assert agreed.event == AGREED
    assert (agreed.done, agreed.late, agreed.overdue, agreed.pending) == (1, 1, desa - 2, 0)
    submitted = progress[1]
    assert submitted.overdue == desa  # due 3 Nov, nobody sent it
    enacted = progress[2]
    assert enacted.pending == desa


def _url(year: int = 2027) -> str:
    return reverse("finance:calendar_page") + f"?tahun={year}"


def test_calendar_page_shows_defaults_and_progress(world, client, django_assert_max_num_queries):
    client.force_login(world.user(Role.SECRETARY, VILLAGE_A1))
    with time_machine.travel(dt.datetime(2026, 11, 5, 3, 0, tzinfo=dt.UTC), tick=False):
        response = client.get(_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "31 Oktober 2026" in text and "bawaan" in text
    assert 'name="apbdes_disepakati"' not in text  # read-only for village staff
    assert "Kemajuan APBDes 2027" in text
    client.force_login(world.user(Role.DPMD, REGENCY))
    with django_assert_max_num_queries(15):
        response = client.get(_url())
    assert 'name="apbdes_disepakati"' in response.content.decode()


def _post_data(**changes: str) -> dict[str, str]:
    data = {"tahun": "2027"}
    data.update({str(k): v.isoformat() for k, v in default_calendar(2027).items()})
    data.update(changes)
    return data


@pytest.mark.parametrize("role", [Role.DPMD, Role.ADMIN])
def test_regency_admin_saves_the_calendar(world, client, role):
    client.force_login(world.user(role, REGENCY))
    response = client.post(_url(), _post_data(apbdes_disepakati="2026-10-20"))
    assert response.status_code == 302
    row = CalendarDeadline.objects.get(regency_id=REGENCY, year=2027, event=AGREED)
    assert row.due_date == dt.date(2026, 10, 20)
    assert CalendarDeadline.objects.filter(regency_id=REGENCY, year=2027).count() == len(
        default_calendar(2027)
    )
    entry = AuditEntry.objects.filter(act="finance.calendar.save").get()
    assert entry.after["apbdes_disepakati"] == "2026-10-20"
    # saving again without a change writes nothing new
    client.post(_url(), _post_data(apbdes_disepakati="2026-10-20"))
    assert AuditEntry.objects.filter(act="finance.calendar.save").count() == 1


@pytest.mark.parametrize(
    "user", [(Role.SECRETARY, VILLAGE_A1), (Role.CAMAT, DISTRICT_A), (Role.BUPATI, REGENCY)]
)
def test_others_may_not_edit_the_calendar(world, client, user):
    client.force_login(world.user(*user))
    response = client.post(_url(), _post_data(apbdes_disepakati="2026-10-20"))
    assert response.status_code == 404
    assert not CalendarDeadline.objects.exists()


def test_bad_dates_change_nothing(world, client):
    client.force_login(world.user(Role.DPMD, REGENCY))
    response = client.post(_url(), _post_data(apbdes_disepakati="bukan-tanggal"))
    assert response.status_code == 200
    response = client.post(_url(), _post_data(apbdes_disepakati="1990-01-01"))
    assert response.status_code == 200 and "terlalu jauh" in response.content.decode()
    assert not CalendarDeadline.objects.exists()


def test_other_regency_sees_its_own_calendar(world, client):
    admin, _operator = make_other_regency()
    CalendarDeadline.objects.create(
        regency_id=REGENCY, year=2027, event=AGREED, due_date=dt.date(2026, 10, 5)
    )
    client.force_login(admin)
    response = client.get(_url())
    assert response.status_code == 200
    assert response.context["regency"].code == "35.09"
    assert "5 Oktober 2026" not in response.content.decode()
    client.post(_url(), _post_data(apbdes_disepakati="2026-10-21"))
    assert CalendarDeadline.objects.get(regency_id=REGENCY, event=AGREED).due_date == dt.date(2026, 10, 5)
    assert CalendarDeadline.objects.get(regency_id="35.09", event=AGREED).due_date == dt.date(2026, 10, 21)


def test_login_required(client):
    assert client.get(_url()).status_code == 302
