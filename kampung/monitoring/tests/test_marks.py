"""The roll-up mechanism: an audited change leaves a mark in its own transaction; the marks
are applied after the request, by the worker command, or left for later when applying fails."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from kampung.audit.services import audit_record
from kampung.conftest import DISTRICT_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.monitoring import marks, rollup
from kampung.monitoring.models import Area, RollupMark, RollupState

pytestmark = pytest.mark.django_db


class Recorder:
    """Stands in for every area's compute: remembers which villages it was asked for."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.fail = False

    def spec(self, area: str) -> rollup.AreaSpec:
        def compute(codes: list[str], today: Any) -> None:
            if self.fail:
                raise RuntimeError("compute failed")
            self.calls.append((area, tuple(codes)))

        return rollup.AreaSpec(compute=compute, villages=lambda: set(), tables=())


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    rec = Recorder()
    specs = {area: rec.spec(area) for area in Area.values}
    monkeypatch.setattr(rollup, "area_specs", lambda: specs)
    return rec


def _change(code: str, object_type: str = "finance.Spp", act: str = "finance.spp.pay") -> None:
    audit_record(actor=None, act=act, region=code, object_type=object_type, object_id="7")


def _marks() -> list[tuple[str, str]]:
    return sorted(RollupMark.objects.values_list("region_code", "area"))


def test_a_change_leaves_marks_for_the_areas_it_touches() -> None:
    _change(VILLAGE_A1)
    _change(VILLAGE_A2, "letters.LetterRequest", "letter_request.issue")
    _change(VILLAGE_B1, "assistance.Case", "assistance.case.register")
    _change(VILLAGE_B1, "population.LifeEvent", "population.birth")
    _change(VILLAGE_B1, "monitoring.FieldVisit", "monitoring.visit.record")
    assert _marks() == sorted(
        [
            (VILLAGE_A1, Area.FINANCE),
            (VILLAGE_A1, Area.PROJECTS),
            (VILLAGE_A2, Area.LETTERS),
            (VILLAGE_B1, Area.PROGRAMMES),
            (VILLAGE_B1, Area.POPULATION),
            (VILLAGE_B1, Area.PROJECTS),
        ]
    )


def test_reads_and_other_apps_leave_no_mark() -> None:
    _change(VILLAGE_A1, "population.Resident", "view")
    _change(VILLAGE_A1, "population.Resident", "population.resident.export")
    _change(VILLAGE_A1, "accounts.User", "accounts.user.create")
    _change(VILLAGE_A1, "documents.document", "document.issue")
    assert _marks() == []


def test_a_rolled_back_change_leaves_no_mark() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _change(VILLAGE_A1)
        raise RuntimeError("the service failed after auditing")
    assert _marks() == []


def test_work_applies_marks_once_per_village_and_deletes_them(recorder: Recorder) -> None:
    _change(VILLAGE_A1)
    _change(VILLAGE_A1)
    _change(VILLAGE_A2)
    report = marks.rollup_work()
    assert report.marks == 6
    assert sorted(recorder.calls) == [
        (Area.FINANCE, (VILLAGE_A1, VILLAGE_A2)),
        (Area.PROJECTS, (VILLAGE_A1, VILLAGE_A2)),
    ]
    assert _marks() == []
    states = set(RollupState.objects.values_list("village_id", "area"))
    assert (VILLAGE_A1, Area.FINANCE) in states and (VILLAGE_A2, Area.PROJECTS) in states
    assert all(s.computed_at and s.as_of for s in RollupState.objects.all())
    assert marks.rollup_work().marks == 0


def test_a_district_mark_applies_to_every_village_under_it(recorder: Recorder) -> None:
    _change(DISTRICT_A)
    marks.rollup_work()
    (area, codes), *_ = sorted(recorder.calls)
    assert area == Area.FINANCE
    assert VILLAGE_A1 in codes and VILLAGE_A2 in codes
    assert all(code.startswith(DISTRICT_A + ".") for code in codes)


def test_only_applies_the_given_pairs(recorder: Recorder) -> None:
    _change(VILLAGE_A1)
    _change(VILLAGE_B1, "letters.LetterRequest", "letter_request.issue")
    marks.rollup_work(only=[(VILLAGE_B1, Area.LETTERS)])
    assert recorder.calls == [(Area.LETTERS, (VILLAGE_B1,))]
    assert _marks() == [(VILLAGE_A1, Area.FINANCE), (VILLAGE_A1, Area.PROJECTS)]


def test_a_failed_apply_keeps_the_marks_for_the_next_run(recorder: Recorder) -> None:
    _change(VILLAGE_A1)
    recorder.fail = True
    with pytest.raises(RuntimeError):
        marks.rollup_work()
    assert len(_marks()) == 2
    recorder.fail = False
    marks.rollup_work()
    assert _marks() == []


def test_the_request_applies_its_marks_after_the_view(recorder: Recorder, client: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = "kampung.monitoring.tests.marks_urls"
    response = client.get(f"/ubah/{VILLAGE_A2}/")
    assert response.status_code == 200
    assert (Area.FINANCE, (VILLAGE_A2,)) in recorder.calls
    assert _marks() == []


def test_a_failing_apply_after_the_request_is_logged_not_shown(
    recorder: Recorder, client: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.ROOT_URLCONF = "kampung.monitoring.tests.marks_urls"
    recorder.fail = True
    response = client.get(f"/ubah/{VILLAGE_A2}/")
    assert response.status_code == 200
    assert len(_marks()) == 2  # left for the worker
    assert "applying roll-up marks" in caplog.text


def test_the_work_command_applies_waiting_marks(recorder: Recorder) -> None:
    _change(VILLAGE_A1)
    out = io.StringIO()
    call_command("monitoring", "work", stdout=out)
    assert "2 tanda diterapkan" in out.getvalue()
    assert _marks() == []
    out = io.StringIO()
    call_command("monitoring", "status", stdout=out)
    assert "Tanda menunggu: 0" in out.getvalue()


def test_the_regency_thresholds_touch_projects_and_programmes_of_every_village(recorder: Recorder) -> None:
    _change("35.10", "monitoring.MonitoringSetting", "monitoring.setting.save")
    assert _marks() == [("35.10", Area.PROGRAMMES), ("35.10", Area.PROJECTS)]
    marks.rollup_work()
    areas = {area for area, _ in recorder.calls}
    assert areas == {Area.PROJECTS, Area.PROGRAMMES}
    for area in (Area.PROJECTS, Area.PROGRAMMES):
        villages = {code for called, codes in recorder.calls if called == area for code in codes}
        assert {VILLAGE_A1, VILLAGE_A2, VILLAGE_B1} <= villages
