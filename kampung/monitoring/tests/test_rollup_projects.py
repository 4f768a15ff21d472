"""The physical-kegiatan roll-up (``proyek``): one row per physical kegiatan of the APBDes in
force, whose budget and spending equal finance's activity realisation, whose progress is the
newest of the executor's reports and the district's visits, in a fixed number of queries, the
same on every run, and kept current by the writes through the roll-up marks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from kampung.accounts.roles import Role
from kampung.audit.services import audit_record
from kampung.conftest import DISTRICT_A, KELURAHAN_B, REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.finance.models import ApbdesStatus, Book, BudgetActivity, BudgetLine
from kampung.finance.selectors.ledger import budget_in_force
from kampung.finance.selectors.realisation import activity_realisation, latest_progress
from kampung.monitoring.marks import rollup_work
from kampung.monitoring.models import Area, FieldVisit, MonitoringSetting, ProjectFigure, RollupMark
from kampung.monitoring.rollup import projects, rollup_rebuild
from kampung.monitoring.tests.finance_support import (
    AREAS,
    SIX_DESA,
    TODAY,
    YEAR,
    all_rows,
    fill_books,
    insert_batches,
    revise,
    split_queries,
)

pytestmark = pytest.mark.django_db

THREE = [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1]
NO_BOOKS = "35.10.15.2005"  # a desa without budget or books in these tests


@pytest.fixture
def books() -> list[str]:
    """Three desa with a year of demo books; Sarongan's APBDes revised (elaborated): more
    for the road, and more for the paving."""
    fill_books(THREE)
    revise(
        VILLAGE_A1,
        status=ApbdesStatus.ELABORATED,
        extra_road=Decimal(26_000_000),
        extra_dd=Decimal(26_000_000),
    )
    return THREE


def visit(officer, village: str, code: str, on: dt.date, percent: str, name: str = "") -> FieldVisit:
    return FieldVisit.objects.create(
        village_id=village,
        year=YEAR,
        activity_code=code,
        activity_name=name or f"Kegiatan {code}",
        visited_on=on,
        percent=Decimal(percent),
        officer=officer,
    )


def row(village: str, code: str) -> ProjectFigure:
    return ProjectFigure.objects.get(village_id=village, year=YEAR, activity_code=code)


def physical_codes(village: str, prefixes: tuple[str, ...]) -> set[str]:
    apbdes = budget_in_force(village, YEAR)
    codes = BudgetActivity.objects.filter(apbdes=apbdes).values_list("activity_code__code", flat=True)
    return {c for c in codes if any(c.startswith(p) for p in prefixes)}


def test_rows_are_the_physical_kegiatan_in_force_with_finance_figures(books):
    projects.compute([*books, KELURAHAN_B], TODAY)
    assert budget_in_force(VILLAGE_A1, YEAR).revision == 1
    for code in books:
        expected = physical_codes(code, ("02.",))
        assert expected and {"02.03.10"} <= expected
        rows = {r.activity_code: r for r in ProjectFigure.objects.filter(village_id=code, year=YEAR)}
        assert set(rows) == expected
        realisation = {r.code: r for r in activity_realisation(code, YEAR).rows}
        reports = latest_progress(Book.objects.get(village_id=code, year=YEAR))
        activities = {
            a.activity_code.code: a
            for a in BudgetActivity.objects.filter(apbdes=budget_in_force(code, YEAR)).select_related(
                "activity_code"
            )
        }
        for activity_code, figure in rows.items():
            assert figure.district_code == code[:8]
            assert figure.budget == realisation[activity_code].budget
            assert figure.spent == realisation[activity_code].realised
            activity = activities[activity_code]
            assert (figure.name, figure.location) == (activity.name, activity.location)
            assert (figure.start_month, figure.end_month) == (activity.start_month, activity.end_month)
            report = reports.get(activity_code)
            assert figure.last_report_on == (report.date if report else None)
            assert figure.physical_percent == (report.percent if report else 0)
            assert figure.progress_on == figure.last_report_on
            assert (figure.visits, figure.last_visit_on) == (0, None)
    # the revision in force counts: the road's extra line
    original = BudgetLine.objects.filter(
        activity__apbdes__village_id=VILLAGE_A1,
        activity__apbdes__year=YEAR,
        activity__apbdes__revision=0,
        activity__activity_code__code="02.03.10",
    ).aggregate(s=Sum("amount"))["s"]
    assert row(VILLAGE_A1, "02.03.10").budget == original + Decimal(26_000_000)
    assert ProjectFigure.objects.filter(spent__gt=0).exists()
    assert ProjectFigure.objects.filter(last_report_on__isnull=False).exists()
    assert not ProjectFigure.objects.filter(village_id=KELURAHAN_B).exists()
    assert not ProjectFigure.objects.exclude(activity_code__startswith="02.").exists()


def test_the_newest_of_report_and_visit_is_the_progress(books, world):
    officer = world.user(Role.DISTRICT_OFFICER, DISTRICT_A)
    projects.compute([VILLAGE_A1], TODAY)
    paving = row(VILLAGE_A1, "02.03.11")
    reported = paving.last_report_on
    assert reported is not None and reported < TODAY
    # an older visit: the report stays the progress
    visit(officer, VILLAGE_A1, "02.03.11", reported - dt.timedelta(days=10), "5")
    projects.compute([VILLAGE_A1], TODAY)
    paving = row(VILLAGE_A1, "02.03.11")
    assert (paving.progress_on, paving.last_visit_on, paving.visits) == (
        reported,
        reported - dt.timedelta(days=10),
        1,
    )
    assert paving.physical_percent != Decimal("5")
    # a visit on the day of the report: the visit wins
    visit(officer, VILLAGE_A1, "02.03.11", reported, "31.5")
    projects.compute([VILLAGE_A1], TODAY)
    paving = row(VILLAGE_A1, "02.03.11")
    assert (paving.physical_percent, paving.progress_on, paving.visits) == (Decimal("31.5"), reported, 2)
    # a newer visit
    visit(officer, VILLAGE_A1, "02.03.11", TODAY, "44")
    projects.compute([VILLAGE_A1], TODAY)
    paving = row(VILLAGE_A1, "02.03.11")
    assert (paving.physical_percent, paving.progress_on, paving.last_visit_on, paving.visits) == (
        Decimal("44"),
        TODAY,
        TODAY,
        3,
    )
    assert paving.last_report_on == reported
    # a visit of another village or year is not this kegiatan's
    FieldVisit.objects.create(
        village_id=VILLAGE_A2,
        year=YEAR - 1,
        activity_code="02.03.11",
        activity_name="Paving",
        visited_on=dt.date(YEAR - 1, 11, 1),
        percent=Decimal(90),
        officer=officer,
    )
    projects.compute([VILLAGE_A1, VILLAGE_A2], TODAY)
    assert row(VILLAGE_A1, "02.03.11").visits == 3


def test_a_visited_kegiatan_without_a_budget_keeps_its_timeline(world):
    officer = world.user(Role.DISTRICT_OFFICER, "35.10.15")
    assert NO_BOOKS not in projects.villages()
    visit(officer, NO_BOOKS, "02.03.05", dt.date(YEAR, 6, 2), "20", name="Talud dusun")
    visit(officer, NO_BOOKS, "02.03.05", dt.date(YEAR, 8, 4), "55", name="Talud dusun")
    assert NO_BOOKS in projects.villages()
    projects.compute([NO_BOOKS], TODAY)
    figure = row(NO_BOOKS, "02.03.05")
    assert (figure.name, figure.budget, figure.spent, figure.visits) == ("Talud dusun", 0, 0, 2)
    assert (figure.physical_percent, figure.progress_on, figure.last_report_on) == (
        Decimal(55),
        dt.date(YEAR, 8, 4),
        None,
    )
    assert figure.district_code == "35.10.15"


def test_the_regency_setting_says_which_kegiatan_are_physical(books):
    prefixes = ("02.03.", "04.02")
    MonitoringSetting.objects.create(regency_id=REGENCY, physical_prefixes=" 02.03., 04.02 ,")
    projects.compute(books, TODAY)
    for code in books:
        expected = physical_codes(code, prefixes)
        got = set(ProjectFigure.objects.filter(village_id=code).values_list("activity_code", flat=True))
        assert got == expected and expected
    assert ProjectFigure.objects.filter(activity_code__startswith="04.02").exists()
    assert not ProjectFigure.objects.filter(activity_code__startswith="02.01").exists()
    # no setting: the default "02."
    MonitoringSetting.objects.all().delete()
    projects.compute(books, TODAY)
    for code in books:
        got = set(ProjectFigure.objects.filter(village_id=code).values_list("activity_code", flat=True))
        assert got == physical_codes(code, ("02.",))


def test_the_same_number_of_queries_for_one_village_and_for_six(world):
    fill_books(SIX_DESA)
    officer = world.user(Role.DISTRICT_OFFICER, DISTRICT_A)
    for code in SIX_DESA:
        visit(officer, code, "02.03.10", dt.date(YEAR, 8, 1), "60")
    MonitoringSetting.objects.create(regency_id=REGENCY, physical_prefixes="02.")
    with CaptureQueriesContext(connection) as one:
        projects.compute([VILLAGE_A1], TODAY)
    with CaptureQueriesContext(connection) as six:
        projects.compute(SIX_DESA, TODAY)
    reads_one, inserts_one = split_queries(one)
    reads_six, inserts_six = split_queries(six)
    assert len(reads_one) == len(reads_six) == 8, reads_six
    assert inserts_one == insert_batches(projects.TABLES, projects.BATCH, [VILLAGE_A1]) == 1
    assert inserts_six == insert_batches(projects.TABLES, projects.BATCH, SIX_DESA)
    assert inserts_six <= (1 if connection.vendor == "postgresql" else 2)
    assert ProjectFigure.objects.filter(visits=1).count() == 6


def test_computing_again_or_in_other_chunks_gives_identical_rows(books, world):
    officer = world.user(Role.DISTRICT_OFFICER, DISTRICT_A)
    visit(officer, VILLAGE_A2, "02.02.02", dt.date(YEAR, 7, 1), "50")
    visit(officer, VILLAGE_A2, "02.02.02", dt.date(YEAR, 7, 1), "52")
    projects.compute(books, TODAY)
    first = all_rows(projects.TABLES)
    assert first["ProjectFigure"]
    projects.compute(list(reversed(books)), TODAY)
    assert all_rows(projects.TABLES) == first
    projects.compute([VILLAGE_A2], TODAY)
    projects.compute([VILLAGE_B1, VILLAGE_A1], TODAY)
    assert all_rows(projects.TABLES) == first
    # two visits on one day: the later recorded wins, every time
    assert row(VILLAGE_A2, "02.02.02").physical_percent == Decimal(52)


# -- the mechanism ---------------------------------------------------------------------------


def _visit_recorded(officer, village: str, code: str, percent: str) -> FieldVisit:
    """A visit written as the visit service writes it: the row and its audit entry in one
    transaction."""
    with transaction.atomic():
        made = visit(officer, village, code, TODAY, percent)
        audit_record(
            actor=officer,
            act="monitoring.visit.record",
            region=village,
            role=Role.DISTRICT_OFFICER,
            object_type="monitoring.FieldVisit",
            object_id=str(made.pk),
            after={"activity_code": code, "percent": percent},
        )
    return made


def test_writes_are_rolled_up_by_the_marks_and_equal_the_rebuild(world):
    from kampung.finance.services.reports import progress_record

    fill_books(THREE)
    rollup_work(today=TODAY)
    assert not RollupMark.objects.exists()
    before = row(VILLAGE_A2, "02.04.01")
    secretary = world.user(Role.SECRETARY, VILLAGE_A2)
    paving = BudgetActivity.objects.get(
        apbdes=budget_in_force(VILLAGE_A2, YEAR), activity_code__code="02.04.01"
    )
    with time_machine.travel(dt.datetime(YEAR, 9, 17, 10, 0), tick=False):
        progress_record(actor=secretary, activity=paving, date=TODAY, volume="120", percent="61.25")
    assert {(VILLAGE_A2, Area.PROJECTS), (VILLAGE_A2, Area.FINANCE)} <= set(
        RollupMark.objects.values_list("region_code", "area")
    )
    assert before.last_report_on < TODAY
    assert before.last_report_on is not None and before.last_report_on < TODAY
    assert row(VILLAGE_A2, "02.04.01").last_report_on == before.last_report_on  # not yet applied
    report = rollup_work(today=TODAY)
    assert report.villages[Area.PROJECTS] == 1 and not RollupMark.objects.exists()
    after = row(VILLAGE_A2, "02.04.01")
    assert (after.physical_percent, after.progress_on, after.last_report_on) == (
        Decimal("61.25"),
        TODAY,
        TODAY,
    )
    kept = all_rows(projects.TABLES)
    rollup_rebuild(today=TODAY, areas=AREAS)
    assert all_rows(projects.TABLES) == kept

    # a field visit (monitoring's own write) marks the kegiatan area only
    officer = world.user(Role.DISTRICT_OFFICER, "35.10.15")
    _visit_recorded(officer, VILLAGE_B1, "02.03.10", "70")
    assert set(RollupMark.objects.values_list("region_code", "area")) == {(VILLAGE_B1, Area.PROJECTS)}
    rollup_work(today=TODAY)
    road = row(VILLAGE_B1, "02.03.10")
    assert (road.visits, road.last_visit_on) == (1, TODAY)
    kept = all_rows(projects.TABLES)
    rollup_rebuild(today=TODAY, areas=AREAS)
    assert all_rows(projects.TABLES) == kept


def test_a_rolled_back_visit_leaves_no_mark(world):
    fill_books([VILLAGE_A1])
    rollup_work(today=TODAY)
    kept = all_rows(projects.TABLES)
    officer = world.user(Role.DISTRICT_OFFICER, DISTRICT_A)
    with pytest.raises(RuntimeError), transaction.atomic():
        _visit_recorded(officer, VILLAGE_A1, "02.03.10", "80")
        assert RollupMark.objects.filter(region_code=VILLAGE_A1, area=Area.PROJECTS).exists()
        raise RuntimeError("the request failed after the write")
    assert not RollupMark.objects.exists() and not FieldVisit.objects.exists()
    rollup_work(today=TODAY)
    assert all_rows(projects.TABLES) == kept
