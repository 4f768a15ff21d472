"""Letters and programme cases in every village of the regency-scale demo.

At ``--scale regency`` the demo villages get their letters and cases through the real
services (:mod:`kampung.demo.letters`, :mod:`kampung.demo.assistance`); the other 214
villages get a year of them written in bulk, so the district and regency dashboards show a
whole regency. These are records, not rendered letters: no documents, no PDFs, no numbers
(issue #9 allows it: "letters at this scale may be records without rendered PDFs"). The
programme cases stop before the decision, or carry a decided amount without a decree.

Each village is filled once: a village that already has letter requests (or cases of the
programme year) is left alone, so running the demo again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kampung.assistance.models import Case, CaseStatus, Channel, Programme, ProgrammeYear
from kampung.audit.services import audit_record
from kampung.letters.models import LetterType
from kampung.letters.models_requests import TRACKING_ALPHABET, LetterRequest, RequestEvent, RequestStatus
from kampung.letters.models_requests import Channel as LetterChannel
from kampung.population.models import BasicStatus, Family, Resident
from kampung.regions.models import Kind, Region

LETTERS_PER_VILLAGE = (450, 750)  # a year of letters in one village (Jan to today)
RTLH_CASES = (8, 24)
BLT_CASES = (15, 45)
BATCH = 5_000

# Share of the year's requests by outcome; the rest are still open.
_ISSUED, _REJECTED, _CANCELLED = 0.90, 0.03, 0.02
_HANDED_OVER = 0.85  # of the issued ones
# Hours from submission to issue: log-normal around a day, a tail of a week and more.
_ISSUE_MU, _ISSUE_SIGMA = math.log(18), 1.1


@dataclass
class ActivityResult:
    villages: int = 0
    requests: int = 0
    events: int = 0
    cases: int = 0


def _code(rng: random.Random, used: set[str]) -> str:
    while True:
        code = "".join(rng.choice(TRACKING_ALPHABET) for _ in range(8))
        if code not in used:
            used.add(code)
            return code


def _office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime(day.year, day.month, day.day, rng.randint(7, 14), rng.randint(0, 59), tzinfo=tz)


def _working_days_after(day: dt.date, days: int) -> dt.date:
    due = day
    while days > 0:
        due += dt.timedelta(days=1)
        if due.weekday() < 5:
            days -= 1
    return due


def letters_bulk_fill(
    *, village_codes: Iterable[str], seed: int, today: dt.date | None = None
) -> ActivityResult:
    """A year of letter requests (1 January to ``today``) in each village that has none."""
    today = today or timezone.localdate()
    codes = sorted(set(village_codes))
    result = ActivityResult()
    if not codes:
        return result
    have = set(
        LetterRequest.objects.filter(village_id__in=codes).values_list("village_id", flat=True).distinct()
    )
    todo = [c for c in codes if c not in have]
    types = list(LetterType.objects.filter(active=True).order_by("slug").values_list("id", "sla_days"))
    if not todo or not types:
        return result
    used = set(LetterRequest.objects.values_list("code", flat=True))
    start = dt.date(today.year, 1, 1)
    span = (today - start).days + 1
    weights = [1.0 / (1 + i * 0.35) for i in range(len(types))]  # a few types are most asked for
    now = timezone.now()
    for code in todo:
        rng = random.Random(f"{seed}:letters-bulk:{code}")
        people = list(
            Resident.objects.filter(village_id=code, basic_status=BasicStatus.LIVING)
            .order_by("id")
            .values_list("id", flat=True)[:3000]
        )
        if not people:
            continue
        requests: list[LetterRequest] = []
        steps: list[list[tuple[dt.datetime, str, str]]] = []
        for _ in range(rng.randint(*LETTERS_PER_VILLAGE)):
            type_id, sla = rng.choices(types, weights=weights)[0]
            day = start + dt.timedelta(days=rng.randrange(span))
            if day.weekday() >= 5:
                day -= dt.timedelta(days=day.weekday() - 4)
            submitted = _office_time(rng, day)
            if submitted > now:  # today, later than the clock: it came in a little earlier
                submitted = now - dt.timedelta(minutes=rng.randint(1, 90))
            due = _working_days_after(day, sla or 1)
            roll = rng.random()
            history: list[tuple[dt.datetime, str, str]] = [(submitted, "", RequestStatus.SUBMITTED)]
            closed: dt.datetime | None = None
            hours = rng.lognormvariate(_ISSUE_MU, _ISSUE_SIGMA)
            issued_at = submitted + dt.timedelta(hours=hours)
            if roll < _ISSUED and issued_at.date() <= today:
                verified = submitted + dt.timedelta(hours=hours * 0.4)
                signed = submitted + dt.timedelta(hours=hours * 0.8)
                history += [
                    (verified, RequestStatus.SUBMITTED, RequestStatus.VERIFIED),
                    (signed, RequestStatus.VERIFIED, RequestStatus.SIGNED),
                    (issued_at, RequestStatus.SIGNED, RequestStatus.ISSUED),
                ]
                handed = issued_at + dt.timedelta(hours=rng.uniform(1, 72))
                if rng.random() < _HANDED_OVER and handed.date() <= today:
                    history.append((handed, RequestStatus.ISSUED, RequestStatus.HANDED_OVER))
                    closed = handed
            elif roll < _ISSUED + _REJECTED:
                at = submitted + dt.timedelta(hours=rng.uniform(1, 48))
                history.append((at, RequestStatus.SUBMITTED, RequestStatus.REJECTED))
                closed = at
            elif roll < _ISSUED + _REJECTED + _CANCELLED:
                at = submitted + dt.timedelta(hours=rng.uniform(1, 24))
                history.append((at, RequestStatus.SUBMITTED, RequestStatus.CANCELLED))
                closed = at
            elif rng.random() < 0.5:
                at = submitted + dt.timedelta(hours=rng.uniform(1, 24))
                history.append((at, RequestStatus.SUBMITTED, RequestStatus.VERIFIED))
            # Nothing in the future: a step after "now" has not happened yet.
            history = [h for h in history if h[0] <= now]
            status = str(history[-1][2])
            closed = closed if closed is not None and closed <= now else None
            requests.append(
                LetterRequest(
                    code=_code(rng, used),
                    village_id=code,
                    letter_type_id=type_id,
                    channel=rng.choice(LetterChannel.values),
                    requester_id=rng.choice(people),
                    status=status,
                    submitted_at=submitted,
                    due_on=due,
                    closed_at=closed,
                )
            )
            steps.append(history)
        with transaction.atomic():
            LetterRequest.objects.bulk_create(requests, batch_size=BATCH)
            events = [
                RequestEvent(request=req, at=at, status_from=src, status_to=dst, actor_name="Operator desa")
                for req, history in zip(requests, steps, strict=True)
                for at, src, dst in history
            ]
            RequestEvent.objects.bulk_create(events, batch_size=BATCH)
            audit_record(
                actor=None,
                act="demo.letters.bulk",
                region=code,
                object_type="letters.LetterRequest",
                object_id=code,
                after={"requests": len(requests), "events": len(events)},
            )
        result.villages += 1
        result.requests += len(requests)
        result.events += len(events)
    return result


_RTLH_STAGES = (
    (CaseStatus.REGISTERED, 0.15),
    (CaseStatus.REFUSED, 0.1),
    (CaseStatus.ELIGIBLE, 0.15),
    (CaseStatus.PRIORITISED, 0.15),
    (CaseStatus.DECIDED, 0.15),
    (CaseStatus.PAID, 0.1),
    (CaseStatus.IN_PROGRESS, 0.1),
    (CaseStatus.DONE, 0.1),
)
_BLT_STAGES = (
    (CaseStatus.REGISTERED, 0.05),
    (CaseStatus.REFUSED, 0.1),
    (CaseStatus.ELIGIBLE, 0.1),
    (CaseStatus.DECIDED, 0.75),
)
_AIDED = {CaseStatus.DECIDED, CaseStatus.PAID, CaseStatus.IN_PROGRESS, CaseStatus.DONE}


def cases_bulk_fill(
    *, village_codes: Iterable[str], seed: int, year: int | None = None, today: dt.date | None = None
) -> ActivityResult:
    """RTLH and BLT cases of ``year`` in each desa (not kelurahan) that has none of that
    programme year. Needs the programmes installed (the demo's assistance step does it)."""
    today = today or timezone.localdate()
    year = year or today.year
    result = ActivityResult()
    programmes = {p.code: p for p in Programme.objects.filter(code__in=["rtlh", "blt"])}
    years = {
        py.programme.code: py
        for py in ProgrammeYear.objects.filter(programme__in=programmes.values(), year=year).select_related(
            "programme"
        )
    }
    desa = sorted(
        Region.objects.filter(code__in=list(village_codes), kind__in=[Kind.DESA, Kind.DESA_ADAT]).values_list(
            "code", flat=True
        )
    )
    if not desa or not years:
        return result
    have = set(
        Case.objects.filter(village_id__in=desa, year=year).values_list("village_id", "programme__code")
    )
    start = dt.date(year, 1, 1)
    span = max(1, (min(today, dt.date(year, 12, 31)) - start).days)
    tz = timezone.get_current_timezone()
    for code in desa:
        rng = random.Random(f"{seed}:cases-bulk:{code}")
        families = list(
            Family.objects.filter(village_id=code, head__isnull=False)
            .order_by("id")
            .values_list("id", "kk_number", "head_id", "head__nik", "head__name", "dusun", "rw", "rt")[:400]
        )
        rng.shuffle(families)
        cases: list[Case] = []
        for prog_code, sizes, stages in (("rtlh", RTLH_CASES, _RTLH_STAGES), ("blt", BLT_CASES, _BLT_STAGES)):
            py = years.get(prog_code)
            if py is None or (code, prog_code) in have:
                continue
            count = min(rng.randint(*sizes), len(families))
            chosen, families = families[:count], families[count:]
            statuses = [s for s, _ in stages]
            weights = [w for _, w in stages]
            for i, (fam_id, kk, head_id, nik, name, dusun, rw, rt) in enumerate(chosen, start=1):
                status = rng.choices(statuses, weights=weights)[0]
                registered = start + dt.timedelta(days=rng.randrange(span))
                since = registered + dt.timedelta(days=rng.randint(0, max(0, (today - registered).days)))
                cases.append(
                    Case(
                        programme=programmes[prog_code],
                        year=year,
                        village_id=code,
                        number=f"{prog_code.upper()}-{year}-{i:04d}",
                        family_id=fam_id,
                        beneficiary_id=head_id,
                        nik=nik,
                        kk_number=kk,
                        name=name,
                        dusun=dusun,
                        rw=rw,
                        rt=rt,
                        channel=Channel.OPERATOR,
                        registered_on=registered,
                        status=status,
                        refusal_code="skor" if status == CaseStatus.REFUSED else "",
                        refusal_reason="Skor di bawah batas." if status == CaseStatus.REFUSED else "",
                        amount=(py.amount * (py.months if py.programme.is_monthly else 1))
                        if status in _AIDED
                        else None,
                        paid_on=since
                        if status in (CaseStatus.PAID, CaseStatus.IN_PROGRESS, CaseStatus.DONE)
                        else None,
                        progress={CaseStatus.IN_PROGRESS: 50, CaseStatus.DONE: 100}.get(status, 0),
                        done_on=since if status == CaseStatus.DONE else None,
                        stage_since=dt.datetime(since.year, since.month, since.day, 9, tzinfo=tz),
                    )
                )
        if cases:
            with transaction.atomic():
                Case.objects.bulk_create(cases, batch_size=BATCH)
                audit_record(
                    actor=None,
                    act="demo.assistance.bulk",
                    region=code,
                    object_type="assistance.Case",
                    object_id=code,
                    after={"cases": len(cases), "year": year},
                )
            result.villages += 1
            result.cases += len(cases)
    return result
