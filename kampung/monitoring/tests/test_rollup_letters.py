"""The letters roll-up: requests submitted, issued (with the time-to-issue histogram),
rejected and cancelled per village, month (local time) and type; the open requests; the
query bound; determinism; and the marks kept by real writes equal a rebuild."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kampung.accounts.roles import Role
from kampung.conftest import REGENCY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from kampung.letters import services_requests as svc
from kampung.letters.models import LetterType
from kampung.letters.models_requests import (
    OPEN_STATUSES,
    Channel,
    LetterRequest,
    RequestEvent,
    RequestStatus,
)
from kampung.letters.tests.requests_support import (
    DOMISILI,
    USAHA,
    letters_env,  # noqa: F401 - fixture
    person,
)
from kampung.monitoring import histogram as hist
from kampung.monitoring.marks import rollup_work
from kampung.monitoring.models import HISTOGRAM_FIELDS, Area, LetterMonth, LetterOpen, RollupMark
from kampung.monitoring.rollup import letters as area
from kampung.monitoring.rollup import rollup_rebuild
from kampung.regions.models import Level, Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("letters_env")]

UTC = dt.UTC
TODAY = dt.date(2026, 3, 10)
CODES = [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1]


@pytest.fixture(autouse=True)
def _catalogue() -> None:
    from kampung.letters.loader import catalogue_ensure

    catalogue_ensure()


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def _submit(world: Any, village: str, when: dt.datetime, slug: str = DOMISILI) -> LetterRequest:
    fields = {"nama_usaha": "Warung Makan", "keperluan": "Kredit usaha"} if slug == USAHA else {}
    letter_type = LetterType.objects.get(slug=slug)
    data = svc.RequestInput(
        letter_type=letter_type,
        requester=person(world, village, name="Warga Pemohon"),
        purpose="Melamar pekerjaan",
        fields=fields,
        seen_at_counter={r.pk for r in letter_type.requirements.all()},
    )
    with time_machine.travel(when, tick=False):
        return svc.request_submit(
            actor=world.user(Role.OPERATOR, village),
            village=Region.objects.get(code=village),
            channel=Channel.COUNTER,
            data=data,
        )


def _step(world: Any, request: LetterRequest, act: str, when: dt.datetime) -> None:
    village = request.village_id
    with time_machine.travel(when, tick=False):
        if act == "verify":
            svc.request_verify(actor=world.user(Role.SECRETARY, village), request=request)
        elif act == "sign":
            svc.request_sign(actor=world.user(Role.HEAD, village), request=request)
        elif act == "issue":
            svc.request_issue(actor=world.user(Role.OPERATOR, village), request=request)
        elif act == "hand_over":
            svc.request_hand_over(actor=world.user(Role.OPERATOR, village), request=request)
        elif act == "reject":
            svc.request_reject(
                actor=world.user(Role.SECRETARY, village),
                request=request,
                reason="Data tidak cocok dengan KK",
            )
        elif act == "cancel":
            svc.request_cancel(
                actor=world.user(Role.OPERATOR, village), request=request, reason="Salah jenis"
            )
    request.refresh_from_db()


def _issued(world: Any, village: str, submitted: dt.datetime, issued: dt.datetime) -> LetterRequest:
    request = _submit(world, village, submitted)
    _step(world, request, "verify", submitted + dt.timedelta(minutes=5))
    _step(world, request, "sign", submitted + dt.timedelta(minutes=10))
    _step(world, request, "issue", issued)
    return request


@pytest.fixture
def scene(world: Any) -> dict[str, LetterRequest]:
    """Requests of three villages whose months and durations test the local-time edges."""
    requests: dict[str, LetterRequest] = {}
    # 1 February 03:00 in Banyuwangi (still 31 January in UTC); issued 9 hours later,
    # handed over in March: counted once, issued in February.
    requests["a1_feb"] = _issued(world, VILLAGE_A1, at(2026, 1, 31, 20), at(2026, 2, 1, 5))
    _step(world, requests["a1_feb"], "hand_over", at(2026, 3, 2, 2))
    # 30 January 23:30 local, issued 34.5 hours later on 1 February.
    requests["a1_jan"] = _issued(world, VILLAGE_A1, at(2026, 1, 30, 16, 30), at(2026, 2, 1, 3))
    requests["a1_rejected"] = _submit(world, VILLAGE_A1, at(2026, 2, 10, 2), USAHA)
    _step(world, requests["a1_rejected"], "reject", at(2026, 2, 10, 3))
    # Cancelled at 28 February 18:00 UTC = 1 March 01:00 local.
    requests["a1_cancelled"] = _submit(world, VILLAGE_A1, at(2026, 2, 27, 10))
    _step(world, requests["a1_cancelled"], "cancel", at(2026, 2, 28, 18))
    requests["a1_open"] = _submit(world, VILLAGE_A1, at(2026, 3, 3, 2))
    requests["a1_verified"] = _submit(world, VILLAGE_A1, at(2026, 3, 3, 2))
    _step(world, requests["a1_verified"], "verify", at(2026, 3, 3, 4))
    requests["a2_fast"] = _issued(world, VILLAGE_A2, at(2026, 2, 2, 1), at(2026, 2, 2, 1, 30))
    requests["a2_signed"] = _submit(world, VILLAGE_A2, at(2026, 2, 2, 1))
    _step(world, requests["a2_signed"], "verify", at(2026, 2, 2, 2))
    _step(world, requests["a2_signed"], "sign", at(2026, 2, 2, 3))
    requests["b1_slow"] = _issued(world, VILLAGE_B1, at(2026, 1, 5, 2), at(2026, 2, 20, 2))
    # Right on a bucket limit: exactly one day is "<= 1 day"; a quarter second more is not
    # (with and without fractions of a second in the stored times).
    requests["a2_day"] = _issued(
        world, VILLAGE_A2, at(2026, 3, 1, 1, 0, 0, 250_000), at(2026, 3, 2, 1, 0, 0, 250_000)
    )
    requests["a2_day_plus"] = _issued(world, VILLAGE_A2, at(2026, 3, 1, 1), at(2026, 3, 2, 1, 0, 0, 250_000))
    for key in ("a2_day", "a2_day_plus"):
        _step(world, requests[key], "hand_over", at(2026, 3, 3, 1))
    return requests


# -- figures computed directly from the requests and their history --------------------------


def expected_months(codes: list[str]) -> dict[tuple[str, int, int, str], dict[str, int]]:
    closing = {
        RequestStatus.ISSUED: "issued",
        RequestStatus.REJECTED: "rejected",
        RequestStatus.CANCELLED: "cancelled",
    }
    out: dict[tuple[str, int, int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for request in LetterRequest.objects.filter(village_id__in=codes).select_related("letter_type"):
        slug = request.letter_type.slug
        local = timezone.localtime(request.submitted_at)
        out[(request.village_id, local.year, local.month, slug)]["submitted"] += 1
        for event in RequestEvent.objects.filter(request=request):
            column = closing.get(event.status_to)
            if column is None:
                continue
            when = timezone.localtime(event.at)
            figures = out[(request.village_id, when.year, when.month, slug)]
            figures[column] += 1
            if column == "issued":
                hours = (event.at - request.submitted_at).total_seconds() / 3600
                figures[HISTOGRAM_FIELDS[hist.bucket_of(hours)]] += 1
    return {key: dict(value) for key, value in out.items()}


def stored_months(codes: list[str]) -> dict[tuple[str, int, int, str], dict[str, int]]:
    columns = ("submitted", "issued", "rejected", "cancelled", *HISTOGRAM_FIELDS)
    out = {}
    for row in LetterMonth.objects.filter(village_id__in=codes):
        assert row.district_code == row.village_id[:8]
        out[(row.village_id, row.year, row.month, row.letter_type)] = {
            c: getattr(row, c) for c in columns if getattr(row, c)
        }
    return out


def expected_open(codes: list[str]) -> dict[tuple[str, str, str, dt.date], int]:
    out: dict[tuple[str, str, str, dt.date], int] = defaultdict(int)
    for request in LetterRequest.objects.filter(village_id__in=codes).select_related("letter_type"):
        if request.status in OPEN_STATUSES:
            out[(request.village_id, request.letter_type.slug, request.status, request.due_on)] += 1
    return dict(out)


def stored_open(codes: list[str]) -> dict[tuple[str, str, str, dt.date], int]:
    return {
        (r.village_id, r.letter_type, r.status, r.due_on): r.count
        for r in LetterOpen.objects.filter(village_id__in=codes)
    }


def snapshot(*models: type[Model]) -> list[list[tuple[Any, ...]]]:
    """Every row of the tables without its id, in a stable order."""
    return [
        sorted(
            (tuple((k, v) for k, v in row.items() if k != "id") for row in model._default_manager.values()),
            key=repr,
        )
        for model in models
    ]


def all_villages() -> list[str]:
    return list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith=REGENCY + ".").values_list(
            "code", flat=True
        )
    )


# -- tests --------------------------------------------------------------------------------------


def test_figures_equal_the_requests_and_their_history(scene: dict[str, LetterRequest]) -> None:
    area.compute(CODES, TODAY)
    assert stored_months(CODES) == expected_months(CODES)
    assert stored_open(CODES) == expected_open(CODES)
    months = stored_months(CODES)
    feb = months[(VILLAGE_A1, 2026, 2, DOMISILI)]
    # One submitted on 1 February local time (31 January in UTC), one on 27 February; the
    # request handed over in March counts once, as issued in February.
    assert feb["submitted"] == 2 and feb["issued"] == 2
    assert feb["h04"] == 1 and feb["h05"] == 1  # 9 hours (<= 1 day) and 34.5 hours (<= 2 days)
    assert months[(VILLAGE_A1, 2026, 1, DOMISILI)] == {"submitted": 1}
    assert months[(VILLAGE_A1, 2026, 2, USAHA)] == {"submitted": 1, "rejected": 1}
    assert months[(VILLAGE_A1, 2026, 3, DOMISILI)] == {"submitted": 2, "cancelled": 1}  # 1 March local
    assert months[(VILLAGE_A2, 2026, 2, DOMISILI)] == {"submitted": 2, "issued": 1, "h00": 1}
    assert months[(VILLAGE_B1, 2026, 2, DOMISILI)] == {"issued": 1, "h11": 1}  # 46 days
    assert months[(VILLAGE_A2, 2026, 3, DOMISILI)] == {"submitted": 2, "issued": 2, "h04": 1, "h05": 1}
    opened = stored_open(CODES)
    # Issued but not yet collected is still open (the office is done, the resident is not).
    assert sorted((k[0], k[2]) for k in opened for _ in range(opened[k])) == sorted(
        [
            (VILLAGE_A1, RequestStatus.SUBMITTED),
            (VILLAGE_A1, RequestStatus.VERIFIED),
            (VILLAGE_A1, RequestStatus.ISSUED),
            (VILLAGE_A2, RequestStatus.SIGNED),
            (VILLAGE_A2, RequestStatus.ISSUED),
            (VILLAGE_B1, RequestStatus.ISSUED),
        ]
    )
    # No row is all zero: every stored month has something in it.
    assert all(any(v for v in figures.values()) for figures in months.values())


def test_histograms_merge_to_the_district_median(scene: dict[str, LetterRequest]) -> None:
    area.compute(CODES, TODAY)
    district = [hist.counts_of(r) for r in LetterMonth.objects.filter(district_code=VILLAGE_A1[:8])]
    merged = hist.merge(district)
    durations = [
        (e.at - e.request.submitted_at).total_seconds() / 3600
        for e in RequestEvent.objects.filter(
            request__village__code__startswith=VILLAGE_A1[:8], status_to=RequestStatus.ISSUED
        ).select_related("request")
    ]
    assert sum(merged) == len(durations) == 5
    ordered = sorted(durations)
    for q in (0.5, 0.9):
        k = math.ceil(q * len(ordered))  # nearest rank: 3rd and 5th of 5
        assert hist.percentile_bucket(merged, q) == hist.bucket_of(ordered[k - 1])


def test_compute_replaces_only_the_given_villages(scene: dict[str, LetterRequest]) -> None:
    area.compute(CODES, TODAY)
    before_a2 = stored_months([VILLAGE_A2]), stored_open([VILLAGE_A2])
    LetterRequest.objects.filter(pk=scene["a1_open"].pk).update(status=RequestStatus.CANCELLED)
    area.compute([VILLAGE_A1], TODAY)
    assert (stored_months([VILLAGE_A2]), stored_open([VILLAGE_A2])) == before_a2
    assert stored_open([VILLAGE_A1]) == expected_open([VILLAGE_A1])
    area.compute([], TODAY)  # nothing asked, nothing touched
    assert stored_open(CODES) == expected_open(CODES)


def test_query_count_does_not_grow_with_villages(scene: dict[str, LetterRequest]) -> None:
    with CaptureQueriesContext(connection) as one:
        area.compute([VILLAGE_A1], TODAY)
    every = all_villages()
    assert len(every) > 100
    with CaptureQueriesContext(connection) as many:
        area.compute(every, TODAY)
    assert len(one) == len(many) <= 7  # three reads, two deletes, two inserts
    assert stored_months(CODES) == expected_months(CODES)


def test_computing_twice_gives_identical_rows(scene: dict[str, LetterRequest]) -> None:
    area.compute(CODES, TODAY)
    first = snapshot(*area.TABLES)
    area.compute(list(reversed(CODES)), TODAY)
    assert snapshot(*area.TABLES) == first
    assert area.villages() == set(CODES)


def test_marks_from_real_writes_keep_the_tables_equal_to_a_rebuild(world: Any) -> None:
    with time_machine.travel(at(2026, 3, 10, 3), tick=False):
        rollup_work()
        request = _submit(world, VILLAGE_A1, at(2026, 3, 2, 1))
        assert RollupMark.objects.filter(region_code=VILLAGE_A1, area=Area.LETTERS).exists()
        report = rollup_work()
        assert report.villages[Area.LETTERS] == 1
        assert not RollupMark.objects.filter(area=Area.LETTERS).exists()
        assert stored_open([VILLAGE_A1]) == expected_open([VILLAGE_A1]) != {}

        # Each step of the life cycle leaves a mark; applying them keeps the tables current.
        _step(world, request, "verify", at(2026, 3, 2, 2))
        _step(world, request, "sign", at(2026, 3, 2, 3))
        _step(world, request, "issue", at(2026, 3, 4, 3))
        _step(world, request, "hand_over", at(2026, 3, 6, 3))
        other = _submit(world, VILLAGE_B1, at(2026, 3, 5, 1))
        _step(world, other, "cancel", at(2026, 3, 5, 2))
        assert RollupMark.objects.filter(region_code=VILLAGE_B1, area=Area.LETTERS).exists()
        rollup_work()
        assert stored_months(CODES) == expected_months(CODES)
        assert stored_open(CODES) == expected_open(CODES) == {}
        kept = snapshot(*area.TABLES)
        rollup_rebuild(areas=[Area.LETTERS])
        assert snapshot(*area.TABLES) == kept
        assert LetterMonth.objects.get(village_id=VILLAGE_A1).h06 == 1  # 50 hours: <= 3 days
