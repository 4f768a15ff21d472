import datetime as dt

import pytest

from kampung.regions.calendar import add_working_days, is_working_day, working_days_between
from kampung.regions.models import Holiday, Region


@pytest.fixture
def village(db):
    return Region.objects.get(code="35.10.15.2004")


def test_weekends_and_holidays_are_not_working_days(village):
    assert is_working_day(village, dt.date(2026, 11, 27))  # Friday
    assert not is_working_day(village, dt.date(2026, 11, 28))  # Saturday
    assert not is_working_day(village, dt.date(2026, 8, 17))  # Independence Day (Monday)


def test_add_working_days_skips_weekends_and_the_regency_holidays(village):
    # Friday 14 Aug 2026 + 1 working day: Sat, Sun skipped, Mon 17 Aug is a holiday.
    assert add_working_days(village, dt.date(2026, 8, 14), 1) == dt.date(2026, 8, 18)
    assert add_working_days(village, dt.date(2026, 11, 27), 0) == dt.date(2026, 11, 27)
    # Ten working days from Monday 2 Nov 2026 (no holidays): Monday 16 Nov.
    assert add_working_days(village, dt.date(2026, 11, 2), 10) == dt.date(2026, 11, 16)


def test_a_holiday_added_by_the_admin_moves_the_deadline(village):
    start = dt.date(2026, 11, 2)
    assert add_working_days(village, start, 1) == dt.date(2026, 11, 3)
    Holiday.objects.create(regency_id="35.10", date=dt.date(2026, 11, 3), name="Hari Jadi Banyuwangi")
    assert add_working_days(village, start, 1) == dt.date(2026, 11, 4)
    # Another regency's calendar is not affected.
    from kampung.regions.services import regions_load

    regions_load(prefix="35.09.01")
    jember_village = Region.objects.filter(code__startswith="35.09.01.", level=4).first()
    assert add_working_days(jember_village, start, 1) == dt.date(2026, 11, 3)


def test_working_days_between(village):
    assert working_days_between(village, dt.date(2026, 8, 14), dt.date(2026, 8, 21)) == 4
    assert working_days_between(village, dt.date(2026, 8, 21), dt.date(2026, 8, 14)) == 0


def test_long_runs_of_days_off_are_counted(village):
    # Idul Fitri 2026: 18-24 Mar are holidays or leave; Thursday 19 Mar + 1 = Wednesday 25 Mar.
    assert add_working_days(village, dt.date(2026, 3, 17), 1) == dt.date(2026, 3, 25)
    assert add_working_days(village, dt.date(2026, 1, 2), 200) > dt.date(2026, 10, 1)
